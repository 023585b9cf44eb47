import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ALGORITHMS, algorithmFor, algorithmNamed, type AlgorithmParams } from '../activities/clustering/algorithms';
import { sampleIndices, seededRandom } from '../activities/clustering/random';
import { stability, type Stability } from '../activities/evaluation/stability';
import { clusterShape } from '../activities/metrics/cluster-shape';
import { adjustedRandIndex } from '../activities/metrics/external';
import { centroids, type Matrix } from '../activities/metrics/internal';
import { densityDistances, densitySilhouette, type DensityDistances } from '../activities/metrics/density-silhouette';
import { estimateSilhouette } from '../activities/metrics/silhouette';
import { paramsLabel } from '../common/candidates';
import type { CandidateMetrics, ClusterShape } from '../common/contracts';
import { configSection, DEFAULT_RUN_CONFIG, type RunConfig } from '../common/run-config';
import { projectPath } from '../lib/paths';
import { loadLabelledSet } from '../lib/tooling/labelled-sets';

/**
 * The candidates of one labelled set, scored the way scoreCandidate scores a run's candidates
 * (silhouette, density silhouette, stability with the default refits, noise share, cluster sizes), plus each one's ARI
 * against the reference partition. Cached under bench/out/selection, keyed by what it was made from.
 */

/** distributed-kmeans is k-means split over workers (the same partitions), so it adds nothing here. */
export const FAMILIES = ALGORITHMS.map((algorithm) => algorithm.name).filter((name) => name !== 'distributed-kmeans');
export type Family = (typeof FAMILIES)[number];

/** Sets larger than this are clustered on a seeded sample of this many points (every family, every refit). */
export const MAX_POINTS = 3000;
const SAMPLE_SEED = 5;
const FIT_SEED = 7;
const STABILITY_SEED = 11;
/** Bump when the scoring changes, so cached sets are recomputed. */
const SCORING_VERSION = 2;

/**
 * The pipeline's defaults, with density grids a little wider than the default (a sweep that only
 * tries 3 DBSCAN and 2 HDBSCAN settings would rarely contain the truth for the rule to find).
 */
function sweepConfig(trueK: number): RunConfig {
  return {
    ...DEFAULT_RUN_CONFIG,
    kMin: 2,
    kMax: Math.max(8, trueK + 4),
    dbscanEpsQuantiles: [0.5, 0.75, 0.9, 0.95],
    dbscanMinSamples: [5, 10, 20],
    hdbscanMinClusterShares: [0.01, 0.02, 0.05, 0.1],
  };
}

/** What the candidates' scores depend on: the sweep's settings and the scoring ones (not the selection rule's). */
function scoringSettings(config: RunConfig) {
  const { silhouetteExactUpTo, silhouetteSampleSize, stabilitySeedRuns, stabilitySubsampleRuns, stabilitySubsampleShare, stabilityMaxUsers } = config;
  return { sweep: configSection(config, 'sweep'), silhouetteExactUpTo, silhouetteSampleSize, stabilitySeedRuns, stabilitySubsampleRuns, stabilitySubsampleShare, stabilityMaxUsers };
}

export interface ScoredCandidate {
  family: Family;
  params: string;
  /** Segments asked for (0 when the algorithm decides). */
  k: number;
  silhouette: number;
  /** On the whole (sampled) set: every set here is within the pipeline's DENSITY_SILHOUETTE_USERS. */
  densitySilhouette: number;
  clusterSizes: number[];
  shape: ClusterShape;
  stability: Stability | null;
  /** Against the reference partition labels0, its noise points left out. */
  ari: number;
  seconds: number;
}

export interface ScoredSet {
  name: string;
  /** Points in the file, and the points clustered (a seeded sample above MAX_POINTS). */
  n: number;
  clustered: number;
  d: number;
  trueK: number;
  madeFrom: string;
  seconds: number;
  candidates: ScoredCandidate[];
}

/** The candidate as the selection rule reads it. */
export function asCandidateMetrics(row: ScoredCandidate): CandidateMetrics & { ari: number } {
  return {
    candidate: { encoder: 'behavior-stats', algorithm: row.family, params: row.params, k: row.k },
    silhouette: row.silhouette, silhouetteSampled: false, densitySilhouette: row.densitySilhouette,
    daviesBouldin: NaN, calinskiHarabasz: NaN, inertia: NaN,
    clusterSizes: row.clusterSizes, clusterSeconds: row.seconds, shape: row.shape, stability: row.stability,
    ari: row.ari,
  };
}

/** Where the scored sets of the folder `dir` are cached (one folder per dataset folder). */
export function cacheFolder(dir: string): string {
  return projectPath('bench', 'out', 'selection', `${path.basename(dir)}-${crypto.createHash('sha256').update(path.resolve(dir)).digest('hex').slice(0, 8)}`);
}

function cacheFile(dir: string, name: string): string {
  return path.join(cacheFolder(dir), `${name}.json`);
}

