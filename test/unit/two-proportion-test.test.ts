import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { erfc, twoProportionTest } from '../../activities/segment-models/two-proportion-test';
import { projectPath } from '../../lib/paths';

interface ProportionCase { before: number; n_before: number; after: number; n_after: number; z: number; p_value: number }
const fixture = JSON.parse(fs.readFileSync(projectPath('test', 'fixtures', 'scipy', 'drift.json'), 'utf8')) as {
  erfc: Array<{ x: number; value: number }>;
  two_proportion: ProportionCase[];
};

describe('two-proportion z-test (scripts/python/make_drift_fixtures.py)', () => {
  it('erfc matches scipy.special.erfc to a relative 1.2e-7, down to erfc(9) ~ 4e-37', () => {
    for (const { x, value } of fixture.erfc) expect(Math.abs(erfc(x) - value) / value, `erfc(${x})`).toBeLessThan(1.2e-7);
  });

  it('z and the two-sided p-value match scipy.stats.norm', () => {
    for (const c of fixture.two_proportion) {
      const { z, pValue } = twoProportionTest(c.before, c.n_before, c.after, c.n_after);
      expect(z).toBeCloseTo(c.z, 10);
      expect(Math.abs(pValue - c.p_value) / c.p_value, `${JSON.stringify(c)}`).toBeLessThan(1.2e-7);
    }
  });

  it('says "no evidence" when there is nothing to compare', () => {
    expect(twoProportionTest(0, 100, 0, 200)).toEqual({ z: 0, pValue: 1 });
    expect(twoProportionTest(0, 0, 5, 10)).toEqual({ z: 0, pValue: 1 });
  });
});
