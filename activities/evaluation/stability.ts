import { kmeans } from '../clustering/kmeans';
import { sampleIndices, seededRandom } from '../clustering/random';
import { adjustedRandIndex } from '../metrics/external';
import type { Matrix } from '../metrics/internal';

export interface StabilityOptions {
  /** Refits with other seeds (same points). */
  seedRuns: number;
  /** Refits on random subsamples of `subsampleShare` of the points. */
  bootstrapRuns: number;
  subsampleShare: number;
  /** Refits use at most this many points (a seeded sample), so stability costs the same at any n. */
  maxPoints: number;
  seed: number;
  maxIterations: number;
}

export interface AriSummary {
  mean: number;
  sd: number;
  runs: number[];
}

export interface Stability {
  /** ARI between the candidate's labels and refits with other seeds. */
  seeds: AriSummary;
  /** ARI between the candidate's labels and refits on subsamples, on the subsampled points. */
  subsamples: AriSummary;
  points: number;
}

/**
 * How reproducible a k-means segmentation is: its labels against refits with different seeds and
 * on subsamples (Ben-Hur et al. 2002; Lange et al. 2004). 1 = the same partition every time; a
 * k that only splits noise scores low because each refit splits it differently.
 */
export async function kmeansStability(matrix: Matrix, labels: Int32Array, k: number, options: StabilityOptions): Promise<Stability> {
  const random = seededRandom(options.seed);
  const points = matrix.n > options.maxPoints ? Array.from(sampleIndices(matrix.n, options.maxPoints, random)).sort((a, b) => a - b) : null;
  const base = points ? subset(matrix, points) : matrix;
  const baseLabels = points ? Int32Array.from(points, (i) => labels[i]) : labels;
  const seeds: number[] = [];
  for (let run = 0; run < options.seedRuns; run++) {
    const refit = await kmeans(base.data, base.n, base.d, { k, seed: options.seed + 1 + run, nInit: 1, maxIterations: options.maxIterations });
    seeds.push(adjustedRandIndex(baseLabels, refit.labels));
  }
  const subsamples: number[] = [];
  const size = Math.max(k, Math.round(base.n * options.subsampleShare));
  for (let run = 0; run < options.bootstrapRuns; run++) {
    const chosen = Array.from(sampleIndices(base.n, size, random)).sort((a, b) => a - b);
    const part = subset(base, chosen);
    const refit = await kmeans(part.data, part.n, part.d, { k, seed: options.seed + 101 + run, nInit: 1, maxIterations: options.maxIterations });
    subsamples.push(adjustedRandIndex(Int32Array.from(chosen, (i) => baseLabels[i]), refit.labels));
  }
  return { seeds: summarize(seeds), subsamples: summarize(subsamples), points: base.n };
}

function subset(matrix: Matrix, rows: number[]): Matrix {
  const data = new Float32Array(rows.length * matrix.d);
  rows.forEach((row, i) => data.set(matrix.data.subarray(row * matrix.d, (row + 1) * matrix.d), i * matrix.d));
  return { data, n: rows.length, d: matrix.d };
}

export function summarize(values: number[]): AriSummary {
  if (values.length === 0) return { mean: NaN, sd: NaN, runs: [] };
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const variance = values.length > 1 ? values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1) : 0;
  return { mean, sd: Math.sqrt(variance), runs: values };
}
