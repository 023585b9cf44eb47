import { munkres } from 'munkres';
import { euclidean, labelCounts, pairCounts, returningUsers } from './returning-users';
import { NOISE, type SegmentSnapshot } from './snapshot';

/**
 * Segment identity across a refit: the refit's fresh labels are matched one-to-one to the previous
 * model's persisted ids so that "segment 3" stays segment 3 (and keeps its name) when the data is
 * re-segmented, whatever order the clustering happened to number its clusters in.
 *
 * Similarity of a (new segment, previous segment) pair, in [0, 1]:
 *   overlapWeight * Jaccard(returning members of both) + centroidWeight * (1 - distance / largest distance)
 * where the Jaccard index counts only users present in both drops, and "largest distance" is the
 * largest distance between any two centroids of either snapshot (so the term is scale-free). When
 * no user returns, the overlap term says nothing and similarity is the centroid term alone.
 * The optimal one-to-one matching (Hungarian algorithm, Kuhn 1955; package `munkres`) maximises
 * the summed similarity; matched pairs below `minSimilarity` are dropped, and every unmatched new
 * segment gets a fresh id. Fresh ids go to the largest new segment first (ties: by centroid), not
 * in label order, so two refits that find the same new segments under different numberings give
 * them the same ids. docs/DRIFT.md explains the choice of the defaults.
 */
export interface MatchOptions {
  /** Weight of the returning users' Jaccard overlap (default 0.7). */
  overlapWeight?: number;
  /** Weight of the centroid proximity (default 0.3). */
  centroidWeight?: number;
  /** A pair less similar than this is no match (default 0.35). */
  minSimilarity?: number;
  /** First fresh id (default: the largest previous id + 1); a registry passes its own counter so retired ids are never reused. */
  nextId?: number;
}

export const MATCH_DEFAULTS = { overlapWeight: 0.7, centroidWeight: 0.3, minSimilarity: 0.35 } as const;

export interface SegmentMatch {
  newLabel: number;
  persistedId: number;
  /** Jaccard index of the two segments' returning members. */
  overlap: number;
  /** Infinity when either snapshot has no centroid for the segment (the centroid term is then 0). */
  centroidDistance: number;
  similarity: number;
}

export interface MatchResult {
  /** Persisted id of every new label (matched or fresh); noise stays -1 and is not in the map. */
  idOf: Map<number, number>;
  matches: SegmentMatch[];
  /** The new labels that got a fresh id, in the order they got them (largest segment first). */
  fresh: number[];
}

export function matchSegments(previous: SegmentSnapshot, refit: SegmentSnapshot, options: MatchOptions = {}): MatchResult {
  const { overlapWeight, centroidWeight, minSimilarity } = { ...MATCH_DEFAULTS, ...options };
  const oldIds = segmentIds(previous);
  const newLabels = segmentIds(refit);
  const similarity = pairSimilarities(previous, refit, oldIds, newLabels, overlapWeight, centroidWeight);

  const matches: SegmentMatch[] = [];
  if (oldIds.length > 0 && newLabels.length > 0) {
    const cost = similarity.map((row) => row.map((pair) => 1 - pair.similarity));
    for (const [row, column] of munkres(cost)) {
      const pair = similarity[row][column];
      if (pair.similarity >= minSimilarity) matches.push({ newLabel: newLabels[row], persistedId: oldIds[column], ...pair });
    }
  }
  matches.sort((a, b) => a.newLabel - b.newLabel);

  const idOf = new Map(matches.map((match) => [match.newLabel, match.persistedId]));
  const fresh = freshInStableOrder(refit, newLabels.filter((label) => !idOf.has(label)));
  let nextId = options.nextId ?? (oldIds.length > 0 ? oldIds[oldIds.length - 1] + 1 : 0);
  for (const label of fresh) idOf.set(label, nextId++);
  return { idOf, matches, fresh };
}

/** The refit's labels rewritten to persisted ids (noise stays noise), ready to publish or to compare. */
export function relabel(refit: SegmentSnapshot, idOf: Map<number, number>): SegmentSnapshot {
  const labels = refit.labels.map((label) => (label === NOISE ? NOISE : idOf.get(label)!));
  const centroids = new Map([...refit.centroids].map(([label, centroid]) => [idOf.get(label) ?? label, centroid]));
  return { userIds: refit.userIds, labels, centroids };
}

/** Unmatched labels, largest segment first, then by centroid coordinates: independent of the refit's numbering. */
function freshInStableOrder(refit: SegmentSnapshot, labels: number[]): number[] {
  const sizes = labelCounts(refit.labels);
  const coordinates = (label: number) => Array.from(refit.centroids.get(label) ?? []);
  return [...labels].sort((a, b) => (sizes.get(b) ?? 0) - (sizes.get(a) ?? 0) || compareCoordinates(coordinates(a), coordinates(b)) || a - b);
}

function compareCoordinates(a: number[], b: number[]): number {
  for (let j = 0; j < Math.min(a.length, b.length); j++) if (a[j] !== b[j]) return a[j] - b[j];
  return a.length - b.length;
}

/** Segment ids of a snapshot (noise excluded), ascending. */
function segmentIds(snapshot: SegmentSnapshot): number[] {
  return [...labelCounts(snapshot.labels).keys()].filter((label) => label !== NOISE).sort((a, b) => a - b);
}

type PairSimilarity = Omit<SegmentMatch, 'newLabel' | 'persistedId'>;

/** similarity[new row][old column]. */
function pairSimilarities(
  previous: SegmentSnapshot, refit: SegmentSnapshot, oldIds: number[], newLabels: number[], overlapWeight: number, centroidWeight: number,
): PairSimilarity[][] {
  const returning = returningUsers(previous, refit);
  const both = pairCounts(returning);
  const returningBefore = labelCounts(returning.before);
  const returningAfter = labelCounts(returning.after);
  const largest = largestCentroidDistance([...previous.centroids.values(), ...refit.centroids.values()]);
  const useOverlap = returning.before.length > 0;
  const weightSum = (useOverlap ? overlapWeight : 0) + centroidWeight;
  return newLabels.map((label) => oldIds.map((id) => {
    const shared = both.get(id)?.get(label) ?? 0;
    const union = (returningBefore.get(id) ?? 0) + (returningAfter.get(label) ?? 0) - shared;
    const overlap = union > 0 ? shared / union : 0;
    const before = previous.centroids.get(id);
    const after = refit.centroids.get(label);
    const centroidDistance = before && after ? euclidean(before, after) : Number.POSITIVE_INFINITY;
    const proximity = !before || !after ? 0 : largest > 0 ? 1 - centroidDistance / largest : 1;
    const similarity = weightSum > 0 ? ((useOverlap ? overlapWeight * overlap : 0) + centroidWeight * proximity) / weightSum : 0;
    return { overlap, centroidDistance, similarity };
  }));
}

function largestCentroidDistance(centroids: Float64Array[]): number {
  let largest = 0;
  for (let a = 0; a < centroids.length; a++) for (let b = a + 1; b < centroids.length; b++) largest = Math.max(largest, euclidean(centroids[a], centroids[b]));
  return largest;
}
