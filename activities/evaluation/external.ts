import fs from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { ExternalSummary } from '../../common/contracts';
import { badInput } from '../../common/errors';
import { loadSql, queryRows, runSqlText } from '../../lib/runtime/duckdb';
import { denseCounts, externalMetrics } from '../metrics/external';

/** Reads a truth-labels file (user_id + label/segment; CSV or Parquet) into user id -> integer label. */
export async function readTruthLabels(connection: DuckDBConnection, file: string): Promise<Map<string, number>> {
  if (!fs.existsSync(file)) throw badInput(`truthLabelsFile ${file} does not exist`);
  // The path is bound ($file), never pasted into the SQL.
  const reader = file.endsWith('.parquet') ? 'read_parquet($file)' : 'read_csv($file, header = true, all_varchar = true)';
  const columns = (await queryRows(connection, `DESCRIBE SELECT * FROM ${reader}`, { file })).map((row) => String(row.column_name));
  const labelColumn = ['label', 'segment'].find((name) => columns.includes(name));
  if (!columns.includes('user_id') || !labelColumn) {
    throw badInput(`truthLabelsFile ${file} has columns ${columns.join(', ')}; expected user_id and label (or segment)`);
  }
  await runSqlText(connection, `CREATE OR REPLACE TEMP TABLE truth_raw AS SELECT user_id, "${labelColumn}" AS label FROM ${reader}`, { file }, 'truth labels');
  const rows = await queryRows(connection, loadSql('evaluation/truth_labels.sql'));
  return new Map(rows.map((row) => [String(row.user_id), Number(row.label)]));
}

/** External metrics on the users that have both a known label and a segment. */
export function externalSummary(truth: Map<string, number>, userIds: string[], labels: Int32Array): ExternalSummary | null {
  const known: number[] = [];
  const predicted: number[] = [];
  userIds.forEach((userId, i) => {
    const label = truth.get(userId);
    if (label !== undefined) {
      known.push(label);
      predicted.push(labels[i]);
    }
  });
  if (known.length === 0) return null;
  const metrics = externalMetrics(known, predicted);
  return {
    users: known.length,
    ari: metrics.ari,
    ami: metrics.ami,
    nmi: metrics.nmi,
    homogeneity: metrics.homogeneity,
    completeness: metrics.completeness,
    vMeasure: metrics.vMeasure,
    fowlkesMallows: metrics.fowlkesMallows,
    purity: metrics.purity,
    contingency: { truth: metrics.contingency.rows, segments: metrics.contingency.columns, counts: denseCounts(metrics.contingency) },
  };
}
