/**
 * Truncated SVD of a sparse matrix by the randomized range finder of Halko, Martinsson & Tropp
 * (2011), Algorithms 4.4 + 5.1: sample the range with a Gaussian test matrix, sharpen it with power
 * iterations (re-orthonormalized every half step, so small singular directions are not lost to
 * rounding), then solve the small problem exactly. Like scikit-learn's TruncatedSVD the data is not
 * centred (LSA), and the output follows its conventions: `components` is components_ and each
 * component's sign is fixed as svd_flip(u_based_decision=False) does, so its largest-magnitude
 * entry (the first such entry on a tie) is positive. The same seed gives bit-identical output.
 */
import { seededRandom } from '../../clustering/random';
import { symmetricEigen } from '../../linear-algebra/symmetric-eigen';
import type { CsrMatrix } from './vectorizer';

export interface TruncatedSvdOptions {
  seed: number;
  /** Extra sampled directions beyond `components` (Halko's p); default 10, as scikit-learn. */
  oversamples?: number;
  /** Power iterations (Halko's q); 'auto' (default) is scikit-learn's: 7 when components < 10% of min(rows, cols), else 4. */
  powerIterations?: number | 'auto';
}

export interface TruncatedSvdModel {
  columns: number;
  componentCount: number;
  /** componentCount x columns, row-major, unit rows (scikit-learn's components_). */
  components: Float64Array;
  singularValues: Float64Array;
  /** Variance of each projected column over the fitted rows, and its share of the data's total variance (as scikit-learn reports it). */
  explainedVariance: Float64Array;
  explainedVarianceRatio: Float64Array;
}

/**
 * `components` may be at most min(rows, cols), the number of singular values there are; a larger
 * request throws instead of being clamped, since downstream code sizes its vectors by it. Singular
 * values below ~1e-7 of the largest are under what the small eigenproblem (on squared values) can
 * resolve: they are reported as 0 with all-zero components, which is also what a matrix of lower
 * rank than requested gets for its surplus components.
 */
export function fitTruncatedSvd(x: CsrMatrix, components: number, options: TruncatedSvdOptions): TruncatedSvdModel {
  const limit = Math.min(x.rows, x.cols);
  if (!Number.isInteger(components) || components < 1 || components > limit) {
    throw new RangeError(`Truncated SVD: components=${components} must be an integer in [1, min(rows, cols)=${limit}]`);
  }
  const oversamples = options.oversamples ?? 10;
  const iterations = options.powerIterations === undefined || options.powerIterations === 'auto'
    ? (components < 0.1 * limit ? 7 : 4)
    : options.powerIterations;
  if (!Number.isInteger(oversamples) || oversamples < 0) throw new RangeError(`Truncated SVD: oversamples=${oversamples} must be a non-negative integer`);
  if (!Number.isInteger(iterations) || iterations < 0) throw new RangeError(`Truncated SVD: powerIterations=${iterations} must be a non-negative integer`);
  // Sampling more directions than min(rows, cols) adds nothing: the range is already spanned.
  const width = Math.min(components + oversamples, limit);
  const range = rangeBasis(x, width, iterations, options.seed);
  const { basis, singularValues } = rightSingularVectors(multiplyTransposed(x, range, width), x.cols, width, components);
  return { columns: x.cols, componentCount: components, components: basis, singularValues, ...explainedVariance(x, basis, components) };
}

/** X · componentsᵀ: one row of `componentCount` values per row of x. */
export function transformSvd(model: TruncatedSvdModel, x: CsrMatrix): Float32Array {
  return Float32Array.from(project(model.components, model.componentCount, model.columns, x));
}

/** Q (rows x width, orthonormal columns) approximately spanning X's top left singular directions. */
function rangeBasis(x: CsrMatrix, width: number, iterations: number, seed: number): Float64Array {
  const range = multiply(x, gaussianMatrix(x.cols, width, seed), width);
  orthonormalizeColumns(range, x.rows, width);
  for (let q = 0; q < iterations; q++) {
    const back = multiplyTransposed(x, range, width);
    orthonormalizeColumns(back, x.cols, width);
    range.set(multiply(x, back, width));
    orthonormalizeColumns(range, x.rows, width);
  }
  return range;
}

