import { seededRandom } from '../clustering/random';
import {
  NextPurchaseInputError, allRows, checkLabels, countPositives, decisionFunction, fitInterceptOnly, fitLogisticRegression,
  type FeatureMatrix, type LogisticModel, type LogisticOptions,
} from './logistic-regression';

export {
  NextPurchaseInputError, decisionFunction, fitInterceptOnly, fitLogisticRegression, predictProbabilities, sigmoid,
  type FeatureMatrix, type LogisticModel, type LogisticOptions,
} from './logistic-regression';

/**
 * "Will the user buy in the holdout window?" as a downstream check of a segmentation: the
 * logistic regression of logistic-regression.ts on per-user features (segment one-hot,
 * optionally embedding features), scored by cross-validated ROC AUC and F1, next to an
 * intercept-only baseline. Checked against scikit-learn in test/unit/next-purchase.test.ts.
 */

/**
 * ROC AUC as scikit-learn's roc_auc_score: the trapezoid area, which equals the probability
 * that a random buyer outscores a random non-buyer with ties counted one half. NaN when only
 * one class is present (sklearn warns and returns NaN).
 */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const n = labels.length;
  if (scores.length !== n) throw new NextPurchaseInputError(`${n} labels but ${scores.length} scores`);
  let positives = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i] !== 0 && labels[i] !== 1) throw new NextPurchaseInputError(`label ${i} is ${labels[i]}; labels must be 0 or 1`);
    if (Number.isNaN(scores[i])) throw new NextPurchaseInputError(`score ${i} is NaN`);
    positives += labels[i];
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  // Two natively sorted typed arrays and a merge: no comparator sort over 10^6 indices.
  const pos = new Float64Array(positives);
  const neg = new Float64Array(negatives);
  for (let i = 0, p = 0, q = 0; i < n; i++) {
    if (labels[i] === 1) pos[p++] = scores[i];
    else neg[q++] = scores[i];
  }
  pos.sort();
  neg.sort();
  // For each buyer: (#non-buyers below) + (#non-buyers below or tied), i.e. twice its credit.
  let below = 0;
  let belowOrTied = 0;
  let twiceCredit = 0;
  for (let p = 0; p < positives; p++) {
    const score = pos[p];
    while (below < negatives && neg[below] < score) below++;
    if (belowOrTied < below) belowOrTied = below;
    while (belowOrTied < negatives && neg[belowOrTied] <= score) belowOrTied++;
    twiceCredit += below + belowOrTied;
  }
  return twiceCredit / (2 * positives * negatives);
}

/** F1 of the positive class as scikit-learn's f1_score with zero_division=0. */
export function f1Score(labels: ArrayLike<number>, predicted: ArrayLike<number>): number {
  if (predicted.length !== labels.length) throw new NextPurchaseInputError(`${labels.length} labels but ${predicted.length} predictions`);
  let truePositives = 0;
  let falsePositives = 0;
  let falseNegatives = 0;
  for (let i = 0; i < labels.length; i++) {
    if (predicted[i] === 1) {
      if (labels[i] === 1) truePositives++;
      else falsePositives++;
    } else if (labels[i] === 1) falseNegatives++;
  }
  const denominator = 2 * truePositives + falsePositives + falseNegatives;
  return denominator === 0 ? 0 : (2 * truePositives) / denominator;
}

/**
 * Test fold (0..folds-1) of every row. Stratified folds follow scikit-learn's StratifiedKFold
 * allocation (rows sorted by class, dealt round-robin, so each fold's class counts match
 * sklearn's exactly); plain folds follow KFold's sizes (the first n % folds folds get one more).
 * Which rows land in which fold is a seeded shuffle within each class.
 */
