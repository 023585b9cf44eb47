import * as ort from 'onnxruntime-node';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { kernelThreads, kernelsFor } from './native';

/**
 * Where k-means spends its time: squared distances from every row to a few points (centres or
 * k-means++ candidates) and the per-centre sums of the rows assigned to them. Interchangeable
 * backends: plain float64 loops (exact, the reference), onnxruntime's multithreaded MatMul on the
 * ||x||^2 + ||c||^2 - 2 x.c expansion (models/nearest-center-*.onnx, built by
 * scripts/python/make_nearest_center_model.py), and the native kernel (native/kmeans.c), which
 * assigns and sums in one pass over the data on every core.
 */
export interface DistanceBackend {
  /**
   * Squared distances from each row to each of `m` points (row-major n x m). Float32 from the
   * float32 backend: k-means++ only compares and sums them, and halving the memory traffic of
   * this n x m matrix is what makes seeding fast.
   */
  distancesTo(points: Float64Array, m: number): Promise<Float32Array | Float64Array>;
  /** Nearest of `k` centres per row, with its squared distance. */
  nearest(centers: Float64Array, k: number): Promise<{ labels: Int32Array; distances: Float64Array }>;
  /** One Lloyd step's work: nearest centres plus the sum and count of the rows each one got. */
  assign(centers: Float64Array, k: number): Promise<Assignment>;
  dispose(): Promise<void>;
}

export interface Assignment {
  labels: Int32Array;
  distances: Float64Array;
  /** k x d sums of the rows assigned to each centre, in float64. */
  sums: Float64Array;
  counts: Float64Array;
}

/** assign() for backends whose kernel only finds the nearest centres. */
function sumRowsByLabel(data: Float32Array, n: number, d: number, k: number, nearest: { labels: Int32Array; distances: Float64Array }): Assignment {
  const sums = new Float64Array(k * d);
  const counts = new Float64Array(k);
  const { labels } = nearest;
  for (let i = 0, row = 0; i < n; i++, row += d) {
    const base = labels[i] * d;
    counts[labels[i]]++;
    for (let j = 0; j < d; j++) sums[base + j] += data[row + j];
  }
  return { ...nearest, sums, counts };
}

export function nativeBackend(data: Float32Array, n: number, d: number): DistanceBackend {
  const kernels = kernelsFor('native', 'k-means')!;
  const threads = kernelThreads();
  const backend: DistanceBackend = {
    async distancesTo(points, m) {
      const out = new Float32Array(n * m);
      kernels.squaredDistances(data, n, d, Float32Array.from(points), m, threads, out);
      return out;
    },
    async nearest(centers, k) {
      const { labels, distances } = await backend.assign(centers, k);
      return { labels, distances };
    },
    async assign(centers, k) {
      const result = { labels: new Int32Array(n), distances: new Float64Array(n), sums: new Float64Array(k * d), counts: new Float64Array(k) };
      kernels.kmeansAssign(data, n, d, Float32Array.from(centers), k, threads, result.labels, result.distances, result.sums, result.counts);
      return result;
    },
    async dispose() {},
  };
  return backend;
}

export function jsBackend(data: Float32Array, n: number, d: number): DistanceBackend {
  const squared = (i: number, points: Float64Array, p: number) => {
    let sum = 0;
    for (let j = 0; j < d; j++) {
      const diff = data[i * d + j] - points[p * d + j];
      sum += diff * diff;
    }
    return sum;
  };
  return {
    async distancesTo(points, m) {
      const out = new Float64Array(n * m);
      for (let i = 0; i < n; i++) for (let p = 0; p < m; p++) out[i * m + p] = squared(i, points, p);
      return out;
    },
    async nearest(centers, k) {
      const labels = new Int32Array(n);
      const distances = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let best = Infinity;
        let label = 0;
        for (let c = 0; c < k; c++) {
          const distance = squared(i, centers, c);
          if (distance < best) {
            best = distance;
            label = c;
          }
        }
        labels[i] = label;
        distances[i] = best;
      }
      return { labels, distances };
    },
    async assign(centers, k) {
      return sumRowsByLabel(data, n, d, k, await this.nearest(centers, k));
    },
    async dispose() {},
  };
}

