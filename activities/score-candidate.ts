import fs from 'node:fs/promises';
import path from 'node:path';
import type { CandidateMetrics, ScoreCandidateInput, ScoreCandidateOutput } from '../common/contracts';
import { writeJsonAtomic } from '../lib/atomic-write';
import { openDuckDB, sqlStringLiteral } from '../lib/duckdb';
import { readLabelsFile } from '../lib/labels-file';
import { heartbeat } from '../lib/activity-progress';
import { runStepOnce } from '../lib/run-dir';
import { candidateKey } from './cluster-sweep';
import { loadEmbeddingMatrix } from './embedding-matrix';
import { downstreamValue } from './evaluation/downstream';
import { externalSummary, readTruthLabels } from './evaluation/external';
import { createSegmentsTable } from './evaluation/segments-table';
import { stability, type Refit } from './evaluation/stability';
import { dbscan } from './clustering/dbscan';
import { hierarchical, type Linkage } from './clustering/hierarchical';
import { kmeans } from './clustering/kmeans';
import { miniBatchKMeans } from './clustering/minibatch-kmeans';
import { clusterShape } from './metrics/cluster-shape';
import { calinskiHarabasz, centroids, daviesBouldin, inertia, type Matrix } from './metrics/internal';
import { estimateSilhouette } from './metrics/silhouette';
import type { EncoderName } from '../common/run-config';

/**
 * Scores one sweep candidate (docs/EVALUATION.md): internal metrics in its encoder's space,
 * stability (refits with other seeds and on subsamples), and downstream value (segment-popularity
 * recommendations against the temporal holdout, next-purchase prediction). Runs next to the
 * candidate's clustering in the sweep fan-out and writes evaluation/candidates/<candidate>.json;
 * evaluateCandidates then only reads these files.
 */
export async function scoreCandidate(input: ScoreCandidateInput): Promise<ScoreCandidateOutput> {
  const key = candidateKey(input.clustering.candidate);
  return runStepOnce(input.runDir, `score-${key}`, async () => {
    const metrics = await computeCandidateMetrics(input);
    const scorePath = path.join(input.runDir, 'evaluation', 'candidates', `${key}.json`);
    await writeJsonAtomic(scorePath, metrics);
    return { candidate: input.clustering.candidate, scorePath };
  });
}

export async function computeCandidateMetrics(input: ScoreCandidateInput): Promise<CandidateMetrics> {
  const started = performance.now();
  const { config, clustering } = input;
  const { candidate } = clustering;
  const { userIds, matrix } = await loadEmbeddingMatrix(input.embeddingPaths, candidate.encoder as EncoderName, config.pcaComponents);
  const { labels, userIds: labelledIds } = await readLabelsFile(clustering.labelsPath);
  if (labelledIds.length !== userIds.length || labelledIds.some((id, i) => id !== userIds[i])) {
    throw new Error(`${clustering.labelsPath} is not aligned with the ${candidate.encoder} embeddings`);
  }
  // Noise (DBSCAN's -1) is left out of the internal metrics and reported as a fraction instead.
  const clean = withoutNoise(matrix, labels);
  const segments = new Set(clean.labels).size;
  // Exact up to silhouetteExactUpTo users (estimateSilhouette is exact when the sample covers everyone).
  const silhouetteOptions = { sampleSize: clean.matrix.n <= config.silhouetteExactUpTo ? clean.matrix.n : config.silhouetteSampleSize, seed: input.seed };
  const silhouette = segments >= 2 ? await estimateSilhouette(matrix, labels, silhouetteOptions) : null;
  const cosine = segments >= 2 ? await estimateSilhouette(matrix, labels, { ...silhouetteOptions, metric: 'cosine' }) : null;
  heartbeat('internal');
  const metrics: CandidateMetrics = {
    candidate,
    silhouette: silhouette?.value ?? NaN,
    silhouetteSampled: silhouette?.sampled ?? false,
    silhouetteCi: silhouette?.sampled ? [silhouette.ciLow, silhouette.ciHigh] : undefined,
    silhouetteCosine: cosine?.value ?? NaN,
    daviesBouldin: segments >= 2 ? daviesBouldin(clean.matrix, clean.labels) : NaN,
    calinskiHarabasz: segments >= 2 ? calinskiHarabasz(clean.matrix, clean.labels) : NaN,
    inertia: clean.matrix.n > 0 ? inertia(clean.matrix, clean.labels) : NaN,
    clusterSizes: Array.from(centroids(clean.matrix, clean.labels).sizes).filter((size) => size > 0),
    clusterSeconds: clustering.seconds,
    shape: clusterShape(matrix, labels, 'euclidean'),
  };
  const refit = refitFor(input, await clusteringDetails(clustering.labelsPath));
  metrics.stability = config.stabilitySeedRuns + config.stabilitySubsampleRuns > 0
    ? await stability(matrix, labels, refit.fit, {
      seedRuns: refit.seeded ? config.stabilitySeedRuns : 0,
      bootstrapRuns: config.stabilitySubsampleRuns,
      subsampleShare: config.stabilitySubsampleShare,
      maxPoints: config.stabilityMaxUsers,
      seed: input.seed,
      maxIterations: config.kmeansMaxIterations,
    })
    : null;
  heartbeat('stability');
  const { downstream, external } = await withRunDatabase(input, userIds, labels);
  metrics.downstream = downstream;
  metrics.external = external;
  metrics.scoreSeconds = (performance.now() - started) / 1000;
  return metrics;
}

