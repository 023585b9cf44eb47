import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { WorkerPart } from './create-workers';

const WORKER_MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
/**
 * How much lower the activity processes' CPU priority is (`nice`, from their first thread on:
 * DuckDB, the kernels and onnxruntime inherit it). Their work is batch work; the process that
 * serves workflow tasks and queries, and a Temporal server on the same machine, are what someone
 * waits on, so they get the CPU first when it is saturated.
 */
const ACTIVITY_NICENESS = 10;

export interface WorkerProcesses {
  /** Settles when one of them exits before `stop()` was called, naming it. */
  exitedEarly: Promise<string>;
  /** Asks each to shut down (SIGTERM) and waits for them. */
  stop(): Promise<void>;
}

/**
 * Runs each part as its own worker process (`workers/main.ts --role <part>`, with this process's
 * TypeScript loader, environment, connection profile and output), so that CPU-bound activities
 * never stall the event loop that answers workflow tasks and queries. Each child stops when its
 * IPC channel to this process closes, also when this process is killed without a word (main.ts).
 */
export function startWorkerProcesses(parts: WorkerPart[], options: { taskQueuePrefix?: string }): WorkerProcesses {
  let stopping = false;
  const children = parts.map((part) => {
    const args = ['--role', part, ...(options.taskQueuePrefix ? ['--task-queue-prefix', options.taskQueuePrefix] : [])];
    const command = [process.execPath, ...process.execArgv, WORKER_MAIN, ...args];
    const child = process.platform === 'win32'
      ? spawn(command[0], command.slice(1), { stdio: ['inherit', 'inherit', 'inherit', 'ipc'] })
      : spawn('nice', ['-n', String(ACTIVITY_NICENESS), ...command], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'] });
    return { part, child };
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
