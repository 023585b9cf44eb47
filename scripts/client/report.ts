import fs from 'node:fs';
import type { Command } from 'commander';
import { describe as describeLift, type Evidence } from '../../activities/evaluation/stable-lift';
import type { CandidateMetrics, CandidateRef, CleaningAccounting, LiftEstimate } from '../../common/contracts';
import { runFiles } from '../../common/run-layout';
import { CliError, EXIT, outputFor, runAction, withJsonOption } from './cli';
import { DATA_DIR_HELP } from './options';
import { runDirOf, type RunDirOptions } from './verify';

export function registerReportCommand(program: Command): void {
  const command = program.command('report')
    .summary('the report path and a summary of the chosen segmentation, no server needed')
    .description('Print where a finished run\'s HTML report is and a text summary of the segmentation it chose: the candidate, ' +
      'why, how strong the evidence is, its lift on the validation and test users, and every segment with its size (and name ' +
      'and description where the run has them). Reads the run directory only. Exit 3 when the run has not finished.')
    .argument('<run>', 'run directory, drop path, drop id or workflow id')
    .option('--data-dir <dir>', DATA_DIR_HELP);
  withJsonOption(command).action((run: string, options: RunDirOptions) => runAction(options, () => reportCommand(run, options)));
}

/** One segment as the summary shows it. */
export interface SegmentSummary {
  segment: number;
  name: string | null;
  description: string | null;
  users: number;
  share: number;
}

export interface RunSummary {
  runDir: string;
  reportPath: string;
  workflowId: string;
  chosen: CandidateRef;
  selectionReason: string;
  evidence: { strength: string; statement: string } | null;
  /** NDCG@10 lift over global popularity of the chosen candidate (test: users that played no part in choosing it). */
  lift: { validation: LiftEstimate | null; test: LiftEstimate | null };
  accounting: CleaningAccounting;
  segments: SegmentSummary[];
}

export async function reportCommand(run: string, options: RunDirOptions): Promise<number> {
  const out = outputFor(options);
  const runDir = runDirOf(run, options.dataDir);
  if (!fs.existsSync(runDir)) throw new CliError(`no run directory for ${run} (looked for ${runDir}; --data-dir names another data directory)`, EXIT.badInput);
  const summary = await summarizeRun(runDir);
  out.result(summary);
  for (const line of describeSummary(summary)) out.say(line);
  return EXIT.ok;
}

interface Manifest {
  workflowId: string;
  chosen: CandidateRef;
  selectionReason: string;
  evidence?: Evidence | null;
  accounting: CleaningAccounting;
  outputs: { report: string; leaderboard: string; profiles: string };
}

/** Reads manifest.json (written last by publish, so it exists only for a finished run), the profiles and the leaderboard. */
export async function summarizeRun(runDir: string): Promise<RunSummary> {
  const manifest = await readJson<Manifest>(runFiles.manifest(runDir));
  if (!manifest) {
    throw new CliError(`${runDir} holds no finished run (no manifest.json): see \`status <run>\` for where it is`, EXIT.badInput);
  }
  const leaderboard = await readJson<{ evidence?: Evidence | null; rows?: CandidateMetrics[] }>(manifest.outputs.leaderboard ?? runFiles.leaderboard(runDir));
  const profiles = await readJson<{ profiles?: Array<Record<string, unknown>> }>(manifest.outputs.profiles ?? runFiles.segmentProfiles(runDir));
  const evidence = manifest.evidence ?? leaderboard?.evidence ?? null;
  const chosenRow = leaderboard?.rows?.find((row) => sameCandidate(row.candidate, manifest.chosen));
  const downstream = chosenRow?.downstream;
  return {
    runDir,
    reportPath: manifest.outputs.report ?? runFiles.report(runDir),
    workflowId: manifest.workflowId,
    chosen: manifest.chosen,
    selectionReason: manifest.selectionReason,
    evidence: evidence ? { strength: evidence.strength, statement: evidence.statement } : null,
    lift: {
      validation: evidence?.validation?.ndcg10 ?? downstream?.validation?.ndcg10 ?? downstream?.lift.ndcg10 ?? null,
      test: evidence?.test?.ndcg10 ?? downstream?.test?.ndcg10 ?? null,
    },
    accounting: manifest.accounting,
    segments: (profiles?.profiles ?? []).map((profile) => ({
      segment: Number(profile.segment),
      name: typeof profile.name === 'string' ? profile.name : null,
      description: typeof profile.description === 'string' ? profile.description : null,
      users: Number(profile.users),
      share: Number(profile.share),
    })).sort((a, b) => a.segment - b.segment),
  };
}

/** The summary as lines of text. */
export function describeSummary(summary: RunSummary): string[] {
  const { chosen, accounting } = summary;
  const lift = (estimate: LiftEstimate | null) => (estimate?.value != null ? describeLift(estimate) : 'n/a');
  const lines = [
    `report: ${summary.reportPath}`,
    `run: ${summary.workflowId} (${summary.runDir})`,
    `users: ${accounting.sequencedUsers} segmented of ${accounting.users}; rows ${accounting.rawRows} raw, ${accounting.cleanedRows} cleaned`,
    `chosen: ${chosen.encoder} / ${chosen.algorithm} ${chosen.params}`,
    `why: ${summary.selectionReason}`,
    summary.evidence ? `evidence: ${summary.evidence.strength}. ${summary.evidence.statement}` : 'evidence: not recorded for this run',
    `NDCG@10 lift over popularity: validation users ${lift(summary.lift.validation)}; test users ${lift(summary.lift.test)} (not used to choose)`,
    `segments (${summary.segments.length}):`,
  ];
  for (const segment of summary.segments) {
    const label = segment.name ? `${segment.segment} ${segment.name}` : `segment ${segment.segment}`;
    const size = `${String(segment.users).padStart(7)} users ${(segment.share * 100).toFixed(1).padStart(5)}%`;
    lines.push(`  ${label.padEnd(36)} ${size}${segment.description ? `  ${segment.description}` : ''}`);
  }
  return lines;
}

function sameCandidate(a: CandidateRef, b: CandidateRef): boolean {
  return a.encoder === b.encoder && a.algorithm === b.algorithm && a.params === b.params;
}

async function readJson<T>(file: string): Promise<T | undefined> {
  return fs.promises.readFile(file, 'utf8').then((text) => JSON.parse(text) as T, () => undefined);
}