export function assignFolds(labels: ArrayLike<number>, folds: number, seed: number, stratified: boolean): Int32Array {
  const n = labels.length;
  if (!Number.isInteger(folds) || folds < 2) throw new NextPurchaseInputError(`folds must be an integer >= 2, got ${folds}`);
  if (folds > n) throw new NextPurchaseInputError(`cannot split ${n} users into ${folds} folds`);
  const random = seededRandom(seed);
  const foldOf = new Int32Array(n);
  const shuffleInto = (members: Int32Array, counts: Int32Array) => {
    const assignment = new Int32Array(members.length);
    for (let f = 0, at = 0; f < folds; f++) assignment.fill(f, at, (at += counts[f]));
    for (let i = assignment.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      const swap = assignment[i];
      assignment[i] = assignment[j];
      assignment[j] = swap;
    }
    for (let i = 0; i < members.length; i++) foldOf[members[i]] = assignment[i];
  };
  if (!stratified) {
    const counts = new Int32Array(folds);
    for (let f = 0; f < folds; f++) counts[f] = Math.floor(n / folds) + (f < n % folds ? 1 : 0);
    shuffleInto(allRows(n), counts);
    return foldOf;
  }
  checkLabels(labels, n);
  const negatives = new Int32Array(n - countPositives(labels, allRows(n)));
  const positives = new Int32Array(n - negatives.length);
  for (let i = 0, p = 0, q = 0; i < n; i++) {
    if (labels[i] === 1) positives[p++] = i;
    else negatives[q++] = i;
  }
  // sklearn encodes classes by order of first appearance, sorts rows by that code and deals
  // sorted position j to fold j % folds; the class of row 0 therefore fills positions [0, count).
  const dealt = (start: number, end: number) => {
    const counts = new Int32Array(folds);
    for (let f = 0; f < folds; f++) {
      const first = start + ((f - (start % folds) + folds) % folds);
      counts[f] = first < end ? Math.floor((end - 1 - first) / folds) + 1 : 0;
    }
    return counts;
  };
  const [firstClass, secondClass] = labels[0] === 1 ? [positives, negatives] : [negatives, positives];
  shuffleInto(firstClass, dealt(0, firstClass.length));
  shuffleInto(secondClass, dealt(firstClass.length, n));
  return foldOf;
}

export interface FoldScores {
  fold: number;
  trainSize: number;
  testSize: number;
  testPositives: number;
  /** ROC AUC of the model's decision values on the test fold (NaN if it holds one class). */
  auc: number;
  /** F1 at probability threshold 0.5 (sklearn's predict: decision value > 0). */
  f1: number;
  baselineAuc: number;
  baselineF1: number;
  iterations: number;
  converged: boolean;
}

export interface MeanAndSd {
  mean: number;
  /** Population standard deviation over folds (ddof = 0, as numpy's std of cross_val_score). */
  sd: number;
}

export interface CrossValidationResult {
  folds: FoldScores[];
  auc: MeanAndSd;
  f1: MeanAndSd;
  baseline: { auc: MeanAndSd; f1: MeanAndSd };
}

export interface CrossValidationOptions extends Omit<LogisticOptions, 'rows'> {
  folds?: number;
  seed: number;
  stratified?: boolean;
}

function meanAndSd(values: number[]): MeanAndSd {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length;
  return { mean, sd: Math.sqrt(variance) };
}

/** k-fold cross-validation on the given fold assignment (see assignFolds). */
export function crossValidateWithFolds(
  features: FeatureMatrix, labels: ArrayLike<number>, foldOf: Int32Array, options: Omit<LogisticOptions, 'rows'> = {},
): CrossValidationResult {
  checkLabels(labels, features.n);
  if (foldOf.length !== features.n) throw new NextPurchaseInputError(`${features.n} users but ${foldOf.length} fold assignments`);
  let folds = 0;
  for (const fold of foldOf) folds = Math.max(folds, fold + 1);
  const results: FoldScores[] = [];
  const train = new Int32Array(features.n);
  const test = new Int32Array(features.n);
  for (let fold = 0; fold < folds; fold++) {
    let trainSize = 0;
    let testSize = 0;
    for (let i = 0; i < features.n; i++) {
      if (foldOf[i] === fold) test[testSize++] = i;
      else train[trainSize++] = i;
    }
    const trainRows = train.subarray(0, trainSize);
    const testRows = test.subarray(0, testSize);
    const testLabels = new Uint8Array(testSize);
    for (let r = 0; r < testSize; r++) testLabels[r] = labels[testRows[r]];
    const model = fitLogisticRegression(features, labels, { ...options, rows: trainRows });
    const scores = decisionFunction(model, features, testRows);
    const baseline = fitInterceptOnly(labels, features.d, trainRows);
    const baselineScores = decisionFunction(baseline, features, testRows);
    results.push(scoreFold(fold, trainSize, testLabels, scores, baselineScores, model));
  }
  return summarizeFolds(results);
}

/** One test fold's scores: the model's and the intercept-only baseline's decision values on its users. */
function scoreFold(
  fold: number, trainSize: number, testLabels: Uint8Array, scores: Float64Array, baselineScores: Float64Array, model: LogisticModel,
): FoldScores {
  const testSize = testLabels.length;
  return {
    fold,
    trainSize,
    testSize,
    testPositives: countPositives(testLabels, allRows(testSize)),
    auc: rocAuc(testLabels, scores),
    f1: f1Score(testLabels, scores.map((score) => (score > 0 ? 1 : 0))),
    baselineAuc: rocAuc(testLabels, baselineScores),
    baselineF1: f1Score(testLabels, baselineScores.map((score) => (score > 0 ? 1 : 0))),
    iterations: model.iterations,
    converged: model.converged,
  };
}

