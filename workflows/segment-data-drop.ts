import {
  ApplicationFailure, condition, defineQuery, defineSignal, executeChild, patched, setHandler, upsertSearchAttributes, workflowInfo,
} from '@temporalio/workflow';
import type {
  CandidateRef, ClusterCandidateOutput, EmbedShardOutput, EncoderReport, FitEncoderOutput, PipelineProgress, ScoreCandidateOutput, PipelineStage, SegmentDataDropInput,
  SegmentDataDropOutput, ShardRef,
} from '../common/contracts';
import { FITTED_ENCODERS, resolveRunConfig, type EncoderName, type RunConfig } from '../common/run-config';
import { DATA_DROP, PIPELINE_STAGE } from '../common/search-attributes';
import { cannotCluster, surfaceTaxonomyFailure, taxonomyFailureIn } from '../common/errors';
import { candidateKey as clusterKey, sameCandidate } from '../common/ids';
import { deriveSeed } from '../common/seed';
import { TASK_QUEUES } from '../common/task-queues';
import { activityProfiles } from './activity-profiles';
import { settleWithConcurrency } from './concurrency';
import { distributedKMeans } from './distributed-kmeans';

export const progressQuery = defineQuery<PipelineProgress>('progress');
/** Re-runs the shards that failed for good; sent by `client retry-failed` or from the Temporal UI. */
export const retryFailedShardsSignal = defineSignal('retryFailedShards');

/**
 * Segments one data drop end to end: inspect -> clean -> shard -> embed (fan-out per shard) ->
 * cluster sweep (fan-out per candidate) -> evaluate -> publish.
 *
 * Promises: the workflow id is derived from the drop, so one drop runs once; every step checkpoints
 * in the run directory, so a retry or a re-run after failure resumes where it stopped; shards that
 * fail after all attempts wait (up to failedShardWaitMinutes) for `retryFailedShards` instead of
 * failing the whole run; what retrying cannot fix (common/errors.ts: bad input, run config, model,
 * internal invariant) ends the run at once with the failing step's message, naming the input.
 */
