import type { DownstreamSummary } from '../common/contracts';
import type { RunConfig } from '../common/run-config';
import { downstreamValue } from '../activities/evaluation/downstream';
import { readTruthLabels } from '../activities/evaluation/external';
import { createSegmentsTable } from '../activities/evaluation/segments-table';
import { queryRows } from '../lib/runtime/duckdb';
import { openRunDatabase } from '../lib/runtime/run-database';

/**
 * The planted segmentation scored as scoreCandidate scores a candidate's downstream value: same
 * held-out users, same validation/test halves, same bootstrap seed. It is the lift the sweep could
 * reach if it recovered the planted segments exactly (the reference of bench/planted-lift.ts).
 */
export async function plantedTruthLift(runDir: string, labelsFile: string, seed: number, config: RunConfig): Promise<DownstreamSummary | null> {
  const database = await openRunDatabase(runDir, 'read-only', { threads: config.duckdbThreads, memoryLimit: config.duckdbMemoryLimit });
  try {
    const { connection } = database;
    const truth = await readTruthLabels(connection, labelsFile);
    // The segmented users are those with a sequence; each keeps its planted label.
    const userIds = (await queryRows(connection, 'SELECT user_id FROM run.sequences ORDER BY user_id')).map((row) => String(row.user_id)).filter((user) => truth.has(user));
    await createSegmentsTable(connection, userIds, Int32Array.from(userIds, (user) => truth.get(user)!));
    const result = await downstreamValue(connection, {
      ks: config.downstreamKs, excludeSeen: config.downstreamExcludeSeen, bootstrapSamples: config.bootstrapSamples,
      folds: config.nextPurchaseFolds, seed,
    });
    return result?.summary ?? null;
  } finally {
    database.close();
  }
}
