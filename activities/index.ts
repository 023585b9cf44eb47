/**
 * All activities, created with their worker-level dependencies. Workflows type their stubs with
 * `ReturnType<typeof createActivities>` (import type only).
 */
import { clusterCandidate } from './cluster-sweep';
import { cleanRawLogs } from './clean-logs';
import { embedShard, type EmbedShardDeps } from './embed-shard';
import { evaluateCandidates } from './evaluate';
import { fitEncoder } from './fit-encoder';
import { kmeansAssignShard, kmeansInitFromSamples, kmeansPartialSums, mergeShardLabels, shardColumnStats, shardSample } from './distributed-kmeans';
import { planSweep } from './plan-sweep';
import { scoreCandidate } from './score-candidate';
import { screenCandidate } from './screen-candidate';
import { inspectDrop } from './inspect-drop';
import { listDayPartitions, listNewDrops } from './list-drops';
import { preflightRun } from './preflight-run';
import { publishSegmentation } from './publish';
import { shardUsers } from './shard-users';
import { decideSegmentation } from './decide-segmentation';
import { assignSegments, installModelEncoder } from './assign-segments';
import { registerDrop } from './register-drop';
import { compareWithModel } from './compare-with-model';
import type { EmbedShardInput } from '../common/contracts';

export interface ActivityDeps {
  embed: EmbedShardDeps;
}

export const DEFAULT_ACTIVITY_DEPS: ActivityDeps = { embed: { batchDelayMs: 0, onnx: { device: 'cpu', threads: 0 } } };

export function createActivities(deps: ActivityDeps = DEFAULT_ACTIVITY_DEPS) {
  return {
    preflightRun,
    inspectDrop,
    cleanRawLogs,
    shardUsers,
    fitEncoder,
    embedShard: (input: EmbedShardInput) => embedShard(input, deps.embed),
    planSweep,
    clusterCandidate,
    screenCandidate,
    scoreCandidate,
    shardColumnStats,
    shardSample,
    kmeansInitFromSamples,
    kmeansPartialSums,
    kmeansAssignShard,
    mergeShardLabels,
    evaluateCandidates,
    publishSegmentation,
    decideSegmentation,
    installModelEncoder,
    assignSegments,
    compareWithModel,
    registerDrop,
    listNewDrops,
    listDayPartitions,
  };
}

export type Activities = ReturnType<typeof createActivities>;

/** Activities that run on the embedding task queue; the rest run on the CPU queue. */
export const EMBEDDING_ACTIVITY_NAMES = ['embedShard'] as const;