export async function segmentDataDrop(input: SegmentDataDropInput): Promise<SegmentDataDropOutput> {
  const config = validatedConfig(input);
  const runDir = `${input.dataDir.replace(/\/+$/, '')}/runs/${input.drop.dropId}`;
  // Every seed of the run derives from this: the drop id, unless the config names a seed.
  const seedBase = config.seed || input.drop.dropId;
  const activities = activityProfiles(input.taskQueues ?? TASK_QUEUES, {
    maximumAttempts: config.activityMaxAttempts,
    embedHeartbeatTimeoutSeconds: config.embedHeartbeatTimeoutSeconds,
  });
  const progress: PipelineProgress = {
    dropId: input.drop.dropId,
    stage: 'starting',
    shardsTotal: 0,
    shardsDone: 0,
    candidatesTotal: 0,
    candidatesDone: 0,
    failures: [],
    runDir,
  };
  const retryRequest = { pending: false };
  setHandler(progressQuery, () => progress);
  setHandler(retryFailedShardsSignal, () => {
    retryRequest.pending = true;
  });
  const enterStage = (stage: PipelineStage) => {
    progress.stage = stage;
    upsertSearchAttributes([{ key: PIPELINE_STAGE, value: stage }]);
  };
  upsertSearchAttributes([{ key: DATA_DROP, value: input.drop.dropId }]);

  try {
    enterStage('inspect');
    const inspected = await activities.io.inspectDrop({ runDir, source: input.drop.source, mappingFile: config.mappingFile });
    enterStage('clean');
    const cleaned = await activities.sql.cleanRawLogs({ runDir, files: inspected.files, format: inspected.format, delimiter: inspected.delimiter, config });
    checkEnoughUsers(config, cleaned.accounting.sequencedUsers);
    enterStage('shard');
    const { shards } = await activities.sql.shardUsers({ runDir, databasePath: cleaned.databasePath, config });

    // Only runs that use item2vec/tfidf add these commands, so other runs' histories are unchanged.
    const fitEncoders = config.encoders.filter((encoder) => FITTED_ENCODERS.includes(encoder));
    let fitted: FitEncoderOutput[] = [];
    if (fitEncoders.length > 0) {
      enterStage('fit');
      fitted = await Promise.all(fitEncoders.map((encoder) =>
        activities.sql.fitEncoder({ runDir, encoder, shards, seed: deriveSeed(seedBase, 'fit', encoder), config })));
    }

    enterStage('embed');
    const { paths: embeddings, outputs: embedOutputs } = await embedAllShards({ shards, config, runDir, activities, progress, enterStage, retryRequest });

    enterStage('cluster');
    const candidates = sweepCandidates(config, cleaned.accounting.sequencedUsers);
    progress.candidatesTotal = candidates.length;
    // Runs started before candidates were scored in the fan-out score them all in evaluateCandidates.
    const scoreInSweep = patched(SCORE_IN_SWEEP_PATCH);
    const evaluationSeed = deriveSeed(seedBase, 'evaluate');
    const scores: ScoreCandidateOutput[] = [];
    const clusterings = await settleWithConcurrency(candidates, config.sweepConcurrency, async (candidate) => {
      const seed = deriveSeed(seedBase, candidate.encoder, candidate.algorithm, candidate.params);
      const output = candidate.algorithm === 'distributed-kmeans'
        ? await executeChild(distributedKMeans, {
          workflowId: `${workflowInfo().workflowId}-${clusterKey(candidate)}`,
          args: [{ runDir, candidate, candidateKey: clusterKey(candidate), embeddingPaths: embeddings[candidate.encoder], seed, config, taskQueues: input.taskQueues }],
        })
        : await activities.cluster.clusterCandidate({ runDir, candidate, embeddingPaths: embeddings[candidate.encoder], seed, config });
      if (scoreInSweep) {
        scores.push(await activities.evaluate.scoreCandidate({
          runDir, clustering: output, embeddingPaths: embeddings[candidate.encoder], seed: evaluationSeed, config,
        }));
      }
      progress.candidatesDone++;
      return output;
    });
    const finished = clusterings.filter((result): result is PromiseFulfilledResult<ClusterCandidateOutput> => result.status === 'fulfilled');
    if (finished.length < clusterings.length) {
      const firstFailure = clusterings.find((result) => result.status === 'rejected') as PromiseRejectedResult;
      throw firstFailure.reason;
    }

    enterStage('evaluate');
    const evaluation = await activities.evaluate.evaluateCandidates({
      runDir,
      embeddingPaths: embeddings,
      clusterings: finished.map((result) => result.value),
      scores,
      seed: evaluationSeed,
      config,
    });
    const chosenClustering = finished.find((result) => sameCandidate(result.value.candidate, evaluation.chosen))!.value;

    enterStage('publish');
    const published = await activities.io.publishSegmentation({
      runDir,
      dropId: input.drop.dropId,
      leaderboardPath: evaluation.leaderboardPath,
      chosen: evaluation.chosen,
      selectionReason: evaluation.selectionReason,
      accounting: cleaned.accounting,
      labelsPath: chosenClustering.labelsPath,
      workflowId: workflowInfo().workflowId,
      config,
      encoderReports: encoderReports(config.encoders, fitted, embedOutputs),
      embeddingPaths: embeddings[evaluation.chosen.encoder],
    });
    enterStage('done');
    return {
      runDir,
      reportPath: published.reportPath,
      segmentsPath: published.segmentsPath,
      leaderboardPath: evaluation.leaderboardPath,
      chosen: evaluation.chosen,
      accounting: cleaned.accounting,
    };
  } catch (error) {
    enterStage('failed');
    throw surfaceTaxonomyFailure(error);
  }
}

/**
 * The default encoders changed (behavior-stats -> transformer + behavior-stats). A run that started
 * before, and did not name its encoders, keeps the old default when its history is replayed.
 */
const TRANSFORMER_DEFAULT_PATCH = 'default-encoders-transformer';
/** Candidates are scored (stability, downstream value) right after their clustering, in the fan-out. */
const SCORE_IN_SWEEP_PATCH = 'score-candidates-in-sweep';

function validatedConfig(input: SegmentDataDropInput): RunConfig {
  try {
    const overrides = { ...input.config };
    if (overrides.encoders === undefined && !patched(TRANSFORMER_DEFAULT_PATCH)) overrides.encoders = ['behavior-stats'];
    return resolveRunConfig(overrides);
  } catch (error) {
    throw ApplicationFailure.nonRetryable((error as Error).message, 'RunConfigError');
  }
}

/**
 * The k-based algorithms need at least kMin users; found here, before anything is embedded, and in
 * the same words as the engines' own check (sweepCandidates caps k at the users, so without this a
 * too-large kMin would silently leave an algorithm without candidates).
 */
function checkEnoughUsers(config: RunConfig, users: number): void {
  const usesK = config.algorithms.some((algorithm) => algorithm !== 'dbscan' && algorithm !== 'hdbscan');
  if (usesK && users < config.kMin) throw cannotCluster(users, config.kMin);
}

