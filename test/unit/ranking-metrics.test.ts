import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  pairedBootstrap, pairedBootstraps, quantileOfSorted, RankingInputError, scoreRankings, type PerUserRankingMetrics, type RankedUser,
} from '../../activities/metrics/ranking';
import { seededRandom } from '../../activities/clustering/random';
import { projectPath } from '../../lib/paths';

const METRICS = ['hr', 'mrr', 'ndcg', 'precision', 'recall'] as const;

describe('scoreRankings on a hand-worked example (catalogue of 10, K = 3 and 5)', () => {
  const users: RankedUser[] = [
    // A: hits at ranks 2 and 5.
    { recommended: [3, 1, 4, 5, 9], relevant: new Set([1, 9]) },
    // B: hit at rank 1.
    { recommended: [2, 6, 5, 3, 8], relevant: [2] },
    // C: six relevant items (more than either K), hits at ranks 2, 4 and 5.
    { recommended: [7, 0, 8, 2, 4], relevant: [0, 2, 4, 5, 6, 9] },
    // D: no hit.
    { recommended: [1, 2, 3, 4, 5], relevant: [8] },
    // E: nothing held out, so skipped, and its item 9 at rank 1 must not count for coverage@3.
    { recommended: [9, 0, 1, 2, 3], relevant: [] },
  ];
  const scores = scoreRankings(users, [5, 3], 10);
  const d = (rank: number) => 1 / Math.log2(rank + 1); // d(1)=1, d(2)=0.63093, d(3)=0.5, d(4)=0.43068, d(5)=0.38685

  it('skips the user with nothing held out and keeps the others in order', () => {
    expect(scores.ks).toEqual([3, 5]);
    expect(scores.evaluatedUsers).toBe(4);
    expect(scores.skippedUsers).toBe(1);
    expect(Array.from(scores.userIndex)).toEqual([0, 1, 2, 3]);
  });

  it('K = 3: per-user values', () => {
    const at3 = scores.perUser[3];
    // A: hit at rank 2 -> MRR 1/2; DCG d(2) = 0.63093; IDCG over min(2, 3) = 2 hits: 1 + d(2) = 1.63093;
    //    NDCG = 0.63093 / 1.63093 = 0.38685; precision 1/3; recall 1/2.
    // B: hit at rank 1 -> everything 1, precision 1/3.
    // C: hit at rank 2 -> MRR 1/2; IDCG over min(6, 3) = 3 hits: 1 + d(2) + d(3) = 2.13093;
    //    NDCG = 0.63093 / 2.13093 = 0.29608; precision 1/3; recall 1/6.
    // D: all 0.
    expectRows(at3, {
      hr: [1, 1, 1, 0],
      mrr: [1 / 2, 1, 1 / 2, 0],
      ndcg: [d(2) / (1 + d(2)), 1, d(2) / (1 + d(2) + d(3)), 0],
      precision: [1 / 3, 1 / 3, 1 / 3, 0],
      recall: [1 / 2, 1, 1 / 6, 0],
    });
    expect(at3.ndcg[0]).toBeCloseTo(0.38685, 5);
    expect(at3.ndcg[2]).toBeCloseTo(0.29608, 5);
  });

  it('K = 5: per-user values', () => {
    const at5 = scores.perUser[5];
    // A: hits at 2 and 5: DCG d(2) + d(5) = 0.63093 + 0.38685 = 1.01778; IDCG 1.63093 -> 0.62405;
    //    precision 2/5; recall 2/2.
    // B: precision 1/5, the rest 1.
    // C: hits at 2, 4, 5: DCG 0.63093 + 0.43068 + 0.38685 = 1.44846; IDCG over min(6, 5) = 5 hits:
    //    1 + 0.63093 + 0.5 + 0.43068 + 0.38685 = 2.94846 -> 0.49126; precision 3/5; recall 3/6.
    expectRows(at5, {
      hr: [1, 1, 1, 0],
      mrr: [1 / 2, 1, 1 / 2, 0],
      ndcg: [(d(2) + d(5)) / (1 + d(2)), 1, (d(2) + d(4) + d(5)) / (1 + d(2) + d(3) + d(4) + d(5)), 0],
      precision: [2 / 5, 1 / 5, 3 / 5, 0],
      recall: [1, 1, 1 / 2, 0],
    });
    expect(at5.ndcg[0]).toBeCloseTo(0.62405, 5);
    expect(at5.ndcg[2]).toBeCloseTo(0.49126, 5);
  });

  it('means over the 4 evaluated users, and coverage', () => {
    const { 3: at3, 5: at5 } = scores.atK;
    expect(at3.hr).toBe(0.75); // (1 + 1 + 1 + 0) / 4
    expect(at3.mrr).toBe(0.5); // (0.5 + 1 + 0.5 + 0) / 4
    expect(at3.precision).toBeCloseTo(0.25, 15); // (1/3 + 1/3 + 1/3 + 0) / 4
    expect(at3.recall).toBeCloseTo((1 / 2 + 1 + 1 / 6) / 4, 15); // 0.41667
    expect(at3.ndcg).toBeCloseTo((0.3868528 + 1 + 0.2960819) / 4, 7); // 0.42073
    // Top 3 of A-D: {3,1,4} {2,6,5} {7,0,8} {1,2,3} = items 0-8, 9 of 10 (E's item 9 is skipped).
    expect(at3.coverage).toBe(0.9);
    expect(at5.hr).toBe(0.75);
    expect(at5.precision).toBeCloseTo(0.3, 15); // (2/5 + 1/5 + 3/5 + 0) / 4
    expect(at5.recall).toBe(0.625); // (1 + 1 + 1/2 + 0) / 4
    expect(at5.ndcg).toBeCloseTo((0.6240505 + 1 + 0.4912597) / 4, 7); // 0.52883
    expect(at5.coverage).toBe(1); // A's 9 at rank 5 completes the catalogue
  });
});

