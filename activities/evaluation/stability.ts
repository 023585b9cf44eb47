import { kmeans } from '../clustering/kmeans';
import { sampleIndices, seededRandom } from '../clustering/random';
import { adjustedRandIndex } from '../metrics/external';
import { matrixRows, type Matrix } from '../metrics/internal';

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

/** Refits the candidate's algorithm with its parameters on some points; returns their labels. */
export type Refit = (part: Matrix, seed: number) => Promise<Int32Array>;

/**
 * How reproducible a segmentation is: its labels against refits with different seeds and on
 * subsamples (Ben-Hur et al. 2002; Lange et al. 2004). 1 = the same partition every time; a
 * k that only splits noise scores low because each refit splits it differently. Deterministic
 * algorithms (DBSCAN) get no seed runs. Noise (-1) counts as one more cluster in the ARI.
 */
export async function kmeansStability(matrix: Matrix, labels: Int32Array, k: number, options: StabilityOptions): Promise<Stability> {
  return stability(matrix, labels, kmeansRefit(k, options.maxIterations), options);
}

/** A k-means refit: one k-means++ seeding per refit (the seed is what varies). */
export function kmeansRefit(k: number, maxIterations: number): Refit {
  return async (part, seed) => (await kmeans(part.data, part.n, part.d, { k, seed, nInit: 1, maxIterations })).labels;
}

export async function stability(matrix: Matrix, labels: Int32Array, refit: Refit, options: StabilityOptions): Promise<Stability> {
  const random = seededRandom(options.seed);
  const points = matrix.n > options.maxPoints ? Array.from(sampleIndices(matrix.n, options.maxPoints, random)).sort((a, b) => a - b) : null;
  const base = points ? matrixRows(matrix, points) : matrix;
  const baseLabels = points ? Int32Array.from(points, (i) => labels[i]) : labels;
  const seeds: number[] = [];
  for (let run = 0; run < options.seedRuns; run++) {
    seeds.push(adjustedRandIndex(baseLabels, await refit(base, options.seed + 1 + run)));
  }
  const subsamples: number[] = [];
  const size = Math.max(2, Math.round(base.n * options.subsampleShare));
  for (let run = 0; run < options.bootstrapRuns; run++) {
    const chosen = Array.from(sampleIndices(base.n, size, random)).sort((a, b) => a - b);
    const part = matrixRows(base, chosen);
    subsamples.push(adjustedRandIndex(Int32Array.from(chosen, (i) => baseLabels[i]), await refit(part, options.seed + 101 + run)));
  }
  return { seeds: summarize(seeds), subsamples: summarize(subsamples), points: base.n };
}


export function summarize(values: number[]): AriSummary {
  if (values.length === 0) return { mean: NaN, sd: NaN, runs: [] };
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const variance = values.length > 1 ? values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1) : 0;
  return { mean, sd: Math.sqrt(variance), runs: values };
}

/** The stability the selection rule uses: seed ARI, or subsample ARI for deterministic algorithms; null if not measured. */
export function stabilityScore(value: Stability | null | undefined): number | null {
  if (!value) return null;
  if (value.seeds.runs.length > 0) return value.seeds.mean;
  return value.subsamples.runs.length > 0 ? value.subsamples.mean : null;
}
