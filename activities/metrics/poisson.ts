import { logGamma } from './log-gamma';

/**
 * One Poisson(lambda) variate from uniforms in [0, 1). Below lambda 10, Knuth's multiplication
 * method; from 10 up, Hormann's transformed rejection with squeeze (PTRS; W. Hormann, "The
 * transformed rejection method for generating Poisson random variables", Insurance: Mathematics
 * and Economics 12, 1993), the method NumPy uses there: exact, a few uniforms per variate at any
 * lambda.
 */
export function poissonVariate(lambda: number, random: () => number): number {
  if (!(lambda >= 0) || !Number.isFinite(lambda)) throw new RangeError(`poissonVariate: lambda must be finite and >= 0, got ${lambda}`);
  if (lambda === 0) return 0;
  if (lambda < 10) {
    const limit = Math.exp(-lambda);
    let k = 0;
    let product = random();
    while (product > limit) {
      k++;
      product *= random();
    }
    return k;
  }
  const logLambda = Math.log(lambda);
  const b = 0.931 + 2.53 * Math.sqrt(lambda);
  const a = -0.059 + 0.02483 * b;
  const inverseAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = random() - 0.5;
    const v = random();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (Math.log(v) + Math.log(inverseAlpha) - Math.log(a / (us * us) + b) <= -lambda + k * logLambda - logGamma(k + 1)) return k;
  }
}
