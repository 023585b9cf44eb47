import * as ort from 'onnxruntime-node';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Matrix } from './internal';

/**
 * What the silhouette spends its time on: for each point, the sum of its distances to the members
 * of every cluster. Computed block by block (B x M distances at a time, never n x n) with
 * onnxruntime: one Gemm on rows augmented so that it yields ||x||^2 + ||y||^2 - 2 x.y (or 1 - cos)
 * directly, then sqrt, then a MatMul with the one-hot labels of the block's columns that sums the
 * distances per cluster inside the graph (models/pair-distance-sums-*.onnx, built by
 * scripts/python/make_pair_distance_model.py). Only B x k sums come back to JavaScript, and they are
 * accumulated in float64.
 *
 * Why onnxruntime and not a JavaScript loop: on a 2048 x 2048 x 384 block the whole graph runs at
 * 25-55 GFLOP/s in float64 and 50-105 GFLOP/s in float32 on the two (shared) cores we measured
 * on, while a register-blocked JavaScript loop computing only the dot products manages 1.7-3.3
 * (float64 accumulation) on one thread: 10-30x, more than worker threads could make up
 * (`npm run bench -- silhouette` measures both: `kernel_choice`).
 *
 * Precision: 'f64' computes the expansion in float64 on float64 copies of the float32 data, as
 * scikit-learn does for float32 input (it upcasts in chunks); results agree with it to ~1e-14.
 * 'f32' is about twice as fast; its distances carry float32 rounding of the expansion (relative
 * error ~1e-7 * ||x||^2 / ||x - y||^2 on a pair; up to 1.4e-6 on the mean in our fixtures), fine
 * for a sampled estimate whose statistical error is orders of magnitude larger. Euclidean rows are
 * centred on the population mean first (the distance is translation-invariant, and smaller norms
 * mean less cancellation).
 *
 * onnxruntime-node runs a session synchronously on the main thread; the event loop gets a turn
 * between blocks (one block is ~0.1 s), so activity heartbeats still go out.
 */
export type DistanceMetric = 'euclidean' | 'cosine';
export type Precision = 'f32' | 'f64';

/** The points a silhouette is computed over: rows of a matrix (noise already left out) with their clusters. */
export interface Population {
  matrix: Matrix;
  /** Row of `matrix` of each member, in population order. */
  rows: Int32Array;
  /** Cluster 0..k-1 of each member. */
  labels: Int32Array;
  k: number;
}

export interface PairDistanceOptions {
  metric: DistanceMetric;
  precision: Precision;
  /** Rows per block on the scored side (default 2,048). */
  blockRows?: number;
  /** Entries per distance block, which sets the column-block size of clusterDistanceSumsFor (default: 32 MiB of them). */
  blockEntries?: number;
}

type Floats = Float32Array | Float64Array;

const sessions = new Map<string, Promise<ort.InferenceSession>>();

function session(metric: DistanceMetric, precision: Precision): Promise<ort.InferenceSession> {
  const key = `${metric}-${precision}`;
  let created = sessions.get(key);
  if (!created) {
    const model = fileURLToPath(new URL(`./models/pair-distance-sums-${key}.onnx`, import.meta.url));
    created = ort.InferenceSession.create(model, { intraOpNumThreads: os.availableParallelism(), graphOptimizationLevel: 'all' });
    sessions.set(key, created);
  }
  return created;
}

/** Releases the cached onnxruntime sessions (a later call creates them again). */
export async function releasePairDistanceSessions(): Promise<void> {
  const open = [...sessions.values()];
  sessions.clear();
  for (const created of open) await (await created).release();
}

/** Bytes per distance block (the graph holds about three of them): fewer, larger runs amortize each run's fixed cost. */
const BLOCK_BYTES = 32 << 20;
const BLOCK_ROWS = 2048;

/**
 * Rows in the layout the graph expects, width d + 2. Scored side X = [u, |u|^2, 1], column side
 * Y = [-2u, 1, |u|^2] with u = x - mean (euclidean: X.Y = |x - y|^2); cosine: X = [v, 1, 0],
 * Y = [-v, 1, 0] with v = x / |x| (X.Y = 1 - cos; a zero row has cos 0, as in scikit-learn).
 */
class AugmentedRows {
  readonly width: number;
  private readonly shift: Float64Array;

