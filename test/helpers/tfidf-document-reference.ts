import type { SequenceEvent } from '../../activities/encoders/transformer/serialize';

/**
 * The TF-IDF document as the encoder built it in JavaScript before the tfidf_document SQL macro
 * (sql/macros.sql) replaced it: per event (oldest first) e:<event type>, c:<category path or id>,
 * b:<brand>, the last two when present. Kept as the reference the macro is checked against (on
 * values without whitespace, which this version refused).
 */
export function referenceEventDocument(events: SequenceEvent[]): string[] {
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
