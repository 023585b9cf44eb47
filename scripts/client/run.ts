import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import type { ConnectionProfile } from '../../lib/client/connection-profile';
import { dropRefFor } from '../../lib/runtime/drop-id';
import { describeProgress, startDrop, waitForDrop } from '../../lib/client/pipeline-client';
import { workflowUiLink } from '../../lib/client/ui-link';
import { PIPELINE_OPTIONS, configFrom, dataDirFrom, taskQueuesFrom } from './options';

/**
 * run <path|glob> [--no-wait] [--recompute] [--data-dir D] [--set k=v]...: segment one drop.
 * --recompute: run a finished drop again (after its files or the settings changed).
 */
export async function runCommand(client: Client, profile: ConnectionProfile, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...PIPELINE_OPTIONS, 'no-wait': { type: 'boolean' }, recompute: { type: 'boolean' } } });
  if (positionals.length !== 1) throw new Error('usage: run <path|glob> [--no-wait] [--recompute] [--data-dir D] [--set key=value]...');
  const drop = dropRefFor(positionals[0]);
  const { handle, workflowId, started } = await startDrop(client, drop, {
    dataDir: dataDirFrom(values['data-dir']),
    config: configFrom(values.set),
    taskQueues: taskQueuesFrom(values['task-queue-prefix']),
    recompute: values.recompute,
  });
  console.log(`${started ? 'started' : 'already started (not run again)'}: ${workflowId}`);
  console.log(`Temporal UI: ${workflowUiLink(profile, workflowId)}`);
  if (values['no-wait']) return 0;
  try {
    const { output, awaitingRetry } = await waitForDrop(handle, (progress) => console.log(describeProgress(progress)));
    if (awaitingRetry) {
      console.log(`waiting for a retry: npm run client -- retry-failed ${drop.dropId}`);
      return 3;
    }
    console.log(JSON.stringify(output, null, 2));
    return 0;
  } catch (error) {
    console.error(`run failed: ${describeError(error)}`);
    return 1;
  }
}

export function describeError(error: unknown): string {
  let current = error as { message?: string; cause?: unknown } | undefined;
  const messages = [];
  while (current) {
    if (current.message) messages.push(current.message);
    current = current.cause as typeof current;
  }
  return messages.join(': ');
}
