import fs from 'node:fs/promises';
import path from 'node:path';
import type { CandidateMetrics, ScoreCandidateInput, ScoreCandidateOutput } from '../common/contracts';
import { writeJsonAtomic } from '../lib/runtime/atomic-write';
import { openRunDatabase } from '../lib/runtime/run-database';
import { duckdbShare } from '../lib/runtime/duckdb-budget';
import { runFiles, runSteps } from '../common/run-layout';
import { resultSettings } from '../common/run-config';
import { readLabelsFile } from '../lib/runtime/labels-file';
import { heartbeat } from '../lib/runtime/activity-progress';
import { readStepMarker, runStepOnce, sealOf } from '../lib/runtime/run-dir';
import { candidateKey, candidateRef } from '../common/candidates';
import type { DuckDBConnection } from '@duckdb/node-api';
import { algorithmFor } from './clustering/algorithms';
import { downstreamValue, type DownstreamOptions } from './evaluation/downstream';
import { externalSummary, readTruthLabels } from './evaluation/external';
import { createSegmentsTable } from './evaluation/segments-table';
import { withSharedEmbeddingMatrix } from './evaluation/shared-embedding-matrix';
import { stability } from './evaluation/stability';
import { clusterShape } from './metrics/cluster-shape';
import { calinskiHarabasz, centroids, daviesBouldin, inertia, type Matrix } from './metrics/internal';
import { sampledDensitySilhouette } from './metrics/density-silhouette';
import { estimateSilhouette } from './metrics/silhouette';

/**
 * What a score or screen computes: part of their steps' fingerprints, so that a run resumed after
 * the metrics changed (2: the density silhouette) recomputes them instead of mixing old and new files.
 */
export const CANDIDATE_METRICS_VERSION = 2;

/**
 * Scores one sweep candidate (docs/EVALUATION.md): internal metrics in its encoder's space,
 * stability (refits with other seeds and on subsamples), and downstream value (segment-popularity
 * recommendations against the temporal holdout, next-purchase prediction). Runs next to the
 * candidate's clustering in the sweep fan-out and writes evaluation/candidates/<candidate>.json;
 * evaluateCandidates then only reads these files.
 */
export async function scoreCandidate(input: ScoreCandidateInput): Promise<ScoreCandidateOutput> {
  const key = candidateKey(input.clustering.candidate);
  const step = {
    runDir: input.runDir,
    step: runSteps.score(key),
    madeFrom: { candidate: input.clustering.candidate, seed: input.seed, config: resultSettings(input.config), metrics: CANDIDATE_METRICS_VERSION },
    upstream: [runSteps.clean, runSteps.shard, runSteps.cluster(key), ...runSteps.embedAll(input.clustering.candidate.encoder, input.embeddingPaths.length)],
    outputs: () => [{ file: runFiles.candidateScore(input.runDir, key) }],
  };
  return runStepOnce(step, async () => {
    const metrics = await computeCandidateMetrics(input);
    const scorePath = runFiles.candidateScore(input.runDir, key);
    await writeJsonAtomic(scorePath, metrics);
    return { candidate: input.clustering.candidate, scorePath };
  });
}

async function computeCandidateMetrics(input: ScoreCandidateInput): Promise<CandidateMetrics> {
  const { encoder } = input.clustering.candidate;
  return withSharedEmbeddingMatrix(input.embeddingPaths, encoder, input.config.pcaComponents, (loaded) => metricsOn(input, loaded.userIds, loaded.matrix));
}

