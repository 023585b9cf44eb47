import fs from 'node:fs/promises';
import type { CandidateMetrics, EvaluateCandidatesInput, EvaluateCandidatesOutput } from '../common/contracts';
import { writeJsonAtomic } from '../lib/runtime/atomic-write';
import { heartbeat } from '../lib/runtime/activity-progress';
import { withRunDatabase } from '../lib/runtime/run-database';
import { runFiles, runSteps } from '../common/run-layout';
import { resultSettings } from '../common/run-config';
import { candidateKey } from '../common/candidates';
import { runStepOnce } from '../lib/runtime/run-dir';
import { screeningSummary } from '../common/screening';
import { describeSelectionRule, selectCandidate } from './evaluation/selection';
import { writeLeaderboardTable } from './evaluation/leaderboard-table';

/**
 * Gathers every candidate's scores (written by scoreCandidate), picks one with the run's
 * selection rule (docs/EVALUATION.md), and writes the leaderboard: evaluation/leaderboard.json
 * and the `leaderboard` table of run.duckdb.
 */
export async function evaluateCandidates(input: EvaluateCandidatesInput): Promise<EvaluateCandidatesOutput> {
  const step = {
    runDir: input.runDir,
    step: runSteps.evaluate,
    madeFrom: { config: resultSettings(input.config) },
    upstream: [
      ...(input.screens ?? []).map((screen) => runSteps.screen(candidateKey(screen.candidate))),
      ...input.scores.map((score) => runSteps.score(candidateKey(score.candidate))),
    ],
    outputs: () => [{ file: runFiles.leaderboard(input.runDir) }, { table: 'leaderboard' }],
  };
  return runStepOnce(step, async () => {
    const rows: CandidateMetrics[] = [];
    for (const score of input.scores) {
      rows.push(JSON.parse(await fs.readFile(score.scorePath, 'utf8')) as CandidateMetrics);
      heartbeat(rows.length);
    }
    const { selectionRule: rule, selectionMinStability: minStability } = input.config;
    const { chosen, reason, evidence } = selectCandidate(rows, rule, minStability);
    const leaderboardPath = runFiles.leaderboard(input.runDir);
    // Successive halving: which candidates were screened only, so the report can say how many were scored fully.
    const screening = input.screens ? screeningSummary(input.screens, input.scores) : null;
    await writeJsonAtomic(leaderboardPath, { selectionRule: describeSelectionRule(rule, minStability, rows), chosen: chosen.candidate, evidence: evidence ?? null, screening, rows });
    await withRunDatabase(input.runDir, 'read-write', {}, ({ connection }) => writeLeaderboardTable(connection, 'run.leaderboard', rows, chosen.candidate));
    return { leaderboardPath, chosen: chosen.candidate, selectionReason: reason };
  });
}