/**
 * The top singular values and right singular vectors of B = Qᵀ X, given Bᵀ (cols x width). They come
 * from B Bᵀ = W Λ Wᵀ: the right singular vectors are Bᵀ W / σ, signs fixed as svd_flip does.
 */
function rightSingularVectors(bTransposed: Float64Array, cols: number, width: number, components: number): { basis: Float64Array; singularValues: Float64Array } {
  const gram = new Float64Array(width * width);
  for (let j = 0; j < cols; j++) {
    const row = j * width;
    for (let a = 0; a < width; a++) {
      const value = bTransposed[row + a];
      if (value === 0) continue;
      for (let b = a; b < width; b++) gram[a * width + b] += value * bTransposed[row + b];
    }
  }
  for (let a = 0; a < width; a++) for (let b = 0; b < a; b++) gram[a * width + b] = gram[b * width + a];
  const { values, vectors } = symmetricEigen(gram, width);
  const order = Array.from({ length: width }, (_, i) => i).sort((a, b) => values[b] - values[a]);
  // Eigenvalues below this are rounding noise of the largest (relative error ~ width * 2^-52).
  const resolvable = 1e-14 * values[order[0]];

  const basis = new Float64Array(components * cols);
  const singularValues = new Float64Array(components);
  for (let c = 0; c < components; c++) {
    const w = order[c];
    if (!(values[w] > resolvable)) continue;
    const component = basis.subarray(c * cols, (c + 1) * cols);
    let squares = 0;
    for (let j = 0; j < cols; j++) {
      let sum = 0;
      for (let a = 0; a < width; a++) sum += bTransposed[j * width + a] * vectors[a * width + w];
      component[j] = sum;
      squares += sum * sum;
    }
    // ‖Bᵀw‖ is σ itself, and more accurate than √λ for the smaller values.
    singularValues[c] = Math.sqrt(squares);
    const largest = component.reduce((best, value) => (Math.abs(value) > Math.abs(best) ? value : best), 0);
    const scale = (largest < 0 ? -1 : 1) / singularValues[c];
    for (let j = 0; j < cols; j++) component[j] *= scale;
  }
  return { basis, singularValues };
}

function project(basis: Float64Array, components: number, columns: number, x: CsrMatrix): Float64Array {
  if (x.cols !== columns) throw new RangeError(`Truncated SVD: matrix has ${x.cols} columns, the model ${columns}`);
  const out = new Float64Array(x.rows * components);
  for (let i = 0; i < x.rows; i++) {
    for (let k = x.indptr[i]; k < x.indptr[i + 1]; k++) {
      const column = x.indices[k];
      const value = x.values[k];
      for (let c = 0; c < components; c++) out[i * components + c] += value * basis[c * columns + column];
    }
  }
  return out;
}

/**
 * scikit-learn's definition: population variance of each projected column over the variance summed
 * over X's columns. Both are two-pass (mean first), so a large mean does not cancel the variance away.
 */
function explainedVariance(x: CsrMatrix, basis: Float64Array, components: number): { explainedVariance: Float64Array; explainedVarianceRatio: Float64Array } {
  const projected = project(basis, components, x.cols, x);
  const variance = new Float64Array(components);
  for (let c = 0; c < components; c++) {
    let mean = 0;
    for (let i = 0; i < x.rows; i++) mean += projected[i * components + c] / x.rows;
    for (let i = 0; i < x.rows; i++) variance[c] += (projected[i * components + c] - mean) ** 2 / x.rows;
  }
  const stored = x.indptr[x.rows];
  const columnMean = new Float64Array(x.cols);
  const storedInColumn = new Int32Array(x.cols);
  for (let k = 0; k < stored; k++) {
    columnMean[x.indices[k]] += x.values[k] / x.rows;
    storedInColumn[x.indices[k]]++;
  }
  // The implicit zeros of column j each add mean_j² to its sum of squared deviations.
  let total = columnMean.reduce((sum, mean, j) => sum + ((x.rows - storedInColumn[j]) * mean * mean) / x.rows, 0);
  for (let k = 0; k < stored; k++) total += (x.values[k] - columnMean[x.indices[k]]) ** 2 / x.rows;
  return { explainedVariance: variance, explainedVarianceRatio: variance.map((value) => (total > 0 ? value / total : 0)) };
}

