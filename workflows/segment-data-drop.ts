import {
  ApplicationFailure, condition, defineQuery, defineSignal, executeChild, patched, setHandler, upsertSearchAttributes, workflowInfo,
} from '@temporalio/workflow';
import type {
  CleanRawLogsOutput, ClusterCandidateOutput, DriftSummary, EmbedShardOutput, EncoderReport, FitEncoderOutput, PipelineProgress, RegisterDropOutput,
  PipelineStage, SegmentDataDropInput, SegmentDataDropOutput, SegmentationDecision, ShardRef,
} from '../common/contracts';
import { FITTED_ENCODERS, configSection, resolveRunConfig, type EncoderName, type RunConfig } from '../common/run-config';
import { DATA_DROP, PIPELINE_STAGE } from '../common/search-attributes';
import { surfaceTaxonomyFailure, taxonomyFailureIn } from '../common/errors';
import { candidateKey, candidateSeed, sameCandidate, type SweepCandidate } from '../common/candidates';
import { deriveSeed } from '../common/seed';
import { TASK_QUEUES } from '../common/task-queues';
import { activityProfiles } from './activity-profiles';
import { settleWithConcurrency } from './concurrency';
import { sweepCandidates } from './sweep';
import { distributedKMeans } from './distributed-kmeans';
import { runDirFor } from '../common/run-layout';

export const progressQuery = defineQuery<PipelineProgress>('progress');
/** Re-runs the shards that failed for good; sent by `client retry-failed` or from the Temporal UI. */
export const retryFailedShardsSignal = defineSignal('retryFailedShards');

/** Histories recorded before segment models neither decide, assign nor register: they replay without these commands. */
export const SEGMENT_MODELS_PATCH = 'segment-models';
/** Histories recorded before drift neither compare a drop with its model nor switch an assignment to a refit. */
export const SEGMENT_DRIFT_PATCH = 'segment-drift';

/**
 * Segments one data drop end to end: inspect -> clean -> decide -> (refit) shard -> embed (fan-out
 * per shard) -> cluster sweep (fan-out per candidate) -> evaluate -> match ids and measure drift
 * against the previous model -> publish -> register, or (assign) shard -> embed with the current
 * model's encoder -> assign -> measure drift -> publish -> register; in mode 'auto' an assigned
 * drop whose drift reaches refitDriftThreshold or refitShareShiftThreshold is refitted instead
 * (the reason is recorded).
 *
 * Promises: the workflow id is derived from the drop, so one drop runs once; every step checkpoints
 * in the run directory, so a retry or a re-run after failure resumes where it stopped; shards that
 * fail after all attempts wait (up to failedShardWaitMinutes) for `retryFailedShards` instead of
 * failing the whole run; what retrying cannot fix (common/errors.ts: bad input, run config, model,
 * internal invariant) ends the run at once with the failing step's message, naming the input.
 */
