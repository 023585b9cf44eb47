import { describe, expect, it } from 'vitest';
import { segmentSpreads } from '../../activities/segment-models/segment-spread';
import { segmentTransitions } from '../../activities/segment-models/transitions';
import { repeat, snapshotOf } from '../helpers/segment-snapshots';

const ids = (from: number, count: number) => Array.from({ length: count }, (_, i) => `u${from + i}`);

describe('segmentTransitions: MONIC external transitions on returning users', () => {
  // Before: 1 (u0-u9), 2 (u10-u19), 3 (u20-u29), 4 (u30-u39), 5 (u40-u49), 6 (u50-u59).
  const before = snapshotOf([1, 2, 3, 4, 5, 6].flatMap((id) => repeat(id, 10)), { 1: [0, 0], 2: [5, 0], 3: [0, 5], 4: [5, 5], 5: [9, 9], 6: [-9, 0] });
  // After: 1 survives (9 of 10 stay, 1 moves to noise); 2 and 3 are absorbed into 7 (6 of each,
  // the rest churn); 4 splits into 4 (4 users) and 8 (4 users; 1 to noise, 1 churns); 6 of 5's users return
  // scattered over 1, 4, 7, 8 and noise (1/6 < tauSplit everywhere); 6 churns; 9 is all new users.
  const after = snapshotOf(
    [...repeat(1, 9), -1, ...repeat(7, 6), ...repeat(7, 6), ...repeat(4, 4), ...repeat(8, 4), -1, 1, 4, 7, 8, -1, -1, ...repeat(9, 5)],
    { 1: [0, 0.5], 4: [5, 6], 7: [2.5, 2.5], 8: [6, 4], 9: [20, 20] },
    [...ids(0, 10), ...ids(10, 6), ...ids(20, 6), ...ids(30, 9), ...ids(40, 6), ...ids(100, 5)],
  );
  const result = segmentTransitions(before, after);

  it('finds survival, absorption, split, disappearance and emergence with tauMatch 0.5 and tauSplit 0.2', () => {
    expect(result.transitions.map(({ kind, from, to }) => ({ kind, from, to }))).toEqual([
      { kind: 'survived', from: [1], to: [1] },
      { kind: 'absorbed', from: [2, 3], to: [7] },
      { kind: 'split', from: [4], to: [4, 8] },
      { kind: 'disappeared', from: [5], to: [] },
      { kind: 'disappeared', from: [6], to: [] },
      { kind: 'emerged', from: [], to: [9] },
    ]);
    expect(result.transitions[0].overlaps).toEqual([0.9]);
    expect(result.transitions[2].overlaps).toEqual([4 / 9, 4 / 9]);
    expect(result.returningUsers).toBe(10 + 6 + 6 + 9 + 6);
  });

  it('turns a near-majority into a split and a majority into survival as the thresholds say', () => {
    // 4's returning users went 4 + 4 + 1 (noise): overlap 4/9 each. No majority: split; with
    // tauSplit 0.45 the parts are too small too: disappeared; with tauMatch 0.4 the first part matches.
    const kinds = (options: object) => segmentTransitions(before, after, options).transitions.filter((t) => t.from[0] === 4).map((t) => t.kind);
    expect(kinds({})).toEqual(['split']);
    expect(kinds({ tauSplit: 0.45 })).toEqual(['disappeared']);
    expect(kinds({ tauMatch: 0.4 })).toEqual(['survived']);
  });

  it('counts the migration of returning users with noise as its own row and column', () => {
    const { rows, columns, counts, rates } = result.migration;
    expect(rows).toEqual([1, 2, 3, 4, 5, 6, -1]);
    expect(columns).toEqual([1, 4, 7, 8, 9, -1]);
    expect(counts[0]).toEqual([9, 0, 0, 0, 0, 1]);
    expect(counts[4]).toEqual([1, 1, 1, 1, 0, 2]);
    expect(rates[0]).toEqual([0.9, 0, 0, 0, 0, 0.1]);
    expect(rates[5]).toEqual([0, 0, 0, 0, 0, 0]);
    expect(counts.flat().reduce((a, b) => a + b, 0)).toBe(result.returningUsers);
  });

  it('measures population shift with a significance test, centroid shift and the drift score', () => {
    const shift = Object.fromEntries(result.populationShift.map((s) => [s.segment, s]));
    expect(shift[1].shareBefore).toBeCloseTo(10 / 60, 12);
    expect(shift[1].shareNow).toBeCloseTo(10 / 42, 12);
    expect(shift[9].shareBefore).toBe(0);
    expect(shift[9].pValue).toBeLessThan(0.05);
    expect(shift[1].pValue).toBeGreaterThan(0.05);
    expect(shift[-1].shareNow).toBeCloseTo(4 / 42, 12);
    expect(result.centroidShift).toEqual([{ segment: 1, distance: 0.5 }, { segment: 4, distance: 1 }]);
    // Returning users keeping their id: 9 (segment 1) + 4 (segment 4) of 37.
    expect(result.migratedShare).toBeCloseTo(1 - 13 / 37, 12);
    expect(result.driftScore).toBe(Math.max(result.migratedShare, result.shareShift));
    expect(result.shareShift).toBeGreaterThan(0);
    expect(result.shareShift).toBeLessThanOrEqual(1);
  });

  it('scores a drop against itself as no drift at all', () => {
    const same = segmentTransitions(before, before);
    expect(same.transitions.every((t) => t.kind === 'survived')).toBe(true);
    expect(same.driftScore).toBe(0);
    expect(same.populationShift.every((s) => s.pValue === 1)).toBe(true);
  });

  it('compares within-segment spread when the vectors are given', () => {
    const vectors = [[0, 1], [0, -1], [10, 0], [12, 0]];
    const snapshot = snapshotOf([0, 0, 1, 1], { 0: [0, 0], 1: [11, 0] });
    const wider = snapshotOf([0, 0, 1, 1], { 0: [0, 0], 1: [11, 0] });
    const previous = segmentSpreads(snapshot, (i) => vectors[i]);
    const current = segmentSpreads(wider, (i) => vectors[i].map((x) => x * 2));
    expect([...previous]).toEqual([[0, 1], [1, 1]]);
    const { spreadChange } = segmentTransitions(snapshot, wider, { spreads: { previous, current } });
    expect(spreadChange.find((s) => s.segment === 0)).toEqual({ segment: 0, before: 1, now: 2, ratio: 2 });
  });
});