export type Precision = 'f32' | 'f64';

const sessions = new Map<Precision, Promise<ort.InferenceSession>>();

function session(precision: Precision): Promise<ort.InferenceSession> {
  let created = sessions.get(precision);
  if (!created) {
    const model = fileURLToPath(new URL(`./models/nearest-center-${precision}.onnx`, import.meta.url));
    created = ort.InferenceSession.create(model, { intraOpNumThreads: os.availableParallelism(), graphOptimizationLevel: 'all' });
    sessions.set(precision, created);
  }
  return created;
}

/** Rows per onnxruntime call: bounds the n x k score matrix it materializes. */
const CHUNK_ROWS = 262_144;

export async function onnxBackend(data: Float32Array, n: number, d: number, precision: Precision = 'f32'): Promise<DistanceBackend> {
  const runner = await session(precision);
  const tensorType = precision === 'f32' ? 'float32' : 'float64';
  const rows = precision === 'f32' ? data : Float64Array.from(data);
  const rowNorms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < d; j++) sum += data[i * d + j] * data[i * d + j];
    rowNorms[i] = sum;
  }
  const pointTensors = (points: Float64Array, m: number) => {
    const norms = new Float64Array(m);
    for (let p = 0; p < m; p++) for (let j = 0; j < d; j++) norms[p] += points[p * d + j] ** 2;
    const cast = (values: Float64Array) => (precision === 'f32' ? Float32Array.from(values) : values);
    return { C: new ort.Tensor(tensorType, cast(points), [m, d]), C_SQ: new ort.Tensor(tensorType, cast(norms), [m]) };
  };
  const chunks = async (points: Float64Array, m: number, fetch: string[], each: (start: number, output: ort.InferenceSession.OnnxValueMapType) => void) => {
    const tensors = pointTensors(points, m);
    for (let start = 0; start < n; start += CHUNK_ROWS) {
      const count = Math.min(CHUNK_ROWS, n - start);
      const X = new ort.Tensor(tensorType, rows.subarray(start * d, (start + count) * d), [count, d]);
      each(start, await runner.run({ X, ...tensors }, fetch));
    }
  };
  const backend: DistanceBackend = {
    async distancesTo(points, m) {
      const out = precision === 'f32' ? new Float32Array(n * m) : new Float64Array(n * m);
      await chunks(points, m, ['SCORES'], (start, output) => {
        const scores = output.SCORES.data as Float32Array | Float64Array;
        const rowsInChunk = scores.length / m;
        for (let r = 0; r < rowsInChunk; r++) {
          const norm = rowNorms[start + r];
          const base = r * m;
          const target = (start + r) * m;
          for (let p = 0; p < m; p++) {
            const value = scores[base + p] + norm;
            out[target + p] = value > 0 ? value : 0;
          }
        }
      });
      return out;
    },
    async nearest(centers, k) {
      const labels = new Int32Array(n);
      const distances = new Float64Array(n);
      await chunks(centers, k, ['LABELS', 'BEST'], (start, output) => {
        const chunkLabels = output.LABELS.data as BigInt64Array;
        const best = output.BEST.data as Float32Array | Float64Array;
        for (let r = 0; r < chunkLabels.length; r++) {
          labels[start + r] = Number(chunkLabels[r]);
          distances[start + r] = Math.max(0, best[r] + rowNorms[start + r]);
        }
      });
      return { labels, distances };
    },
    async assign(centers, k) {
      return sumRowsByLabel(data, n, d, k, await backend.nearest(centers, k));
    },
    async dispose() {},
  };
  return backend;
}
