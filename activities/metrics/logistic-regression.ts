/**
 * L2-regularised binary logistic regression for the next-purchase check (next-purchase.ts).
 * Checked against scikit-learn in test/unit/next-purchase.test.ts.
 *
 * The model minimises scikit-learn's LogisticRegression objective (C, l2, fit_intercept=True):
 *   sum_i logloss(y_i, x_i.w + b) + ||w||^2 / (2C)     (the intercept b is not penalised)
 * to a tight tolerance, so it lands on the optimum that sklearn's lbfgs approaches to its
 * default tol=1e-4. Labels are 0/1; features are a dense row-major Float64 matrix.
 */

export interface FeatureMatrix {
  data: Float64Array;
  n: number;
  d: number;
}

export interface LogisticModel {
  coefficients: Float64Array;
  intercept: number;
  iterations: number;
  converged: boolean;
  solver: 'newton' | 'lbfgs' | 'intercept-only';
}

export interface LogisticOptions {
  /** Inverse regularisation strength, as in scikit-learn (default 1). */
  C?: number;
  /**
   * 'newton' (exact Hessian, Cholesky; cost n(d+1)^2/2 per iteration, a handful of iterations)
   * or 'lbfgs' (cost 2nd per iteration, more iterations). 'auto' (default) takes newton up to
   * 100 features: it converges in a few passes even where one-hot columns and the intercept
   * are collinear, which leaves first-order methods a badly conditioned problem.
   */
  solver?: 'auto' | 'newton' | 'lbfgs';
  /**
   * Stop when every component of the mean-scaled gradient is below this (default 1e-10;
   * sklearn's default tol is 1e-4). Either solver also stops, as converged, where rounding
   * leaves no further progress to make and the gradient is below 1e-6; L-BFGS, like scipy's,
   * stops once f no longer falls.
   */
  tolerance?: number;
  maxIterations?: number;
  /** Train on these rows only (no copy of the matrix); default all rows. */
  rows?: Int32Array;
  /**
   * Positive weight of each feature row (scikit-learn's sample_weight; default 1): a row of
   * weight w counts as w identical rows, so a fit on distinct rows weighted by their counts
   * minimises the same objective as the fit on every row (see crossValidateSegments).
   */
  weights?: Float64Array;
}

export class NextPurchaseInputError extends Error {
  override name = 'NextPurchaseInputError';
}

const AUTO_NEWTON_MAX_FEATURES = 100;

export function allRows(n: number): Int32Array {
  const rows = new Int32Array(n);
  for (let i = 0; i < n; i++) rows[i] = i;
  return rows;
}

export function checkLabels(labels: ArrayLike<number>, n: number): void {
  if (labels.length !== n) throw new NextPurchaseInputError(`${n} feature rows but ${labels.length} labels`);
  for (let i = 0; i < n; i++) {
    if (labels[i] !== 0 && labels[i] !== 1) throw new NextPurchaseInputError(`label ${i} is ${labels[i]}; labels must be 0 or 1`);
  }
}

export function countPositives(labels: ArrayLike<number>, rows: Int32Array, weights?: Float64Array): number {
  let positives = 0;
  for (let r = 0; r < rows.length; r++) positives += labels[rows[r]] * (weights ? weights[rows[r]] : 1);
  return positives;
}

/** How many rows the training rows stand for: their count, or their total weight. */
function totalWeight(rows: Int32Array, weights?: Float64Array): number {
  if (!weights) return rows.length;
  let total = 0;
  for (let r = 0; r < rows.length; r++) total += weights[rows[r]];
  return total;
}

function checkWeights(weights: Float64Array, n: number): void {
  if (weights.length !== n) throw new NextPurchaseInputError(`${n} feature rows but ${weights.length} weights`);
  for (let i = 0; i < n; i++) {
    if (!(weights[i] > 0 && Number.isFinite(weights[i]))) throw new NextPurchaseInputError(`weight ${i} is ${weights[i]}; weights must be positive and finite`);
  }
}

/** log(1 + e^m) without overflow. */
function softplus(m: number): number {
  return m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m));
}

export function sigmoid(m: number): number {
  if (m >= 0) return 1 / (1 + Math.exp(-m));
  const e = Math.exp(m);
  return e / (1 + e);
}

