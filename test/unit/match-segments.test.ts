import fs from 'node:fs';
import { munkres } from 'munkres';
import { describe, expect, it } from 'vitest';
import { matchSegments, relabel } from '../../activities/segment-models/match-segments';
import { projectPath } from '../../lib/paths';
import { repeat, snapshotOf } from '../helpers/segment-snapshots';

interface AssignmentCase { cost: number[][]; rows: number[]; columns: number[]; total: number }
const fixture = JSON.parse(fs.readFileSync(projectPath('test', 'fixtures', 'scipy', 'drift.json'), 'utf8')) as { linear_sum_assignment: AssignmentCase[] };

// Persisted ids 3, 5, 8 (gaps, as a registry that retired ids would have), 10 users each, far apart.
const previous = snapshotOf([...repeat(3, 10), ...repeat(5, 10), ...repeat(8, 10)], { 3: [0, 0], 5: [10, 0], 8: [0, 10] });

describe('Hungarian matching (package munkres)', () => {
  it('finds the same optimal total cost as scipy.optimize.linear_sum_assignment, square and rectangular', () => {
    for (const { cost, total, rows } of fixture.linear_sum_assignment) {
      const pairs = munkres(cost);
      expect(pairs).toHaveLength(rows.length);
      expect(pairs.reduce((sum, [row, column]) => sum + cost[row][column], 0)).toBeCloseTo(total, 12);
    }
  });
});

describe('matchSegments', () => {
  it('keeps every id when a refit with another seed numbers the same segments differently', () => {
    const refit = snapshotOf([...repeat(2, 10), ...repeat(0, 10), ...repeat(1, 10)], { 0: [10, 0.1], 1: [0, 10.2], 2: [0.1, 0] });
    const { idOf, fresh, matches } = matchSegments(previous, refit);
    expect([...idOf].sort((a, b) => a[0] - b[0])).toEqual([[0, 5], [1, 8], [2, 3]]);
    expect(fresh).toEqual([]);
    expect(matches.map((match) => match.overlap)).toEqual([1, 1, 1]);
    expect(Array.from(relabel(refit, idOf).labels)).toEqual(Array.from(previous.labels));
  });

  it('gives an emerging segment a fresh id (largest previous id + 1) and leaves a vanished one unmatched', () => {
    // Segment 8's users are gone; new users u30..u39 form a segment far from every old centroid.
    const userIds = [...Array.from({ length: 20 }, (_, i) => `u${i}`), ...Array.from({ length: 10 }, (_, i) => `u${30 + i}`)];
    const refit = snapshotOf([...repeat(1, 10), ...repeat(0, 10), ...repeat(2, 10)], { 0: [10, 0], 1: [0, 0], 2: [-10, -10] }, userIds);
    const { idOf, fresh, matches } = matchSegments(previous, refit);
    expect(idOf.get(1)).toBe(3);
    expect(idOf.get(0)).toBe(5);
    expect(fresh).toEqual([2]);
    expect(idOf.get(2)).toBe(9);
    expect(matches.map((match) => match.persistedId)).not.toContain(8);
    expect(matchSegments(previous, refit, { nextId: 42 }).idOf.get(2)).toBe(42);
  });

  it('prefers the optimal one-to-one matching over greedy best pairs', () => {
    // New 0 shares 6 of old 3's users and 4 of old 5's; new 1 shares the other 4 of old 3's only.
    // Greedy (highest similarity first) pairs 0-3 and leaves 1 with nothing it overlaps; optimal pairs 0-5, 1-3.
    const before = snapshotOf([...repeat(3, 10), ...repeat(5, 4)], { 3: [0, 0], 5: [1, 0] });
    const after = snapshotOf([...repeat(0, 6), ...repeat(1, 4), ...repeat(0, 4)], { 0: [0.5, 0], 1: [0.5, 0] });
    const { matches } = matchSegments(before, after, { minSimilarity: 0 });
    // Every centroid is 0.5 from both old ones and the largest distance is 1: proximity 0.5 everywhere.
    const greedyTotal = 0.7 * (6 / 14) + 0.3 * 0.5 + (0.7 * 0 + 0.3 * 0.5); // 0-3, then 1-5
    const total = matches.reduce((sum, match) => sum + match.similarity, 0);
    expect(matches.map((match) => [match.newLabel, match.persistedId])).toEqual([[0, 5], [1, 3]]);
    expect(total).toBeCloseTo(0.7 * (4 / 10) + 0.15 + 0.7 * (4 / 10) + 0.15, 12);
    expect(total).toBeGreaterThan(greedyTotal);
  });

  it('matches on centroids alone when no user returns, and not at all below the minimum similarity', () => {
    const others = Array.from({ length: 30 }, (_, i) => `new${i}`);
    const near = snapshotOf([...repeat(0, 10), ...repeat(1, 10), ...repeat(2, 10)], { 0: [0, 9.5], 1: [0.5, 0], 2: [9, 1] }, others);
    expect([...matchSegments(previous, near).idOf].sort((a, b) => a[0] - b[0])).toEqual([[0, 8], [1, 3], [2, 5]]);
    // The same users regrouped so that no new segment holds a majority of any old one, centroids moved away.
    const shuffled = snapshotOf(Array.from({ length: 30 }, (_, i) => i % 3), { 0: [30, 30], 1: [-30, 30], 2: [30, -30] });
    const { fresh, matches } = matchSegments(previous, shuffled);
    expect(matches).toEqual([]);
    // Equal sizes: fresh ids in centroid order ([-30, 30], [30, -30], [30, 30]), whatever the labels.
    expect(fresh).toEqual([1, 2, 0]);
  });

  it('leaves noise out of the matching', () => {
    const refit = snapshotOf([...repeat(-1, 10), ...repeat(0, 10), ...repeat(1, 10)], { 0: [10, 0], 1: [0, 10] });
    const { idOf, fresh } = matchSegments(previous, refit);
    expect(idOf.has(-1)).toBe(false);
    expect([...idOf].sort((a, b) => a[0] - b[0])).toEqual([[0, 5], [1, 8]]);
    expect(fresh).toEqual([]);
  });
});
