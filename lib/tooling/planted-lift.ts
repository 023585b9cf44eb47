import fs from 'node:fs';
import { once } from 'node:events';
import { seededRandom } from '../../activities/clustering/random';
import { pick } from './synthetic-events';

/**
 * Synthetic REES46-format logs whose planted segments differ in what they buy next, so the
 * segmentation with the best recommendation lift is known (the planted one): every segment has
 * its own Zipf-shaped preference over its own items, for its history and its held-out last event
 * alike, so recommending a segment's popular items beats global popularity. Used by
 * `npm run bench -- planted-lift` (docs/BENCHMARKS.md) to check the selection rule.
 *
 * Two kinds of signal:
 *  - 'identity': every segment behaves the same (one event mix, activity, session pattern and price
 *    distribution); only which categories and items it buys differ. Behaviour statistics cannot see
 *    the segments; TF-IDF (category and brand tokens) and item2vec can.
 *  - 'behavior': segments differ in event mix, activity, sessions and price level, and buy their
 *    own items, but every segment's items have the same category and brand pattern, so category
 *    tokens carry no signal: behaviour statistics see the segments (item2vec can see item identity).
 */
export type PlantedSignal = 'identity' | 'behavior';

export interface PlantedLiftOptions {
  users: number;
  seed: number;
  /** Planted segments (equal shares). */
  segments: number;
  /** Share of events drawn from the global item distribution instead of the segment's (0..1). */
  noise: number;
  signal: PlantedSignal;
  /** Mean events per user (heavy-tailed, as in the real logs). */
  meanEvents?: number;
}

/** Items per segment, ranked by the segment's preference (Zipf, exponent ZIPF_EXPONENT). */
export const ITEMS_PER_SEGMENT = 300;
const ZIPF_EXPONENT = 1;
/** Identity signal: each segment owns this many categories; behaviour signal: all segments share them. */
const CATEGORIES_PER_SEGMENT = 5;
const BRANDS_PER_SEGMENT = 12;

interface BehaviorProfile {
  eventMix: Array<[string, number]>;
  activity: number;
  priceLevel: number;
  sessions: number;
}

/** The REES46 cosmetics sample's event mix (docs/DATASETS.md): what every identity-signal segment does. */
const SHARED_PROFILE: BehaviorProfile = {
  eventMix: [['view', 0.44], ['cart', 0.28], ['remove_from_cart', 0.2], ['purchase', 0.07]], activity: 1, priceLevel: 1, sessions: 2,
};

/** Behaviour-signal profiles: spread over event mix, price, activity and sessions, one per segment, seeded. */
export function behaviorProfiles(segments: number, signal: PlantedSignal, seed: number): BehaviorProfile[] {
  if (signal === 'identity') return Array.from({ length: segments }, () => SHARED_PROFILE);
  const random = seededRandom(seed + 101);
  return Array.from({ length: segments }, (_, s) => ({
    eventMix: [['view', 0.1 + 0.8 * random()], ['cart', 0.05 + 0.5 * random()], ['remove_from_cart', 0.02 + 0.3 * random()], ['purchase', 0.02 + 0.4 * random()]],
    activity: 0.5 + 2 * random(),
    // Price levels spread evenly on a log scale (x0.2 .. x5), so every pair of segments differs.
    priceLevel: Math.exp(Math.log(5) * (segments === 1 ? 0 : -1 + (2 * s) / (segments - 1))),
    sessions: 1 + Math.floor(5 * random()),
  }));
}

/** Item id of segment `segment`'s rank-`rank` item (ids interleave segments, so no id range gives a segment away). */
function itemId(segment: number, rank: number, segments: number): number {
  return rank * segments + segment;
}