describe('scoreRankings edge cases', () => {
  it('a relevant item at rank 1 scores 1 on HR, MRR and NDCG at every K', () => {
    const { atK } = scoreRankings([{ recommended: [4, 0, 1], relevant: [4] }], [1, 3], 5);
    for (const k of [1, 3]) expect([atK[k].hr, atK[k].mrr, atK[k].ndcg, atK[k].recall]).toEqual([1, 1, 1, 1]);
    expect(atK[1].precision).toBe(1);
    expect(atK[3].precision).toBe(1 / 3);
  });

  it('no hit scores 0 everywhere but still counts as an evaluated user', () => {
    const result = scoreRankings([{ recommended: [0, 1, 2], relevant: [3] }], [3], 4);
    expect(result.evaluatedUsers).toBe(1);
    for (const metric of METRICS) expect(result.atK[3][metric]).toBe(0);
    expect(result.atK[3].coverage).toBe(0.75);
  });

  it('IDCG is capped at K: a top K made only of relevant items has NDCG 1 even with more relevant items', () => {
    const { atK } = scoreRankings([{ recommended: [0, 1, 2, 7], relevant: [0, 1, 2, 3, 4, 5] }], [3], 8);
    expect(atK[3].ndcg).toBeCloseTo(1, 15);
    expect(atK[3].precision).toBe(1);
    expect(atK[3].recall).toBe(0.5);
  });

  it('a list shorter than K (small catalogue) counts missing ranks as misses; precision keeps K as denominator', () => {
    const { atK } = scoreRankings([{ recommended: [2, 0, 1], relevant: [0, 1] }], [2, 5], 3);
    expect(atK[5].precision).toBe(2 / 5);
    expect(atK[5].recall).toBe(1);
    expect(atK[5].ndcg).toBeCloseTo((1 / Math.log2(3) + 1 / Math.log2(4)) / (1 + 1 / Math.log2(3)), 15);
    expect(atK[2].precision).toBe(1 / 2);
  });

  it('only the first max(K) items are read, and a Set or an array with repeats gives the same result', () => {
    const asArray = scoreRankings([{ recommended: [5, 1, 2, 3, 4, 0], relevant: [1, 1, 0] }], [2], 6);
    const asSet = scoreRankings([{ recommended: Int32Array.from([5, 1, 2]), relevant: new Set([0, 1]) }], [2], 6);
    expect(asArray).toEqual(asSet);
    expect(asArray.atK[2].recall).toBe(0.5);
  });

  it('rejects lists with a repeated item and items outside the catalogue (recommender bugs)', () => {
    expect(() => scoreRankings([{ recommended: [1, 2, 1], relevant: [1] }], [3], 5)).toThrow(/recommended twice/);
    expect(() => scoreRankings([{ recommended: [1, 2, 1], relevant: [1] }], [3], 5)).toThrow(RankingInputError);
    // A repeat beyond max(K) is never read, so it is not an error.
    expect(() => scoreRankings([{ recommended: [1, 2, 1], relevant: [1] }], [2], 5)).not.toThrow();
    expect(() => scoreRankings([{ recommended: [1, 7], relevant: [1] }], [2], 5)).toThrow(/not an index/);
    expect(() => scoreRankings([{ recommended: [1, 2], relevant: [9] }], [2], 5)).toThrow(/relevant item 9/);
    expect(() => scoreRankings([], [0], 5)).toThrow(/positive integer/);
  });
});

