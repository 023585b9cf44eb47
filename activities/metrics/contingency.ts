/**
 * How many points fall in each (true class, predicted cluster) pair: the input of every external
 * clustering metric. Stored sparsely (only non-empty cells, at most one per point), so memory is
 * O(n + non-empty cells) even when every point is its own cluster and a dense table would be n x n.
 *
 * Labels are arbitrary numbers. -1 (noise in DBSCAN / HDBSCAN output) gets no special treatment: it
 * is one more cluster, exactly as in scikit-learn's `contingency_matrix`. Drop noise points before
 * calling if they should not be scored.
 */
export interface ContingencyTable {
  /** Distinct true labels, ascending; row r of the table is the class `rows[r]`. */
  rows: number[];
  /** Distinct predicted labels, ascending; column c of the table is the cluster `columns[c]`. */
  columns: number[];
  /** Points per true class (row sums). */
  rowSums: Int32Array;
  /** Points per predicted cluster (column sums). */
  columnSums: Int32Array;
  /** Non-empty cells in row-major order: `cellCounts[k]` points have row `cellRows[k]` and column `cellColumns[k]`. */
  cellRows: Int32Array;
  cellColumns: Int32Array;
  cellCounts: Int32Array;
  /** Number of points. */
  n: number;
}

/** Above this many cells per point, counting in a dense rows x columns array would cost more than O(n). */
const DENSE_CELLS_PER_POINT = 4;

export function contingencyTable(truth: ArrayLike<number>, predicted: ArrayLike<number>): ContingencyTable {
  const n = truth.length;
  if (predicted.length !== n) throw new Error(`contingency table: ${n} true labels but ${predicted.length} predicted`);
  const { labels: rows, indexOf: rowOf } = indexLabels(truth, 'true');
  const { labels: columns, indexOf: columnOf } = indexLabels(predicted, 'predicted');
  const width = columns.length;
  // rows * columns <= n^2 <= 2^53 for any array JavaScript can hold, so the cell keys are exact.
  const cells = rows.length * width <= DENSE_CELLS_PER_POINT * n + 1024
    ? countDense(rowOf, columnOf, rows.length * width, width)
    : countSorted(rowOf, columnOf, width);
  const rowSums = new Int32Array(rows.length);
  const columnSums = new Int32Array(width);
  for (let k = 0; k < cells.cellCounts.length; k++) {
    rowSums[cells.cellRows[k]] += cells.cellCounts[k];
    columnSums[cells.cellColumns[k]] += cells.cellCounts[k];
  }
  return { rows, columns, rowSums, columnSums, ...cells, n };
}

/** The table as a dense rows x columns matrix (for reports and tests; n x n when every point is alone). */
export function denseCounts(table: ContingencyTable): number[][] {
  const dense = table.rows.map(() => new Array<number>(table.columns.length).fill(0));
  for (let k = 0; k < table.cellCounts.length; k++) dense[table.cellRows[k]][table.cellColumns[k]] = table.cellCounts[k];
  return dense;
}

type Cells = Pick<ContingencyTable, 'cellRows' | 'cellColumns' | 'cellCounts'>;

function indexLabels(values: ArrayLike<number>, which: string): { labels: number[]; indexOf: Int32Array } {
  const distinct = new Set<number>();
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i])) throw new Error(`contingency table: ${which} label ${i} is NaN`);
    distinct.add(values[i]);
  }
  const labels = [...distinct].sort((a, b) => a - b);
  const position = new Map(labels.map((label, index) => [label, index]));
  const indexOf = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) indexOf[i] = position.get(values[i])!;
  return { labels, indexOf };
}

function countDense(rowOf: Int32Array, columnOf: Int32Array, size: number, width: number): Cells {
  const counts = new Int32Array(size);
  for (let i = 0; i < rowOf.length; i++) counts[rowOf[i] * width + columnOf[i]] += 1;
  let nonEmpty = 0;
  for (let key = 0; key < size; key++) if (counts[key] > 0) nonEmpty += 1;
  const cells = emptyCells(nonEmpty);
  let k = 0;
  for (let key = 0; key < size; key++) {
    if (counts[key] === 0) continue;
    cells.cellRows[k] = Math.floor(key / width);
    cells.cellColumns[k] = key % width;
    cells.cellCounts[k] = counts[key];
    k += 1;
  }
  return cells;
}

/** Many sparse cells (e.g. most points alone): sort the cell key of each point and count runs. */
function countSorted(rowOf: Int32Array, columnOf: Int32Array, width: number): Cells {
  const keys = new Float64Array(rowOf.length);
  for (let i = 0; i < rowOf.length; i++) keys[i] = rowOf[i] * width + columnOf[i];
  keys.sort();
  let nonEmpty = 0;
  for (let i = 0; i < keys.length; i++) if (i === 0 || keys[i] !== keys[i - 1]) nonEmpty += 1;
  const cells = emptyCells(nonEmpty);
  let k = -1;
  for (let i = 0; i < keys.length; i++) {
    if (i === 0 || keys[i] !== keys[i - 1]) {
      k += 1;
      cells.cellRows[k] = Math.floor(keys[i] / width);
      cells.cellColumns[k] = keys[i] % width;
    }
    cells.cellCounts[k] += 1;
  }
  return cells;
}

function emptyCells(size: number): Cells {
  return { cellRows: new Int32Array(size), cellColumns: new Int32Array(size), cellCounts: new Int32Array(size) };
}
