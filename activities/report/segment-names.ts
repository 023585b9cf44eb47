/**
 * A short readable name and a one-line description for every segment, derived from its profile
 * (sql/publish/segment_profiles.sql) and its most distinctive terms (segment_top_terms.sql):
 * the behavior that sets it apart from the population, its price level, and the categories and
 * brands its users choose far more often than everyone else, e.g. "Cart-heavy buyers: smartphone,
 * apple". Pure and deterministic; names are unique within a run. Where the data has no category or
 * brand text, ids are used and labelled as ids ("category #205301…").
 */

export interface SegmentName {
  segment: number;
  name: string;
  description: string;
}

type Row = Record<string, unknown>;

/** The event types a profile has a share column for (`<type>_share`, of the segment's events). */
export const EVENT_MIX = ['view', 'click', 'cart', 'fav', 'purchase', 'search'] as const;
export type EventKind = (typeof EVENT_MIX)[number];

/** A segment's share this much above the population's is what sets it apart (and this much below the reverse). */
const DISTINCT_RATIO = 1.3;
export const PRICE_HIGH = 1.4;
export const PRICE_LOW = 0.7;
/** Longest term kept in a name, and in a description (a brand can be 10,000 characters long). */
const NAME_TERM_CHARS = 28;
const DESCRIPTION_TERM_CHARS = 60;

const BEHAVIOR_WORDS: Record<'cart' | 'fav' | 'click' | 'search', string> = {
  cart: 'Cart-heavy', fav: 'Wishlisting', click: 'Click-heavy', search: 'Search-heavy',
};

const number = (value: unknown): number => (value === null || value === undefined ? NaN : Number(value));
const finite = (value: number, fallback = 0) => (Number.isFinite(value) ? value : fallback);

/** The population's share of each event type, the share of buyers and the mean price level, from the segments' profiles. */
export function populationProfile(profiles: Row[]): { mix: Record<EventKind, number>; buyerShare: number; meanPrice: number; meanEvents: number } {
  let events = 0;
  let users = 0;
  let buyers = 0;
  let priceWeight = 0;
  let priceSum = 0;
  const mixSum = Object.fromEntries(EVENT_MIX.map((kind) => [kind, 0])) as Record<EventKind, number>;
  for (const profile of profiles) {
    const segmentUsers = finite(number(profile.users));
    const segmentEvents = segmentUsers * finite(number(profile.mean_events));
    users += segmentUsers;
    events += segmentEvents;
    buyers += segmentUsers * finite(number(profile.buyer_share));
    for (const kind of EVENT_MIX) mixSum[kind] += segmentEvents * finite(number(profile[`${kind}_share`]));
    const price = number(profile.mean_price);
    if (Number.isFinite(price)) {
      priceSum += segmentUsers * price;
      priceWeight += segmentUsers;
    }
  }
  const mix = Object.fromEntries(EVENT_MIX.map((kind) => [kind, events > 0 ? mixSum[kind] / events : 0])) as Record<EventKind, number>;
  return { mix, buyerShare: users > 0 ? buyers / users : 0, meanPrice: priceWeight > 0 ? priceSum / priceWeight : NaN, meanEvents: users > 0 ? events / users : 0 };
}

/** True when a term is an id rather than text: digits only (item ids always are ids). */
export function isIdTerm(kind: string, term: string): boolean {
  return kind === 'item' || /^\s*[0-9]+(\.0)?\s*$/.test(term);
}

function cut(text: string, maxChars: number): string {
  const characters = Array.from(text.trim());
  return characters.length > maxChars ? `${characters.slice(0, maxChars).join('')}…` : characters.join('');
}

/** How a term reads in a name: a category path's last part ("electronics.smartphone" -> "smartphone"), ids labelled as ids. */
function shortTerm(kind: string, term: string): string {
  if (isIdTerm(kind, term)) {
    const id = term.trim().replace(/\.0$/, '');
    return `${kind} #${id.length > 8 ? `${id.slice(0, 6)}…` : id}`;
  }
  const parts = kind === 'category' ? term.split('.').filter((part) => part.trim() !== '') : [term];
  return cut(parts.at(-1) ?? term, NAME_TERM_CHARS);
}

/**
 * The terms to name a segment by, best first: text categories and brands alternating by lift (only
 * terms the segment's users choose more often than the population), then ids when no text exists.
 */
function distinctiveTerms(segment: number, topTerms: Row[]): Array<{ kind: string; term: string; lift: number }> {
  const own = topTerms
    .filter((row) => Number(row.segment) === segment && number(row.lift) > 1 && row.term !== null && String(row.term).trim() !== '')
    .map((row) => ({ kind: String(row.kind), term: String(row.term), lift: number(row.lift), users: finite(number(row.segment_users)) }));
  // The order of segment_top_terms.sql: lift, then the more users, then the term.
  const byLift = (list: typeof own) => [...list].sort((a, b) => b.lift - a.lift || b.users - a.users || a.term.localeCompare(b.term));
  const text = (kind: string) => byLift(own.filter((row) => row.kind === kind && !isIdTerm(row.kind, row.term)));
  const categories = text('category');
  const brands = text('brand');
  const interleaved = [];
  for (let i = 0; i < Math.max(categories.length, brands.length); i++) {
    if (categories[i]) interleaved.push(categories[i]);
    if (brands[i]) interleaved.push(brands[i]);
  }
  if (interleaved.length > 0) return interleaved;
  // No text: ids, labelled as such (categories before items: a category id says more).
  return [...byLift(own.filter((row) => row.kind === 'category')), ...byLift(own.filter((row) => row.kind === 'item'))];
}