/** Category and brand of an item: owned by its segment (identity signal) or the same pattern for every segment (behaviour). */
function itemFacets(item: number, segments: number, signal: PlantedSignal): { category: number; brand: number; basePrice: number } {
  const segment = item % segments;
  const rank = Math.floor(item / segments);
  const own = signal === 'identity' ? segment : 0;
  return {
    category: own * CATEGORIES_PER_SEGMENT + (rank % CATEGORIES_PER_SEGMENT),
    brand: own * BRANDS_PER_SEGMENT + (rank % BRANDS_PER_SEGMENT),
    // The same price for the same rank in every segment: price says nothing about the segment by
    // itself. A narrow range (10..20), so a behaviour segment's price level shows through.
    basePrice: 10 + ((rank * 37) % 11),
  };
}

/** A sampler of ranks 0..n-1 with Zipf weights 1 / (rank + 1)^ZIPF_EXPONENT. */
function zipfSampler(n: number, random: () => number): () => number {
  const cdf = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) cdf[i] = total += 1 / (i + 1) ** ZIPF_EXPONENT;
  return () => {
    const target = random() * total;
    let low = 0;
    let high = n - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (cdf[middle] < target) low = middle + 1;
      else high = middle;
    }
    return low;
  };
}

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/**
 * Writes the CSV and `<file>.labels.csv` (user_id, segment); returns the events written and each
 * user's planted segment. The global distribution (what noise events follow) is a Zipf over every
 * item in a seeded random order, so its popular items are not any one segment's.
 */
export async function writePlantedLiftLog(file: string, options: PlantedLiftOptions): Promise<{ events: number; labels: Map<string, number> }> {
  const { users, segments, noise, signal } = options;
  if (!(noise >= 0 && noise <= 1)) throw new Error(`noise must be in [0, 1], got ${noise}`);
  const random = seededRandom(options.seed);
  const meanEvents = options.meanEvents ?? 10;
  const profiles = behaviorProfiles(segments, signal, options.seed);
  const catalogue = segments * ITEMS_PER_SEGMENT;
  const globalOrder = Array.from({ length: catalogue }, (_, i) => i);
  for (let i = catalogue - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [globalOrder[i], globalOrder[j]] = [globalOrder[j], globalOrder[i]];
  }
  const segmentRank = zipfSampler(ITEMS_PER_SEGMENT, random);
  const globalRank = zipfSampler(catalogue, random);
  const start = Date.UTC(2019, 9, 1) / 1000;

  const out = fs.createWriteStream(file);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(',event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session\n');
  const labels = new Map<string, number>();
  let row = 0;
  let buffer = '';
  for (let u = 0; u < users; u++) {
    const segment = Math.floor(random() * segments);
    const profile = profiles[segment];
    const userId = String(700_000_000 + u);
    labels.set(userId, segment);
    const events = Math.max(1, Math.round(Math.exp(Math.log(meanEvents * profile.activity) - 0.6 + 1.1 * gaussian(random))));
    const sessions = Math.max(1, Math.min(events, Math.round(profile.sessions * (0.5 + random()))));
    let time = start + Math.floor(random() * 20 * 86_400);
    let session = 0;
    for (let e = 0; e < events; e++) {
      if (e > 0 && session < sessions - 1 && random() < sessions / events) {
        session++;
        time += 3600 + Math.floor(random() * 3 * 86_400);
      } else {
        time += 1 + Math.floor(-40 * Math.log(1 - random()));
      }
      const item = random() < noise ? globalOrder[globalRank()] : itemId(segment, segmentRank(), segments);
      const facets = itemFacets(item, segments, signal);
      const price = (facets.basePrice * profile.priceLevel * (0.8 + 0.4 * random())).toFixed(2);
      const when = new Date(time * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
      buffer += `${row++},${when},${pick(profile.eventMix, random)},${2_000_000 + item},${2053013552000000000n + BigInt(facets.category)},,brand${facets.brand},${price},${userId},s-${userId}-${session}\n`;
    }
    if (buffer.length > 1 << 20) {
      await write(buffer);
      buffer = '';
    }
  }
  await write(buffer);
  out.end();
  await once(out, 'finish');
  fs.writeFileSync(`${file}.labels.csv`, 'user_id,segment\n' + [...labels].map(([user, label]) => `${user},${label}`).join('\n') + '\n');
  return { events: row, labels };
}
