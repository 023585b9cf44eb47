import type { SequenceEvent } from '../transformer/serialize';

/**
 * A user's TF-IDF document: per event (oldest first) the tokens e:<event type>, c:<category path or
 * id>, b:<brand> (the last two when present). With bigrams this also counts event-category,
 * category-brand and brand-next-event pairs, i.e. what users do with what.
 */
export function eventDocument(events: SequenceEvent[]): string[] {
  const ordered = [...events].sort((a, b) => Number(a.position) - Number(b.position));
  const tokens: string[] = [];
  for (const event of ordered) {
    tokens.push(`e:${event.event_type}`);
    const category = event.category_code ?? event.category_id;
    if (category) tokens.push(`c:${category}`);
    if (event.brand) tokens.push(`b:${event.brand}`);
  }
  return tokens;
}