/** The behavior phrase: what the segment does more than the population, whether it buys, its price level. */
function behaviorPhrase(profile: Row, population: ReturnType<typeof populationProfile>): string {
  const ratio = (segmentValue: number, populationValue: number) => (populationValue > 0 ? finite(segmentValue) / populationValue : 1);
  const buyerRatio = ratio(number(profile.buyer_share), population.buyerShare);
  const viewRatio = ratio(number(profile.view_share), population.mix.view);
  const noun = buyerRatio >= DISTINCT_RATIO ? 'buyers' : buyerRatio <= 1 / DISTINCT_RATIO || viewRatio > 1.05 ? 'browsers' : 'shoppers';
  const priceRatio = ratio(number(profile.mean_price), population.meanPrice);
  const price = priceRatio >= PRICE_HIGH ? 'premium ' : priceRatio <= PRICE_LOW ? 'budget ' : '';
  const kinds = ['cart', 'search', 'fav', 'click'] as const;
  const ratios = kinds.map((kind) => ({ kind, value: ratio(number(profile[`${kind}_share`]), population.mix[kind]) }));
  const dominant = ratios.reduce((best, next) => (next.value > best.value ? next : best));
  if (dominant.value >= DISTINCT_RATIO) {
    if (dominant.kind === 'search' && noun !== 'buyers') return `${capitalize(price)}searchers`.trim();
    return `${BEHAVIOR_WORDS[dominant.kind]} ${price}${noun}`;
  }
  const activity = ratio(number(profile.mean_events), population.meanEvents);
  const adjective = activity >= 1.5 ? 'Very active' : activity <= 0.67 ? 'Occasional' : 'Typical';
  return `${adjective} ${price}${noun}`;
}

function capitalize(text: string): string {
  return text.length > 0 ? text[0].toUpperCase() + text.slice(1) : text;
}

function percent(value: number): string {
  return `${(finite(value) * 100).toFixed(0)}%`;
}

function describe(profile: Row, population: ReturnType<typeof populationProfile>, terms: ReturnType<typeof distinctiveTerms>): string {
  const users = finite(number(profile.users));
  const parts = [`${users.toLocaleString('en-US')} users (${percent(number(profile.share))})`];
  const mix = EVENT_MIX
    .filter((kind) => population.mix[kind] > 0)
    .map((kind) => ({ kind, ratio: finite(number(profile[`${kind}_share`])) / population.mix[kind] }))
    .filter((entry) => entry.ratio >= DISTINCT_RATIO || entry.ratio <= 1 / DISTINCT_RATIO)
    .sort((a, b) => Math.abs(Math.log(b.ratio || 1e-9)) - Math.abs(Math.log(a.ratio || 1e-9)) || a.kind.localeCompare(b.kind))
    .slice(0, 3)
    .map((entry) => `${entry.kind} ${entry.ratio.toFixed(1)}x`);
  if (mix.length > 0) parts.push(`event mix vs population: ${mix.join(', ')}`);
  parts.push(`${percent(number(profile.buyer_share))} buy (population ${percent(population.buyerShare)})`);
  const price = number(profile.mean_price);
  if (Number.isFinite(price) && Number.isFinite(population.meanPrice) && population.meanPrice > 0) {
    parts.push(`mean price ${price.toFixed(2)} (${(price / population.meanPrice).toFixed(1)}x)`);
  }
  if (terms.length > 0) {
    const shown = terms.slice(0, 4).map((term) => `${isIdTerm(term.kind, term.term) ? `${term.kind} #` : `${term.kind} `}${cut(term.term, DESCRIPTION_TERM_CHARS)} (${term.lift.toFixed(1)}x)`);
    parts.push(`distinctive: ${shown.join(', ')}`);
  }
  return `${parts.join('; ')}.`;
}

/** Names and descriptions for every profiled segment, in segment order, each name unique. */
export function nameSegments(profiles: Row[], topTerms: Row[]): SegmentName[] {
  const population = populationProfile(profiles.filter((profile) => Number(profile.segment) >= 0));
  const drafts = [...profiles]
    .sort((a, b) => Number(a.segment) - Number(b.segment))
    .map((profile) => {
      const segment = Number(profile.segment);
      const terms = distinctiveTerms(segment, topTerms);
      if (segment < 0) return { segment, terms, base: 'Unassigned (noise)', used: 0, description: `Users no segment took in (noise); ${describe(profile, population, terms)}` };
      return { segment, terms, base: behaviorPhrase(profile, population), used: Math.min(2, terms.length), description: describe(profile, population, terms) };
    });
  const nameOf = (draft: (typeof drafts)[number]) => {
    const shown = [...new Set(draft.terms.slice(0, draft.used).map((term) => shortTerm(term.kind, term.term)))];
    return shown.length > 0 ? `${draft.base}: ${shown.join(', ')}` : draft.base;
  };
  // Disambiguate: segments sharing a name show one more of their own terms while that helps...
  for (let round = 0; round < 3; round++) {
    const names = drafts.map(nameOf);
    let changed = false;
    drafts.forEach((draft, index) => {
      if (names.filter((name) => name === names[index]).length > 1 && draft.used < draft.terms.length) {
        draft.used += 1;
        changed = true;
      }
    });
    if (!changed) break;
  }
  // ...and any still shared are numbered in segment order (the first keeps the plain name).
  const taken = new Set<string>();
  return drafts.map((draft) => {
    let name = nameOf(draft);
    for (let copy = 2; taken.has(name); copy++) name = `${nameOf(draft)} (${copy})`;
    taken.add(name);
    return { segment: draft.segment, name, description: draft.description };
  });
}
