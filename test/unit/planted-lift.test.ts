import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writePlantedLiftLog, type PlantedLiftOptions } from '../../lib/tooling/planted-lift';
import { freshDataDir } from '../helpers/pipeline-harness';

interface LoggedEvent { type: string; item: string; category: string; price: number; session: string }

/** Each user's events in time order (the generator writes a user's events oldest first) and planted segment. */
async function generate(options: PlantedLiftOptions): Promise<Array<{ segment: number; events: LoggedEvent[] }>> {
  const file = path.join(freshDataDir('planted-lift'), 'planted.csv');
  const { labels } = await writePlantedLiftLog(file, options);
  const users = new Map<string, LoggedEvent[]>();
  for (const line of fs.readFileSync(file, 'utf8').trim().split('\n').slice(1)) {
    const [, , type, item, category, , , price, user, session] = line.split(',');
    if (!users.has(user)) users.set(user, []);
    users.get(user)!.push({ type, item, category, price: Number(price), session });
  }
  const truth = fs.readFileSync(`${file}.labels.csv`, 'utf8').trim().split('\n').slice(1).map((line) => line.split(','));
  expect(new Map(truth.map(([user, segment]) => [user, Number(segment)]))).toEqual(labels);
  return [...users].map(([user, events]) => ({ segment: labels.get(user)!, events }));
}

function topItems(items: string[], n: number): Set<string> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return new Set([...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, n).map(([item]) => item));
}

/** Per segment: the mean of `statistic` over its users. */
function segmentMeans(users: Array<{ segment: number; events: LoggedEvent[] }>, segments: number, statistic: (events: LoggedEvent[]) => number): number[] {
  return Array.from({ length: segments }, (_, segment) => {
    const values = users.filter((user) => user.segment === segment).map((user) => statistic(user.events));
    return values.reduce((sum, value) => sum + value, 0) / values.length;
  });
}

const spread = (values: number[]) => Math.max(...values) - Math.min(...values);
const share = (type: string) => (events: LoggedEvent[]) => events.filter((event) => event.type === type).length / events.length;
const behaviourStatistics: Record<string, (events: LoggedEvent[]) => number> = {
  logEvents: (events) => Math.log(events.length),
  logSessions: (events) => Math.log(new Set(events.map((event) => event.session)).size),
  logCategories: (events) => Math.log(new Set(events.map((event) => event.category)).size),
  logMeanPrice: (events) => Math.log(events.reduce((sum, event) => sum + event.price, 0) / events.length),
  views: share('view'), carts: share('cart'), purchases: share('purchase'),
};

describe('planted-lift generator', () => {
  it('plants segments that differ in what they buy next: their own popular items beat global popularity', async () => {
    const segments = 4;
    const users = await generate({ users: 2000, seed: 3, segments, noise: 0.3, signal: 'identity' });
    const history = (segment?: number) => users.filter((user) => segment === undefined || user.segment === segment).flatMap((user) => user.events.slice(0, -1).map((event) => event.item));
    const global = topItems(history(), 10);
    const bySegment = Array.from({ length: segments }, (_, segment) => topItems(history(segment), 10));
    // Hit@10 of the held-out (last) item: the segment's top-10 against the global top-10.
    const last = users.filter((user) => user.events.length >= 2).map((user) => ({ segment: user.segment, item: user.events.at(-1)!.item }));
    const segmentHits = last.filter(({ segment, item }) => bySegment[segment].has(item)).length / last.length;
    const globalHits = last.filter(({ item }) => global.has(item)).length / last.length;
    expect(segmentHits).toBeGreaterThan(1.5 * globalHits);
    // Next items differ between segments: a segment's next items fall in its own top 10 far more often than in any other's.
    for (let a = 0; a < segments; a++) {
      const next = last.filter((entry) => entry.segment === a).map((entry) => entry.item);
      const hitRate = (top: Set<string>) => next.filter((item) => top.has(item)).length / next.length;
      for (let b = 0; b < segments; b++) if (b !== a) expect(hitRate(bySegment[a]), `segment ${a} vs ${b}`).toBeGreaterThan(3 * hitRate(bySegment[b]));
    }
  });

  it('hides the identity signal from behaviour statistics, and shows the behaviour signal in them', async () => {
    const identity = await generate({ users: 3000, seed: 5, segments: 4, noise: 0.3, signal: 'identity' });
    for (const [name, statistic] of Object.entries(behaviourStatistics)) {
      // Tolerance: a few standard errors of a mean over ~750 users (log events has a standard deviation near 1.1).
      expect(spread(segmentMeans(identity, 4, statistic)), name).toBeLessThan(name.startsWith('log') ? 0.15 : 0.03);
    }
    // ...while their categories differ: each segment's most common category is its own.
    const topCategory = Array.from({ length: 4 }, (_, segment) => [...topItems(identity.filter((user) => user.segment === segment).flatMap((user) => user.events.map((event) => event.category)), 1)][0]);
    expect(new Set(topCategory).size).toBe(4);

    const behavior = await generate({ users: 3000, seed: 5, segments: 4, noise: 0.3, signal: 'behavior' });
    // Price levels x0.2 .. x5 (a log spread of ln 25 = 3.2).
    expect(spread(segmentMeans(behavior, 4, behaviourStatistics.logMeanPrice))).toBeGreaterThan(2);
    expect(spread(segmentMeans(behavior, 4, behaviourStatistics.views))).toBeGreaterThan(0.05);
  });
});
