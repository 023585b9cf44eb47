import { spawn, type ChildProcess } from 'node:child_process';
import { inject } from 'vitest';
import { projectPath } from '../../lib/paths';
import { NAMESPACE } from './pipeline-harness';

/**
 * A worker in its own OS process (`node --import tsx workers/main.ts`: one process, so SIGKILL
 * really kills the worker mid-activity, as a crash or an OOM kill would).
 */
export interface ChildWorker {
  process: ChildProcess;
  output: () => string;
  kill(): Promise<void>;
}

export function startChildWorker(options: { role: 'embedding' | 'cpu'; taskQueuePrefix: string; env?: Record<string, string> }): ChildWorker {
  let output = '';
  // CPU workers serve the workflows too: the test run's pre-built bundle spares each one a bundling.
  const bundle = options.role === 'cpu' ? ['--bundle', inject('workflowBundlePath')] : [];
  const child = spawn(process.execPath, ['--import', 'tsx', projectPath('workers', 'main.ts'), '--role', options.role, '--task-queue-prefix', options.taskQueuePrefix, ...bundle], {
    cwd: projectPath(),
    env: { ...process.env, TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_NAMESPACE: NAMESPACE, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  return {
    process: child,
    output: () => output,
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
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
