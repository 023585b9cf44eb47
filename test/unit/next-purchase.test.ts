import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  assignFolds, crossValidateSegments, crossValidateWithFolds, f1Score, fitInterceptOnly, fitLogisticRegression, kFoldCrossValidate,
  NextPurchaseInputError, predictProbabilities, rocAuc, type FeatureMatrix, type LogisticModel,
} from '../../activities/metrics/next-purchase';
import { seededRandom } from '../../activities/clustering/random';
import { projectPath } from '../../lib/paths';

/** Written by scripts/python/make_next_purchase_fixtures.py (scikit-learn). */
interface Fit {
  coef: number[];
  intercept: number;
  proba: number[];
  n_iter: number;
}
interface Fixture {
  models: Array<{ name: string; X: number[][]; y: number[]; fits: Record<'lbfgs_default' | 'lbfgs_tight' | 'newton_tight', Fit> }>;
  intercept_only: { y: number[]; intercept: number; auc_constant_scores: number };
  auc: Array<{ name: string; y: number[]; scores: number[]; auc: number }>;
  f1: Array<{ name: string; y: number[]; predicted: number[]; f1: number }>;
  folds: Array<{ n: number; y: number[]; stratified_sizes: number[]; stratified_positives: number[]; kfold_sizes: number[] }>;
  cross_validation: Array<{
    case: string; fold_of: number[]; auc: number[]; f1: number[]; auc_mean: number; auc_sd: number; f1_mean: number; f1_sd: number;
  }>;
}

const fixture = JSON.parse(fs.readFileSync(projectPath('test', 'fixtures', 'sklearn', 'next-purchase.json'), 'utf8')) as Fixture;

function toFeatures(rows: number[][]): FeatureMatrix {
  const n = rows.length;
  const d = rows[0].length;
  const data = new Float64Array(n * d);
  rows.forEach((row, i) => data.set(row, i * d));
  return { data, n, d };
}

/** Largest absolute difference in coefficients + intercept, and in predicted probabilities. */
function gaps(model: LogisticModel, features: FeatureMatrix, reference: Fit): { coefficients: number; probabilities: number } {
  let coefficients = Math.abs(model.intercept - reference.intercept);
  reference.coef.forEach((value, j) => (coefficients = Math.max(coefficients, Math.abs(model.coefficients[j] - value))));
  const proba = predictProbabilities(model, features);
  let probabilities = 0;
  reference.proba.forEach((value, i) => (probabilities = Math.max(probabilities, Math.abs(proba[i] - value))));
  return { coefficients, probabilities };
}