/** x_i . w + b, where theta = [w..., b]. */
function margin(data: Float64Array, d: number, i: number, theta: Float64Array): number {
  let sum = theta[d];
  const offset = i * d;
  for (let j = 0; j < d; j++) sum += data[offset + j] * theta[j];
  return sum;
}

/** One fit: the training rows of a feature matrix (and their weights) and C. */
interface Problem {
  features: FeatureMatrix;
  labels: ArrayLike<number>;
  rows: Int32Array;
  weights?: Float64Array;
  /** totalWeight(rows, weights): the objective is scaled by it. */
  m: number;
  C: number;
}

/**
 * Mean-scaled objective, and its gradient into `gradient` when given:
 * f = (sum_i softplus(m_i) - y_i m_i + ||w||^2 / (2C)) / m.
 */
function objective(problem: Problem, theta: Float64Array, gradient?: Float64Array): number {
  const { features: { data, d }, labels, rows, weights, m, C } = problem;
  if (gradient) gradient.fill(0);
  // Neumaier-compensated: the line search compares values that differ by ~1e-14 near the optimum.
  let loss = 0;
  let compensation = 0;
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r];
    const weight = weights ? weights[i] : 1;
    const z = margin(data, d, i, theta);
    const term = weight * (softplus(z) - labels[i] * z);
    const sum = loss + term;
    compensation += Math.abs(loss) >= Math.abs(term) ? loss - sum + term : term - sum + loss;
    loss = sum;
    if (gradient) {
      const residual = weight * (sigmoid(z) - labels[i]);
      const offset = i * d;
      for (let j = 0; j < d; j++) gradient[j] += residual * data[offset + j];
      gradient[d] += residual;
    }
  }
  let penalty = 0;
  for (let j = 0; j < d; j++) penalty += theta[j] * theta[j];
  if (gradient) {
    for (let j = 0; j < d; j++) gradient[j] = (gradient[j] + theta[j] / C) / m;
    gradient[d] /= m;
  }
  return (loss + compensation + penalty / (2 * C)) / m;
}

function maxAbs(values: Float64Array): number {
  let max = 0;
  for (const value of values) if (Math.abs(value) > max) max = Math.abs(value);
  return max;
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let j = 0; j < a.length; j++) sum += a[j] * b[j];
  return sum;
}

/** Solves A x = b in place of b for symmetric positive definite A (D x D, row-major, destroyed). */
function choleskySolve(A: Float64Array, b: Float64Array, D: number): void {
  for (let j = 0; j < D; j++) {
    let diagonal = A[j * D + j];
    for (let k = 0; k < j; k++) diagonal -= A[j * D + k] * A[j * D + k];
    if (!(diagonal > 0)) throw new Error('logistic regression: Hessian is not positive definite');
    const root = Math.sqrt(diagonal);
    A[j * D + j] = root;
    for (let i = j + 1; i < D; i++) {
      let sum = A[i * D + j];
      for (let k = 0; k < j; k++) sum -= A[i * D + k] * A[j * D + k];
      A[i * D + j] = sum / root;
    }
  }
  for (let i = 0; i < D; i++) {
    let sum = b[i];
    for (let k = 0; k < i; k++) sum -= A[i * D + k] * b[k];
    b[i] = sum / A[i * D + i];
  }
  for (let i = D - 1; i >= 0; i--) {
    let sum = b[i];
    for (let k = i + 1; k < D; k++) sum -= A[k * D + i] * b[k];
    b[i] = sum / A[i * D + i];
  }
}

/** Differences in f this small are rounding, not progress. */
const LOSS_NOISE = 64 * Number.EPSILON;
/** A stall at the rounding floor still counts as converged below this mean gradient (sklearn's default tol is 1e-4). */
const STALL_GRADIENT = 1e-6;

interface Workspace {
  trial: Float64Array;
  trialGradient: Float64Array;
}

/**
 * Backtracking step theta -= t * direction from t = 1. A step is taken when it passes Armijo's
 * test, or, as in sklearn's Newton solver, when the change in f is within rounding and the
 * gradient shrank: near the optimum the decrease Armijo asks for is below f's precision while
 * the gradient is still measured accurately. Updates theta and gradient; returns the new f, or
 * null when no step helps.
 */