export async function segmentDataDrop(input: SegmentDataDropInput): Promise<SegmentDataDropOutput> {
  const config = validatedConfig(input);
  const runDir = runDirFor(input.dataDir, input.drop.dropId);
  // Every seed of the run derives from this: the drop id, unless the config names a seed.
  const seedBase = config.seed || input.drop.dropId;
  const activities = activityProfiles(input.taskQueues ?? TASK_QUEUES, {
    maximumAttempts: config.activityMaxAttempts,
    embedHeartbeatTimeoutSeconds: config.embedHeartbeatTimeoutSeconds,
    activityHeartbeatTimeoutSeconds: config.activityHeartbeatTimeoutSeconds,
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
    // Stores the resolved config in the run directory and checks the files it names, before any heavy work.
    await activities.io.preflightRun({ runDir, config });
    const inspected = await activities.io.inspectDrop({ runDir, source: input.drop.source, mappingFile: config.mappingFile });
    enterStage('clean');
    const cleaned = await activities.sql.cleanRawLogs({ runDir, files: inspected.files, pinned: inspected.pinned, format: inspected.format, delimiter: inspected.delimiter, config: configSection(config, 'ingest', 'runtime') });
    // Refit or assign into the pipeline's current segment model (docs/ARCHITECTURE.md, "Segment models").
    const decision = patched(SEGMENT_MODELS_PATCH)
      ? await activities.io.decideSegmentation({ dataDir: input.dataDir, dropId: input.drop.dropId, config: configSection(config, 'models') })
      : undefined;
    if (decision?.mode === 'assign') {
      return await assignDrop({ input, config, runDir, seedBase, decision, cleaned, activities, progress, enterStage, retryRequest });
    }
    return await refitDrop({ input, config, runDir, seedBase, decision, cleaned, activities, progress, enterStage, retryRequest });
  } catch (error) {
    enterStage('failed');
    throw surfaceTaxonomyFailure(error);
  }
}

/**
 * Refit: shard -> embed (fan-out per shard) -> cluster sweep (fan-out per candidate) -> evaluate ->
 * identity and drift against the previous model -> publish -> register. `decision` is undefined in
 * histories recorded before segment models; `triggeredBy` names the assignment whose drift switched
 * the drop to a refit.
 */
async function refitDrop({ input, config, runDir, seedBase, decision, cleaned, activities, progress, enterStage, retryRequest, triggeredBy }: DropContext & {
  seedBase: string;
  decision: SegmentationDecision | undefined;
  triggeredBy?: DriftSummary['triggeredBy'];
}): Promise<SegmentDataDropOutput> {
  // The sweep's candidates are known once the users are: a k no algorithm can reach fails here, before embedding.
  const { candidates } = await activities.io.planSweep({ users: cleaned.accounting.sequencedUsers, encoders: config.encoders, config: configSection(config, 'sweep') });
  enterStage('shard');
  const { shards } = await activities.sql.shardUsers({ runDir, config: configSection(config, 'runtime') });

  // Only runs that use item2vec/tfidf add these commands, so other runs' histories are unchanged.
  const fitEncoders = config.encoders.filter((encoder) => FITTED_ENCODERS.includes(encoder));
  let fitted: FitEncoderOutput[] = [];
  if (fitEncoders.length > 0) {
    enterStage('fit');
    fitted = await Promise.all(fitEncoders.map((encoder) =>
      activities.sql.fitEncoder({ runDir, encoder, shards, seed: deriveSeed(seedBase, 'fit', encoder), config: configSection(config, 'encoders', 'runtime') })));
  }

  enterStage('embed');
  const { paths: embeddings, outputs: embedOutputs } = await embedAllShards({ shards, config, runDir, activities, progress, enterStage, retryRequest });

  const clusterOneCandidate = (candidate: SweepCandidate): Promise<ClusterCandidateOutput> => {
    const seed = candidateSeed(seedBase, candidate);
    const embeddingPaths = embeddings[candidate.encoder];
    const { params } = candidate;
    // distributed k-means is a workflow of its own: it fans out over the shards' embedding files.
    return params.algorithm === 'distributed-kmeans'
      ? executeChild(distributedKMeans, {
        workflowId: `${workflowInfo().workflowId}-${candidateKey(candidate)}`,
        args: [{ runDir, candidate: { encoder: candidate.encoder, params }, candidateKey: candidateKey(candidate), embeddingPaths, seed, config: configSection(config, 'sweep', 'runtime'), taskQueues: input.taskQueues }],
      })
      : activities.cluster.clusterCandidate({ runDir, candidate, embeddingPaths, seed, config: configSection(config, 'sweep') });
  };
  enterStage('cluster');
  const evaluationSeed = deriveSeed(seedBase, 'evaluate');
  const { swept, screens } = await sweepCandidates({
    candidates,
    concurrency: config.sweepConcurrency,
    budget: { share: config.fullyScoredShare, min: config.fullyScoredMin },
    cluster: clusterOneCandidate,
    scoreInput: (clustering) => ({ runDir, clustering, embeddingPaths: embeddings[clustering.candidate.encoder], seed: evaluationSeed, config: configSection(config, 'sweep', 'evaluation', 'runtime') }),
    activities,
    progress,
    enterStage,
  });

  enterStage('evaluate');
  const evaluation = await activities.evaluate.evaluateCandidates({ runDir, scores: swept.map((result) => result.score), screens, config: configSection(config, 'evaluation') });
  const chosenClustering = swept.find((result) => sameCandidate(result.clustering.candidate, evaluation.chosen))!.clustering;

  // Identity and drift against the model current when deciding: the refit's segments get its persisted ids.
  const compared = decision?.baseline && patched(SEGMENT_DRIFT_PATCH)
    ? await activities.cluster.compareWithModel({
      runDir, dataDir: input.dataDir, mode: 'refit', baseline: decision.baseline, labelsPath: chosenClustering.labelsPath,
      encoder: evaluation.chosen.encoder, embeddingPaths: embeddings[evaluation.chosen.encoder],
    })
    : undefined;
  const drift = compared ? { ...compared.summary, ...(triggeredBy ? { triggeredBy } : {}) } : null;

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
    encoderReports: encoderReports(config.encoders, fitted, embedOutputs),
    embeddingPaths: embeddings[evaluation.chosen.encoder],
    ...(compared ? { segmentIds: compared.segmentIds, acrossDrops: { driftPath: compared.driftPath, dataDir: input.dataDir, ...(triggeredBy ? { triggeredBy } : {}) } } : {}),
  });
  const registered = decision ? await register(activities, input, runDir, decision, enterStage, drift) : undefined;
  enterStage('done');
  return {
    ...(registered ? { segmentation: segmentationOf(registered) } : {}),
    runDir,
    reportPath: published.reportPath,
    segmentsPath: published.segmentsPath,
    leaderboardPath: evaluation.leaderboardPath,
    chosen: evaluation.chosen,
    accounting: cleaned.accounting,
  };
}

