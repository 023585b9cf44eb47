import type { Client } from '@temporalio/client';
import { defaultPayloadConverter, fromPayloadsAtIndex } from '@temporalio/common';
import type { SegmentDataDropInput } from '../../common/contracts';
import { startDrop } from '../../lib/client/pipeline-client';
import { retryFailedShardsSignal, type segmentDataDrop } from '../../workflows';
import { workflowIdForRun } from './resolve-run';

/**
 * retry-failed <run>: re-runs the failed shards only. A run still waiting gets the
 * retryFailedShards signal; a run that already failed is started again with its original input,
 * and every finished step and shard returns at once from its checkpoint.
 */
export async function retryFailedCommand(client: Client, args: string[]): Promise<number> {
  if (args.length !== 1) throw new Error('usage: retry-failed <run>  (workflow id, drop id or drop path)');
  const workflowId = workflowIdForRun(args[0]);
  const handle = client.workflow.getHandle<typeof segmentDataDrop>(workflowId);
  const description = await handle.describe();
  const status = description.status.name;
  if (status === 'RUNNING') {
    await handle.signal(retryFailedShardsSignal);
    console.log(`${workflowId} is running: sent retryFailedShards; failed shards run again`);
    return 0;
  }
  if (status === 'COMPLETED') {
    console.log(`${workflowId} completed: nothing to retry`);
    return 0;
  }
  const history = await handle.fetchHistory();
  const payloads = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads;
  const input = fromPayloadsAtIndex<SegmentDataDropInput>(defaultPayloadConverter, 0, payloads);
  // The same start path as `run`: same workflow id, task queue and id-reuse policy.
  const restarted = await startDrop(client, input.drop, { dataDir: input.dataDir, config: input.config, taskQueues: input.taskQueues });
  console.log(`${workflowId} was ${status}: started again (run ${(await restarted.handle.describe()).runId}); finished steps are reused`);
  return 0;
}
