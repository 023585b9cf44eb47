import type { SegmentSnapshot } from './snapshot';

/**
 * The users present in both snapshots, as (segment before, segment after) label pairs. Only they
 * say anything about identity and migration: a user seen once cannot have moved.
 */
export interface ReturningUsers {
  before: Int32Array;
  after: Int32Array;
}

export function returningUsers(previous: SegmentSnapshot, current: SegmentSnapshot): ReturningUsers {
  const indexBefore = new Map<string, number>();
  previous.userIds.forEach((userId, i) => indexBefore.set(userId, i));
  const before: number[] = [];
  const after: number[] = [];
  current.userIds.forEach((userId, i) => {
    const j = indexBefore.get(userId);
    if (j === undefined) return;
    before.push(previous.labels[j]);
    after.push(current.labels[i]);
  });
  return { before: Int32Array.from(before), after: Int32Array.from(after) };
}

/** Counts of (before, after) label pairs, keyed `before` -> `after` -> count. */
export function pairCounts(users: ReturningUsers): Map<number, Map<number, number>> {
  const counts = new Map<number, Map<number, number>>();
  for (let i = 0; i < users.before.length; i++) {
    let row = counts.get(users.before[i]);
    if (!row) counts.set(users.before[i], (row = new Map()));
    row.set(users.after[i], (row.get(users.after[i]) ?? 0) + 1);
  }
  return counts;
}

/** How many users carry each label. */
export function labelCounts(labels: ArrayLike<number>): Map<number, number> {
  const counts = new Map<number, number>();
  for (let i = 0; i < labels.length; i++) counts.set(labels[i], (counts.get(labels[i]) ?? 0) + 1);
  return counts;
}

export function euclidean(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`centroids of different dimensions (${a.length} and ${b.length})`);
  let sum = 0;
  for (let j = 0; j < a.length; j++) sum += (a[j] - b[j]) ** 2;
  return Math.sqrt(sum);
}
