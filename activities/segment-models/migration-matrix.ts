import { pairCounts, type ReturningUsers } from './returning-users';
import { NOISE } from './snapshot';

/**
 * Where returning users went: counts[r][c] users were in segment rows[r] before and are in
 * columns[c] now; rates are the counts divided by their row sum (0 for an empty row). Noise (-1)
 * is always the last row and column, so a chart of it has a stable shape.
 */
export interface MigrationMatrix {
  rows: number[];
  columns: number[];
  counts: number[][];
  rates: number[][];
}

export function migrationMatrix(returning: ReturningUsers, oldIds: number[], newIds: number[]): MigrationMatrix {
  const rows = [...oldIds.filter((id) => id !== NOISE), NOISE];
  const columns = [...newIds.filter((id) => id !== NOISE), NOISE];
  const pairs = pairCounts(returning);
  const counts = rows.map((row) => columns.map((column) => pairs.get(row)?.get(column) ?? 0));
  const rates = counts.map((row) => {
    const total = row.reduce((sum, count) => sum + count, 0);
    return row.map((count) => (total > 0 ? count / total : 0));
  });
  return { rows, columns, counts, rates };
}