function lineSearch(
  problem: Problem, theta: Float64Array, gradient: Float64Array, direction: Float64Array, value: number, work: Workspace,
): number | null {
  const { trial, trialGradient } = work;
  const slope = dot(gradient, direction);
  const gradientSize = maxAbs(gradient);
  let step = 1;
  for (let attempt = 0; attempt < 60; attempt++) {
    for (let j = 0; j < theta.length; j++) trial[j] = theta[j] - step * direction[j];
    const next = objective(problem, trial, trialGradient);
    const armijo = next <= value - 1e-4 * step * slope;
    const withinRounding = Math.abs(next - value) <= LOSS_NOISE * Math.max(Math.abs(value), 1) && maxAbs(trialGradient) < gradientSize;
    if (armijo || withinRounding) {
      theta.set(trial);
      gradient.set(trialGradient);
      return next;
    }
    step /= 2;
  }
  return null;
}

type Fit = Pick<LogisticModel, 'iterations' | 'converged'> & { theta: Float64Array };

function newton(problem: Problem, tolerance: number, maxIterations: number): Fit {
  const { features: { data, d }, rows, weights, m, C } = problem;
  const D = d + 1;
  const theta = new Float64Array(D);
  const gradient = new Float64Array(D);
  const step = new Float64Array(D);
  const hessian = new Float64Array(D * D);
  const x = new Float64Array(D);
  const work = { trial: new Float64Array(D), trialGradient: new Float64Array(D) };
  x[d] = 1;
  let value = objective(problem, theta, gradient);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    if (maxAbs(gradient) <= tolerance) return { theta, iterations: iteration, converged: true };
    // Lower triangle of X~' diag(p(1-p)) X~ + I/C (intercept unpenalised), mean-scaled.
    hessian.fill(0);
    for (let r = 0; r < rows.length; r++) {
      const i = rows[r];
      const p = sigmoid(margin(data, d, i, theta));
      const weight = p * (1 - p) * (weights ? weights[i] : 1);
      if (weight === 0) continue;
      for (let j = 0, offset = i * d; j < d; j++) x[j] = data[offset + j];
      for (let a = 0; a < D; a++) {
        const wa = weight * x[a];
        if (wa === 0) continue; // one-hot rows are mostly zeros
        const rowOffset = a * D;
        for (let b = 0; b <= a; b++) hessian[rowOffset + b] += wa * x[b];
      }
    }
    for (let a = 0; a < D; a++) {
      for (let b = 0; b < a; b++) hessian[a * D + b] /= m;
      hessian[a * D + a] = hessian[a * D + a] / m + (a < d ? 1 / (C * m) : 0);
    }
    step.set(gradient);
    choleskySolve(hessian, step, D);
    const next = lineSearch(problem, theta, gradient, step, value, work);
    if (next === null) return { theta, iterations: iteration, converged: maxAbs(gradient) <= STALL_GRADIENT };
    value = next;
  }
  return { theta, iterations: maxIterations, converged: maxAbs(gradient) <= tolerance };
}

function lbfgs(problem: Problem, tolerance: number, maxIterations: number): Fit {
  const D = problem.features.d + 1;
  const memory = 10;
  const theta = new Float64Array(D);
  const gradient = new Float64Array(D);
  const previousGradient = new Float64Array(D);
  const previousTheta = new Float64Array(D);
  const direction = new Float64Array(D);
  const work = { trial: new Float64Array(D), trialGradient: new Float64Array(D) };
  const s = Array.from({ length: memory }, () => new Float64Array(D));
  const y = Array.from({ length: memory }, () => new Float64Array(D));
  const rho = new Float64Array(memory);
  const alpha = new Float64Array(memory);
  let stored = 0;
  let newest = -1;
  let value = objective(problem, theta, gradient);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    if (maxAbs(gradient) <= tolerance) return { theta, iterations: iteration, converged: true };
    // Two-loop recursion: direction = H_k gradient (we step along -direction).
    direction.set(gradient);
    for (let back = 0; back < stored; back++) {
      const k = (newest - back + memory) % memory;
      alpha[k] = rho[k] * dot(s[k], direction);
      for (let j = 0; j < D; j++) direction[j] -= alpha[k] * y[k][j];
    }
    const scale = stored > 0 ? 1 / (rho[newest] * dot(y[newest], y[newest])) : 1 / Math.max(1, Math.sqrt(dot(gradient, gradient)));
    for (let j = 0; j < D; j++) direction[j] *= scale;
    for (let forward = stored - 1; forward >= 0; forward--) {
      const k = (newest - forward + memory) % memory;
      const beta = rho[k] * dot(y[k], direction);
      for (let j = 0; j < D; j++) direction[j] += (alpha[k] - beta) * s[k][j];
    }
    previousTheta.set(theta);
    previousGradient.set(gradient);
    const next = lineSearch(problem, theta, gradient, direction, value, work);
    if (next === null) return { theta, iterations: iteration, converged: maxAbs(gradient) <= STALL_GRADIENT };
    // Like scipy's L-BFGS-B (sklearn's lbfgs, ftol = 64 eps), stop once f stops falling: the
    // last stretch of a badly conditioned problem would otherwise crawl at the rounding floor.
    if (value - next <= LOSS_NOISE * Math.max(Math.abs(value), Math.abs(next), 1)) {
      return { theta, iterations: iteration + 1, converged: maxAbs(gradient) <= STALL_GRADIENT };
    }
    value = next;
    const slot = (newest + 1) % memory;
    for (let j = 0; j < D; j++) {
      s[slot][j] = theta[j] - previousTheta[j];
      y[slot][j] = gradient[j] - previousGradient[j];
    }
    const curvature = dot(s[slot], y[slot]);
    if (curvature > 1e-300) {
      rho[slot] = 1 / curvature;
      newest = slot;
      stored = Math.min(stored + 1, memory);
    }
  }
  return { theta, iterations: maxIterations, converged: maxAbs(gradient) <= tolerance };
}

