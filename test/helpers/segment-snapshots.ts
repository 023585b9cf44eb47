import type { SegmentSnapshot } from '../../activities/segment-models/snapshot';

/** A snapshot from labels per user ("u0", "u1", ... unless ids are given) and centroids per segment id. */
export function snapshotOf(labels: number[], centroids: Record<number, number[]>, userIds = labels.map((_, i) => `u${i}`)): SegmentSnapshot {
  return {
    userIds,
    labels: Int32Array.from(labels),
    centroids: new Map(Object.entries(centroids).map(([id, centroid]) => [Number(id), Float64Array.from(centroid)])),
  };
}

/** `count` copies of `label`: snapshots are easiest to read as runs of equal labels. */
export function repeat(label: number, count: number): number[] {
  return Array.from({ length: count }, () => label);
}

/** Centroid of each label over row-major vectors (n x d). */
export function centroidsOf(labels: ArrayLike<number>, vectors: ArrayLike<number>, d: number): Map<number, Float64Array> {
  const sums = new Map<number, { sum: Float64Array; members: number }>();
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] < 0) continue;
    const entry = sums.get(labels[i]) ?? { sum: new Float64Array(d), members: 0 };
    for (let j = 0; j < d; j++) entry.sum[j] += vectors[i * d + j];
    entry.members++;
    sums.set(labels[i], entry);
  }
  return new Map([...sums].map(([label, { sum, members }]) => [label, sum.map((value) => value / members)]));
}
