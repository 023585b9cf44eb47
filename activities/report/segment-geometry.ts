import type { EncoderName } from '../../common/run-config';
import { fitPca, transformPca } from '../clustering/pca';
import { sampleIndices, seededRandom } from '../clustering/random';
import { centroids, type Matrix } from '../metrics/internal';
import { representativesIn } from './segment-representatives';

/** At most this many users are drawn on the map: enough to see the shapes, small enough to keep the report light. */
export const MAP_MAX_POINTS = 3000;
/** The map's sample is seeded: the same run draws the same users. */
const MAP_SEED = 17;

export interface UserMap {
  /** A seeded sample of users, projected onto the first two principal components of the clustering space. */
  points: Array<{ x: number; y: number; segment: number }>;
  /** Share of the variance the two axes explain. */
  explained: [number, number];
  users: number;
}

export interface SegmentGeometry {
  representatives: Map<number, string[]>;
  map: UserMap;
  /** Cosine similarity of the segments' centroids in the clustering space (rows and columns in `segments` order). */
  similarity: { segments: number[]; values: number[][] };
}

/**
 * What the report shows of the clustering space (the chosen encoder's embeddings as clustered, or
 * projected into a segment model's space in assign mode), loaded once by publish: the users closest
 * to each centroid, a 2-D PCA map of a seeded sample, and how alike the segments' centroids are.
 */
export async function segmentGeometry(
  space: { userIds: string[]; matrix: Matrix }, encoder: EncoderName, userIds: string[], labels: Int32Array, perSegment: number,
): Promise<SegmentGeometry> {
  const { userIds: embeddedIds, matrix } = space;
  if (embeddedIds.length !== userIds.length || embeddedIds.some((id, i) => id !== userIds[i])) {
    throw new Error(`the ${encoder} embeddings are not aligned with the chosen labels`);
  }
  return {
    representatives: representativesIn(matrix, userIds, labels, perSegment),
    map: await userMap(matrix, labels),
    similarity: centroidSimilarity(matrix, labels),
  };
}

export async function userMap(matrix: Matrix, labels: Int32Array): Promise<UserMap> {
  const rows = [...sampleIndices(matrix.n, MAP_MAX_POINTS, seededRandom(MAP_SEED))].sort((a, b) => a - b);
  const sample = new Float32Array(rows.length * matrix.d);
  rows.forEach((row, i) => sample.set(matrix.data.subarray(row * matrix.d, (row + 1) * matrix.d), i * matrix.d));
  if (rows.length < 2 || matrix.d < 2) {
    return { points: rows.map((row, i) => ({ x: matrix.d > 0 ? sample[i * matrix.d] : 0, y: 0, segment: labels[row] })), explained: [1, 0], users: matrix.n };
  }
  const pca = await fitPca(sample, rows.length, matrix.d, 2);
  const projected = await transformPca(pca, sample, rows.length);
  const round = (value: number) => Math.round(value * 1e4) / 1e4; // four digits are plenty for a picture, and keep the page small
  return {
    points: rows.map((row, i) => ({ x: round(projected[i * 2]), y: round(projected[i * 2 + 1]), segment: labels[row] })),
    explained: [pca.explainedVarianceRatio[0], pca.explainedVarianceRatio[1]],
    users: matrix.n,
  };
}

/**
 * Cosine similarity of the segments' centroids, each taken relative to the mean of all segmented
 * users: 1 when two segments differ from the population the same way, -1 when in opposite ways
 * (raw centroids of an uncentred encoder would all be alike).
 */
export function centroidSimilarity(matrix: Matrix, labels: Int32Array): SegmentGeometry['similarity'] {
  const { centers, sizes, k } = centroids(matrix, labels);
  const segments = Array.from({ length: k }, (_, segment) => segment);
  const total = sizes.reduce((sum, size) => sum + size, 0);
  for (let j = 0; j < matrix.d; j++) {
    let mean = 0;
    for (const c of segments) mean += (centers[c * matrix.d + j] * sizes[c]) / Math.max(total, 1);
    for (const c of segments) centers[c * matrix.d + j] -= mean;
  }
  const norm = (a: number) => Math.sqrt(dot(a, a));
  const dot = (a: number, b: number) => {
    let sum = 0;
    for (let j = 0; j < matrix.d; j++) sum += centers[a * matrix.d + j] * centers[b * matrix.d + j];
    return sum;
  };
  const values = segments.map((a) => segments.map((b) => {
    const denominator = norm(a) * norm(b);
    return denominator > 0 ? Math.round((dot(a, b) / denominator) * 1000) / 1000 : 0;
  }));
  return { segments, values };
}