export function fitLogisticRegression(features: FeatureMatrix, labels: ArrayLike<number>, options: LogisticOptions = {}): LogisticModel {
  const { n, d } = features;
  if (features.data.length !== n * d) throw new NextPurchaseInputError(`feature matrix holds ${features.data.length} values, not ${n} x ${d}`);
  checkLabels(labels, n);
  const C = options.C ?? 1;
  if (!(C > 0)) throw new NextPurchaseInputError(`C must be positive, got ${C}`);
  const rows = options.rows ?? allRows(n);
  const { weights } = options;
  if (weights) checkWeights(weights, n);
  const m = totalWeight(rows, weights);
  const positives = countPositives(labels, rows, weights);
  if (positives === 0 || positives === m) {
    throw new NextPurchaseInputError(`training rows hold only ${positives === 0 ? 'non-buyers' : 'buyers'}; need both classes`);
  }
  const solver = options.solver === 'auto' || options.solver === undefined
    ? (d <= AUTO_NEWTON_MAX_FEATURES ? 'newton' : 'lbfgs')
    : options.solver;
  const tolerance = options.tolerance ?? 1e-10;
  const maxIterations = options.maxIterations ?? (solver === 'newton' ? 100 : 2000);
  const fit = (solver === 'newton' ? newton : lbfgs)({ features, labels, rows, weights, m, C }, tolerance, maxIterations);
  return {
    coefficients: fit.theta.slice(0, d),
    intercept: fit.theta[d],
    iterations: fit.iterations,
    converged: fit.converged,
    solver,
  };
}

/** The baseline: no features, intercept = log-odds of buying in the training rows (its exact optimum). */
export function fitInterceptOnly(labels: ArrayLike<number>, d: number, rows?: Int32Array, weights?: Float64Array): LogisticModel {
  const trainRows = rows ?? allRows(labels.length);
  const positives = countPositives(labels, trainRows, weights);
  return {
    coefficients: new Float64Array(d),
    intercept: Math.log(positives / (totalWeight(trainRows, weights) - positives)),
    iterations: 0,
    converged: true,
    solver: 'intercept-only',
  };
}

/** x_i . w + b for the given rows (all by default); > 0 means a predicted buyer. */
export function decisionFunction(model: LogisticModel, features: FeatureMatrix, rows?: Int32Array): Float64Array {
  const { data, d } = features;
  const count = rows ? rows.length : features.n;
  const out = new Float64Array(count);
  const theta = new Float64Array(d + 1);
  theta.set(model.coefficients);
  theta[d] = model.intercept;
  for (let r = 0; r < count; r++) out[r] = margin(data, d, rows ? rows[r] : r, theta);
  return out;
}

/** P(buy) for the given rows (scikit-learn's predict_proba[:, 1]). */
export function predictProbabilities(model: LogisticModel, features: FeatureMatrix, rows?: Int32Array): Float64Array {
  const scores = decisionFunction(model, features, rows);
  for (let r = 0; r < scores.length; r++) scores[r] = sigmoid(scores[r]);
  return scores;
}
