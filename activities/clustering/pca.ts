import { yieldWhenDue } from '../../lib/runtime/activity-progress';
import { symmetricEigen } from '../linear-algebra/symmetric-eigen';
/**
 * PCA by eigendecomposition of the covariance matrix (cyclic Jacobi rotations, float64): exact,
 * dependency-free and fast for embedding widths up to a few hundred, with the data read twice
 * (mean, then covariance). Matches scikit-learn's PCA(svd_solver="full"): components sorted by
 * explained variance, each component's sign fixed so its largest-magnitude entry is positive.
 */
export interface PcaModel {
  dimensions: number;
  components: number;
  mean: Float64Array;
  /** components x dimensions, row-major. */
  basis: Float64Array;
  explainedVariance: Float64Array;
  explainedVarianceRatio: Float64Array;
}

export async function fitPca(data: Float32Array, n: number, d: number, components: number): Promise<PcaModel> {
  if (components < 1 || components > d) throw new Error(`PCA: components=${components} must be in [1, ${d}]`);
  if (n < 2) throw new Error('PCA needs at least 2 rows');
  // The covariance pass is O(n d^2): a minute at 10^6 users x 384 dimensions; yielding lets heartbeats through.
  const due = yieldWhenDue();
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += data[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  const covariance = new Float64Array(d * d);
  const centered = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    if ((i & 255) === 0) await due();
    for (let j = 0; j < d; j++) centered[j] = data[i * d + j] - mean[j];
    for (let a = 0; a < d; a++) {
      const value = centered[a];
      if (value === 0) continue;
      const row = a * d;
      for (let b = a; b < d; b++) covariance[row + b] += value * centered[b];
    }
  }
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      covariance[a * d + b] /= n - 1;
      covariance[b * d + a] = covariance[a * d + b];
    }
  }
  const { values, vectors } = symmetricEigen(covariance, d);
  const order = Array.from({ length: d }, (_, i) => i).sort((a, b) => values[b] - values[a]);
  const totalVariance = values.reduce((sum, value) => sum + Math.max(value, 0), 0);
  const basis = new Float64Array(components * d);
  const explainedVariance = new Float64Array(components);
  const explainedVarianceRatio = new Float64Array(components);
  order.slice(0, components).forEach((column, c) => {
    let largest = 0;
    for (let j = 0; j < d; j++) if (Math.abs(vectors[j * d + column]) > Math.abs(largest)) largest = vectors[j * d + column];
    const sign = largest < 0 ? -1 : 1;
    for (let j = 0; j < d; j++) basis[c * d + j] = sign * vectors[j * d + column];
    explainedVariance[c] = Math.max(values[column], 0);
    explainedVarianceRatio[c] = totalVariance > 0 ? explainedVariance[c] / totalVariance : 0;
  });
  return { dimensions: d, components, mean, basis, explainedVariance, explainedVarianceRatio };
}

export async function transformPca(model: PcaModel, data: Float32Array, n: number): Promise<Float32Array> {
  const { dimensions: d, components: m, mean, basis } = model;
  const out = new Float32Array(n * m);
  const centered = new Float64Array(d);
  const due = yieldWhenDue();
  for (let i = 0; i < n; i++) {
    if ((i & 1023) === 0) await due();
    for (let j = 0; j < d; j++) centered[j] = data[i * d + j] - mean[j];
    for (let c = 0; c < m; c++) {
      let sum = 0;
      for (let j = 0; j < d; j++) sum += centered[j] * basis[c * d + j];
      out[i * m + c] = sum;
    }
  }
  return out;
}
