import { spawn, type ChildProcess } from 'node:child_process';
import { inject } from 'vitest';
import { projectPath } from '../../lib/paths';
import { ROLE_PARTS, type WorkerRole } from '../../workers/create-workers';
import { NAMESPACE } from './pipeline-harness';

/**
 * A worker started as operators start it (`node --import tsx workers/main.ts --role R`): its own
 * OS process, plus one child process per further part of the role (workers/worker-processes.ts).
 * kill() SIGKILLs all of them at once, as a crash, an OOM kill of the container or a lost machine
 * would, mid-activity.
 */
export interface ChildWorker {
  process: ChildProcess;
  output: () => string;
  kill(): Promise<void>;
}

export function startChildWorker(options: { role: WorkerRole; taskQueuePrefix: string; env?: Record<string, string> }): ChildWorker {
  let output = '';
  // Workers that serve the workflows use the test run's pre-built bundle: it spares each one a bundling.
  const bundle = ROLE_PARTS[options.role].includes('workflows') ? ['--bundle', inject('workflowBundlePath')] : [];
  const child = spawn(process.execPath, ['--import', 'tsx', projectPath('workers', 'main.ts'), '--role', options.role, '--task-queue-prefix', options.taskQueuePrefix, ...bundle], {
    cwd: projectPath(),
    env: { ...process.env, TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_NAMESPACE: NAMESPACE, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so that kill() reaches the worker processes it starts too.
    detached: true,
  });
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  return {
    process: child,
    output: () => output,
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(-child.pid!, 'SIGKILL');
      await exited;
    },
  };
}

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
