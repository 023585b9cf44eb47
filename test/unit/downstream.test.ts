import { describe, expect, it } from 'vitest';
import { nextPurchase } from '../../activities/evaluation/downstream';

describe('next-purchase prediction from segments', () => {
  it('scores segments that separate buyers perfectly at AUC 1, against 0.5 without segments', () => {
    const segments = Array.from({ length: 200 }, (_, i) => i % 4);
    const buys = segments.map((segment) => (segment === 1 ? 1 : 0));
    const result = nextPurchase(segments, buys, { folds: 5, seed: 3 })!;
    expect(result).toMatchObject({ users: 200, buyers: 50, folds: 5 });
    expect(result.segment.auc.mean).toBe(1);
    expect(result.segment.f1.mean).toBe(1);
    expect(result.baseline.auc.mean).toBe(0.5);
  });

  it('finds nothing in segments unrelated to buying', () => {
    const segments = Array.from({ length: 400 }, (_, i) => i % 2);
    const buys = segments.map((_, i) => (Math.floor(i / 2) % 2 === 0 ? 1 : 0)); // same buyer share in both segments
    const result = nextPurchase(segments, buys, { folds: 5, seed: 3 })!;
    expect(Math.abs(result.segment.auc.mean - 0.5)).toBeLessThan(0.1);
  });

  it('gives no result when the held-out users are all of one class', () => {
    expect(nextPurchase([0, 1, 0, 1, 0, 1], [0, 0, 0, 0, 0, 0], { folds: 5, seed: 1 })).toBeNull();
  });
});