/** The points that are not noise, relabelled 0..m-1 in label order. */
function withoutNoise(matrix: Matrix, labels: Int32Array): { matrix: Matrix; labels: Int32Array } {
  if (!labels.some((label) => label < 0)) return { matrix, labels };
  const kept: number[] = [];
  labels.forEach((label, i) => label >= 0 && kept.push(i));
  const data = new Float32Array(kept.length * matrix.d);
  kept.forEach((row, i) => data.set(matrix.data.subarray(row * matrix.d, (row + 1) * matrix.d), i * matrix.d));
  return { matrix: { data, n: kept.length, d: matrix.d }, labels: Int32Array.from(kept, (i) => labels[i]) };
}

async function clusteringDetails(labelsPath: string): Promise<Record<string, unknown>> {
  return JSON.parse(await fs.readFile(path.join(path.dirname(labelsPath), 'centroids.json'), 'utf8')) as Record<string, unknown>;
}

/** Refits with the candidate's own algorithm and parameters (DBSCAN: the eps it used); `seeded` = seeds change the result. */
function refitFor(input: ScoreCandidateInput, details: Record<string, unknown>): { fit: Refit; seeded: boolean } {
  const { candidate } = input.clustering;
  const { config } = input;
  switch (candidate.algorithm) {
    case 'kmeans':
    case 'distributed-kmeans':
      return { seeded: true, fit: async (part, seed) => (await kmeans(part.data, part.n, part.d, { k: candidate.k, seed, nInit: 1, maxIterations: config.kmeansMaxIterations })).labels };
    case 'minibatch-kmeans':
      return { seeded: true, fit: async (part, seed) => (await miniBatchKMeans(part.data, part.n, part.d, { k: candidate.k, seed, batchSize: config.minibatchSize })).labels };
    case 'ward':
    case 'average':
      return {
        // Only a sampled tree depends on the seed.
        seeded: input.config.stabilityMaxUsers > config.hierarchicalSampleSize,
        fit: async (part, seed) => hierarchical(part.data, part.n, part.d, { k: Math.min(candidate.k, part.n), linkage: candidate.algorithm as Linkage, sampleSize: config.hierarchicalSampleSize, seed }),
      };
    case 'dbscan':
      return { seeded: false, fit: async (part) => dbscan(part.data, part.n, part.d, Number(details.eps), Number(details.minSamples)).labels };
  }
}

async function withRunDatabase(input: ScoreCandidateInput, userIds: string[], labels: Int32Array) {
  const database = await openDuckDB(':memory:', { threads: input.config.duckdbThreads, memoryLimit: input.config.duckdbMemoryLimit });
  try {
    const { connection } = database;
    await createSegmentsTable(connection, userIds, labels);
    await connection.run(`ATTACH ${sqlStringLiteral(path.join(input.runDir, 'run.duckdb'))} AS run (READ_ONLY)`);
    const result = await downstreamValue(connection, {
      ks: input.config.downstreamKs,
      excludeSeen: input.config.downstreamExcludeSeen,
      bootstrapSamples: input.config.bootstrapSamples,
      folds: input.config.nextPurchaseFolds,
      seed: input.seed,
      baselineCache: path.join(input.runDir, 'evaluation', 'baselines.json'),
    });
    const external = input.config.truthLabelsFile
      ? externalSummary(await readTruthLabels(connection, input.config.truthLabelsFile), userIds, labels)
      : null;
    return { downstream: result?.summary ?? null, external };
  } finally {
    database.close();
  }
}
