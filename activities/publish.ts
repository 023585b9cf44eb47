import fs from 'node:fs/promises';
import path from 'node:path';
import type { CandidateMetrics, PublishSegmentationInput, PublishSegmentationOutput } from '../common/contracts';
import { produceAtomically, writeFileAtomic, writeJsonAtomic } from '../lib/atomic-write';
import { loadSql, openDuckDB, queryRows, sqlStringLiteral } from '../lib/duckdb';
import { readLabelsFile } from '../lib/labels-file';
import { listStepMarkers, runStepOnce } from '../lib/run-dir';
import { renderReport } from './report/render-report';

/**
 * Publishes the chosen segmentation: segments.parquet (user_id -> segment), metrics.parquet (the
 * leaderboard as a table), report.html and manifest.json. The manifest is written last, so its
 * presence means the run's outputs are complete.
 */
export async function publishSegmentation(input: PublishSegmentationInput): Promise<PublishSegmentationOutput> {
  return runStepOnce(input.runDir, 'publish', async () => {
    const outputDir = path.join(input.runDir, 'output');
    const segmentsPath = path.join(outputDir, 'segments.parquet');
    const metricsPath = path.join(outputDir, 'metrics.parquet');
    const reportPath = path.join(outputDir, 'report.html');
    const manifestPath = path.join(input.runDir, 'manifest.json');
    const leaderboard = JSON.parse(await fs.readFile(input.leaderboardPath, 'utf8')) as { selectionRule: string; rows: CandidateMetrics[] };
    const { userIds, labels } = await readLabelsFile(input.labelsPath);

    const database = await openDuckDB(':memory:');
    let profiles: Array<Record<string, unknown>>;
    try {
      const { connection } = database;
      await connection.run('CREATE TABLE segments (user_id VARCHAR NOT NULL, segment INTEGER NOT NULL)');
      const appender = await connection.createAppender('segments');
      for (let i = 0; i < userIds.length; i++) {
        appender.appendVarchar(userIds[i]);
        appender.appendInteger(labels[i]);
        appender.endRow();
      }
      appender.closeSync();
      await produceAtomically(segmentsPath, (temporary) =>
        connection.run(`COPY (SELECT * FROM segments ORDER BY user_id) TO ${sqlStringLiteral(temporary)} (FORMAT parquet)`));
      await writeMetricsTable(connection, leaderboard.rows, metricsPath);
      await connection.run(`ATTACH ${sqlStringLiteral(path.join(input.runDir, 'run.duckdb'))} AS run (READ_ONLY)`);
      profiles = await queryRows(connection, loadSql('publish/segment_profiles.sql'));
    } finally {
      database.close();
    }

    const steps = await listStepMarkers(input.runDir);
    await writeFileAtomic(reportPath, renderReport({
      dropId: input.dropId,
      workflowId: input.workflowId,
      runDir: input.runDir,
      accounting: input.accounting,
      leaderboard: leaderboard.rows,
      selectionRule: leaderboard.selectionRule,
      chosen: input.chosen,
      selectionReason: input.selectionReason,
      profiles,
      steps: steps.map((marker) => ({ step: marker.step, finishedAt: marker.finishedAt })).sort((a, b) => a.finishedAt.localeCompare(b.finishedAt)),
      config: input.config,
      generatedAt: new Date().toISOString(),
    }));
    await writeJsonAtomic(manifestPath, {
      dropId: input.dropId,
      workflowId: input.workflowId,
      chosen: input.chosen,
      selectionReason: input.selectionReason,
      accounting: input.accounting,
      config: input.config,
      encoders: input.encoderReports ?? {},
      outputs: { segments: segmentsPath, metrics: metricsPath, report: reportPath, leaderboard: input.leaderboardPath },
      steps,
    });
    return { segmentsPath, reportPath, manifestPath };
  });
}

async function writeMetricsTable(connection: Awaited<ReturnType<typeof openDuckDB>>['connection'], rows: CandidateMetrics[], target: string): Promise<void> {
  await connection.run(`CREATE TABLE metrics (
    encoder VARCHAR, algorithm VARCHAR, params VARCHAR, k INTEGER, silhouette DOUBLE, silhouette_sampled BOOLEAN,
    davies_bouldin DOUBLE, calinski_harabasz DOUBLE, inertia DOUBLE, smallest_cluster INTEGER, largest_cluster INTEGER,
    cluster_seconds DOUBLE)`);
  const appender = await connection.createAppender('metrics');
  for (const row of rows) {
    appender.appendVarchar(row.candidate.encoder);
    appender.appendVarchar(row.candidate.algorithm);
    appender.appendVarchar(row.candidate.params);
    appender.appendInteger(row.candidate.k);
    appender.appendDouble(row.silhouette);
    appender.appendBoolean(row.silhouetteSampled);
    appender.appendDouble(row.daviesBouldin);
    appender.appendDouble(row.calinskiHarabasz);
    appender.appendDouble(row.inertia);
    appender.appendInteger(Math.min(...row.clusterSizes));
    appender.appendInteger(Math.max(...row.clusterSizes));
    appender.appendDouble(row.clusterSeconds);
    appender.endRow();
  }
  appender.closeSync();
  await produceAtomically(target, (temporary) => connection.run(`COPY metrics TO ${sqlStringLiteral(temporary)} (FORMAT parquet)`));
}
