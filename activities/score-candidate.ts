import fs from 'node:fs/promises';
import path from 'node:path';
import type { CandidateMetrics, ScoreCandidateInput, ScoreCandidateOutput } from '../common/contracts';
import { writeJsonAtomic } from '../lib/atomic-write';
import { openDuckDB, sqlStringLiteral } from '../lib/duckdb';
import { readLabelsFile } from '../lib/labels-file';
import { heartbeat } from '../lib/activity-progress';
import { runStepOnce } from '../lib/run-dir';
import { candidateKey, hdbscanSettings } from './cluster-sweep';
import { loadEmbeddingMatrix } from './embedding-matrix';
import { downstreamValue } from './evaluation/downstream';
import { externalSummary, readTruthLabels } from './evaluation/external';
import { createSegmentsTable } from './evaluation/segments-table';
import { kmeansRefit, stability, type Refit } from './evaluation/stability';
import { dbscan } from './clustering/dbscan';
import { hdbscanSampled } from './clustering/hdbscan-sampled';
import { hierarchical, type Linkage } from './clustering/hierarchical';
import { miniBatchKMeans } from './clustering/minibatch-kmeans';
import { clusterShape } from './metrics/cluster-shape';
import { calinskiHarabasz, centroids, daviesBouldin, inertia } from './metrics/internal';
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
  // Noise (DBSCAN's -1) is left out by every internal metric and reported as a fraction instead.
  const clusterSizes = Array.from(centroids(matrix, labels).sizes).filter((size) => size > 0);
  const segments = clusterSizes.length;
  const clustered = clusterSizes.reduce((sum, size) => sum + size, 0);
  // Exact up to silhouetteExactUpTo users (estimateSilhouette is exact when the sample covers everyone).
  const silhouetteOptions = { sampleSize: clustered <= config.silhouetteExactUpTo ? clustered : config.silhouetteSampleSize, seed: input.seed };
  const silhouette = segments >= 2 ? await estimateSilhouette(matrix, labels, silhouetteOptions) : null;
  const cosine = segments >= 2 ? await estimateSilhouette(matrix, labels, { ...silhouetteOptions, metric: 'cosine' }) : null;
  heartbeat('internal');
  const metrics: CandidateMetrics = {
    candidate,
    silhouette: silhouette?.value ?? NaN,
    silhouetteSampled: silhouette?.sampled ?? false,
    silhouetteCi: silhouette?.sampled ? [silhouette.ciLow, silhouette.ciHigh] : undefined,
    silhouetteCosine: cosine?.value ?? NaN,
    daviesBouldin: segments >= 2 ? daviesBouldin(matrix, labels) : NaN,
    calinskiHarabasz: segments >= 2 ? calinskiHarabasz(matrix, labels) : NaN,
    inertia: clustered > 0 ? inertia(matrix, labels) : NaN,
    clusterSizes,
    clusterSeconds: clustering.seconds,
    shape: clusterShape(matrix, labels, 'euclidean'),
  };
  // Only DBSCAN needs what its clustering decided (the eps) to refit the same way.
  const refit = refitFor(input, candidate.algorithm === 'dbscan' ? await clusteringDetails(clustering.labelsPath) : {});
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
      return { seeded: true, fit: kmeansRefit(candidate.k, config.kmeansMaxIterations) };
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
      return { seeded: false, fit: async (part) => (await dbscan(part.data, part.n, part.d, Number(details.eps), Number(details.minSamples))).labels };
    case 'hdbscan':
      return {
        seeded: input.config.stabilityMaxUsers > config.hdbscanSampleSize,
        fit: async (part, seed) => (await hdbscanSampled(part.data, part.n, part.d, { ...hdbscanSettings(candidate.params, part.n, config), seed })).labels,
      };
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
