import { ParentClosePolicy, patched } from '@temporalio/workflow';
import type { SegmentDataDropInput } from '../common/contracts';
import { TASK_QUEUES } from '../common/task-queues';
import { activityProfiles } from './activity-profiles';
import { settleWithConcurrency } from './concurrency';
import { startDropPipeline } from './start-drop-children';

export interface BackfillRangeInput extends Omit<SegmentDataDropInput, 'drop'> {
  /** Input tree with one directory per day: 2019-10-01/, date=2019-10-01/ or dt=2019-10-01/. */
  root: string;
  from: string;
  to: string;
  /** How many day pipelines run at once (1 unless the config's mode is 'refit': see backfillRange). */
  concurrency: number;
}

export interface BackfillRangeOutput {
  days: Array<{ day: string; dropId: string; outcome: 'done' | 'already-started' | 'failed'; error?: string }>;
}

/**
 * Backfills a date range: one segmentDataDrop child per day partition, at most `concurrency` at a
 * time. Days that already ran are skipped (their workflow ids are taken); a failed day does not
 * stop the others and is reported, so the backfill can simply be run again.
 * Drops of one pipeline that may assign into its current model ('auto', 'assign') run one at a
 * time in date order, so each day is scored with the model current at that time and a refit is
 * current before the next day decides; only a backfill of refits alone runs `concurrency` at once.
 */
export async function backfillRange(input: BackfillRangeInput): Promise<BackfillRangeOutput> {
  const { root, from, to, concurrency, ...base } = input;
  const { io } = activityProfiles(base.taskQueues ?? TASK_QUEUES, { maximumAttempts: 3, embedHeartbeatTimeoutSeconds: 60, activityHeartbeatTimeoutSeconds: 60 });
  const { partitions } = await io.listDayPartitions({ root, from, to });
  const inDateOrder = patched('backfill-drops-in-date-order') && (base.config?.mode ?? 'auto') !== 'refit';
  const results = await settleWithConcurrency(partitions, inDateOrder ? 1 : concurrency, async ({ drop }) => {
    // TERMINATE: cancelling a backfill should stop the day pipelines it started.
    const child = await startDropPipeline(drop, base, ParentClosePolicy.TERMINATE);
    if (!child) return 'already-started' as const;
    await child.result();
    return 'done' as const;
  });
  return {
    days: partitions.map(({ day, drop }, index) => {
      const result = results[index];
      return result.status === 'fulfilled'
        ? { day, dropId: drop.dropId, outcome: result.value }
        : { day, dropId: drop.dropId, outcome: 'failed' as const, error: String((result.reason as Error)?.message ?? result.reason) };
    }),
  };
}
