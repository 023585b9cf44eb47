/**
 * The reduce side of distributed k-means (pure: runs inside the workflow). Each shard's activity
 * returns, for the current centres, per-centre sums and counts of its users' vectors; the workflow
 * adds them up and moves every centre to the mean of its users: one Lloyd iteration over all shards
 * with only k x d numbers per shard in the payloads, the embeddings never move.
 */
export interface ShardPartialSums {
  /** k x d, row-major. */
  sums: number[];
  counts: number[];
  /** Sum of squared distances to the nearest centre. */
  inertia: number;
}

export interface ColumnStats {
  n: number;
  sums: number[];
  sumsOfSquares: number[];
}

/** Per-column mean and 1/std over all shards (constant columns get scale 0, as standardizeColumns does). */
export function combineColumnStats(shards: ColumnStats[]): { mean: number[]; scale: number[]; meanVariance: number } {
  const d = shards[0].sums.length;
  const n = shards.reduce((total, shard) => total + shard.n, 0);
  const mean = new Array<number>(d).fill(0);
  const scale = new Array<number>(d).fill(0);
  let varianceTotal = 0;
  for (let j = 0; j < d; j++) {
    const sum = shards.reduce((total, shard) => total + shard.sums[j], 0);
    const squares = shards.reduce((total, shard) => total + shard.sumsOfSquares[j], 0);
    mean[j] = sum / n;
    const variance = Math.max(0, squares / n - mean[j] * mean[j]);
    varianceTotal += variance;
    scale[j] = variance > 0 ? 1 / Math.sqrt(variance) : 0;
  }
  return { mean, scale, meanVariance: varianceTotal / d };
}

/**
 * New centres from the shards' partial sums; a centre that lost all its users keeps its place
 * (the run converges or reaches maxIterations as usual). Returns the squared centre shift.
 */
export function lloydUpdate(centers: number[], partials: ShardPartialSums[], k: number, d: number): { centers: number[]; shift: number; inertia: number } {
  const next = centers.slice();
  let shift = 0;
  for (let c = 0; c < k; c++) {
    const count = partials.reduce((total, part) => total + part.counts[c], 0);
    if (count === 0) continue;
    for (let j = 0; j < d; j++) {
      const value = partials.reduce((total, part) => total + part.sums[c * d + j], 0) / count;
      shift += (value - centers[c * d + j]) ** 2;
      next[c * d + j] = value;
    }
  }
  return { centers: next, shift, inertia: partials.reduce((total, part) => total + part.inertia, 0) };
}
