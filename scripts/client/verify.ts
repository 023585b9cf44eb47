import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runDirFor, runFiles } from '../../common/run-layout';
import { dropRefFor } from '../../lib/runtime/drop-id';
import { verifyRun, type RunCheck } from '../../lib/runtime/verify-run';
import { dataDirFrom } from './options';

/**
 * verify <run> [--data-dir D] [--json]: checks every checkpoint and output of a run directory
 * against its recorded digests and row counts, and that each step was made from its upstream steps
 * and input files as they are now. No Temporal needed. Exit 0 when everything holds, 1 when not
 * (`repair <run>` then recomputes exactly what is listed and what depends on it).
 */
export async function verifyCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { 'data-dir': { type: 'string' }, json: { type: 'boolean' } } });
  if (positionals.length !== 1) throw new Error('usage: verify <run> [--data-dir D] [--json]  (run directory, drop path, drop id or workflow id)');
  const check = await verifyRun(runDirOf(positionals[0], values['data-dir']));
  if (values.json) console.log(JSON.stringify(check));
  else printCheck(check);
  return check.ok ? 0 : 1;
}

/** One line per step that does not hold (every step with --json), then the count. */
export function printCheck(check: RunCheck): void {
  for (const step of check.steps.filter((found) => found.status !== 'ok')) {
    console.log(`${step.status.padEnd(9)} ${step.step}: ${step.problems.join('; ')}`);
  }
  const bad = check.steps.filter((step) => step.status !== 'ok').length;
  console.log(bad === 0 ? `${check.runDir}: all ${check.steps.length} steps verified` : `${check.runDir}: ${bad} of ${check.steps.length} steps do not hold (the other ${check.steps.length - bad} verified); 'repair' recomputes them and what depends on them`);
}

/** A run named by its directory, its drop's path, its drop id or its workflow id. */
export function runDirOf(run: string, dataDir: string | undefined): string {
  if (fs.existsSync(runFiles.stepsDir(run))) return path.resolve(run);
  const dropId = fs.existsSync(run) ? dropRefFor(run).dropId : run.replace(/^segment-/, '');
  return runDirFor(dataDirFrom(dataDir), dropId);
}
