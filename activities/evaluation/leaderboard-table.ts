import type { DuckDBConnection } from '@duckdb/node-api';
import type { CandidateMetrics, CandidateRef } from '../../common/contracts';
import { sameCandidate } from '../../common/candidates';

/** The leaderboard's flat columns (metrics.parquet and run.duckdb's `leaderboard`); `details` holds everything as JSON. */
const COLUMNS: Array<[name: string, type: 'VARCHAR' | 'INTEGER' | 'DOUBLE' | 'BOOLEAN', value: (row: CandidateMetrics, chosen: boolean) => unknown]> = [
  ['encoder', 'VARCHAR', (row) => row.candidate.encoder],
  ['algorithm', 'VARCHAR', (row) => row.candidate.algorithm],
  ['params', 'VARCHAR', (row) => row.candidate.params],
  ['k', 'INTEGER', (row) => row.candidate.k],
  ['chosen', 'BOOLEAN', (_, chosen) => chosen],
  ['silhouette', 'DOUBLE', (row) => row.silhouette],
  ['silhouette_sampled', 'BOOLEAN', (row) => row.silhouetteSampled],
  ['density_silhouette', 'DOUBLE', (row) => row.densitySilhouette],
  ['davies_bouldin', 'DOUBLE', (row) => row.daviesBouldin],
  ['calinski_harabasz', 'DOUBLE', (row) => row.calinskiHarabasz],
  ['inertia', 'DOUBLE', (row) => row.inertia],
  ['smallest_cluster', 'INTEGER', (row) => Math.min(...row.clusterSizes)],
  ['largest_cluster', 'INTEGER', (row) => Math.max(...row.clusterSizes)],
  ['size_gini', 'DOUBLE', (row) => row.shape?.sizes.gini],
  ['stability_seed_ari', 'DOUBLE', (row) => row.stability?.seeds.mean],
  ['stability_seed_ari_sd', 'DOUBLE', (row) => row.stability?.seeds.sd],
  ['stability_subsample_ari', 'DOUBLE', (row) => row.stability?.subsamples.mean],
  ['stability_subsample_ari_sd', 'DOUBLE', (row) => row.stability?.subsamples.sd],
  ['downstream_users', 'INTEGER', (row) => row.downstream?.users],
  ['hr10', 'DOUBLE', (row) => row.downstream?.segment['10']?.hr],
  ['ndcg10', 'DOUBLE', (row) => row.downstream?.segment['10']?.ndcg],
  ['popularity_ndcg10', 'DOUBLE', (row) => row.downstream?.popularity['10']?.ndcg],
  ['random_ndcg10', 'DOUBLE', (row) => row.downstream?.random['10']?.ndcg],
  ['ndcg10_lift', 'DOUBLE', (row) => row.downstream?.lift.ndcg10?.value],
  ['ndcg10_lift_ci_low', 'DOUBLE', (row) => row.downstream?.lift.ndcg10?.ciLow],
  ['ndcg10_lift_ci_high', 'DOUBLE', (row) => row.downstream?.lift.ndcg10?.ciHigh],
  ['validation_users', 'INTEGER', (row) => row.downstream?.validation?.users],
  ['validation_ndcg10_lift', 'DOUBLE', (row) => row.downstream?.validation?.ndcg10?.value],
  ['validation_ndcg10_lift_ci_low', 'DOUBLE', (row) => row.downstream?.validation?.ndcg10?.ciLow],
  ['validation_ndcg10_lift_ci_high', 'DOUBLE', (row) => row.downstream?.validation?.ndcg10?.ciHigh],
  ['test_users', 'INTEGER', (row) => row.downstream?.test?.users],
  ['test_ndcg10_lift', 'DOUBLE', (row) => row.downstream?.test?.ndcg10?.value],
  ['test_ndcg10_lift_ci_low', 'DOUBLE', (row) => row.downstream?.test?.ndcg10?.ciLow],
  ['test_ndcg10_lift_ci_high', 'DOUBLE', (row) => row.downstream?.test?.ndcg10?.ciHigh],
  ['next_purchase_auc', 'DOUBLE', (row) => row.downstream?.nextPurchase?.segment.auc.mean],
  ['next_purchase_baseline_auc', 'DOUBLE', (row) => row.downstream?.nextPurchase?.baseline.auc.mean],
  ['external_ari', 'DOUBLE', (row) => row.external?.ari],
  ['cluster_seconds', 'DOUBLE', (row) => row.clusterSeconds],
  ['score_seconds', 'DOUBLE', (row) => row.scoreSeconds],
  ['details', 'VARCHAR', (row) => JSON.stringify(row)],
];

export const LEADERBOARD_COLUMNS = COLUMNS.map(([name, type]) => ({ name, type }));

/** (Re)creates `table` with one row per candidate. */
export async function writeLeaderboardTable(connection: DuckDBConnection, table: string, rows: CandidateMetrics[], chosen: CandidateRef): Promise<void> {
  await connection.run(`CREATE OR REPLACE TABLE ${table} (${COLUMNS.map(([name, type]) => `${name} ${type}`).join(', ')})`);
  const placeholders = COLUMNS.map((_, i) => `$${i + 1}`).join(', ');
  const insert = await connection.prepare(`INSERT INTO ${table} VALUES (${placeholders})`);
  for (const row of rows) {
    const isChosen = sameCandidate(row.candidate, chosen);
    COLUMNS.forEach(([, type, value], i) => {
      const cell = value(row, isChosen);
      if (cell === undefined || cell === null || (typeof cell === 'number' && !Number.isFinite(cell))) insert.bindNull(i + 1);
      else if (type === 'VARCHAR') insert.bindVarchar(i + 1, String(cell));
      else if (type === 'INTEGER') insert.bindInteger(i + 1, Number(cell));
      else if (type === 'DOUBLE') insert.bindDouble(i + 1, Number(cell));
      else insert.bindBoolean(i + 1, Boolean(cell));
    });
    await insert.run();
  }
}
