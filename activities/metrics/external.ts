/**
 * Adjusted Rand index between two labelings of the same points (scikit-learn's definition,
 * including its special cases: 1.0 when both put every point in one cluster or each point alone).
 */
export function adjustedRandIndex(truth: ArrayLike<number>, predicted: ArrayLike<number>): number {
  const n = truth.length;
  if (predicted.length !== n) throw new Error(`ARI: ${n} true labels but ${predicted.length} predicted`);
  const pairs = (count: number) => (count * (count - 1)) / 2;
  const cells = new Map<string, number>();
  const rows = new Map<number, number>();
  const columns = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const key = `${truth[i]}\u0000${predicted[i]}`;
    cells.set(key, (cells.get(key) ?? 0) + 1);
    rows.set(truth[i], (rows.get(truth[i]) ?? 0) + 1);
    columns.set(predicted[i], (columns.get(predicted[i]) ?? 0) + 1);
  }
  if ((rows.size === 1 && columns.size === 1) || (rows.size === n && columns.size === n) || n < 2) return 1;
  let index = 0;
  for (const count of cells.values()) index += pairs(count);
  let rowPairs = 0;
  for (const count of rows.values()) rowPairs += pairs(count);
  let columnPairs = 0;
  for (const count of columns.values()) columnPairs += pairs(count);
  const expected = (rowPairs * columnPairs) / pairs(n);
  const maximum = (rowPairs + columnPairs) / 2;
  return maximum === expected ? 0 : (index - expected) / (maximum - expected);
}