describe('logistic regression against scikit-learn LogisticRegression(C=1, l2)', () => {
  for (const testCase of fixture.models) {
    const features = toFeatures(testCase.X);
    // Newton lands on the optimum to rounding; L-BFGS stops, like scipy's, once f stops falling.
    for (const [solver, tolerance] of [['newton', 1e-12], ['lbfgs', 1e-7]] as const) {
      it(`${testCase.name}, ${solver}: the optimum to ${tolerance}, sklearn's default lbfgs fit within its own tolerance`, () => {
        const model = fitLogisticRegression(features, testCase.y, { solver });
        expect(model.converged).toBe(true);
        expect(model.solver).toBe(solver);
        const optimum = gaps(model, features, testCase.fits.newton_tight);
        expect(optimum.coefficients).toBeLessThan(tolerance);
        expect(optimum.probabilities).toBeLessThan(tolerance);
        const tightLbfgs = gaps(model, features, testCase.fits.lbfgs_tight);
        expect(tightLbfgs.coefficients).toBeLessThan(1e-6);
        // sklearn's default stops at a mean-gradient of 1e-4; on the one-hot case that leaves its
        // coefficients ~8e-3 off the optimum along the (intercept, all segments) direction that
        // the data cannot see, while its probabilities stay within ~1e-3 of it.
        const defaultLbfgs = gaps(model, features, testCase.fits.lbfgs_default);
        expect(defaultLbfgs.coefficients).toBeLessThan(1e-2);
        expect(defaultLbfgs.probabilities).toBeLessThan(2e-3);
      });
    }
  }

  it('keeps the perfectly separating segment finite: the penalty, not the data, bounds it', () => {
    const testCase = fixture.models[0];
    const model = fitLogisticRegression(toFeatures(testCase.X), testCase.y);
    const separating = model.coefficients[5];
    expect(Number.isFinite(separating)).toBe(true);
    expect(separating).toBeCloseTo(testCase.fits.newton_tight.coef[5], 7); // 2.34
    expect(model.iterations).toBeLessThan(15);
  });

  it('converges at 10^5 users, where the last Newton steps lower f by less than its rounding', () => {
    // 80,000 training rows of a 20-segment one-hot: the final steps change f by ~1e-14, under the
    // noise of a sum of 80,000 losses; the line search accepts them because the gradient shrinks.
    const random = seededRandom(1);
    const n = 100_000;
    const d = 20;
    const data = new Float64Array(n * d);
    const labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const segment = Math.floor(random() * d);
      data[i * d + segment] = 1;
      labels[i] = random() < (segment + 1) / (d + 2) ? 1 : 0;
    }
    const foldOf = assignFolds(labels, 5, 3, true);
    const rows = Int32Array.from({ length: n }, (_, i) => i).filter((i) => foldOf[i] !== 1);
    const model = fitLogisticRegression({ data, n, d }, labels, { rows });
    expect(model.converged).toBe(true);
    expect(model.iterations).toBeLessThan(10);
  });

  it("'auto' picks Newton up to 100 features and L-BFGS above, and both agree", () => {
    const random = seededRandom(4);
    const n = 300;
    const d = 101;
    const data = Float64Array.from({ length: n * d }, () => random() - 0.5);
    const labels = Array.from({ length: n }, (_, i) => (data[i * d] + 0.3 * (random() - 0.5) > 0 ? 1 : 0));
    const auto = fitLogisticRegression({ data, n, d }, labels);
    expect(auto.solver).toBe('lbfgs');
    const exact = fitLogisticRegression({ data, n, d }, labels, { solver: 'newton' });
    expect(Math.abs(auto.intercept - exact.intercept)).toBeLessThan(1e-6);
    auto.coefficients.forEach((value, j) => expect(Math.abs(value - exact.coefficients[j])).toBeLessThan(1e-6));
    expect(fitLogisticRegression({ data: data.subarray(0, 30 * 100), n: 30, d: 100 }, labels.slice(0, 30)).solver).toBe('newton');
  });

  it('trains on a subset of rows without copying, exactly as on the copied subset', () => {
    const testCase = fixture.models[1];
    const features = toFeatures(testCase.X);
    const rows = Int32Array.from({ length: 150 }, (_, i) => 2 * i + 1);
    const onRows = fitLogisticRegression(features, testCase.y, { rows });
    const copied = fitLogisticRegression(
      toFeatures(Array.from(rows, (i) => testCase.X[i])), Array.from(rows, (i) => testCase.y[i]),
    );
    expect(Array.from(onRows.coefficients)).toEqual(Array.from(copied.coefficients));
    expect(onRows.intercept).toBe(copied.intercept);
  });

  it('rejects one-class training data and non-binary labels with an actionable error', () => {
    const features = toFeatures([[1], [0], [1]]);
    expect(() => fitLogisticRegression(features, [1, 1, 1])).toThrow(/only buyers/);
    expect(() => fitLogisticRegression(features, [1, 2, 0])).toThrow(NextPurchaseInputError);
  });
});

describe('intercept-only baseline', () => {
  it('has the intercept sklearn fits on a zero column, and constant scores give AUC 0.5 in both', () => {
    const { y, intercept, auc_constant_scores } = fixture.intercept_only;
    const model = fitInterceptOnly(y, 3);
    expect(Math.abs(model.intercept - intercept)).toBeLessThan(1e-10);
    expect(auc_constant_scores).toBe(0.5);
    const features = toFeatures(y.map((_, i) => [i, -i, 2 * i]));
    expect(rocAuc(y, predictProbabilities(model, features))).toBe(0.5);
  });
});

