import type { Client } from '@temporalio/client';
import { defaultPayloadConverter, fromPayloadsAtIndex } from '@temporalio/common';
import type { Command } from 'commander';
import type { SegmentDataDropInput } from '../../common/contracts';
import type { ConnectionProfile } from '../../lib/client/connection-profile';
import { startDrop } from '../../lib/client/pipeline-client';
import { retryFailedShardsSignal, type segmentDataDrop } from '../../workflows';
import { EXIT, outputFor, runAction, withClient, withJsonOption } from './cli';
import { workflowIdForRun } from './resolve-run';

export function registerRetryFailedCommand(program: Command, profile: () => ConnectionProfile): void {
  const command = program.command('retry-failed')
    .summary('run the failed shards of a run again')
    .description('Run the failed shards of a run again. A run waiting for a retry gets the retryFailedShards signal; a run that ' +
      'failed is started again with its original input, and every finished step and shard returns at once from its checkpoint.')
    .argument('<run>', 'workflow id, drop id or drop path');
  withJsonOption(command)
    .action((run: string, options: { json?: boolean }) => runAction(options, () => withClient(profile(), (client) => retryFailedCommand(client, run, options))));
}

export async function retryFailedCommand(client: Client, run: string, options: { json?: boolean } = {}): Promise<number> {
  const out = outputFor(options);
  const workflowId = workflowIdForRun(run);
  const handle = client.workflow.getHandle<typeof segmentDataDrop>(workflowId);
  const description = await handle.describe();
  const status = description.status.name;
  if (status === 'RUNNING') {
    await handle.signal(retryFailedShardsSignal);
    out.say(`${workflowId} is running: sent retryFailedShards; failed shards run again`);
    out.result({ workflowId, status, action: 'signalled' });
    return EXIT.ok;
  }
  if (status === 'COMPLETED') {
    out.say(`${workflowId} completed: nothing to retry`);
    out.result({ workflowId, status, action: 'none' });
    return EXIT.ok;
  }
  const history = await handle.fetchHistory();
  const payloads = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads;
  const input = fromPayloadsAtIndex<SegmentDataDropInput>(defaultPayloadConverter, 0, payloads);
  // The same start path as `run`: same workflow id, task queue and id-reuse policy.
  const restarted = await startDrop(client, input.drop, { dataDir: input.dataDir, config: input.config, taskQueues: input.taskQueues });
  const runId = (await restarted.handle.describe()).runId;
  out.say(`${workflowId} was ${status}: started again (run ${runId}); finished steps are reused`);
  out.result({ workflowId, status, action: 'restarted', runId });
  return EXIT.ok;
}
