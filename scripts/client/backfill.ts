import path from 'node:path';
import { parseArgs } from 'node:util';
import { WorkflowIdConflictPolicy, type Client } from '@temporalio/client';
import { backfillWorkflowId } from '../../common/ids';
import { TASK_QUEUES } from '../../common/task-queues';
import type { ConnectionProfile } from '../../lib/client/connection-profile';
import { workflowUiLink } from '../../lib/client/ui-link';
import { backfillRange } from '../../workflows';
import { PIPELINE_OPTIONS, configFrom, dataDirFrom, taskQueuesFrom } from './options';

/** backfill --root <tree> --from YYYY-MM-DD --to YYYY-MM-DD [--concurrency N]: one drop per day partition. */
export async function backfillCommand(client: Client, profile: ConnectionProfile, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { ...PIPELINE_OPTIONS, root: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, concurrency: { type: 'string', default: '2' } },
  });
  if (!values.root || !values.from || !values.to) throw new Error('usage: backfill --root <tree> --from YYYY-MM-DD --to YYYY-MM-DD [--concurrency N]');
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`--concurrency must be a positive integer, got ${values.concurrency}`);
  const root = path.resolve(values.root);
  const taskQueues = taskQueuesFrom(values['task-queue-prefix']);
  const workflowId = backfillWorkflowId(root, values.from, values.to);
  const handle = await client.workflow.start(backfillRange, {
    workflowId,
    taskQueue: (taskQueues ?? TASK_QUEUES).cpu,
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    args: [{ root, from: values.from, to: values.to, concurrency, dataDir: dataDirFrom(values['data-dir']), config: configFrom(values.set), taskQueues }],
  });
  console.log(`backfill ${workflowId}: ${workflowUiLink(profile, workflowId)}`);
  const { days } = await handle.result();
  for (const day of days) console.log(`${day.day}  ${day.outcome.padEnd(15)}  ${day.dropId}${day.error ? `  ${day.error}` : ''}`);
  return days.some((day) => day.outcome === 'failed') ? 1 : 0;
}
