import { randomUUID } from 'node:crypto';
import {
  WorkflowExecutionAlreadyStartedError, WorkflowIdConflictPolicy, WorkflowIdReusePolicy, type Client, type WorkflowHandle,
} from '@temporalio/client';
import type { DropRef, PipelineProgress, SegmentDataDropInput, SegmentDataDropOutput } from '../../common/contracts';
import { workflowIdForDrop } from '../../common/ids';
import type { RunConfig } from '../../common/run-config';
import { TASK_QUEUES, type TaskQueues } from '../../common/task-queues';
import { runDirFor } from '../../common/run-layout';
import { finishedRunDiffers } from './finished-drop';
import { progressQuery, segmentDataDrop } from '../../workflows';

export interface StartDropOptions {
  dataDir: string;
  config?: Partial<RunConfig>;
  taskQueues?: TaskQueues;
  /**
   * Start the drop again even if it finished (`run --recompute`, `repair`): steps whose inputs
   * are unchanged return from their checkpoints, the others are computed again in place.
   */
  recompute?: boolean;
}

export interface StartedDrop {
  handle: WorkflowHandle<typeof segmentDataDrop>;
  workflowId: string;
  /** False when the drop was already running or already done: nothing new was started. */
  started: boolean;
}

/**
 * Starts segmentDataDrop for a drop, exactly once: a running execution is joined
 * (USE_EXISTING), a failed one may be started again, and a successful one is returned as is if
 * it was computed from these settings and the drop's files as they are now; if not, this throws
 * (saying what changed and how to recompute) rather than hand back results made from other inputs.
 */
export async function startDrop(client: Client, drop: DropRef, options: StartDropOptions): Promise<StartedDrop> {
  const workflowId = workflowIdForDrop(drop.dropId);
  const input: SegmentDataDropInput = { drop, dataDir: options.dataDir, config: options.config, taskQueues: options.taskQueues };
  try {
    const triggerId = randomUUID();
    const handle = await client.workflow.start(segmentDataDrop, {
      workflowId,
      memo: { triggerId },
      taskQueue: (options.taskQueues ?? TASK_QUEUES).cpu,
      args: [input],
      workflowIdReusePolicy: options.recompute ? WorkflowIdReusePolicy.ALLOW_DUPLICATE : WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    });
    // With USE_EXISTING the server hands back a running execution instead of failing; this call
    // started it only if the execution carries this call's trigger id.
    const description = await handle.describe();
    return { handle, workflowId, started: description.memo?.triggerId === triggerId };
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    const differences = await finishedRunDiffers(runDirFor(options.dataDir, drop.dropId), options.config);
    if (differences.length > 0) {
      throw new Error(
        `drop ${drop.dropId} already finished, from other inputs than these (${differences.join('; ')}), so its results do not answer this trigger ` +
          'and it was not run again. To compute it again in place (steps whose inputs did not change are reused; the outputs are replaced), ' +
          `run the same command with --recompute added (npm run client -- run ${drop.source} --recompute [--set ...])`,
      );
    }
    return { handle: client.workflow.getHandle<typeof segmentDataDrop>(workflowId), workflowId, started: false };
  }
}

/** Waits for the result, reporting progress changes; stops early when shards await a retry. */
export async function waitForDrop(
  handle: WorkflowHandle<typeof segmentDataDrop>,
  onProgress: (progress: PipelineProgress) => void,
  pollMs = 1000,
): Promise<{ output?: SegmentDataDropOutput; awaitingRetry?: PipelineProgress }> {
  const result = handle.result();
  let settled = false;
  result.then(() => (settled = true), () => (settled = true));
  let last = '';
  while (!settled) {
    const progress = await handle.query(progressQuery).catch(() => undefined);
    if (progress) {
      const summary = JSON.stringify(progress);
      if (summary !== last) onProgress(progress);
      last = summary;
      if (progress.stage === 'awaiting-retry') return { awaitingRetry: progress };
    }
    await Promise.race([result.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, pollMs))]);
  }
  return { output: await result };
}

export function describeProgress(progress: PipelineProgress): string {
  const parts = [`stage=${progress.stage}`];
  if (progress.shardsTotal > 0) parts.push(`shards ${progress.shardsDone}/${progress.shardsTotal}`);
  if (progress.candidatesTotal > 0) parts.push(`candidates ${progress.candidatesDone}/${progress.candidatesTotal}`);
  if (progress.failures.length > 0) parts.push(`failures: ${progress.failures.map((failure) => `${failure.step} (${failure.error})`).join('; ')}`);
  return parts.join('  ');
}