describe('rocAuc and f1Score against scikit-learn', () => {
  for (const testCase of fixture.auc) {
    it(`roc_auc_score, ${testCase.name}`, () => {
      expect(Math.abs(rocAuc(testCase.y, testCase.scores) - testCase.auc)).toBeLessThan(1e-14);
    });
  }

  it('AUC by hand with ties: a tie between a buyer and a non-buyer counts one half', () => {
    // Buyers score 0.5 and 0.9; non-buyers 0.5 and 0.1. Pairs: (0.5 vs 0.5) = 1/2, (0.5 vs 0.1) = 1,
    // (0.9 vs 0.5) = 1, (0.9 vs 0.1) = 1 -> 3.5 / 4.
    expect(rocAuc([1, 0, 1, 0], [0.5, 0.5, 0.9, 0.1])).toBe(0.875);
  });

  it('AUC is NaN with one class (sklearn warns and returns nan), and NaN scores are rejected', () => {
    expect(rocAuc([1, 1], [0.2, 0.4])).toBeNaN();
    expect(() => rocAuc([1, 0], [0.2, Number.NaN])).toThrow(/NaN/);
  });

  for (const testCase of fixture.f1) {
    it(`f1_score(zero_division=0), ${testCase.name}`, () => {
      expect(Math.abs(f1Score(testCase.y, testCase.predicted) - testCase.f1)).toBeLessThan(1e-15);
    });
  }
});

describe('folds', () => {
  for (const testCase of fixture.folds) {
    it(`n=${testCase.n}: stratified fold sizes and buyers per fold match StratifiedKFold; plain sizes match KFold`, () => {
      const foldOf = assignFolds(testCase.y, 5, 42, true);
      const sizes = [0, 0, 0, 0, 0];
      const positives = [0, 0, 0, 0, 0];
      foldOf.forEach((fold, i) => {
        sizes[fold]++;
        positives[fold] += testCase.y[i];
      });
      expect(sizes).toEqual(testCase.stratified_sizes);
      expect(positives).toEqual(testCase.stratified_positives);
      const plain = [0, 0, 0, 0, 0];
      assignFolds(testCase.y, 5, 42, false).forEach((fold) => plain[fold]++);
      expect(plain).toEqual(testCase.kfold_sizes);
    });
  }

  it('are a seeded shuffle: the same seed gives the same folds, another seed other folds', () => {
    const y = fixture.folds[2].y;
    expect(assignFolds(y, 5, 1, true)).toEqual(assignFolds(y, 5, 1, true));
    expect(assignFolds(y, 5, 1, true)).not.toEqual(assignFolds(y, 5, 2, true));
  });
});

describe('cross-validation', () => {
  for (const reference of fixture.cross_validation) {
    it(`${reference.case}: per-fold AUC and F1 on sklearn's folds match sklearn to 1e-12`, () => {
      const testCase = fixture.models.find((model) => model.name === reference.case)!;
      const result = crossValidateWithFolds(toFeatures(testCase.X), testCase.y, Int32Array.from(reference.fold_of));
      let maxError = 0;
      result.folds.forEach((fold, f) => {
        maxError = Math.max(maxError, Math.abs(fold.auc - reference.auc[f]), Math.abs(fold.f1 - reference.f1[f]));
        expect(fold.converged).toBe(true);
        expect(fold.baselineAuc).toBe(0.5);
      });
      maxError = Math.max(
        maxError,
        Math.abs(result.auc.mean - reference.auc_mean), Math.abs(result.auc.sd - reference.auc_sd),
        Math.abs(result.f1.mean - reference.f1_mean), Math.abs(result.f1.sd - reference.f1_sd),
      );
      expect(maxError).toBeLessThan(1e-12);
    });
  }

  it('kFoldCrossValidate: stratified, seeded, beats the intercept-only baseline on informative features', () => {
    const testCase = fixture.models[1];
    const features = toFeatures(testCase.X);
    const result = kFoldCrossValidate(features, testCase.y, { folds: 5, seed: 7, stratified: true });
    expect(result.folds.map((fold) => fold.testSize).reduce((a, b) => a + b)).toBe(features.n);
    expect(result.folds.every((fold) => fold.trainSize + fold.testSize === features.n)).toBe(true);
    expect(result.auc.mean).toBeGreaterThan(0.7);
    expect(result.baseline.auc).toEqual({ mean: 0.5, sd: 0 });
    expect(result.auc.sd).toBeGreaterThan(0);
    expect(kFoldCrossValidate(features, testCase.y, { seed: 7 })).toEqual(result);
  });

  it('kFoldCrossValidate refuses stratified folds with fewer buyers than folds', () => {
    const features = toFeatures(Array.from({ length: 20 }, (_, i) => [i]));
    const y = Array.from({ length: 20 }, (_, i) => (i < 3 ? 1 : 0));
    expect(() => kFoldCrossValidate(features, y, { seed: 1 })).toThrow(/only 3 users in the smaller class/);
  });
});

