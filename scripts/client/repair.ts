import type { Client } from '@temporalio/client';
import { defaultPayloadConverter, fromPayloadsAtIndex } from '@temporalio/common';
import type { Command } from 'commander';
import type { SegmentDataDropInput } from '../../common/contracts';
import { workflowIdForDrop } from '../../common/ids';
import type { ConnectionProfile } from '../../lib/client/connection-profile';
import { startDrop } from '../../lib/client/pipeline-client';
import { forgetSteps, stepsToRecompute, verifyRun } from '../../lib/runtime/verify-run';
import type { segmentDataDrop } from '../../workflows';
import { CliError, EXIT, outputFor, runAction, withClient, withJsonOption } from './cli';
import { DATA_DIR_HELP } from './options';
import { printCheck, runDirOf, type RunDirOptions } from './verify';

export function registerRepairCommand(program: Command, profile: () => ConnectionProfile): void {
  const command = program.command('repair')
    .summary('recompute what verify finds damaged or stale')
    .description('Verify the run, forget the checkpoints of the steps that do not hold and of every step made from them, and run ' +
      'the drop again with its original input: exactly those steps are computed again. Verifies again after; exit 0 when the ' +
      'run then verifies.')
    .argument('<run>', 'run directory, drop path, drop id or workflow id')
    .option('--data-dir <dir>', DATA_DIR_HELP);
  withJsonOption(command)
    .action((run: string, options: RunDirOptions) => runAction(options, () => withClient(profile(), (client) => repairCommand(client, run, options))));
}

export async function repairCommand(client: Client, run: string, options: RunDirOptions = {}): Promise<number> {
  const out = outputFor(options);
  const runDir = runDirOf(run, options.dataDir);
  const before = await verifyRun(runDir);
  if (before.ok) {
    out.say(`${runDir}: all ${before.steps.length} steps verified; nothing to repair`);
    out.result({ runDir, recomputed: [], before, after: before });
    return EXIT.ok;
  }
  printCheck(before, out);
  const workflowId = workflowIdForDrop(runDir.split('/').at(-1)!);
  const handle = client.workflow.getHandle<typeof segmentDataDrop>(workflowId);
  if ((await handle.describe()).status.name === 'RUNNING') throw new CliError(`${workflowId} is running: repair it once it has finished`, EXIT.failed);
  const steps = await stepsToRecompute(before);
  out.say(`computing again: ${steps.join(', ')}`);
  await forgetSteps(runDir, steps);
  const history = await handle.fetchHistory();
  const input = fromPayloadsAtIndex<SegmentDataDropInput>(defaultPayloadConverter, 0, history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads);
  const { handle: repaired } = await startDrop(client, input.drop, { dataDir: input.dataDir, config: input.config, taskQueues: input.taskQueues, recompute: true });
  await repaired.result();
  const after = await verifyRun(runDir);
  printCheck(after, out);
  out.result({ runDir, recomputed: steps, before, after });
  return after.ok ? EXIT.ok : EXIT.failed;
}
