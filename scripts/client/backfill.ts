import path from 'node:path';
import { WorkflowIdConflictPolicy, type Client } from '@temporalio/client';
import type { Command } from 'commander';
import { backfillWorkflowId } from '../../common/ids';
import { TASK_QUEUES } from '../../common/task-queues';
import type { ConnectionProfile } from '../../lib/client/connection-profile';
import { workflowUiLink } from '../../lib/client/ui-link';
import { backfillRange } from '../../workflows';
import { EXIT, outputFor, positiveInteger, runAction, withClient, withJsonOption } from './cli';
import { configFrom, dataDirFrom, taskQueuesFrom, withPipelineOptions, type PipelineOptions } from './options';

export interface BackfillOptions extends PipelineOptions {
  root: string;
  from: string;
  to: string;
  concurrency: number;
  json?: boolean;
}

export function registerBackfillCommand(program: Command, profile: () => ConnectionProfile): void {
  const command = program.command('backfill')
    .summary('one drop per day partition of a tree')
    .description('Segment every day partition of a tree (2019-10-01/, date=2019-10-01/ or dt=2019-10-01/) between two dates, ' +
      'one drop per day, a few at a time; prints each day\'s outcome.')
    .requiredOption('--root <tree>', 'the directory that holds the day partitions')
    .requiredOption('--from <YYYY-MM-DD>', 'first day (inclusive)')
    .requiredOption('--to <YYYY-MM-DD>', 'last day (inclusive)')
    .option('--concurrency <n>', 'days segmented at the same time', positiveInteger, 2);
  withJsonOption(withPipelineOptions(command))
    .action((options: BackfillOptions) => runAction(options, () => withClient(profile(), (client) => backfillCommand(client, profile(), options))));
}

/** Exit 0 when every day finished or was skipped, 1 when a day failed. */
export async function backfillCommand(client: Client, profile: ConnectionProfile, options: BackfillOptions): Promise<number> {
  const out = outputFor(options);
  const root = path.resolve(options.root);
  const taskQueues = taskQueuesFrom(options.taskQueuePrefix);
  const workflowId = backfillWorkflowId(root, options.from, options.to);
  const config = configFrom(options.set);
  const handle = await client.workflow.start(backfillRange, {
    workflowId,
    taskQueue: (taskQueues ?? TASK_QUEUES).cpu,
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    args: [{ root, from: options.from, to: options.to, concurrency: options.concurrency, dataDir: dataDirFrom(options.dataDir), config, taskQueues }],
  });
  const uiLink = workflowUiLink(profile, workflowId);
  out.say(`backfill ${workflowId}: ${uiLink}`);
  const { days } = await handle.result();
  for (const day of days) out.say(`${day.day}  ${day.outcome.padEnd(15)}  ${day.dropId}${day.error ? `  ${day.error}` : ''}`);
  out.result({ workflowId, uiLink, days });
  return days.some((day) => day.outcome === 'failed') ? EXIT.failed : EXIT.ok;
}