  constructor(private readonly population: Population, private readonly options: PairDistanceOptions) {
    const { matrix, rows } = population;
    this.width = matrix.d + 2;
    this.shift = new Float64Array(matrix.d);
    if (options.metric === 'euclidean') {
      for (let p = 0; p < rows.length; p++) {
        const offset = rows[p] * matrix.d;
        for (let j = 0; j < matrix.d; j++) this.shift[j] += matrix.data[offset + j];
      }
      for (let j = 0; j < matrix.d; j++) this.shift[j] /= rows.length;
    }
  }

  allocate(count: number): Floats {
    return this.options.precision === 'f32' ? new Float32Array(count * this.width) : new Float64Array(count * this.width);
  }

  /** Writes the members at `positions` into `out` (scored side when `scored`, else column side). */
  fill(out: Floats, positions: ArrayLike<number>, scored: boolean): void {
    const { matrix, rows } = this.population;
    const { d, data } = matrix;
    const { width, shift } = this;
    const euclidean = this.options.metric === 'euclidean';
    const single = this.options.precision === 'f32';
    const factor = scored ? 1 : euclidean ? -2 : -1;
    const row = new Float64Array(width);
    for (let r = 0; r < positions.length; r++) {
      const offset = rows[positions[r]] * d;
      let scale = 1;
      if (!euclidean) {
        let squared = 0;
        for (let j = 0; j < d; j++) squared += data[offset + j] * data[offset + j];
        scale = squared > 0 ? 1 / Math.sqrt(squared) : 0;
      }
      // The norm is taken of the values as stored (rounded to the tensor's precision), so that a
      // row against itself cancels to rounding level.
      let stored = 0;
      for (let j = 0; j < d; j++) {
        const centred = (data[offset + j] - shift[j]) * scale;
        const value = single ? Math.fround(centred) : centred;
        stored += value * value;
        row[j] = factor * value;
      }
      row[d] = euclidean && scored ? stored : 1;
      row[d + 1] = !euclidean ? 0 : scored ? 1 : stored;
      out.set(row, r * width);
    }
  }
}

interface Block {
  positions: Int32Array;
  tensor: ort.Tensor;
  /** One-hot labels: [rows, k] on the column side, transposed [k, rows] on the scored side. */
  onehot: ort.Tensor;
}

function oneHot(population: Population, positions: Int32Array, precision: Precision, transposed: boolean): Floats {
  const { k, labels } = population;
  const b = positions.length;
  const out = precision === 'f32' ? new Float32Array(b * k) : new Float64Array(b * k);
  for (let r = 0; r < b; r++) out[transposed ? labels[positions[r]] * b + r : r * k + labels[positions[r]]] = 1;
  return out;
}

function makeBlock(population: Population, augmented: AugmentedRows, positions: Int32Array, scored: boolean, precision: Precision): Block {
  const values = augmented.allocate(positions.length);
  augmented.fill(values, positions, scored);
  const type = precision === 'f32' ? 'float32' : 'float64';
  return {
    positions,
    tensor: new ort.Tensor(type, values, [positions.length, augmented.width]),
    onehot: new ort.Tensor(type, oneHot(population, positions, precision, scored), scored ? [population.k, positions.length] : [positions.length, population.k]),
  };
}

function range(start: number, end: number): Int32Array {
  const out = new Int32Array(end - start);
  for (let i = 0; i < out.length; i++) out[i] = start + i;
  return out;
}

/**
 * sums[p * k + c]: the sum of distances from member p to the members of cluster c, itself left
 * out, for every member. Each unordered pair of blocks is visited once (the distance matrix is
 * symmetric): one run gives the row sums of block (I, J) and the column sums, i.e. block (J, I).
 * Time O(n^2 (d + k) / 2), memory O(n k + B^2).
 */
