import fs from 'node:fs/promises';
import path from 'node:path';
import type { CandidateMetrics, EvaluateCandidatesInput, EvaluateCandidatesOutput } from '../common/contracts';
import { sameCandidate } from '../common/ids';
import { writeJsonAtomic } from '../lib/atomic-write';
import { heartbeat } from '../lib/activity-progress';
import { openDuckDB, sqlStringLiteral } from '../lib/duckdb';
import { runStepOnce } from '../lib/run-dir';
import { describeSelectionRule, selectCandidate } from './evaluation/selection';
import { writeLeaderboardTable } from './evaluation/leaderboard-table';
import { computeCandidateMetrics } from './score-candidate';

/**
 * Gathers every candidate's scores (written by scoreCandidate), picks one with the run's
 * selection rule (docs/EVALUATION.md), and writes the leaderboard: evaluation/leaderboard.json
 * and the `leaderboard` table of run.duckdb.
 */
export async function evaluateCandidates(input: EvaluateCandidatesInput): Promise<EvaluateCandidatesOutput> {
  return runStepOnce(input.runDir, 'evaluate', async () => {
    const rows: CandidateMetrics[] = [];
    for (const clustering of input.clusterings) {
      const score = input.scores?.find((candidate) => sameCandidate(candidate.candidate, clustering.candidate));
      rows.push(score
        ? JSON.parse(await fs.readFile(score.scorePath, 'utf8')) as CandidateMetrics
        : await computeCandidateMetrics({ runDir: input.runDir, clustering, embeddingPaths: input.embeddingPaths[clustering.candidate.encoder], seed: input.seed, config: input.config }));
      heartbeat(rows.length);
    }
    const { selectionRule: rule, selectionMinStability: minStability } = input.config;
    const { chosen, reason } = selectCandidate(rows, rule, minStability);
    const leaderboardPath = path.join(input.runDir, 'evaluation', 'leaderboard.json');
    await writeJsonAtomic(leaderboardPath, { selectionRule: describeSelectionRule(rule, minStability), chosen: chosen.candidate, rows });
    const database = await openDuckDB(':memory:');
    try {
      await database.connection.run(`ATTACH ${sqlStringLiteral(path.join(input.runDir, 'run.duckdb'))} AS run`);
      await writeLeaderboardTable(database.connection, 'run.leaderboard', rows, chosen.candidate);
    } finally {
      database.close();
    }
    return { leaderboardPath, chosen: chosen.candidate, selectionReason: reason };
  });
}
