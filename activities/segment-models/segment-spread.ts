import { euclidean } from './returning-users';
import { NOISE, type SegmentSnapshot } from './snapshot';

/**
 * Mean distance of a segment's members to its centroid, per segment id: how tight the segment is.
 * `vectorOf(i)` is the embedding of the snapshot's i-th user (the caller reads it from wherever the
 * drop's embeddings live), in the space of the snapshot's centroids.
 */
export function segmentSpreads(snapshot: SegmentSnapshot, vectorOf: (userIndex: number) => ArrayLike<number>): Map<number, number> {
  const sums = new Map<number, { total: number; members: number }>();
  snapshot.labels.forEach((label, i) => {
    const centroid = snapshot.centroids.get(label);
    if (label === NOISE || !centroid) return;
    const entry = sums.get(label) ?? { total: 0, members: 0 };
    entry.total += euclidean(vectorOf(i), centroid);
    entry.members++;
    sums.set(label, entry);
  });
  return new Map([...sums].map(([label, { total, members }]) => [label, total / members]));
}
