import type { DistributedKMeansParams } from '../activities/clustering/algorithms/distributed-kmeans';
import type { ClusterCandidateOutput } from '../common/contracts';
import { combineColumnStats, lloydUpdate } from '../common/distributed-kmeans';
import { cannotCluster, runConfigError } from '../common/errors';
import { STANDARDIZED_ENCODERS, type EncoderName, type RuntimeConfig, type SweepConfig } from '../common/run-config';
import type { TaskQueues } from '../common/task-queues';
import { TASK_QUEUES } from '../common/task-queues';
import { activityProfiles } from './activity-profiles';
import { runFiles } from '../common/run-layout';

export interface DistributedKMeansInput {
  runDir: string;
  candidate: { encoder: EncoderName; params: DistributedKMeansParams };
  /** The directory name of the candidate under clusters/ (cluster-sweep's candidateKey). */
  candidateKey: string;
  /** The encoder's embedding files, one per shard, in shard order. */
  embeddingPaths: string[];
  seed: number;
  config: SweepConfig & RuntimeConfig;
  taskQueues?: TaskQueues;
}

/** Users sampled over all shards for the k-means++ initialisation. */
const INIT_SAMPLE = 10_000;

/**
 * k-means across shards without moving embeddings: every Lloyd iteration fans out one
 * kmeansPartialSums activity per shard (k x d sums and k counts back), and this workflow reduces
 * them and moves the centres (common/distributed-kmeans.ts). Initialisation: k-means++ on a
 * sample drawn from every shard in proportion to its size; behavior statistics are z-scored with
 * column statistics reduced the same way. Stops when the squared centre shift falls below
 * tolerance x the mean column variance, as scikit-learn does. Labels end up in the candidate's
 * clusters/ directory like any other candidate's.
 */
export async function distributedKMeans(input: DistributedKMeansInput): Promise<ClusterCandidateOutput> {
  const { config, candidate, runDir } = input;
  if (config.pcaComponents > 0) {
    throw runConfigError('distributed-kmeans clusters the encoder space itself; set pcaComponents to 0 or use kmeans');
  }
  const started = Date.now();
  const shard = activityProfiles(input.taskQueues ?? TASK_QUEUES, {
    maximumAttempts: config.activityMaxAttempts,
    embedHeartbeatTimeoutSeconds: config.embedHeartbeatTimeoutSeconds,
    activityHeartbeatTimeoutSeconds: config.activityHeartbeatTimeoutSeconds,
  }).cluster;
  const stats = await Promise.all(input.embeddingPaths.map((embeddingPath) => shard.shardColumnStats({ embeddingPath })));
  const combined = combineColumnStats(stats);
  const standardize = STANDARDIZED_ENCODERS.includes(candidate.encoder);
  const standardization = standardize ? { mean: combined.mean, scale: combined.scale } : null;
  // Standardized columns have variance 1 (0 when constant): the tolerance follows the space clustered.
  const meanVariance = standardize ? combined.scale.filter((value) => value > 0).length / combined.scale.length : combined.meanVariance;
  const total = stats.reduce((sum, part) => sum + part.n, 0);
  const d = stats[0].sums.length;
  const { k } = candidate.params;
  if (total < k) throw cannotCluster(total, k);

  const samples = await Promise.all(input.embeddingPaths.map((embeddingPath, index) => shard.shardSample({
    embeddingPath,
    count: Math.max(1, Math.ceil((INIT_SAMPLE * stats[index].n) / total)),
    seed: input.seed + index,
    samplePath: runFiles.distributedInitSample(runDir, input.candidateKey, index),
    standardization,
  })));
  let { centers } = await shard.kmeansInitFromSamples({ samplePaths: samples.map((sample) => sample.samplePath), k, seed: input.seed, seedings: config.kmeansInit });

  const tolerance = 1e-4 * meanVariance;
  let iterations = 0;
  for (; iterations < config.kmeansMaxIterations; iterations++) {
    const partials = await Promise.all(input.embeddingPaths.map((embeddingPath) => shard.kmeansPartialSums({ embeddingPath, centers, k, standardization })));
    const update = lloydUpdate(centers, partials, k, d);
    centers = update.centers;
    if (update.shift <= tolerance) {
      iterations++;
      break;
    }
  }
  const assigned = await Promise.all(input.embeddingPaths.map((embeddingPath, index) => shard.kmeansAssignShard({
    embeddingPath, centers, k, standardization, labelsPath: runFiles.distributedShardLabels(runDir, input.candidateKey, index),
  })));
  return shard.mergeShardLabels({
    runDir,
    candidate,
    candidateKey: input.candidateKey,
    shardLabelPaths: assigned.map((part) => part.labelsPath),
    centers,
    dimensions: d,
    inertia: assigned.reduce((sum, part) => sum + part.inertia, 0),
    iterations,
    seconds: (Date.now() - started) / 1000,
  });
}