export async function clusterDistanceSums(population: Population, options: PairDistanceOptions): Promise<Float64Array> {
  const n = population.rows.length;
  const { k } = population;
  const runner = await session(options.metric, options.precision);
  const augmented = new AugmentedRows(population, options);
  const type = options.precision === 'f32' ? 'float32' : 'float64';
  const sums = new Float64Array(n * k);
  const size = Math.max(1, Math.min(options.blockRows ?? BLOCK_ROWS, n));
  for (let startI = 0; startI < n; startI += size) {
    const scored = makeBlock(population, augmented, range(startI, Math.min(n, startI + size)), true, options.precision);
    const b = scored.positions.length;
    const selfIndex = new BigInt64Array(b);
    for (let r = 0; r < b; r++) selfIndex[r] = BigInt(r);
    for (let startJ = startI; startJ < n; startJ += size) {
      const diagonal = startJ === startI;
      const columns = makeBlock(population, augmented, range(startJ, Math.min(n, startJ + size)), false, options.precision);
      const output = await runner.run({
        X: scored.tensor,
        Y: columns.tensor,
        YOH: columns.onehot,
        // On the diagonal block the row sums already cover both orders of every pair.
        XOH_T: diagonal ? new ort.Tensor(type, augmented.allocate(0), [0, b]) : scored.onehot,
        SELF_INDEX: new ort.Tensor('int64', diagonal ? selfIndex : new BigInt64Array(b), [b, 1]),
      });
      accumulate(sums, k, scored.positions, output.ROWS.data as Floats);
      if (diagonal) {
        const self = output.SELF_DISTANCE.data as Floats;
        for (let r = 0; r < b; r++) {
          const p = scored.positions[r];
          sums[p * k + population.labels[p]] -= self[r];
        }
      } else {
        accumulateTransposed(sums, k, columns.positions, output.COLS.data as Floats);
      }
    }
  }
  return sums;
}

/**
 * The same sums for the members at `positions` only, each against all n members (the scored rows
 * are the X side, the whole population streams past as Y blocks). Time O(|positions| n (d + k)),
 * memory O(|positions| k + B M).
 */
export async function clusterDistanceSumsFor(population: Population, positions: Int32Array, options: PairDistanceOptions): Promise<Float64Array> {
  const n = population.rows.length;
  const { k } = population;
  const runner = await session(options.metric, options.precision);
  const augmented = new AugmentedRows(population, options);
  const type = options.precision === 'f32' ? 'float32' : 'float64';
  const sums = new Float64Array(positions.length * k);
  const chunkRows = Math.max(1, Math.min(options.blockRows ?? BLOCK_ROWS, positions.length));
  const chunks: { block: Block; offset: number; noColumns: ort.Tensor }[] = [];
  for (let offset = 0; offset < positions.length; offset += chunkRows) {
    const block = makeBlock(population, augmented, positions.subarray(offset, Math.min(positions.length, offset + chunkRows)), true, options.precision);
    chunks.push({ block, offset, noColumns: new ort.Tensor(type, augmented.allocate(0), [0, block.positions.length]) });
  }
  const entries = options.blockEntries ?? BLOCK_BYTES / (options.precision === 'f32' ? 4 : 8);
  const columnsPerBlock = Math.max(1, Math.min(n, Math.floor(entries / chunkRows)));
  const local = range(0, positions.length);
  for (let startJ = 0; startJ < n; startJ += columnsPerBlock) {
    const endJ = Math.min(n, startJ + columnsPerBlock);
    const columns = makeBlock(population, augmented, range(startJ, endJ), false, options.precision);
    for (const { block, offset, noColumns } of chunks) {
      const b = block.positions.length;
      const selfIndex = new BigInt64Array(b);
      for (let r = 0; r < b; r++) {
        const p = block.positions[r];
        if (p >= startJ && p < endJ) selfIndex[r] = BigInt(p - startJ);
      }
      const output = await runner.run({ X: block.tensor, Y: columns.tensor, YOH: columns.onehot, XOH_T: noColumns, SELF_INDEX: new ort.Tensor('int64', selfIndex, [b, 1]) });
      accumulate(sums, k, local.subarray(offset, offset + b), output.ROWS.data as Floats);
      const self = output.SELF_DISTANCE.data as Floats;
      for (let r = 0; r < b; r++) {
        const p = block.positions[r];
        if (p >= startJ && p < endJ) sums[(offset + r) * k + population.labels[p]] -= self[r];
      }
    }
  }
  return sums;
}

/** sums[target row, c] += values[r, c] (values: [rows, k]). */
function accumulate(sums: Float64Array, k: number, targets: Int32Array, values: Floats): void {
  for (let r = 0; r < targets.length; r++) {
    const target = targets[r] * k;
    const source = r * k;
    for (let c = 0; c < k; c++) sums[target + c] += values[source + c];
  }
}

/** The same from values laid out [k, rows]. */
function accumulateTransposed(sums: Float64Array, k: number, targets: Int32Array, values: Floats): void {
  const rows = targets.length;
  for (let c = 0; c < k; c++) {
    for (let r = 0; r < rows; r++) sums[targets[r] * k + c] += values[c * rows + r];
  }
}