/**
 * Assign mode: the drop is embedded with the current model's encoder (its fitted files copied in,
 * its settings), placed into the model's segments and published; no sweep, no evaluation.
 */
async function assignDrop(context: DropContext & { seedBase: string; decision: SegmentationDecision }): Promise<SegmentDataDropOutput> {
  const { input, config, runDir, decision, cleaned, activities, progress, enterStage, retryRequest } = context;
  const model = decision.model!;
  const { encoder } = model;
  enterStage('shard');
  const { shards } = await activities.sql.shardUsers({ runDir, config: configSection(config, 'runtime') });
  // The model's encoder settings, so new users land in the space its segments were found in.
  const modelConfig: RunConfig = { ...config, ...model.encoderSettings, encoders: [encoder] };
  let fitted: FitEncoderOutput[] = [];
  if (FITTED_ENCODERS.includes(encoder)) {
    enterStage('fit');
    const installed = await activities.sql.installModelEncoder({ runDir, encoder, modelDir: model.modelDir });
    fitted = [{ encoder, modelDir: installed.modelDir, stats: {} }];
  }
  enterStage('embed');
  const { paths, outputs } = await embedAllShards({ shards, config: modelConfig, runDir, activities, progress, enterStage, retryRequest });
  enterStage('assign');
  const assigned = await activities.cluster.assignSegments({ runDir, assignment: model, embeddingPaths: paths[encoder] });
  // The drift of this drop against the model's own users; recorded histories without it skip it.
  const compared = patched(SEGMENT_DRIFT_PATCH)
    ? await activities.cluster.compareWithModel({ runDir, dataDir: input.dataDir, mode: 'assign', baseline: model, labelsPath: assigned.labelsPath, encoder, embeddingPaths: paths[encoder] })
    : undefined;
  const trigger = compared && config.mode === 'auto' && !decision.recorded ? driftTrigger(config, compared.summary) : undefined;
  if (trigger) {
    const { driftScore, migratedShare, shareShift } = compared!.summary;
    const reason = `${trigger.rule === 'refitDriftThreshold' ? 'driftScore' : 'share shift'} ${trigger.value} of the drop assigned into v${model.version} ` +
      `reached ${trigger.rule} ${trigger.threshold} (driftScore ${driftScore}: migrated share ${migratedShare}, share shift ${shareShift})`;
    const refit: SegmentationDecision = { pipeline: decision.pipeline, mode: 'refit', reason, basedOn: decision.basedOn, baseline: model, recorded: false };
    return refitDrop({ ...context, decision: refit, triggeredBy: { ...trigger, version: model.version } });
  }
  const drift = compared?.summary ?? null;
  enterStage('publish');
  const published = await activities.io.publishSegmentation({
    runDir,
    dropId: input.drop.dropId,
    leaderboardPath: assigned.leaderboardPath,
    chosen: assigned.chosen,
    selectionReason: assigned.selectionReason,
    accounting: cleaned.accounting,
    labelsPath: assigned.labelsPath,
    workflowId: workflowInfo().workflowId,
    encoderReports: encoderReports([encoder], fitted, outputs),
    embeddingPaths: paths[encoder],
    assignment: model,
    ...(compared ? { acrossDrops: { driftPath: compared.driftPath, dataDir: input.dataDir } } : {}),
  });
  const registered = await register(activities, input, runDir, decision, enterStage, drift);
  enterStage('done');
  return {
    segmentation: segmentationOf(registered),
    runDir,
    reportPath: published.reportPath,
    segmentsPath: published.segmentsPath,
    leaderboardPath: assigned.leaderboardPath,
    chosen: assigned.chosen,
    accounting: cleaned.accounting,
  };
}

