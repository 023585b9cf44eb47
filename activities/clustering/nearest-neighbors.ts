import { yieldToEventLoop } from '../../lib/runtime/activity-progress';
import { kernelThreads, kernelsFor, type Engine } from './native';

/**
 * Exact k-nearest-neighbour search by brute force: every query row against every reference row
 * (both row-major Float32, d columns). With the native kernels the squared distances come in
 * blocks from native/kmeans.c (float32, every core) and only the selection runs here; else plain
 * float64 loops. Calls `visit(query, indices, squaredDistances)` for each query row in order, with
 * its `count` nearest reference rows, nearest first; an equal distance keeps the lower index first.
 * The arrays passed to `visit` are reused: copy what must outlive the call.
 */
export async function forEachNearestNeighbors(
  queries: Float32Array, queryCount: number, reference: Float32Array, referenceCount: number, d: number, count: number,
  visit: (query: number, indices: Int32Array, squaredDistances: Float64Array) => void, engine?: Engine,
): Promise<void> {
  if (count < 1 || count > referenceCount) throw new Error(`nearest neighbours: count=${count} must be in 1..${referenceCount}`);
  const indices = new Int32Array(count);
  const distances = new Float64Array(count);
  const select = (distanceTo: (p: number) => number) => {
    indices.fill(-1);
    distances.fill(Infinity);
    for (let p = 0; p < referenceCount; p++) {
      const value = distanceTo(p);
      if (value >= distances[count - 1]) continue;
      let slot = count - 1;
      while (slot > 0 && distances[slot - 1] > value) {
        distances[slot] = distances[slot - 1];
        indices[slot] = indices[slot - 1];
        slot--;
      }
      distances[slot] = value;
      indices[slot] = p;
    }
  };
  const kernels = kernelsFor(engine, 'nearest neighbours');
  // Blocks of query rows against all reference rows: the distance block stays ~32 MB.
  const block = Math.max(1, Math.floor(8_000_000 / referenceCount));
  const out = kernels ? new Float32Array(block * referenceCount) : null;
  for (let start = 0; start < queryCount; start += block) {
    const rows = Math.min(block, queryCount - start);
    if (kernels && out) {
      kernels.squaredDistances(queries.subarray(start * d, (start + rows) * d), rows, d, reference, referenceCount, kernelThreads(), out);
      for (let r = 0; r < rows; r++) {
        const offset = r * referenceCount;
        select((p) => out[offset + p]);
        visit(start + r, indices, distances);
      }
    } else {
      for (let r = start; r < start + rows; r++) {
        const row = r * d;
        select((p) => {
          let sum = 0;
          for (let j = 0, other = p * d; j < d; j++) {
            const diff = queries[row + j] - reference[other + j];
            sum += diff * diff;
          }
          return sum;
        });
        visit(r, indices, distances);
      }
    }
    // A long search must let the activity heartbeat.
    await yieldToEventLoop();
  }
}