function fingerprint(dir: string, name: string): string {
  const hash = crypto.createHash('sha256');
  for (const suffix of ['.data.gz', '.labels0.gz']) hash.update(fs.readFileSync(path.join(dir, `${name}${suffix}`)));
  hash.update(JSON.stringify({ SCORING_VERSION, MAX_POINTS, SAMPLE_SEED, FIT_SEED, STABILITY_SEED, FAMILIES, settings: scoringSettings(sweepConfig(0)) }));
  return hash.digest('hex');
}

/** The set's scored candidates, from the cache when it was made from the same files and settings. */
export async function scoredSet(dir: string, name: string, log: (line: string) => void = () => {}): Promise<ScoredSet> {
  const file = cacheFile(dir, name);
  const madeFrom = fingerprint(dir, name);
  if (fs.existsSync(file)) {
    const cached = JSON.parse(fs.readFileSync(file, 'utf8')) as ScoredSet;
    if (cached.madeFrom === madeFrom) return cached;
  }
  const scored = await scoreSet(dir, name, madeFrom, log);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(`${file}.tmp-${process.pid}`, JSON.stringify(scored));
  fs.renameSync(`${file}.tmp-${process.pid}`, file);
  return scored;
}

function sample(matrix: Matrix, truth: number[]): { matrix: Matrix; truth: number[] } {
  if (matrix.n <= MAX_POINTS) return { matrix, truth };
  const rows = Array.from(sampleIndices(matrix.n, MAX_POINTS, seededRandom(SAMPLE_SEED))).sort((a, b) => a - b);
  const data = new Float32Array(rows.length * matrix.d);
  rows.forEach((row, i) => data.set(matrix.data.subarray(row * matrix.d, (row + 1) * matrix.d), i * matrix.d));
  return { matrix: { data, n: rows.length, d: matrix.d }, truth: rows.map((row) => truth[row]) };
}

async function scoreSet(dir: string, name: string, madeFrom: string, log: (line: string) => void): Promise<ScoredSet> {
  const started = performance.now();
  const full = loadLabelledSet(dir, name);
  const { matrix, truth } = sample(full.matrix, full.truth);
  const trueK = new Set(full.truth.filter((label) => label > 0)).size;
  const kept = truth.flatMap((label, i) => (label > 0 ? [i] : []));
  const ari = (labels: Int32Array) => adjustedRandIndex(kept.map((i) => truth[i]), kept.map((i) => labels[i]));
  const config = sweepConfig(trueK);
  const density = await densityDistances(matrix, { sampleSize: matrix.n, seed: FIT_SEED });
  const candidates: ScoredCandidate[] = [];
  for (const family of FAMILIES) {
    const familyStarted = performance.now();
    for (const params of algorithmNamed(family).grid(config, matrix.n)) {
      candidates.push(await scoreCandidate(matrix, params, config, ari, density));
    }
    log(`  ${name} ${family}: ${((performance.now() - familyStarted) / 1000).toFixed(1)} s`);
  }
  return { name, n: full.matrix.n, clustered: matrix.n, d: matrix.d, trueK, madeFrom, seconds: (performance.now() - started) / 1000, candidates };
}

async function scoreCandidate(matrix: Matrix, params: AlgorithmParams, config: RunConfig, ari: (labels: Int32Array) => number, density: DensityDistances): Promise<ScoredCandidate> {
  const started = performance.now();
  const algorithm = algorithmFor(params);
  const fitted = await algorithm.fit(matrix, params, { config, seed: FIT_SEED });
  const { labels } = fitted;
  const clusterSizes = Array.from(centroids(matrix, labels).sizes).filter((size) => size > 0);
  const clustered = clusterSizes.reduce((sum, size) => sum + size, 0);
  // As scoreCandidate: exact up to silhouetteExactUpTo users (every set here is below it).
  const silhouette = clusterSizes.length >= 2
    ? (await estimateSilhouette(matrix, labels, { sampleSize: clustered <= config.silhouetteExactUpTo ? clustered : config.silhouetteSampleSize, seed: FIT_SEED })).value
    : NaN;
  const refit = algorithm.refit(params, { config, details: fitted.details });
  const measured = await stability(matrix, labels, refit.fit, {
    seedRuns: refit.seeded ? config.stabilitySeedRuns : 0,
    bootstrapRuns: config.stabilitySubsampleRuns,
    subsampleShare: config.stabilitySubsampleShare,
    maxPoints: config.stabilityMaxUsers,
    seed: STABILITY_SEED,
    maxIterations: config.kmeansMaxIterations,
  });
  return {
    family: params.algorithm as Family,
    params: paramsLabel(params),
    k: 'k' in params ? params.k : 0,
    silhouette,
    densitySilhouette: clusterSizes.length >= 2 ? densitySilhouette(density, labels) : NaN,
    clusterSizes,
    shape: clusterShape(matrix, labels, 'euclidean'),
    stability: measured,
    ari: ari(labels),
    seconds: (performance.now() - started) / 1000,
  };
}
