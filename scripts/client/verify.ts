import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { runDirFor, runFiles } from '../../common/run-layout';
import { dropRefFor } from '../../lib/runtime/drop-id';
import { verifyRun, type RunCheck } from '../../lib/runtime/verify-run';
import { EXIT, outputFor, runAction, withJsonOption, type Output } from './cli';
import { DATA_DIR_HELP, dataDirFrom } from './options';

export interface RunDirOptions {
  dataDir?: string;
  json?: boolean;
}

export function registerVerifyCommand(program: Command): void {
  const command = program.command('verify')
    .summary('check a run\'s checkpoints and outputs, no server needed')
    .description('Check every checkpoint and output of a run directory against its recorded digests and row counts, and that ' +
      'each step was made from its upstream steps and input files as they are now. No Temporal needed. Exit 0 when everything ' +
      'holds, 1 when not (`repair <run>` then recomputes exactly what is listed and what depends on it).')
    .argument('<run>', 'run directory, drop path, drop id or workflow id')
    .option('--data-dir <dir>', DATA_DIR_HELP);
  withJsonOption(command).action((run: string, options: RunDirOptions) => runAction(options, () => verifyCommand(run, options)));
}

export async function verifyCommand(run: string, options: RunDirOptions = {}): Promise<number> {
  const out = outputFor(options);
  const check = await verifyRun(runDirOf(run, options.dataDir));
  out.result(check);
  printCheck(check, out);
  return check.ok ? EXIT.ok : EXIT.failed;
}

/** One line per step that does not hold, then the count. */
export function printCheck(check: RunCheck, out: Output): void {
  for (const step of check.steps.filter((found) => found.status !== 'ok')) {
    out.say(`${step.status.padEnd(9)} ${step.step}: ${step.problems.join('; ')}`);
  }
  const bad = check.steps.filter((step) => step.status !== 'ok').length;
  out.say(bad === 0 ? `${check.runDir}: all ${check.steps.length} steps verified` : `${check.runDir}: ${bad} of ${check.steps.length} steps do not hold (the other ${check.steps.length - bad} verified); 'repair' recomputes them and what depends on them`);
}

/** A run named by its directory, its drop's path, its drop id or its workflow id. */
export function runDirOf(run: string, dataDir: string | undefined): string {
  if (fs.existsSync(runFiles.stepsDir(run))) return path.resolve(run);
  const dropId = fs.existsSync(run) ? dropRefFor(run).dropId : run.replace(/^segment-/, '');
  return runDirFor(dataDirFrom(dataDir), dropId);
}
