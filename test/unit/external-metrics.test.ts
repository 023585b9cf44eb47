import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { contingencyTable, denseCounts } from '../../activities/metrics/contingency';
import {
  adjustedMutualInformation,
  adjustedRandIndex,
  externalMetrics,
  fowlkesMallows,
  homogeneityCompletenessVMeasure,
  mutualInformation,
  normalizedMutualInformation,
  purity,
  type AverageMethod,
  type ExternalMetrics,
} from '../../activities/metrics/external';
import { logGamma } from '../../activities/metrics/log-gamma';
import { projectPath } from '../../lib/paths';

// Reference values: scripts/python/make_external_metrics_fixtures.py (scikit-learn 1.9.1).
interface Generator { kind: 'lcg32'; n: number; seed: number; k_true: number; k_pred: number; agree_percent: number }
interface Expected {
  adjusted_rand_score: number;
  mutual_info_score: number;
  normalized_mutual_info_score: Record<AverageMethod, number>;
  adjusted_mutual_info_score: Record<AverageMethod, number>;
  /** Methods where AMI is 0/0 in exact arithmetic and scikit-learn's value is rounding noise (see the script). */
  adjusted_mutual_info_indeterminate: AverageMethod[];
  homogeneity: number;
  completeness: number;
  v_measure: number;
  v_measure_beta2: number;
  fowlkes_mallows_score: number;
  purity: number;
  contingency: { rows: number[]; columns: number[]; matrix: number[][] };
}
interface Case { name: string; truth?: number[]; predicted?: number[]; generator?: Generator; expected: Expected }

const fixture = JSON.parse(fs.readFileSync(projectPath('test', 'fixtures', 'sklearn', 'external-metrics.json'), 'utf8')) as {
  log_gamma: Array<[number, number]>;
  cases: Case[];
};
const METHODS: AverageMethod[] = ['arithmetic', 'min', 'geometric', 'max'];
const RELATIVE = 1e-6;
const ABSOLUTE_NEAR_ZERO = 1e-9;

/** The fixture's million-point case is regenerated here rather than stored: same LCG as the Python script. */
function labelsOf(testCase: Case): { truth: ArrayLike<number>; predicted: ArrayLike<number> } {
  if (testCase.truth && testCase.predicted) return { truth: testCase.truth, predicted: testCase.predicted };
  const { n, seed, k_true: kTrue, k_pred: kPred, agree_percent: agreePercent } = testCase.generator!;
  let state = seed >>> 0;
  const draw = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state >>> 8;
  };
  const truth = new Int32Array(n);
  const predicted = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    truth[i] = draw() % kTrue;
    predicted[i] = draw() % 100 < agreePercent ? (truth[i] * 7 + 3) % kPred : draw() % kPred;
  }
  return { truth, predicted };
}

// Worst error per metric over all cases, printed at the end so a drift shows before it fails.
const worst = new Map<string, { relative: number; absolute: number }>();

function expectMatches(metric: string, actual: number, expected: number, where: string): void {
  const absolute = Math.abs(actual - expected);
  const relative = expected === 0 ? (absolute === 0 ? 0 : Infinity) : absolute / Math.abs(expected);
  const previous = worst.get(metric) ?? { relative: 0, absolute: 0 };
  worst.set(metric, {
    relative: Math.abs(expected) > ABSOLUTE_NEAR_ZERO ? Math.max(previous.relative, relative) : previous.relative,
    absolute: Math.max(previous.absolute, absolute),
  });
  const close = relative <= RELATIVE || absolute <= ABSOLUTE_NEAR_ZERO;
  expect(close, `${metric} on ${where}: ours ${actual}, scikit-learn ${expected}`).toBe(true);
}

function expectAllMatch(metrics: ExternalMetrics, expected: Expected, where: string): void {
  expectMatches('adjusted_rand_score', metrics.ari, expected.adjusted_rand_score, where);
  expectMatches('adjusted_mutual_info_score', metrics.ami, expected.adjusted_mutual_info_score.arithmetic, where);
  expectMatches('normalized_mutual_info_score', metrics.nmi, expected.normalized_mutual_info_score.arithmetic, where);
  expectMatches('mutual_info_score', metrics.mutualInformation, expected.mutual_info_score, where);
  expectMatches('homogeneity', metrics.homogeneity, expected.homogeneity, where);
  expectMatches('completeness', metrics.completeness, expected.completeness, where);
  expectMatches('v_measure', metrics.vMeasure, expected.v_measure, where);
  expectMatches('fowlkes_mallows_score', metrics.fowlkesMallows, expected.fowlkes_mallows_score, where);
  expectMatches('purity', metrics.purity, expected.purity, where);
}

afterAll(() => {
  const rows = [...worst].map(([metric, error]) => `  ${metric.padEnd(42)} relative ${error.relative.toExponential(2)}  absolute ${error.absolute.toExponential(2)}`);
  console.log(`worst error against scikit-learn over ${fixture.cases.length} cases:\n${rows.join('\n')}`);
});