/** rows x width standard normals (Box-Muller over mulberry32), row-major. */
function gaussianMatrix(rows: number, width: number, seed: number): Float64Array {
  const random = seededRandom(seed);
  const out = new Float64Array(rows * width);
  for (let i = 0; i < out.length; i += 2) {
    const radius = Math.sqrt(-2 * Math.log(1 - random())); // 1 - u is in (0, 1], so the log is finite
    const angle = 2 * Math.PI * random();
    out[i] = radius * Math.cos(angle);
    if (i + 1 < out.length) out[i + 1] = radius * Math.sin(angle);
  }
  return out;
}

/** X (rows x cols) times a dense cols x width matrix. */
function multiply(x: CsrMatrix, dense: Float64Array, width: number): Float64Array {
  const out = new Float64Array(x.rows * width);
  for (let i = 0; i < x.rows; i++) {
    const target = i * width;
    for (let k = x.indptr[i]; k < x.indptr[i + 1]; k++) {
      const source = x.indices[k] * width;
      const value = x.values[k];
      for (let c = 0; c < width; c++) out[target + c] += value * dense[source + c];
    }
  }
  return out;
}

/** Xᵀ (cols x rows) times a dense rows x width matrix. */
function multiplyTransposed(x: CsrMatrix, dense: Float64Array, width: number): Float64Array {
  const out = new Float64Array(x.cols * width);
  for (let i = 0; i < x.rows; i++) {
    const source = i * width;
    for (let k = x.indptr[i]; k < x.indptr[i + 1]; k++) {
      const target = x.indices[k] * width;
      const value = x.values[k];
      for (let c = 0; c < width; c++) out[target + c] += value * dense[source + c];
    }
  }
  return out;
}

/**
 * Gram-Schmidt on the columns of a rows x width row-major matrix, each column projected out twice
 * (CGS2: "twice is enough" for orthogonality to machine precision even after heavy cancellation,
 * and every sweep reads whole rows, which the strided column access of modified Gram-Schmidt does
 * not). A column left with only rounding noise is set to zero, not inflated into a spurious direction.
 */
function orthonormalizeColumns(matrix: Float64Array, rows: number, width: number): void {
  const dots = new Float64Array(width);
  for (let c = 0; c < width; c++) {
    const before = columnNorm(matrix, rows, width, c);
    for (let pass = 0; pass < 2 && c > 0; pass++) {
      dots.fill(0);
      for (let i = 0; i < rows; i++) {
        const row = i * width;
        const value = matrix[row + c];
        if (value === 0) continue;
        for (let p = 0; p < c; p++) dots[p] += matrix[row + p] * value;
      }
      for (let i = 0; i < rows; i++) {
        const row = i * width;
        let projection = 0;
        for (let p = 0; p < c; p++) projection += dots[p] * matrix[row + p];
        matrix[row + c] -= projection;
      }
    }
    const after = columnNorm(matrix, rows, width, c);
    const scale = after > 1e-12 * before ? 1 / after : 0;
    for (let i = 0; i < rows; i++) matrix[i * width + c] *= scale;
  }
}

function columnNorm(matrix: Float64Array, rows: number, width: number, column: number): number {
  let sum = 0;
  for (let i = 0; i < rows; i++) sum += matrix[i * width + column] ** 2;
  return Math.sqrt(sum);
}