export function sweepCandidates(config: RunConfig, users: number): CandidateRef[] {
  const candidates: CandidateRef[] = [];
  for (const encoder of config.encoders) {
    for (const algorithm of config.algorithms) {
      if (algorithm === 'dbscan') {
        // eps is not known before the data is: each candidate names a quantile of the k-distances.
        for (const minSamples of config.dbscanMinSamples) {
          for (const quantile of config.dbscanEpsQuantiles) candidates.push({ encoder, algorithm, params: `q=${quantile},min_samples=${minSamples}`, k: 0 });
        }
        continue;
      }
      if (algorithm === 'hdbscan') {
        for (const share of config.hdbscanMinClusterShares) candidates.push({ encoder, algorithm, params: `min_cluster_share=${share}`, k: 0 });
        continue;
      }
      const hierarchicalTree = algorithm === 'ward' || algorithm === 'average';
      const kMax = Math.min(config.kMax, users, hierarchicalTree ? config.hierarchicalSampleSize : users);
      for (let k = config.kMin; k <= kMax; k++) {
        candidates.push({ encoder, algorithm, params: `k=${k}`, k });
      }
    }
  }
  return candidates;
}

type Profiles = ReturnType<typeof activityProfiles>;

/**
 * Embeds every (encoder, shard) with bounded concurrency. Shards that still fail after all
 * attempts are listed in progress.failures; the workflow then waits for `retryFailedShards` and
 * re-runs only those (finished shards return at once from their checkpoints). A shard that failed
 * with a taxonomy error (common/errors.ts) does not wait: its cause lies in the config, the model
 * or the data, which no retry changes, so the run ends at once with its message (shards not
 * started yet are not started; the operator fixes the cause and runs the drop again).
 */
async function embedAllShards({ shards, config, runDir, activities, progress, enterStage, retryRequest }: {
  shards: ShardRef[];
  config: RunConfig;
  runDir: string;
  activities: Profiles;
  progress: PipelineProgress;
  enterStage: (stage: PipelineStage) => void;
  retryRequest: { pending: boolean };
}): Promise<{ paths: Record<string, string[]>; outputs: EmbedShardOutput[] }> {
  const tasks = config.encoders.flatMap((encoder) => shards.map((shard) => ({ encoder, shard })));
  const done = new Map<string, EmbedShardOutput>();
  const key = (task: { encoder: EncoderName; shard: ShardRef }) => `${task.encoder}/shard-${task.shard.index}`;
  progress.shardsTotal = tasks.length;
  let pending = tasks;
  for (;;) {
    let fatal: unknown;
    const results = await settleWithConcurrency(pending, config.embedConcurrency, async (task) => {
      if (fatal) throw fatal;
      try {
        const output = await activities.embed.embedShard({ runDir, shard: task.shard, encoder: task.encoder, config });
        done.set(key(task), output);
        progress.shardsDone = done.size;
        return output;
      } catch (error) {
        if (taxonomyFailureIn(error)) fatal ??= error;
        throw error;
      }
    });
    const failed = pending.filter((_, index) => results[index].status === 'rejected');
    progress.failures = results.flatMap((result, index) =>
      result.status === 'rejected' ? [{ step: `embed ${key(pending[index])}`, error: describeFailure(result.reason) }] : []);
    if (fatal) throw fatal;
    if (failed.length === 0) break;
    enterStage('awaiting-retry');
    const retry = config.failedShardWaitMinutes > 0 && (await condition(() => retryRequest.pending, `${config.failedShardWaitMinutes}m`));
    if (!retry) {
      throw ApplicationFailure.nonRetryable(
        `${failed.length} shard(s) failed and no retry was requested within ${config.failedShardWaitMinutes} min: ` +
          progress.failures.map((failure) => `${failure.step}: ${failure.error}`).join('; ') +
          `. Fix the cause and run 'npm run client -- retry-failed ${progress.dropId}' (finished shards are kept).`,
        'ShardsFailed',
      );
    }
    retryRequest.pending = false;
    enterStage('embed');
    pending = failed;
  }
  const paths: Record<string, string[]> = {};
  for (const encoder of config.encoders) {
    paths[encoder] = shards.map((shard) => done.get(key({ encoder, shard }))!.path);
  }
  return { paths, outputs: [...done.values()] };
}

/** What the manifest says about each encoder: dimensions, its fitted model, and its shard counters summed. */
function encoderReports(encoders: EncoderName[], fitted: FitEncoderOutput[], outputs: EmbedShardOutput[]): Record<string, EncoderReport> {
  const reports: Record<string, EncoderReport> = {};
  for (const encoder of encoders) {
    const stats: Record<string, number> = {};
    let dimensions = 0;
    for (const output of outputs.filter((candidate) => candidate.encoder === encoder)) {
      dimensions = output.dimensions;
      for (const [name, value] of Object.entries(output.encoderStats ?? {})) stats[name] = (stats[name] ?? 0) + value;
    }
    reports[encoder] = { dimensions, fit: fitted.find((model) => model.encoder === encoder)?.stats, stats };
  }
  return reports;
}

function describeFailure(reason: unknown): string {
  let error = reason as { message?: string; cause?: unknown } | undefined;
  // ActivityFailure wraps the real error; show the innermost message.
  while (error?.cause) error = error.cause as { message?: string; cause?: unknown };
  return error?.message ?? String(reason);
}