/** Written by scripts/python/make_ranking_fixtures.py (RecBole's vectorised formulas in NumPy). */
interface RankingFixture {
  cases: Array<{
    name: string;
    catalogue_size: number;
    ks: number[];
    recommended: number[][];
    relevant: number[][];
    evaluated_users: number[];
    metrics: Record<string, { mean: Record<string, number>; per_user: Record<string, number[]> }>;
  }>;
}

describe('scoreRankings against an independent NumPy implementation of RecBole', () => {
  const fixture = JSON.parse(
    fs.readFileSync(projectPath('test', 'fixtures', 'ranking', 'ranking-metrics.json'), 'utf8'),
  ) as RankingFixture;
  for (const testCase of fixture.cases) {
    it(`${testCase.name}: per-user values and means to 1e-12, coverage exactly`, () => {
      const users = testCase.recommended.map((recommended, u) => ({ recommended, relevant: testCase.relevant[u] }));
      const scores = scoreRankings(users, testCase.ks, testCase.catalogue_size);
      expect(Array.from(scores.userIndex)).toEqual(testCase.evaluated_users);
      let maxError = 0;
      for (const k of testCase.ks) {
        const expected = testCase.metrics[String(k)];
        for (const metric of METRICS) {
          maxError = Math.max(maxError, Math.abs(scores.atK[k][metric] - expected.mean[metric]));
          const perUser = scores.perUser[k][metric];
          expected.per_user[metric].forEach((value, i) => (maxError = Math.max(maxError, Math.abs(perUser[i] - value))));
        }
        expect(scores.atK[k].coverage).toBe(expected.mean.coverage);
      }
      expect(maxError).toBeLessThan(1e-12);
    });
  }
});

