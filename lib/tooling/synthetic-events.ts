import fs from 'node:fs';
import { once } from 'node:events';
import { seededRandom } from '../../activities/clustering/random';

/**
 * A synthetic REES46-format event log with planted user segments (known labels), for benchmarks
 * and tests that need scale. Item popularity is Zipf-like; each segment has its own event mix,
 * activity level, price level, session pattern and preferred categories, so a good pipeline can
 * recover the segments.
 */
export interface SyntheticOptions {
  users: number;
  seed: number;
  /** Mean events per user (per-segment levels scale around it). */
  meanEvents?: number;
  items?: number;
  start?: Date;
}

export interface SegmentProfile {
  name: string;
  share: number;
  eventMix: Array<[string, number]>;
  activity: number;
  priceLevel: number;
  sessions: number;
}

/**
 * Segment mixes chosen so that the overall event mix matches the real REES46 cosmetics sample
 * (view 44%, cart 28%, remove_from_cart 20%, purchase 7%; checked in test/unit/synthetic.test.ts).
 */
export const SYNTHETIC_SEGMENTS: SegmentProfile[] = [
  { name: 'window-shoppers', share: 0.4, eventMix: [['view', 0.7], ['cart', 0.18], ['remove_from_cart', 0.12]], activity: 0.8, priceLevel: 1, sessions: 1 },
  { name: 'cart-abandoners', share: 0.25, eventMix: [['view', 0.2], ['cart', 0.45], ['remove_from_cart', 0.35]], activity: 1.2, priceLevel: 1.5, sessions: 2 },
  { name: 'loyal-buyers', share: 0.2, eventMix: [['view', 0.3], ['cart', 0.35], ['purchase', 0.2], ['remove_from_cart', 0.15]], activity: 1.6, priceLevel: 1, sessions: 4 },
  { name: 'big-ticket', share: 0.15, eventMix: [['view', 0.55], ['cart', 0.25], ['purchase', 0.1], ['remove_from_cart', 0.1]], activity: 0.7, priceLevel: 6, sessions: 1 },
];

/** Categories are item % CATEGORIES; each segment prefers its own block of them. */
const CATEGORIES = 500;
/** Share of a segment's events on items of its preferred categories (the rest follow global popularity). */
const CATEGORY_AFFINITY = 0.6;

/**
 * Segments differ in what they shop for, not only in how: with probability CATEGORY_AFFINITY a
 * popular item is swapped for the item of the same popularity rank band in the segment's own
 * block of categories (block s of 4; the profiles of drifting drops reuse one of the four), so
 * segment-level popularity differs from global popularity as it does in real shops.
 */
function segmentItem(item: number, block: number, random: () => number): number {
  if (random() >= CATEGORY_AFFINITY) return item;
  const width = CATEGORIES / SYNTHETIC_SEGMENTS.length;
  return item - (item % CATEGORIES) + block * width + (item % width);
}

/** Standard normal draw (Box-Muller). */
function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** A value drawn with probability proportional to its weight. */
export function pick<T>(weighted: Array<[T, number]>, random: () => number): T {
  let r = random() * weighted.reduce((sum, [, weight]) => sum + weight, 0);
  for (const [value, weight] of weighted) {
    r -= weight;
    if (r <= 0) return value;
  }
  return weighted[weighted.length - 1][0];
}

/** Writes the CSV and returns the planted segment of every user (user id -> segment index). */
export async function writeSyntheticLog(file: string, options: SyntheticOptions): Promise<{ events: number; labels: Map<string, number> }> {
  const random = seededRandom(options.seed);
  const log = await openSyntheticLog(file, options, random);
  const labels = new Map<string, number>();
  for (let u = 0; u < options.users; u++) {
    const segment = pick(SYNTHETIC_SEGMENTS.map((profile, index) => [index, profile.share] as [number, number]), random);
    const userId = String(500_000_000 + u);
    labels.set(userId, segment);
    await log.writeUser(userId, SYNTHETIC_SEGMENTS[segment], segment);
  }
  return { events: await log.close(), labels };
}

export interface SyntheticLogWriter {
  /** Appends one user's events, drawn from `profile`; `categoryBlock` picks the block of preferred categories. */
  writeUser(userId: string, profile: SegmentProfile, categoryBlock: number): Promise<void>;
  /** Flushes and closes the file; returns the number of events written. */
  close(): Promise<number>;
}

/** A REES46-format CSV that users are appended to one at a time (all randomness from `random`). */
export async function openSyntheticLog(file: string, options: Omit<SyntheticOptions, 'users' | 'seed'>, random: () => number): Promise<SyntheticLogWriter> {
  const items = options.items ?? 50_000;
  const meanEvents = options.meanEvents ?? 10;
  const start = (options.start ?? new Date('2019-10-01T00:00:00Z')).getTime() / 1000;
  const zipfCdf = new Float64Array(items);
  let total = 0;
  for (let i = 0; i < items; i++) zipfCdf[i] = total += 1 / (i + 1) ** 1.1;
  const zipfItem = () => {
    const target = random() * total;
    let low = 0;
    let high = items - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (zipfCdf[middle] < target) low = middle + 1;
      else high = middle;
    }
    return low;
  };
  const out = fs.createWriteStream(file);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(',event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session\n');
  let row = 0;
  let buffer = '';
  return {
    async writeUser(userId, profile, categoryBlock) {
      // Heavy-tailed activity, as in the real logs (REES46: median 1 event per user, p90 16).
      const events = Math.max(1, Math.round(Math.exp(Math.log(meanEvents * profile.activity) - 0.6 + 1.1 * gaussian(random))));
      const sessions = Math.max(1, Math.min(events, Math.round(profile.sessions * (0.5 + random()))));
      let time = start + Math.floor(random() * 20 * 86_400);
      let session = 0;
      for (let e = 0; e < events; e++) {
        if (e > 0 && session < sessions - 1 && random() < sessions / events) {
          session++;
          time += 3600 + Math.floor(random() * 3 * 86_400);
        } else {
          // Within a session, gaps of seconds to minutes (exponential, mean 40 s).
          time += 1 + Math.floor(-40 * Math.log(1 - random()));
        }
        const item = segmentItem(zipfItem(), categoryBlock, random);
        const price = ((1 + (item % 97)) * profile.priceLevel * (0.8 + 0.4 * random())).toFixed(2);
        const when = new Date(time * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
        buffer += `${row++},${when},${pick(profile.eventMix, random)},${1_000_000 + item},${1487580005000000000n + BigInt(item % CATEGORIES)},,brand${item % 200},${price},${userId},s-${userId}-${session}\n`;
      }
      if (buffer.length > 1 << 20) {
        await write(buffer);
        buffer = '';
      }
    },
    async close() {
      await write(buffer);
      out.end();
      await once(out, 'finish');
      return row;
    },
  };
}