async function metricsOn(input: ScoreCandidateInput, userIds: string[], matrix: Matrix): Promise<CandidateMetrics> {
  const started = performance.now();
  const { config, clustering } = input;
  const { params, encoder } = clustering.candidate;
  const candidate = candidateRef(clustering.candidate);
  const { labels, userIds: labelledIds } = await readLabelsFile(clustering.labelsPath);
  if (labelledIds.length !== userIds.length || labelledIds.some((id, i) => id !== userIds[i])) {
    throw new Error(`${clustering.labelsPath} is not aligned with the ${encoder} embeddings`);
  }
  // Noise (DBSCAN's -1) is left out by every internal metric and reported as a fraction instead.
  const clusterSizes = Array.from(centroids(matrix, labels).sizes).filter((size) => size > 0);
  const segments = clusterSizes.length;
  const clustered = clusterSizes.reduce((sum, size) => sum + size, 0);
  // Exact up to silhouetteExactUpTo users (estimateSilhouette is exact when the sample covers everyone).
  const silhouetteOptions = { sampleSize: clustered <= config.silhouetteExactUpTo ? clustered : config.silhouetteSampleSize, seed: input.seed };
  const silhouette = segments >= 2 ? await estimateSilhouette(matrix, labels, silhouetteOptions) : null;
  const density = segments >= 2 ? await sampledDensitySilhouette(matrix, labels, input.seed) : NaN;
  heartbeat('internal');
  const metrics: CandidateMetrics = {
    candidate,
    silhouette: silhouette?.value ?? NaN,
    silhouetteSampled: silhouette?.sampled ?? false,
    silhouetteCi: silhouette?.sampled ? [silhouette.ciLow, silhouette.ciHigh] : undefined,
    densitySilhouette: density,
    daviesBouldin: segments >= 2 ? daviesBouldin(matrix, labels) : NaN,
    calinskiHarabasz: segments >= 2 ? calinskiHarabasz(matrix, labels) : NaN,
    inertia: clustered > 0 ? inertia(matrix, labels) : NaN,
    clusterSizes,
    clusterSeconds: clustering.seconds,
    shape: clusterShape(matrix, labels, 'euclidean'),
  };
  const refit = algorithmFor(params).refit(params, { config, details: await clusteringDetails(input.runDir, candidateKey(clustering.candidate)) });
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

async function cleaningSeal(runDir: string): Promise<string> {
  const marker = await readStepMarker(runDir, runSteps.clean);
  return marker ? sealOf(marker) : 'missing';
}

/** What the fit recorded in centroids.json (e.g. DBSCAN's eps): a refit repeats the same choice. */
export async function clusteringDetails(runDir: string, key: string): Promise<Record<string, unknown>> {
  return JSON.parse(await fs.readFile(runFiles.centroidsFile(runDir, key), 'utf8')) as Record<string, unknown>;
}

async function withRunDatabase(input: ScoreCandidateInput, userIds: string[], labels: Int32Array) {
  return withCandidateSegments(input, userIds, labels, async (connection) => {
    const result = await downstreamValue(connection, { ...await downstreamOptions(input), maxUsers: input.config.downstreamMaxUsers });
    const external = input.config.truthLabelsFile
      ? externalSummary(await readTruthLabels(connection, input.config.truthLabelsFile), userIds, labels)
      : null;
    return { downstream: result?.summary ?? null, external };
  });
}

/** Runs `body` on the run database (read-only) with the candidate's labels as its `segments` table. */
export async function withCandidateSegments<T>(input: ScoreCandidateInput, userIds: string[], labels: Int32Array, body: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
  // sweepConcurrency candidates are scored (or screened) at once: each gets its share of the limit, and its own spill directory.
  const spill = path.join(runFiles.duckdbTemp(input.runDir), `evaluate-${candidateKey(input.clustering.candidate)}`);
  const database = await openRunDatabase(input.runDir, 'read-only', duckdbShare(input.config, input.config.sweepConcurrency, spill));
  try {
    await createSegmentsTable(database.connection, userIds, labels);
    return await body(database.connection);
  } finally {
    database.close();
  }
}

/** The downstream evaluation as the run config sets it, its baselines cached for the run. */
export async function downstreamOptions(input: ScoreCandidateInput): Promise<DownstreamOptions> {
  return {
    ks: input.config.downstreamKs,
    excludeSeen: input.config.downstreamExcludeSeen,
    bootstrapSamples: input.config.bootstrapSamples,
    folds: input.config.nextPurchaseFolds,
    seed: input.seed,
    baselineCache: runFiles.downstreamBaselines(input.runDir),
    inputsCache: runFiles.downstreamInputs(input.runDir),
    baselineMadeFrom: await cleaningSeal(input.runDir),
  };
}