describe('weighted fits and the grouped segment cross-validation', () => {
  it('a row of weight w fits like w copies of it (scikit-learn sample_weight semantics)', () => {
    const testCase = fixture.models[1];
    const random = seededRandom(5);
    const copies = testCase.y.map(() => 1 + Math.floor(random() * 3));
    const repeatedX = testCase.X.flatMap((row, i) => Array.from({ length: copies[i] }, () => row));
    const repeatedY = testCase.y.flatMap((label, i) => Array.from({ length: copies[i] }, () => label));
    for (const solver of ['newton', 'lbfgs'] as const) {
      const weighted = fitLogisticRegression(toFeatures(testCase.X), testCase.y, { solver, weights: Float64Array.from(copies) });
      const repeated = fitLogisticRegression(toFeatures(repeatedX), repeatedY, { solver });
      expect(weighted.converged).toBe(true);
      const gap = Math.max(Math.abs(weighted.intercept - repeated.intercept), ...Array.from(weighted.coefficients, (value, j) => Math.abs(value - repeated.coefficients[j])));
      expect(gap).toBeLessThan(1e-7);
    }
    const baseline = fitInterceptOnly(testCase.y, 3, undefined, Float64Array.from(copies));
    expect(baseline.intercept).toBeCloseTo(fitInterceptOnly(repeatedY, 3).intercept, 12);
  });

  it('refuses weights that are not positive or do not match the rows', () => {
    const features = toFeatures([[0], [1], [2]]);
    expect(() => fitLogisticRegression(features, [0, 1, 1], { weights: Float64Array.from([1, 0, 1]) })).toThrow(/weight 1 is 0/);
    expect(() => fitLogisticRegression(features, [0, 1, 1], { weights: Float64Array.from([1, 1]) })).toThrow(/3 feature rows but 2 weights/);
  });

  it('crossValidateSegments gives kFoldCrossValidate on the segment one-hot: same folds, same scores', () => {
    // 9 segments (noise -1 among them) whose users buy at different rates, two of them alike.
    const random = seededRandom(11);
    const rates = [0.05, 0.5, 0.5, 0.2, 0.8, 0.35, 0.1, 0.65, 0.3];
    const segments = Array.from({ length: 4000 }, () => Math.floor(random() * rates.length) - 1);
    const buys = segments.map((segment) => (random() < rates[segment + 1] ? 1 : 0));
    const columns = [...new Set(segments)].sort((a, b) => a - b);
    const oneHot = toFeatures(segments.map((segment) => columns.map((value) => (value === segment ? 1 : 0))));
    const reference = kFoldCrossValidate(oneHot, buys, { folds: 5, seed: 3, stratified: true });
    const grouped = crossValidateSegments(segments, buys, { folds: 5, seed: 3 });
    expect(grouped.folds.map((fold) => [fold.trainSize, fold.testSize, fold.testPositives, fold.converged]))
      .toEqual(reference.folds.map((fold) => [fold.trainSize, fold.testSize, fold.testPositives, fold.converged]));
    grouped.folds.forEach((fold, f) => {
      expect(fold.auc).toBeCloseTo(reference.folds[f].auc, 12);
      expect(fold.f1).toBeCloseTo(reference.folds[f].f1, 12);
      expect(fold.baselineAuc).toBe(reference.folds[f].baselineAuc);
      expect(fold.baselineF1).toBe(reference.folds[f].baselineF1);
    });
    expect(grouped.auc.mean).toBeGreaterThan(0.7);
    expect(() => crossValidateSegments([0, 0, 1, 1, 1, 1], [1, 0, 0, 0, 0, 0], { folds: 2, seed: 1 })).toThrow(/only 1 users in the smaller class/);
  });
});
