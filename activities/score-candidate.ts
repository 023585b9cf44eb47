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
import { kmeansStability } from './evaluation/stability';
import { calinskiHarabasz, centroids, daviesBouldin, inertia, silhouetteScore } from './metrics/internal';
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
  const silhouette = silhouetteScore(matrix, labels, config.silhouetteSampleSize, input.seed);
  heartbeat('internal');
  const metrics: CandidateMetrics = {
    candidate,
    silhouette: silhouette.value,
    silhouetteSampled: silhouette.sampled,
    daviesBouldin: daviesBouldin(matrix, labels),
    calinskiHarabasz: calinskiHarabasz(matrix, labels),
    inertia: inertia(matrix, labels),
    clusterSizes: Array.from(centroids(matrix, labels).sizes),
    clusterSeconds: clustering.seconds,
  };
  metrics.stability = config.stabilitySeedRuns + config.stabilitySubsampleRuns > 0 && candidate.algorithm === 'kmeans'
    ? await kmeansStability(matrix, labels, candidate.k, {
      seedRuns: config.stabilitySeedRuns,
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

async function withRunDatabase(input: ScoreCandidateInput, userIds: string[], labels: Int32Array) {
  const database = await openDuckDB(':memory:', { threads: input.config.duckdbThreads, memoryLimit: input.config.duckdbMemoryLimit });
  try {
    const { connection } = database;
    await connection.run('CREATE TABLE segments (user_id VARCHAR NOT NULL, segment INTEGER NOT NULL)');
    const appender = await connection.createAppender('segments');
    for (let i = 0; i < userIds.length; i++) {
      appender.appendVarchar(userIds[i]);
      appender.appendInteger(labels[i]);
      appender.endRow();
    }
    appender.closeSync();
    await connection.run(`ATTACH ${sqlStringLiteral(path.join(input.runDir, 'run.duckdb'))} AS run (READ_ONLY)`);
    const result = await downstreamValue(connection, {
      ks: input.config.downstreamKs,
      excludeSeen: input.config.downstreamExcludeSeen,
      bootstrapSamples: input.config.bootstrapSamples,
      folds: input.config.nextPurchaseFolds,
      seed: input.seed,
    });
    const external = input.config.truthLabelsFile
      ? externalSummary(await readTruthLabels(connection, input.config.truthLabelsFile), userIds, labels)
      : null;
    return { downstream: result?.summary ?? null, external };
  } finally {
    database.close();
  }
}
