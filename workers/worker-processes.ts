import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { WorkerPart } from './create-workers';

const WORKER_MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
/**
 * How much lower the activity processes' CPU priority is. Their work is batch work; the process
 * that serves workflow tasks and queries (and a Temporal server on the same machine) is what
 * someone waits on, so it gets the CPU first when the machine is saturated.
 */
const ACTIVITY_NICENESS = 10;

export interface WorkerProcesses {
  /** Settles when one of them exits before `stop()` was called, naming it. */
  exitedEarly: Promise<string>;
  /** Asks each to shut down (SIGTERM: in-flight activities are handed back) and waits for them. */
  stop(): Promise<void>;
}

/**
 * Runs each part as its own worker process (`workers/main.ts --role <part>`, with this process's
 * TypeScript loader, environment, connection profile and output), so that CPU-bound activities
 * never stall the event loop that answers workflow tasks and queries. Each child stops when this
 * process disconnects from it, also when this process is killed without a word (main.ts).
 */
export function startWorkerProcesses(parts: WorkerPart[], options: { taskQueuePrefix?: string }): WorkerProcesses {
  let stopping = false;
  const children = parts.map((part) => {
    const args = ['--role', part, '--nice', String(ACTIVITY_NICENESS), ...(options.taskQueuePrefix ? ['--task-queue-prefix', options.taskQueuePrefix] : [])];
    return { part, child: fork(WORKER_MAIN, args, { stdio: 'inherit' }) };
  });
  const exitedEarly = new Promise<string>((resolve) => {
    for (const { part, child } of children) {
      child.once('exit', (code, signal) => {
        if (!stopping) resolve(`the ${part} worker process (pid ${child.pid}) exited (${signal ?? `code ${code}`})`);
      });
    }
  });
  return {
    exitedEarly,
    async stop() {
      stopping = true;
      await Promise.all(children.map(({ child }) => stopChild(child)));
    },
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
