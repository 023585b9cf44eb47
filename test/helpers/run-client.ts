import { execFile } from 'node:child_process';
import { projectPath } from '../../lib/paths';

export interface ClientResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `npm run client -- ...args` as a user would, in a child process (asynchronously, so workers
 * polling in the test's own process keep running). Never throws on a non-zero exit: the code is
 * what tests look at.
 */
export function runClient(args: string[], env: Record<string, string> = {}): Promise<ClientResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', projectPath('scripts', 'client.ts'), ...args], {
      cwd: projectPath(),
      env: { ...process.env, ...env },
      maxBuffer: 1 << 24,
    }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
