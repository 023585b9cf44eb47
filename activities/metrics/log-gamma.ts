/**
 * Natural log of the gamma function for x > 0, to within a few ulps: log((x-1)!) for integers.
 * The expected mutual information sums exp() of differences of these at values up to n, so an
 * absolute error in them becomes the same relative error in the metric.
 */
export function logGamma(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) throw new RangeError(`logGamma: needs a finite x > 0, got ${x}`);
  // 18! < 2^53: the product is exact, so the log is correctly rounded (and log(0!) = log(1!) = 0 exactly).
  if (Number.isInteger(x) && x <= 19) {
    let factorial = 1;
    for (let k = 2; k < x; k++) factorial *= k;
    return Math.log(factorial);
  }
  // Stirling's series is accurate to double precision from 20 up; below, use
  // gamma(x) = gamma(x + m) / (x (x + 1) ... (x + m - 1)).
  let product = 1;
  let shifted = x;
  for (let k = 1; shifted < STIRLING_FROM; k++) {
    product *= shifted;
    shifted = x + k;
  }
  return stirling(shifted) - Math.log(product);
}

/** log(k!) for k = 0..n, each evaluated directly (a running sum of logs would drift by ~sqrt(n) ulps). */
export function logFactorials(n: number): Float64Array {
  const table = new Float64Array(n + 1);
  for (let k = 0; k <= n; k++) table[k] = logGamma(k + 1);
  return table;
}

const STIRLING_FROM = 20;
const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);
// B_2k / (2k (2k - 1)) for k = 1..6; the next term is below 1e-19 at x = 20.
const STIRLING_COEFFICIENTS = [1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360];

function stirling(x: number): number {
  const inverseSquare = 1 / (x * x);
  let series = 0;
  for (let k = STIRLING_COEFFICIENTS.length - 1; k >= 0; k--) series = series * inverseSquare + STIRLING_COEFFICIENTS[k];
  return (x - 0.5) * Math.log(x) - x + HALF_LOG_TWO_PI + series / x;
}
