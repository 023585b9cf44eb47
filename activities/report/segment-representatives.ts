import { centroids, type Matrix } from '../metrics/internal';

/**
 * The users closest to their segment's centroid in the clustering space (medoid-like
 * representatives, `perSegment` per segment), on the chosen encoder's matrix (rows aligned with
 * `userIds` and `labels`): reading a few typical sequences says more about a segment than its averages.
 */
export function representativesIn(matrix: Matrix, userIds: string[], labels: Int32Array, perSegment: number): Map<number, string[]> {
  const { centers } = centroids(matrix, labels);
  const bySegment = new Map<number, Array<{ user: string; distance: number }>>();
  for (let i = 0; i < matrix.n; i++) {
    if (labels[i] < 0) continue; // noise has no centroid
    let distance = 0;
    for (let j = 0; j < matrix.d; j++) distance += (matrix.data[i * matrix.d + j] - centers[labels[i] * matrix.d + j]) ** 2;
    const list = bySegment.get(labels[i]) ?? [];
    list.push({ user: userIds[i], distance });
    bySegment.set(labels[i], list);
  }
  return new Map([...bySegment].map(([segment, list]) => [
    segment,
    list.sort((a, b) => a.distance - b.distance || a.user.localeCompare(b.user)).slice(0, perSegment).map((entry) => entry.user),
  ]));
}