/** Stratified folds need at least `folds` users of each class, so that every test fold can score an AUC. */
function requireFoldsPerClass(labels: ArrayLike<number>, n: number, folds: number): void {
  const positives = countPositives(labels, allRows(n));
  const smaller = Math.min(positives, n - positives);
  if (smaller < folds) {
    throw new NextPurchaseInputError(`only ${smaller} users in the smaller class; stratified ${folds}-fold CV needs at least ${folds}`);
  }
}

function summarizeFolds(results: FoldScores[]): CrossValidationResult {
  return {
    folds: results,
    auc: meanAndSd(results.map((r) => r.auc)),
    f1: meanAndSd(results.map((r) => r.f1)),
    baseline: { auc: meanAndSd(results.map((r) => r.baselineAuc)), f1: meanAndSd(results.map((r) => r.baselineF1)) },
  };
}

/**
 * Seeded (stratified by default) k-fold cross-validation of the logistic model and the
 * intercept-only baseline. Stratified folds need at least `folds` buyers and non-buyers, so
 * that every test fold can score an AUC.
 */
export function kFoldCrossValidate(features: FeatureMatrix, labels: ArrayLike<number>, options: CrossValidationOptions): CrossValidationResult {
  const { folds = 5, seed, stratified = true, ...fitOptions } = options;
  checkLabels(labels, features.n);
  if (stratified) requireFoldsPerClass(labels, features.n, folds);
  return crossValidateWithFolds(features, labels, assignFolds(labels, folds, seed, stratified), fitOptions);
}

/**
 * kFoldCrossValidate of a segment one-hot (one column per distinct segment, in ascending order),
 * in O(users + folds x segments^2) instead of O(users x segments^2) per Newton step: a fold's
 * training users are summarised as one row per (segment, label) weighted by how many users share
 * it, which is the same objective, so the same folds give the same model up to rounding. Test
 * users are scored by their segment's decision value, as before.
 */
export function crossValidateSegments(segments: ArrayLike<number>, labels: ArrayLike<number>, options: Pick<CrossValidationOptions, 'folds' | 'seed'>): CrossValidationResult {
  const { folds = 5, seed } = options;
  const n = segments.length;
  checkLabels(labels, n);
  requireFoldsPerClass(labels, n, folds);
  const columnOf = new Map([...new Set(Array.from(segments))].sort((a, b) => a - b).map((segment, column) => [segment, column]));
  const k = columnOf.size;
  const column = Int32Array.from(segments, (segment) => columnOf.get(segment)!);
  const foldOf = assignFolds(labels, folds, seed, true);
  // counts[(fold * k + column) * 2 + label]: users of each fold, segment and label.
  const counts = new Float64Array(folds * k * 2);
  for (let i = 0; i < n; i++) counts[(foldOf[i] * k + column[i]) * 2 + labels[i]]++;
  const results: FoldScores[] = [];
  for (let fold = 0; fold < folds; fold++) {
    // Training rows: (column, label) pairs with users outside this fold.
    const rowColumns: number[] = [];
    const rowLabels: number[] = [];
    const rowWeights: number[] = [];
    for (let c = 0; c < k; c++) {
      for (let label = 0; label < 2; label++) {
        let weight = 0;
        for (let f = 0; f < folds; f++) if (f !== fold) weight += counts[(f * k + c) * 2 + label];
        if (weight === 0) continue;
        rowColumns.push(c);
        rowLabels.push(label);
        rowWeights.push(weight);
      }
    }
    const features = { data: new Float64Array(rowColumns.length * k), n: rowColumns.length, d: k };
    rowColumns.forEach((c, row) => (features.data[row * k + c] = 1));
    const weights = Float64Array.from(rowWeights);
    const model = fitLogisticRegression(features, rowLabels, { weights });
    const baseline = fitInterceptOnly(rowLabels, k, undefined, weights);
    let testSize = 0;
    for (let i = 0; i < n; i++) if (foldOf[i] === fold) testSize++;
    const testLabels = new Uint8Array(testSize);
    const scores = new Float64Array(testSize);
    for (let i = 0, r = 0; i < n; i++) {
      if (foldOf[i] !== fold) continue;
      testLabels[r] = labels[i];
      scores[r++] = model.coefficients[column[i]] + model.intercept;
    }
    const baselineScores = new Float64Array(testSize).fill(baseline.intercept);
    results.push(scoreFold(fold, n - testSize, testLabels, scores, baselineScores, model));
  }
  return summarizeFolds(results);
}
