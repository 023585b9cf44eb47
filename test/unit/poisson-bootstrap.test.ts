import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../activities/clustering/random';
import { logGamma } from '../../activities/metrics/log-gamma';
import { poissonVariate } from '../../activities/metrics/poisson';
import { pairedBootstraps } from '../../activities/metrics/ranking';

describe('Poisson variates (Knuth below 10, PTRS from 10 up)', () => {
  for (const lambda of [0.5, 3, 9.99, 10, 37.5, 1_000, 754_095]) {
    it(`lambda ${lambda}: mean and variance within 4 standard errors of lambda over 40,000 draws`, () => {
      const random = seededRandom(11);
      const draws = Float64Array.from({ length: 40_000 }, () => poissonVariate(lambda, random));
      const mean = draws.reduce((sum, x) => sum + x, 0) / draws.length;
      const variance = draws.reduce((sum, x) => sum + (x - mean) ** 2, 0) / (draws.length - 1);
      expect(draws.every((x) => Number.isInteger(x) && x >= 0)).toBe(true);
      expect(Math.abs(mean - lambda)).toBeLessThan(4 * Math.sqrt(lambda / draws.length));
      // Var of the sample variance of a Poisson: (lambda + 2 lambda^2 (n / (n - 1))) / n, about 2 lambda^2 / n.
      expect(Math.abs(variance - lambda)).toBeLessThan(4 * Math.sqrt((lambda + 2 * lambda * lambda) / draws.length));
    });
  }

  it('lambda 15 and 25 (PTRS): each probability of the pmf within 4 standard errors (100,000 draws)', () => {
    for (const lambda of [15, 25]) {
      const random = seededRandom(lambda);
      const counts = new Map<number, number>();
      const draws = 100_000;
      for (let i = 0; i < draws; i++) {
        const x = poissonVariate(lambda, random);
        counts.set(x, (counts.get(x) ?? 0) + 1);
      }
      for (let x = 0; x <= 3 * lambda; x++) {
        const p = Math.exp(-lambda + x * Math.log(lambda) - logGamma(x + 1));
        const seen = (counts.get(x) ?? 0) / draws;
        expect(Math.abs(seen - p), `P(X = ${x})`).toBeLessThanOrEqual(4 * Math.sqrt(p * (1 - p) / draws) + 1e-5);
      }
    }
  });
});

describe('paired bootstrap: Poisson resamples above poissonFrom users agree with the multinomial ones', () => {
  it('NDCG-like and hit-like values of 60,000 users: both intervals within 15% of their width', () => {
    const random = seededRandom(5);
    const n = 60_000;
    const ndcgA = new Float64Array(n);
    const ndcgB = new Float64Array(n);
    const hitA = new Float64Array(n);
    const hitB = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      // Ranks 1..10 of one relevant item, or no hit; A hits more often than B.
      if (random() < 0.22) ndcgA[i] = 1 / Math.log2(2 + Math.floor(random() * 10));
      if (random() < 0.18) ndcgB[i] = 1 / Math.log2(2 + Math.floor(random() * 10));
      hitA[i] = ndcgA[i] > 0 ? 1 : 0;
      hitB[i] = ndcgB[i] > 0 ? 1 : 0;
    }
    const pairs: Array<[Float64Array, Float64Array]> = [[ndcgA, ndcgB], [hitA, hitB]];
    const multinomial = pairedBootstraps(pairs, { seed: 3, samples: 2000, poissonFrom: Infinity });
    const poisson = pairedBootstraps(pairs, { seed: 3, samples: 2000, poissonFrom: 1 });
    for (let p = 0; p < pairs.length; p++) {
      const width = multinomial[p].liftCiHigh! - multinomial[p].liftCiLow!;
      expect(poisson[p].lift).toBe(multinomial[p].lift);
      expect(Math.abs(poisson[p].liftCiLow! - multinomial[p].liftCiLow!)).toBeLessThan(0.15 * width);
      expect(Math.abs(poisson[p].liftCiHigh! - multinomial[p].liftCiHigh!)).toBeLessThan(0.15 * width);
      const differenceWidth = multinomial[p].ciHigh - multinomial[p].ciLow;
      expect(Math.abs(poisson[p].ciLow - multinomial[p].ciLow)).toBeLessThan(0.15 * differenceWidth);
      expect(Math.abs(poisson[p].ciHigh - multinomial[p].ciHigh)).toBeLessThan(0.15 * differenceWidth);
    }
    // Same seed, same interval.
    expect(pairedBootstraps(pairs, { seed: 3, samples: 2000, poissonFrom: 1 })).toEqual(poisson);
  });
});
