import type { Client, WorkflowHandle } from '@temporalio/client';
import type { Command } from 'commander';
import type { PipelineProgress, SegmentDataDropOutput } from '../../common/contracts';
import type { ConnectionProfile } from '../../lib/client/connection-profile';
import { dropRefFor } from '../../lib/runtime/drop-id';
import { startDrop, waitForDrop } from '../../lib/client/pipeline-client';
import { workflowUiLink } from '../../lib/client/ui-link';
import type { segmentDataDrop } from '../../workflows';
import { EXIT, describeError, exitCodeFor, outputFor, runAction, withClient, withJsonOption, type Output } from './cli';
import { configFrom, dataDirFrom, taskQueuesFrom, withPipelineOptions, type PipelineOptions } from './options';
import { progressDisplay } from './progress-display';

export interface RunOptions extends PipelineOptions {
  wait: boolean;
  recompute?: boolean;
  json?: boolean;
}

export function registerRunCommand(program: Command, profile: () => ConnectionProfile): void {
  const command = program.command('run')
    .summary('segment one data drop')
    .description('Segment one data drop: starts its pipeline (or joins it if it is already running), prints the Temporal UI link, ' +
      'shows progress until it finishes and prints the outputs. The same drop is run once: a finished run is returned as it is ' +
      'unless its files or the settings changed (then use --recompute).')
    .argument('<drop>', 'a file, a directory of part files, or a glob')
    .option('--no-wait', 'start it and return (follow it with `status <run> --watch`)')
    .option('--recompute', 'run a finished drop again after its files or settings changed (unchanged steps are reused)');
  withJsonOption(withPipelineOptions(command))
    .action((drop: string, options: RunOptions) => runAction(options, () => withClient(profile(), (client) => runCommand(client, profile(), drop, options))));
}

export async function runCommand(client: Client, profile: ConnectionProfile, source: string, options: RunOptions): Promise<number> {
  const out = outputFor(options);
  const drop = dropRefFor(source);
  const { handle, workflowId, started } = await startDrop(client, drop, {
    dataDir: dataDirFrom(options.dataDir),
    config: configFrom(options.set),
    taskQueues: taskQueuesFrom(options.taskQueuePrefix),
    recompute: options.recompute,
  });
  const uiLink = workflowUiLink(profile, workflowId);
  out.say(`${started ? 'started' : 'already started (not run again)'}: ${workflowId}`);
  out.say(`Temporal UI: ${uiLink}`);
  const summary = { workflowId, dropId: drop.dropId, started, uiLink };
  if (!options.wait) {
    out.result(summary);
    return EXIT.ok;
  }
  const outcome = await followDrop(handle, out);
  out.result({ ...summary, ...outcome.json });
  if (outcome.awaitingRetry) out.say(`waiting for a retry: npm run client -- retry-failed ${drop.dropId}`);
  return outcome.exitCode;
}

/** What following a run to its end gave: the exit code, its JSON fields, and whether shards await a retry. */
export interface FollowedDrop {
  exitCode: number;
  awaitingRetry: boolean;
  json: { outcome: 'completed' | 'awaiting-retry' | 'failed'; output?: SegmentDataDropOutput; progress?: PipelineProgress; error?: string };
}

/** Shows the run's progress (bar, lines or nothing) until it completes, fails or waits for a retry. */
export async function followDrop(handle: WorkflowHandle<typeof segmentDataDrop>, out: Output): Promise<FollowedDrop> {
  const { startTime } = await handle.describe();
  const display = progressDisplay({ json: out.json, startedAt: startTime });
  try {
    const { output, awaitingRetry } = await waitForDrop(handle, (progress) => display.update(progress));
    display.stop();
    if (awaitingRetry) return { exitCode: EXIT.awaitingRetry, awaitingRetry: true, json: { outcome: 'awaiting-retry', progress: awaitingRetry } };
    out.say(JSON.stringify(output, null, 2));
    return { exitCode: EXIT.ok, awaitingRetry: false, json: { outcome: 'completed', output } };
  } catch (error) {
    display.stop();
    const message = describeError(error);
    console.error(`run failed: ${message}`);
    return { exitCode: exitCodeFor(error), awaitingRetry: false, json: { outcome: 'failed', error: message } };
  }
}
