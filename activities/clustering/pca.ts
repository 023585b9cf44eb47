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

export function fitPca(data: Float32Array, n: number, d: number, components: number): PcaModel {
  if (components < 1 || components > d) throw new Error(`PCA: components=${components} must be in [1, ${d}]`);
  if (n < 2) throw new Error('PCA needs at least 2 rows');
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += data[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  const covariance = new Float64Array(d * d);
  const centered = new Float64Array(d);
  for (let i = 0; i < n; i++) {
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

export function transformPca(model: PcaModel, data: Float32Array, n: number): Float32Array {
  const { dimensions: d, components: m, mean, basis } = model;
  const out = new Float32Array(n * m);
  const centered = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) centered[j] = data[i * d + j] - mean[j];
    for (let c = 0; c < m; c++) {
      let sum = 0;
      for (let j = 0; j < d; j++) sum += centered[j] * basis[c * d + j];
      out[i * m + c] = sum;
    }
  }
  return out;
}

/** Eigenvalues and eigenvectors (columns of `vectors`, row-major d x d) of a symmetric matrix. */
function symmetricEigen(matrix: Float64Array, d: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const vectors = new Float64Array(d * d);
  for (let i = 0; i < d; i++) vectors[i * d + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let offDiagonal = 0;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) offDiagonal += a[p * d + q] ** 2;
    if (offDiagonal < 1e-30) break;
    for (let p = 0; p < d; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = a[p * d + q];
        if (Math.abs(apq) < 1e-300) continue;
        // Rotation that zeroes a[p][q] (Golub & Van Loan, the stable form).
        const theta = (a[q * d + q] - a[p * d + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < d; k++) {
          const akp = a[k * d + p];
          const akq = a[k * d + q];
          a[k * d + p] = c * akp - s * akq;
          a[k * d + q] = s * akp + c * akq;
        }
        for (let k = 0; k < d; k++) {
          const apk = a[p * d + k];
          const aqk = a[q * d + k];
          a[p * d + k] = c * apk - s * aqk;
          a[q * d + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < d; k++) {
          const vkp = vectors[k * d + p];
          const vkq = vectors[k * d + q];
          vectors[k * d + p] = c * vkp - s * vkq;
          vectors[k * d + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(d);
  for (let i = 0; i < d; i++) values[i] = a[i * d + i];
  return { values, vectors };
}
