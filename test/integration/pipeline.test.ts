import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { SHARD_COLUMNS } from '../../activities/encoders/shard-schema';
import type { RunConfig } from '../../common/run-config';
import { workflowIdForDrop } from '../../common/ids';
import { dropRefFor } from '../../lib/runtime/drop-id';
import { startDrop } from '../../lib/client/pipeline-client';
import { progressQuery } from '../../workflows';
import { selectCandidate } from '../../activities/evaluation/selection';
import { query } from '../helpers/duckdb-query';
import { copyOfSample, withWorkers } from '../helpers/pipeline-harness';

const CONFIG: Partial<RunConfig> = { encoders: ['behavior-stats'], shardCount: 3, kMin: 2, kMax: 5, embedBatchSize: 300 };

describe('segmentDataDrop on a real Temporal server', () => {
  it('segments the bundled sample end to end, once per drop, and replays deterministically', async () => {
    await withWorkers({ label: 'pipeline' }, async ({ client, taskQueues, dataDir }) => {
      const drop = dropRefFor(copyOfSample(dataDir));
      const first = await startDrop(client, drop, { dataDir, config: CONFIG, taskQueues });
      // Triggering the same drop again while it runs joins the same execution.
      const second = await startDrop(client, drop, { dataDir, config: CONFIG, taskQueues });
      expect(first.started).toBe(true);
      expect(second.started).toBe(false);
      expect(second.workflowId).toBe(workflowIdForDrop(drop.dropId));
      const output = await first.handle.result();

      // ...and after it completed, a third trigger starts nothing either.
      const third = await startDrop(client, drop, { dataDir, config: CONFIG, taskQueues });
      expect(third.started).toBe(false);
      const executions = [];
      for await (const execution of client.workflow.list({ query: `WorkflowId = '${first.workflowId}'` })) executions.push(execution);
      expect(executions).toHaveLength(1);

      // Accounting: every raw line is cleaned, quarantined or a duplicate.
      const dataLines = fs.readFileSync(drop.source, 'utf8').trimEnd().split('\n').length - 1;
      const { accounting } = output;
      expect(accounting.rawRows).toBe(dataLines);
      expect(accounting.cleanedRows + accounting.quarantinedRows + accounting.duplicateRows).toBe(dataLines);
      expect(Object.values(accounting.quarantineByReason).reduce((a, b) => a + b, 0)).toBe(accounting.quarantinedRows);

      // Published segments: one row per segmented user, segment ids within the chosen k.
      const [segments] = await query(
        'SELECT count(*) AS users, count(DISTINCT user_id) AS distinct_users, min(segment) AS lo, max(segment) AS hi FROM read_parquet($path)',
        { path: output.segmentsPath },
      );
      expect(segments.users).toBe(accounting.sequencedUsers);
      expect(segments.distinct_users).toBe(accounting.sequencedUsers);
      expect(segments.lo).toBe(0);
      expect(segments.hi).toBe(output.chosen.k - 1);

      // Metrics table: one row per swept k, with finite internal metrics.
      const metrics = await query('SELECT * FROM read_parquet($path) ORDER BY k', {
        path: path.join(path.dirname(output.segmentsPath), 'metrics.parquet'),
      });
      expect(metrics.map((row) => row.k)).toEqual([2, 3, 4, 5]);
      for (const row of metrics) {
        expect(row.silhouette as number).toBeGreaterThan(-1);
        expect(row.silhouette as number).toBeLessThanOrEqual(1);
        expect(Number.isFinite(row.davies_bouldin)).toBe(true);
        expect(row.calinski_harabasz as number).toBeGreaterThan(0);
      }
      // Every candidate was scored for stability and downstream value (segment popularity vs the
      // holdout, next to the popularity baseline), and the chosen one is what the rule picks.
      for (const row of metrics) {
        expect(row.stability_seed_ari as number).toBeGreaterThan(-0.5);
        expect(row.stability_seed_ari as number).toBeLessThanOrEqual(1);
        expect(row.downstream_users as number).toBe(accounting.holdoutUsers);
        expect(row.popularity_ndcg10 as number).toBeGreaterThanOrEqual(0);
      }
      // The baselines do not depend on the segmentation: computed once per run, the same for every candidate.
      expect(new Set(metrics.map((row) => row.popularity_ndcg10)).size).toBe(1);
      expect(fs.existsSync(path.join(output.runDir, 'evaluation', 'baselines.json'))).toBe(true);
      const leaderboard = JSON.parse(fs.readFileSync(output.leaderboardPath, 'utf8'));
      expect(selectCandidate(leaderboard.rows, 'stable-lift').chosen.candidate).toEqual(output.chosen);
      expect(metrics.filter((row) => row.chosen).map((row) => row.k)).toEqual([output.chosen.k]);
      const [stored] = await query(`ATTACH '${path.join(output.runDir, 'run.duckdb')}' AS run (READ_ONLY); SELECT count(*) AS n FROM run.leaderboard`);
      expect(stored.n).toBe(metrics.length);

      const report = fs.readFileSync(output.reportPath, 'utf8');
      expect(output.reportPath.endsWith('report.html')).toBe(true);
      expect(report).toContain('Segmentation report');
      expect(report).toContain(`kmeans ${output.chosen.params}`);
      const manifest = JSON.parse(fs.readFileSync(path.join(output.runDir, 'manifest.json'), 'utf8'));
      expect(manifest.accounting).toEqual(accounting);
      expect(manifest.config).toMatchObject({ ...CONFIG, holdoutMode: 'last_n' });
      expect(fs.readdirSync(output.runDir).some((name) => name.includes('.tmp-'))).toBe(false);

      // Users are spread over all shards by their hash (each shard gets a fair share).
      const shardUsers = await query('SELECT count(*) AS users FROM read_parquet($glob) GROUP BY filename ORDER BY filename', {
        glob: path.join(output.runDir, 'shards', '*.parquet'),
      });
      expect(shardUsers).toHaveLength(3);
      for (const shard of shardUsers) expect(shard.users as number).toBeGreaterThan(accounting.sequencedUsers / 6);
      // ...with the documented schema.
      const columns = await query('SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet($glob))', {
        glob: path.join(output.runDir, 'shards', 'shard-0000.parquet'),
      });
      expect(columns).toEqual(SHARD_COLUMNS.map((column) => ({ column_name: column.name, column_type: column.duckdb })));

      const progress = await first.handle.query(progressQuery);
      expect(progress).toMatchObject({ stage: 'done', shardsDone: 3, shardsTotal: 3, candidatesDone: 4, failures: [] });

      // Determinism: the recorded history replays against the current workflow code.
      const history = await first.handle.fetchHistory();
      await Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') } }, history, first.workflowId);
    });
  });
});
