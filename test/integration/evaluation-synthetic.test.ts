import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CandidateMetrics } from '../../common/contracts';
import { dropRefFor } from '../../lib/runtime/drop-id';
import { startDrop } from '../../lib/client/pipeline-client';
import { writeSyntheticLog } from '../../lib/tooling/synthetic-events';
import { withWorkers } from '../helpers/pipeline-harness';
import { readLabelsFile } from '../../lib/runtime/labels-file';
import { runFiles } from '../../common/run-layout';
import { candidateKey } from '../../common/candidates';
import { adjustedRandIndex } from '../../activities/metrics/external';
import type { screeningSummary } from '../../common/screening';

/**
 * The documented margin for planted synthetic segments (docs/EVALUATION.md): the chosen partition
 * may trail the best candidate's ARI by this much. The segments are only partly separable (best
 * ARI ~0.45-0.55) and the downstream estimates behind the rule are noisy at 3,000 users: over four
 * seeds the rule trailed by 0, 0, 0.10 and 0.16. The run's seed is fixed so the test is repeatable.
 */
const MARGIN = 0.2;

describe('evaluation on planted synthetic segments, through the workflow', () => {
  it('reports external metrics for every candidate and chooses a partition close to the best one', async () => {
    await withWorkers({ label: 'evaluation-synthetic' }, async ({ client, taskQueues, dataDir }) => {
      const log = path.join(dataDir, 'inputs', 'synthetic.csv');
      fs.mkdirSync(path.dirname(log), { recursive: true });
      const { labels } = await writeSyntheticLog(log, { users: 3000, seed: 3, meanEvents: 10 });
      // (segments differ in event mix, activity, price level, sessions and preferred categories)
      const truth = path.join(dataDir, 'truth.csv');
      fs.writeFileSync(truth, 'user_id,segment\n' + [...labels].map(([user, segment]) => `${user},${segment}`).join('\n') + '\n');

      const config = { encoders: ['behavior-stats', 'tfidf'], kMin: 2, kMax: 8, shardCount: 2, truthLabelsFile: truth, seed: 'planted-segments' } as const;
      const run = await startDrop(client, dropRefFor(log), { dataDir, config: config as never, taskQueues });
      const output = await run.handle.result();
      const leaderboard = JSON.parse(fs.readFileSync(output.leaderboardPath, 'utf8')) as { rows: CandidateMetrics[]; screening: ReturnType<typeof screeningSummary> };
      // Successive halving: all 14 candidates screened, a quarter (at least 4, and each encoder's best) scored fully.
      expect(leaderboard.screening.candidates).toBe(14);
      expect(leaderboard.rows).toHaveLength(leaderboard.screening.fullyScored);
      expect(leaderboard.rows.length).toBeGreaterThanOrEqual(4);
      expect(leaderboard.rows.length).toBeLessThanOrEqual(5);
      expect(new Set(leaderboard.rows.map((row) => row.candidate.encoder))).toEqual(new Set(['behavior-stats', 'tfidf']));
      for (const row of leaderboard.rows) {
        expect(row.external!.users).toBe(output.accounting.sequencedUsers);
        expect(row.external!.contingency.counts.flat().reduce((a, b) => a + b, 0)).toBe(row.external!.users);
        expect(row.stability!.seeds.runs).toHaveLength(3);
        expect(row.downstream!.users).toBe(output.accounting.holdoutUsers);
      }
      // The best of every candidate, screened out or not: screening must not lose the good ones.
      const truthOf = (userIds: string[]) => Int32Array.from(userIds, (user) => labels.get(user)!);
      const everyAri = await Promise.all(leaderboard.screening.rows.map(async (row) => {
        const found = await readLabelsFile(runFiles.labelsFile(output.runDir, candidateKey(row.candidate)));
        return adjustedRandIndex(truthOf(found.userIds), found.labels);
      }));
      const best = Math.max(...everyAri);
      for (const row of leaderboard.rows) expect(everyAri[leaderboard.screening.rows.findIndex((screened) => candidateKey(screened.candidate) === candidateKey(row.candidate))]).toBeCloseTo(row.external!.ari, 9);
      const chosen = leaderboard.rows.find((row) => row.candidate.encoder === output.chosen.encoder && row.candidate.params === output.chosen.params)!;
      console.log(`planted segments: chose ${chosen.candidate.encoder} ${chosen.candidate.params}, ARI ${chosen.external!.ari.toFixed(3)}, best ${best.toFixed(3)}`);
      // Segments built on what users shop for beat global popularity: the chosen one's lift is surely positive.
      expect(chosen.downstream!.lift.ndcg10!.ciLow!).toBeGreaterThan(0);
      expect(chosen.external!.ari).toBeGreaterThanOrEqual(best - MARGIN);
      expect(chosen.external!.ari).toBeGreaterThan(0.1); // the segments are really recovered, not just tied at 0
      const purchase = chosen.downstream!.nextPurchase!;
      expect(purchase.users).toBe(output.accounting.holdoutUsers);
      expect(purchase.baseline.auc.mean).toBe(0.5); // an intercept-only model ranks nobody above anybody
      expect(purchase.segment.auc.mean).toBeGreaterThan(0.5);

      const report = fs.readFileSync(output.reportPath, 'utf8');
      expect(report).toContain('What sets each segment apart');
      expect(report).toContain('Representative users');
      expect(report).toContain('Downstream value of the chosen segmentation');
      const profiles = JSON.parse(fs.readFileSync(path.join(path.dirname(output.reportPath), 'segment-profiles.json'), 'utf8'));
      expect(profiles.representatives.length).toBe(3 * output.chosen.k);
      // Only terms a segment chose more often than the population are distinctive.
      expect(profiles.topTerms.length).toBeGreaterThan(0);
      expect(profiles.topTerms.every((term: { lift: number }) => term.lift > 1)).toBe(true);
    });
  });
});
