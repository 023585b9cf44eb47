import { ParentClosePolicy } from '@temporalio/workflow';
import type { SegmentDataDropInput } from '../common/contracts';
import { TASK_QUEUES } from '../common/task-queues';
import { activityProfiles } from './activity-profiles';
import { startDropPipeline } from './start-drop-children';

export interface ScanInboxInput extends Omit<SegmentDataDropInput, 'drop'> {
  inboxDir: string;
}

export interface ScanInboxOutput {
  started: string[];
  alreadyStarted: string[];
}

/**
 * Run by a Temporal schedule: lists the inbox and starts one segmentDataDrop per new drop. The
 * pipelines are abandoned to run on their own (a scan finishes in seconds); derived workflow ids
 * make a drop that is still running, or already done, a no-op on the next scan.
 */
export async function scanInbox(input: ScanInboxInput): Promise<ScanInboxOutput> {
  const { inboxDir, ...base } = input;
  const { io } = activityProfiles(base.taskQueues ?? TASK_QUEUES, { maximumAttempts: 3, embedHeartbeatTimeoutSeconds: 60, activityHeartbeatTimeoutSeconds: 60 });
  const { drops } = await io.listNewDrops({ inboxDir, dataDir: base.dataDir });
  const output: ScanInboxOutput = { started: [], alreadyStarted: [] };
  for (const drop of drops) {
    const child = await startDropPipeline(drop, base, ParentClosePolicy.ABANDON);
    (child ? output.started : output.alreadyStarted).push(drop.dropId);
  }
  return output;
}