describe('external metrics against scikit-learn', () => {
  for (const testCase of fixture.cases) {
    it(`${testCase.name}: every metric to 1e-6 relative (1e-9 absolute near 0), same contingency table`, () => {
      const { truth, predicted } = labelsOf(testCase);
      const { expected } = testCase;
      const metrics = externalMetrics(truth, predicted);
      expectAllMatch(metrics, expected, testCase.name);

      expect(metrics.contingency.rows).toEqual(expected.contingency.rows);
      expect(metrics.contingency.columns).toEqual(expected.contingency.columns);
      expect(denseCounts(metrics.contingency)).toEqual(expected.contingency.matrix);
      expect(metrics.contingency.n).toBe(truth.length);

      // The one-metric entry points agree with the bundle, and cover the other normalizers.
      expect(adjustedRandIndex(truth, predicted)).toBe(metrics.ari);
      expect(mutualInformation(truth, predicted)).toBe(metrics.mutualInformation);
      expect(fowlkesMallows(truth, predicted)).toBe(metrics.fowlkesMallows);
      expect(purity(truth, predicted)).toBe(metrics.purity);
      expect(homogeneityCompletenessVMeasure(truth, predicted)).toEqual({
        homogeneity: metrics.homogeneity, completeness: metrics.completeness, vMeasure: metrics.vMeasure,
      });
      expectMatches('v_measure (beta=2)', homogeneityCompletenessVMeasure(truth, predicted, 2).vMeasure, expected.v_measure_beta2, testCase.name);
      for (const method of METHODS) {
        expectMatches(`normalized_mutual_info_score (${method})`, normalizedMutualInformation(truth, predicted, method), expected.normalized_mutual_info_score[method], testCase.name);
        const ami = adjustedMutualInformation(truth, predicted, method);
        if (expected.adjusted_mutual_info_indeterminate.includes(method)) expect(Number.isFinite(ami)).toBe(true);
        else expectMatches(`adjusted_mutual_info_score (${method})`, ami, expected.adjusted_mutual_info_score[method], testCase.name);
      }
    });
  }
});

describe('external metrics do not depend on how labels are numbered', () => {
  const stored = fixture.cases.filter((testCase) => testCase.truth);
  for (const testCase of stored) {
    it(`${testCase.name}: renumbered labels (order reversed, ids scattered) give the same values`, () => {
      // A decreasing map reverses row and column order, so the sums run in another order too.
      const renumber = (label: number) => 1_000_003 - 7919 * label;
      const original = externalMetrics(testCase.truth!, testCase.predicted!);
      const renumbered = externalMetrics(testCase.truth!.map(renumber), testCase.predicted!.map((label) => -label * 13));
      for (const key of ['ari', 'ami', 'nmi', 'mutualInformation', 'homogeneity', 'completeness', 'vMeasure', 'fowlkesMallows', 'purity'] as const) {
        const difference = Math.abs(renumbered[key] - original[key]);
        expect(difference, `${key}: ${original[key]} vs ${renumbered[key]}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(original[key])));
      }
    });
  }
});

describe('contingency table', () => {
  it('counts many sparse cells (the sorted path) exactly as a direct count does', () => {
    const n = 3000;
    const truth = Array.from({ length: n }, (_, i) => i % 997);
    const predicted = Array.from({ length: n }, (_, i) => -((i * 31) % 1009));
    const table = contingencyTable(truth, predicted);
    const direct = new Map<string, number>();
    for (let i = 0; i < n; i++) direct.set(`${truth[i]},${predicted[i]}`, (direct.get(`${truth[i]},${predicted[i]}`) ?? 0) + 1);
    expect(table.cellCounts.length).toBe(direct.size);
    for (let k = 0; k < table.cellCounts.length; k++) {
      expect(table.cellCounts[k]).toBe(direct.get(`${table.rows[table.cellRows[k]]},${table.columns[table.cellColumns[k]]}`));
      if (k > 0) expect(table.cellRows[k] * 1009 + table.cellColumns[k]).toBeGreaterThan(table.cellRows[k - 1] * 1009 + table.cellColumns[k - 1]);
    }
    expect(table.rows).toEqual(Array.from({ length: 997 }, (_, i) => i));
    expect(table.columns[0]).toBe(-1008);
    expect(Array.from(table.rowSums).reduce((a, b) => a + b, 0)).toBe(n);
  });

  it('treats -1 (noise) as one more cluster, sorted first like any smaller label', () => {
    const table = contingencyTable([0, 0, 1, 1, 1], [-1, 2, 2, -1, -1]);
    expect(table.columns).toEqual([-1, 2]);
    expect(denseCounts(table)).toEqual([[1, 1], [2, 1]]);
    expect(Array.from(table.columnSums)).toEqual([3, 2]);
  });

  it('rejects labelings of different lengths and NaN labels', () => {
    expect(() => contingencyTable([0, 1], [0])).toThrow(/2 true labels but 1 predicted/);
    expect(() => adjustedRandIndex([0, Number.NaN], [0, 1])).toThrow(/NaN/);
  });
});

describe('special cases', () => {
  it("no points: scikit-learn's values (1 for ARI, AMI, NMI, homogeneity, completeness, V; 0 for Fowlkes-Mallows)", () => {
    const metrics = externalMetrics([], []);
    expect([metrics.ari, metrics.ami, metrics.nmi, metrics.homogeneity, metrics.completeness, metrics.vMeasure]).toEqual([1, 1, 1, 1, 1, 1]);
    expect(metrics.fowlkesMallows).toBe(0);
    expect(metrics.mutualInformation).toBe(0);
    expect(metrics.purity).toBe(1);
  });

  it('rejects an unknown average method and a negative beta', () => {
    expect(() => normalizedMutualInformation([0, 1], [0, 1], 'median' as AverageMethod)).toThrow(/averageMethod/);
    expect(() => adjustedMutualInformation([0, 0], [1, 1], 'median' as AverageMethod)).toThrow(/averageMethod/);
    expect(() => homogeneityCompletenessVMeasure([0, 1], [0, 1], -1)).toThrow(/beta/);
  });

  it('log-gamma matches scipy.special.gammaln to 1e-14 relative', () => {
    for (const [x, expected] of fixture.log_gamma) {
      const error = Math.abs(logGamma(x) - expected);
      expect(error, `logGamma(${x}) = ${logGamma(x)}, scipy ${expected}`).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(expected)));
    }
  });
});
