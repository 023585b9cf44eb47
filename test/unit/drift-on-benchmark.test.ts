import { describe, expect, it } from 'vitest';
import { kmeans } from '../../activities/clustering/kmeans';
import { seededRandom } from '../../activities/clustering/random';
import { matchSegments, relabel } from '../../activities/segment-models/match-segments';
import type { SegmentSnapshot } from '../../activities/segment-models/snapshot';
import { segmentTransitions } from '../../activities/segment-models/transitions';
import { expectedMigrationRates, plannedTransitions, plantDrops, PLANTED_DRIFT, type PlantedDrop } from '../../lib/tooling/planted-drift';
import { labelledBenchmark } from '../helpers/clustering-benchmarks';
import { namedTransitions, sortTransitions } from '../helpers/planted-snapshots';

/**
 * The planted drift scenario on real clusterings: every planted segment is a class of the labelled
 * benchmark sipu/s1 (the six classes farthest apart relative to their spread), each user of a drop
 * is a point drawn from its segment's class, and each drop is clustered by the project's k-means.
 * Transitions, migration and identity are then computed from k-means' labels and centres only.
 */
const CLASS_OF: Record<string, number> = {
  'window-shoppers': 14, 'cart-abandoners': 7, 'loyal-buyers': 15, 'big-ticket': 5, 'bulk-buyers': 9, 'deal-hunters': 12,
};
/** As in test/unit/planted-drift.test.ts: rows of 600+ returning users. */
const RATE_TOLERANCE = 0.05;

const s1 = labelledBenchmark('sipu/s1');
const d = s1.matrix.d;
const drops = plantDrops(PLANTED_DRIFT, { usersPerDrop: 10_000, seed: 5 });

function vectorsOf(drop: PlantedDrop, seed: number): Float32Array {
  const random = seededRandom(seed);
  const members = new Map(Object.entries(CLASS_OF).map(([name, label]) => [name, s1.truth.flatMap((truth, i) => (truth === label ? [i] : []))]));
  const vectors = new Float32Array(drop.userIds.length * d);
  drop.segments.forEach((name, u) => {
    const points = members.get(name)!;
    const point = points[Math.floor(random() * points.length)];
    vectors.set(s1.matrix.data.subarray(point * d, point * d + d), u * d);
  });
  return vectors;
}

const vectors = drops.map((drop, index) => vectorsOf(drop, 100 + index));

async function clustered(index: number, seed: number): Promise<SegmentSnapshot> {
  const drop = drops[index];
  const k = new Set(drop.segments).size;
  const { labels, centers } = await kmeans(vectors[index], drop.userIds.length, d, { k, seed, nInit: 4 });
  const centroids = new Map(Array.from({ length: k }, (_, c) => [c, centers.slice(c * d, c * d + d)] as [number, Float64Array]));
  return { userIds: drop.userIds, labels, centroids };
}

/** The planted segment most of a segment's users come from. */
function plantedNames(snapshot: SegmentSnapshot, drop: PlantedDrop): (id: number) => string {
  const votes = new Map<number, Map<string, number>>();
  snapshot.labels.forEach((label, u) => {
    const row = votes.get(label) ?? new Map<string, number>();
    row.set(drop.segments[u], (row.get(drop.segments[u]) ?? 0) + 1);
    votes.set(label, row);
  });
  return (id) => [...votes.get(id)!].sort((a, b) => b[1] - a[1])[0][0];
}

describe('drift on k-means clusterings of planted drops (sipu/s1 classes as segments)', () => {
  it('k-means finds the planted segments of every drop', async () => {
    for (const [index, drop] of drops.entries()) {
      const snapshot = await clustered(index, 1);
      const nameOf = plantedNames(snapshot, drop);
      const agreeing = drop.segments.filter((name, u) => nameOf(snapshot.labels[u]) === name).length;
      expect(agreeing / drop.userIds.length).toBeGreaterThan(0.995);
    }
  });

  it('recovers the planted transitions exactly and the migration rates within the tolerance', async () => {
    for (const index of [1, 2]) {
      const before = await clustered(index - 1, 1);
      const now = await clustered(index, 2);
      const nameBefore = plantedNames(before, drops[index - 1]);
      const nameNow = plantedNames(now, drops[index]);
      const result = segmentTransitions(before, now);
      expect(namedTransitions(result.transitions, nameBefore, nameNow)).toEqual(sortTransitions(plannedTransitions(PLANTED_DRIFT, index)));
      const expected = expectedMigrationRates(PLANTED_DRIFT, index);
      const { rows, columns, rates } = result.migration;
      let worst = 0;
      rows.forEach((row, r) => {
        if (row < 0 || !expected[nameBefore(row)]) return;
        columns.forEach((column, c) => {
          if (column >= 0) worst = Math.max(worst, Math.abs(rates[r][c] - expected[nameBefore(row)][nameNow(column)]));
        });
      });
      expect(worst).toBeLessThan(RATE_TOLERANCE);
    }
  });

  it('keeps ids across refits with other seeds and gives the split-off and emerging segments fresh ids', async () => {
    const model = await clustered(0, 1);
    const modelName = plantedNames(model, drops[0]);
    const refitA = await clustered(1, 2);
    const refitB = await clustered(1, 4);
    // The two refits number their clusters differently, or the test would prove nothing.
    expect(Array.from(refitA.labels)).not.toEqual(Array.from(refitB.labels));
    const a = relabel(refitA, matchSegments(model, refitA).idOf);
    const b = relabel(refitB, matchSegments(model, refitB).idOf);
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));

    const nameNow = plantedNames(a, drops[1]);
    for (const id of [...a.centroids.keys()]) {
      const name = nameNow(id);
      if (['window-shoppers', 'cart-abandoners', 'loyal-buyers'].includes(name)) expect(modelName(id), name).toBe(name);
      else expect(id, name).toBeGreaterThanOrEqual(4); // fresh: after the model's ids 0..3
    }
    const survivors = [...model.centroids.keys()].filter((id) => ['window-shoppers', 'cart-abandoners', 'loyal-buyers'].includes(modelName(id)));
    expect(new Set(a.labels)).toEqual(new Set([...survivors, 4, 5]));
  });
});
