import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter, fromPayloadsAtIndex } from '@temporalio/common';
import type { SegmentDataDropInput } from '../../common/contracts';
import { workflowIdForDrop } from '../../common/ids';
import { startDrop } from '../../lib/client/pipeline-client';
import { forgetSteps, stepsToRecompute, verifyRun } from '../../lib/runtime/verify-run';
import type { segmentDataDrop } from '../../workflows';
import { printCheck, runDirOf } from './verify';

/**
 * repair <run> [--data-dir D]: verifies the run, forgets the checkpoints of the steps that do not
 * hold and of every step made from them, and runs the drop again with its original input: exactly
 * those steps are computed again, the others return from their checkpoints. Verifies again after.
 */
export async function repairCommand(client: Client, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { 'data-dir': { type: 'string' } } });
  if (positionals.length !== 1) throw new Error('usage: repair <run> [--data-dir D]  (run directory, drop path, drop id or workflow id)');
  const runDir = runDirOf(positionals[0], values['data-dir']);
  const before = await verifyRun(runDir);
  if (before.ok) {
    console.log(`${runDir}: all ${before.steps.length} steps verified; nothing to repair`);
    return 0;
  }
  printCheck(before);
  const workflowId = workflowIdForDrop(runDir.split('/').at(-1)!);
  const handle = client.workflow.getHandle<typeof segmentDataDrop>(workflowId);
  if ((await handle.describe()).status.name === 'RUNNING') throw new Error(`${workflowId} is running: repair it once it has finished`);
  const steps = await stepsToRecompute(before);
  console.log(`computing again: ${steps.join(', ')}`);
  await forgetSteps(runDir, steps);
  const history = await handle.fetchHistory();
  const input = fromPayloadsAtIndex<SegmentDataDropInput>(defaultPayloadConverter, 0, history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads);
  const { handle: repaired } = await startDrop(client, input.drop, { dataDir: input.dataDir, config: input.config, taskQueues: input.taskQueues, recompute: true });
  await repaired.result();
  const after = await verifyRun(runDir);
  printCheck(after);
  return after.ok ? 0 : 1;
}
