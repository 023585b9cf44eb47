/**
 * One segmentation of one drop, as identity matching and drift compare them: who is in which
 * segment, and where each segment sits. Segment ids are persisted ids for a published model and
 * fresh labels for a refit that has not been matched yet.
 */
export type SegmentSnapshot = {
  userIds: string[];
  /** Segment id per user (same order as userIds); -1 = noise. */
  labels: Int32Array;
  /** Centroid per segment id, all in one shared vector space. */
  centroids: Map<number, Float64Array>;
};

/** Noise label of density methods (DBSCAN, HDBSCAN): not a segment. */
export const NOISE = -1;
