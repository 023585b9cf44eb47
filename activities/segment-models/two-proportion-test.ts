/**
 * Two-proportion z-test (pooled), two-sided: did a segment's share of all users change between
 * two drops? Checked against scipy in test/unit/two-proportion-test.test.ts.
 */
export interface ProportionTest {
  z: number;
  pValue: number;
}

export function twoProportionTest(countBefore: number, totalBefore: number, countAfter: number, totalAfter: number): ProportionTest {
  if (totalBefore <= 0 || totalAfter <= 0) return { z: 0, pValue: 1 };
  const pooled = (countBefore + countAfter) / (totalBefore + totalAfter);
  const standardError = Math.sqrt(pooled * (1 - pooled) * (1 / totalBefore + 1 / totalAfter));
  if (standardError === 0) return { z: 0, pValue: 1 };
  const z = (countAfter / totalAfter - countBefore / totalBefore) / standardError;
  return { z, pValue: Math.min(1, erfc(Math.abs(z) / Math.SQRT2)) };
}

/**
 * Complementary error function, relative error below 1.2e-7 everywhere (Chebyshev fit of
 * Numerical Recipes, 2nd ed., section 6.2, `erfcc`). Relative, not absolute, accuracy is what
 * matters here: p-values of large shifts are tiny and still compared against thresholds.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const polynomial = -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
    + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const value = t * Math.exp(polynomial);
  return x >= 0 ? value : 2 - value;
}
