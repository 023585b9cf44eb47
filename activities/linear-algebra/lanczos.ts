import { yieldWhenDue } from '../../lib/runtime/activity-progress';
import { tridiagonalEigen } from './tridiagonal-eigen';

/** A symmetric linear map of `size`-vectors, given only by its product (a sparse matrix need not be formed). */
export interface SymmetricOperator {
  size: number;
  /** out = A x */
  apply(x: Float64Array, out: Float64Array): void;
}

export interface LanczosOptions {
  /** How many of the largest eigenpairs to find. */
  count: number;
  /** Draws the start vector (and a fresh one after a breakdown): the same stream gives the same result. */
  random: () => number;
  /** Known orthonormal eigenvectors to leave out: the search runs in their orthogonal complement. */
  deflated?: Float64Array[];
  /** Stop when every wanted Ritz pair has ||A x - theta x|| at most this (absolute: meant for operators of norm about 1). */
  tolerance?: number;
}

export interface Eigenpairs {
  /** Descending. */
  values: Float64Array;
  vectors: Float64Array[];
  /** Lanczos steps taken (the dimension of the Krylov space). */
  steps: number;
  /** The largest residual norm among the returned pairs (0 when the whole space was spanned). */
  residual: number;
}

/**
 * The `count` largest eigenpairs of a symmetric operator by the Lanczos method with full
 * reorthogonalization (Golub & Van Loan, Matrix Computations, 4th ed., 10.1-10.3): each step costs
 * one product plus O(steps x size) for keeping the basis orthogonal, and the extreme eigenvalues
 * converge after far fewer steps than the size (the rate depends on the square root of the
 * relative gap, where power or subspace iteration depend on the gap itself). Full
 * reorthogonalization keeps spurious copies of converged values out. When the Krylov space closes
 * (an invariant subspace was found), the search continues from a fresh random vector orthogonal to
 * it, so eigenvalues the start vector missed (repeated ones) are still found; at the latest, when
 * the basis spans the whole space, the result is exact.
 */
export async function largestEigenpairs(operator: SymmetricOperator, options: LanczosOptions): Promise<Eigenpairs> {
  const { size } = operator;
  const deflated = options.deflated ?? [];
  const dimension = size - deflated.length;
  const { count } = options;
  const tolerance = options.tolerance ?? 1e-8;
  if (count < 1 || count > dimension) throw new Error(`largestEigenpairs: count=${count} must be in 1..${dimension}`);
  const basis: Float64Array[] = [];
  const alpha: number[] = [];
  const beta: number[] = [];
  const product = new Float64Array(size);
  let vector = freshVector(size, options.random, deflated, basis);
  let nextCheck = Math.min(dimension, count + 20);
  // Thousands of synchronous steps: let the activity heartbeat in between.
  const due = yieldWhenDue();
  for (let steps = 1; ; steps++) {
    await due();
    basis.push(vector);
    operator.apply(vector, product);
    const a = dot(vector, product);
    alpha.push(a);
    axpy(-a, vector, product);
    if (steps > 1) axpy(-beta[steps - 2], basis[steps - 2], product);
    // Twice is enough (Kahan's "twice is enough" for Gram-Schmidt).
    for (let pass = 0; pass < 2; pass++) orthogonalize(product, deflated, basis);
    const b = Math.sqrt(dot(product, product));
    if (steps === dimension) return ritzPairs(basis, alpha, beta, count, 0, true);
    const breakdown = b <= 1e-10 * Math.max(1, Math.abs(a));
    if (!breakdown && steps >= nextCheck) {
      const pairs = ritzPairs(basis, alpha, beta, count, b, false);
      if (pairs.residual <= tolerance) return ritzPairs(basis, alpha, beta, count, b, true);
      nextCheck = Math.min(dimension, steps + Math.max(10, Math.floor(steps / 4)));
    }
    if (breakdown) {
      vector = freshVector(size, options.random, deflated, basis);
      beta.push(0);
    } else {
      vector = Float64Array.from(product, (value) => value / b);
      beta.push(b);
    }
  }
}

/**
 * Ritz pairs of the Krylov basis; residual from the last coefficient (||A x - theta x|| = b |y_last|).
 * Without vectors only the last row of the tridiagonal's eigenvectors is computed (O(steps^2)).
 */
function ritzPairs(basis: Float64Array[], alpha: number[], beta: number[], count: number, b: number, withVectors: boolean): Eigenpairs {
  const steps = alpha.length;
  const { values, vectors: y } = tridiagonalEigen(alpha, beta.slice(0, steps - 1), withVectors ? undefined : [steps - 1]);
  const last = withVectors ? steps - 1 : 0;
  const size = basis[0].length;
  const wanted = Array.from({ length: count }, (_, i) => steps - 1 - i);
  const residual = Math.max(...wanted.map((column) => Math.abs(b * y[last * steps + column])));
  const vectors = withVectors
    ? wanted.map((column) => {
      const x = new Float64Array(size);
      for (let j = 0; j < steps; j++) axpy(y[j * steps + column], basis[j], x);
      return x;
    })
    : [];
  return { values: Float64Array.from(wanted, (column) => values[column]), vectors, steps, residual };
}

function freshVector(size: number, random: () => number, deflated: Float64Array[], basis: Float64Array[]): Float64Array {
  const vector = Float64Array.from({ length: size }, () => random() - 0.5);
  for (let pass = 0; pass < 2; pass++) orthogonalize(vector, deflated, basis);
  const norm = Math.sqrt(dot(vector, vector));
  for (let i = 0; i < size; i++) vector[i] /= norm;
  return vector;
}

function orthogonalize(vector: Float64Array, ...sets: Float64Array[][]): void {
  for (const set of sets) for (const other of set) axpy(-dot(other, vector), other, vector);
}

function dot(x: Float64Array, y: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i] * y[i];
  return sum;
}

/** y += a x */
function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i] += a * x[i];
}