describe('pairedBootstrap', () => {
  const bernoulli = (n: number, p: number, seed: number) => {
    const random = seededRandom(seed);
    return Float64Array.from({ length: n }, () => (random() < p ? 1 : 0));
  };

  it('several pairs of the same users in one draw: each exactly its own pairedBootstrap', () => {
    const pairs: Array<[Float64Array, Float64Array]> = [[bernoulli(800, 0.3, 1), bernoulli(800, 0.2, 2)], [bernoulli(800, 0.5, 3), bernoulli(800, 0.45, 4)]];
    const together = pairedBootstraps(pairs, { samples: 200, seed: 6 });
    expect(together).toEqual(pairs.map(([a, b]) => pairedBootstrap(a, b, { samples: 200, seed: 6 })));
    expect(together[0].ciLow).not.toBe(together[1].ciLow);
  });

  it('identical systems: zero difference and lift, and a [0, 0] interval', () => {
    const values = bernoulli(500, 0.3, 1);
    const result = pairedBootstrap(values, values.slice(), { samples: 300, seed: 4 });
    expect([result.difference, result.ciLow, result.ciHigh, result.lift, result.liftCiLow, result.liftCiHigh]).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('a clearly better system: the interval excludes 0 and contains the true difference', () => {
    const random = seededRandom(9);
    const n = 3000;
    const b = new Float64Array(n);
    const a = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      b[i] = random() < 0.3 ? 1 : 0;
      a[i] = b[i] === 1 || random() < 0.15 ? 1 : 0; // about 0.3 + 0.7 * 0.15 = 0.405
    }
    const result = pairedBootstrap(a, b, { samples: 1000, seed: 2, confidence: 0.95 });
    expect(result.ciLow).toBeGreaterThan(0);
    expect(result.ciLow).toBeLessThan(0.105);
    expect(result.ciHigh).toBeGreaterThan(0.105);
    expect(result.liftCiLow!).toBeGreaterThan(0);
    expect(result.lift).toBeCloseTo(result.meanA / result.meanB - 1, 15);
    expect(result.ciLow).toBeLessThanOrEqual(result.difference);
    expect(result.ciHigh).toBeGreaterThanOrEqual(result.difference);
  });

  it('is paired: a constant per-user gain gives a zero-width interval however noisy the users are', () => {
    const b = Float64Array.from(bernoulli(400, 0.5, 3), (value, i) => value * (i % 7));
    const a = b.map((value) => value + 0.25);
    const result = pairedBootstrap(a, b, { samples: 200, seed: 5 });
    expect(result.ciLow).toBeCloseTo(0.25, 12);
    expect(result.ciHigh).toBeCloseTo(0.25, 12);
  });

  it('is deterministic for a seed and changes with it', () => {
    const a = bernoulli(300, 0.4, 6);
    const b = bernoulli(300, 0.35, 7);
    const first = pairedBootstrap(a, b, { samples: 200, seed: 11 });
    expect(pairedBootstrap(a, b, { samples: 200, seed: 11 })).toEqual(first);
    expect(pairedBootstrap(a, b, { samples: 200, seed: 12 }).ciLow).not.toBe(first.ciLow);
  });

  it('reports no lift when system B scores 0, and rejects unpaired input', () => {
    const result = pairedBootstrap(Float64Array.of(1, 0, 1), new Float64Array(3), { seed: 1, samples: 50 });
    expect([result.lift, result.liftCiLow, result.liftCiHigh]).toEqual([null, null, null]);
    expect(result.difference).toBeCloseTo(2 / 3, 15);
    expect(() => pairedBootstrap(new Float64Array(3), new Float64Array(4), { seed: 1 })).toThrow(/3 values/);
  });

  it('percentiles interpolate linearly like numpy.percentile', () => {
    const sorted = Float64Array.of(1, 2, 3, 4);
    expect(quantileOfSorted(sorted, 0.25)).toBe(1.75); // np.percentile([1,2,3,4], 25)
    expect(quantileOfSorted(sorted, 0.975)).toBeCloseTo(3.925, 15); // np.percentile([1,2,3,4], 97.5)
    expect(quantileOfSorted(Float64Array.of(0.5, Infinity), 0.5)).toBe(Infinity);
  });
});

function expectRows(actual: PerUserRankingMetrics, expected: Record<(typeof METRICS)[number], number[]>): void {
  for (const metric of METRICS) {
    const values = Array.from(actual[metric]);
    expect(values.length).toBe(expected[metric].length);
    values.forEach((value, i) => expect(value, `${metric}[${i}]`).toBeCloseTo(expected[metric][i], 14));
  }
}
