import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { SHARD_COLUMNS } from '../../activities/shard-schema';
import type { RunConfig } from '../../common/run-config';
import { workflowIdForDrop } from '../../common/ids';
import { dropRefFor } from '../../lib/drop-id';
import { startDrop } from '../../lib/pipeline-client';
import { progressQuery } from '../../workflows';
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
      // The chosen k obeys the selection rule: no other k beats its silhouette by more than the margin.
      const chosenRow = metrics.find((row) => row.k === output.chosen.k)!;
      expect(Math.max(...metrics.map((row) => row.silhouette as number)) - (chosenRow.silhouette as number)).toBeLessThanOrEqual(0.005);

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
