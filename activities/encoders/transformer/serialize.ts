import type { TransformerOrder } from '../../../common/run-config';

/**
 * Turns a user's behavior sequence into text for a sentence-embedding model. The template is
 * applied to every event and the pieces are joined with `eventSeparator`; see docs/ENCODERS.md for
 * the placeholders. Pure and deterministic: the reference fixture stores these texts verbatim.
 */
export interface SerializationOptions {
  /**
   * Per-event template; placeholders: {gap} {action} {category} {brand} {title} {query} {price} {item}.
   * {gap} ("after 5 min, ") is always written first, wherever it stands, so repeats can be collapsed.
   */
  eventTemplate: string;
  eventSeparator: string;
  /** 'newest-last' reads like a story (default); 'newest-first' keeps recent events if the text is truncated at the end. */
  order: TransformerOrder;
  /** Ascending price boundaries; a price falls in the band between two of them. */
  priceBands: number[];
}

/** The shard's event struct (activities/encoders/shard-schema.ts), as DuckDB hands it to JavaScript. */
export interface SequenceEvent {
  position: number | bigint;
  event_type: string;
  item_id: string | null;
  category_id: string | null;
  category_code: string | null;
  brand: string | null;
  title: string | null;
  query_text: string | null;
  price: number | null;
  gap_s: number | null;
}

const ACTIONS: Record<string, string> = {
  view: 'viewed',
  click: 'clicked',
  cart: 'added to cart',
  remove_from_cart: 'removed from cart',
  fav: 'saved',
  purchase: 'bought',
  search: 'searched',
};

/**
 * Consecutive events that render identically (ignoring the gap) are written once with "(N times)":
 * repeated views of one product are common and would otherwise fill the model's token budget.
 */
export function serializeSequence(events: SequenceEvent[], options: SerializationOptions): string {
  const ordered = [...events].sort((a, b) => Number(a.position) - Number(b.position));
  if (options.order === 'newest-first') ordered.reverse();
  const runs: Array<{ gap: string; body: string; count: number }> = [];
  for (const event of ordered) {
    const body = renderEvent(event, options);
    const last = runs[runs.length - 1];
    if (last && last.body === body) last.count++;
    else runs.push({ gap: options.eventTemplate.includes('{gap}') ? describeGap(event.gap_s) : '', body, count: 1 });
  }
  return runs.map((run) => `${run.gap}${run.body}${run.count > 1 ? ` (${run.count} times)` : ''}`).join(options.eventSeparator);
}

/** The event without its gap (the gap is placed in front by serializeSequence). */
function renderEvent(event: SequenceEvent, options: SerializationOptions): string {
  const values: Record<string, string> = {
    gap: '',
    action: ACTIONS[event.event_type] ?? event.event_type.replace(/_/g, ' '),
    category: describeCategory(event),
    brand: event.brand ?? '',
    title: event.title ?? '',
    query: event.query_text ? `"${event.query_text}"` : '',
    price: describePrice(event.price, options.priceBands),
    item: event.item_id ? `item ${event.item_id}` : '',
  };
  const text = options.eventTemplate.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
  // Empty placeholders leave double spaces behind; collapse them so the text (and its tokens) stays clean.
  return text.replace(/\s+/g, ' ').trim();
}

/** Gaps under a minute say nothing; longer ones become "after 5 min, " / "after 3 h, " / "after 2 days, ". */
function describeGap(gapSeconds: number | null): string {
  if (gapSeconds === null || !(gapSeconds >= 60)) return '';
  if (gapSeconds < 3600) return `after ${Math.round(gapSeconds / 60)} min, `;
  if (gapSeconds < 86_400) return `after ${Math.round(gapSeconds / 3600)} h, `;
  return `after ${Math.round(gapSeconds / 86_400)} days, `;
}

/** "electronics.audio.headphone" -> "electronics audio headphone"; a bare id -> "category 123". */
function describeCategory(event: SequenceEvent): string {
  if (event.category_code) return event.category_code.replace(/[._/>]+/g, ' ');
  return event.category_id ? `category ${event.category_id}` : '';
}

function describePrice(price: number | null, bands: number[]): string {
  if (price === null || !(price > 0) || bands.length === 0) return '';
  if (price < bands[0]) return `price under ${bands[0]}`;
  for (let i = 1; i < bands.length; i++) {
    if (price < bands[i]) return `price ${bands[i - 1]} to ${bands[i]}`;
  }
  return `price over ${bands[bands.length - 1]}`;
}