/** The drift rule an assigned drop reaches (config 'auto'), if any: the drop is then refitted. */
function driftTrigger(config: RunConfig, summary: DriftSummary): { rule: 'refitDriftThreshold' | 'refitShareShiftThreshold'; value: number; threshold: number } | undefined {
  if (config.refitDriftThreshold > 0 && summary.driftScore >= config.refitDriftThreshold) {
    return { rule: 'refitDriftThreshold', value: summary.driftScore, threshold: config.refitDriftThreshold };
  }
  if (config.refitShareShiftThreshold > 0 && summary.shareShift >= config.refitShareShiftThreshold) {
    return { rule: 'refitShareShiftThreshold', value: summary.shareShift, threshold: config.refitShareShiftThreshold };
  }
  return undefined;
}

async function register(
  activities: Profiles, input: SegmentDataDropInput, runDir: string, decision: SegmentationDecision, enterStage: (stage: PipelineStage) => void, drift: DriftSummary | null,
): Promise<RegisterDropOutput> {
  enterStage('register');
  return activities.io.registerDrop({ dataDir: input.dataDir, dropId: input.drop.dropId, runDir, decision, drift });
}

function segmentationOf(registered: RegisterDropOutput): NonNullable<SegmentDataDropOutput['segmentation']> {
  return { pipeline: registered.pipeline, mode: registered.mode, modelVersion: registered.modelVersion, reason: registered.reason, current: registered.current, recordedBefore: registered.recordedBefore };
}

function validatedConfig(input: SegmentDataDropInput): RunConfig {
  try {
    return resolveRunConfig(input.config);
  } catch (error) {
    throw ApplicationFailure.nonRetryable((error as Error).message, 'RunConfigError');
  }
}

type Profiles = ReturnType<typeof activityProfiles>;

/** What both paths of a drop work with, once it is cleaned and decided. */
interface DropContext {
  input: SegmentDataDropInput;
  config: RunConfig;
  runDir: string;
  cleaned: CleanRawLogsOutput;
  activities: Profiles;
  progress: PipelineProgress;
  enterStage: (stage: PipelineStage) => void;
  retryRequest: { pending: boolean };
}

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
        const output = await activities.embed.embedShard({ runDir, shard: task.shard, encoder: task.encoder, config: configSection(config, 'encoders', 'runtime') });
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
