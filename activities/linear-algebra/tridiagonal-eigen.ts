/**
 * Eigenvalues and eigenvectors of a symmetric tridiagonal matrix by the implicit QL algorithm
 * with Wilkinson shifts (EISPACK tql2, as in JAMA): O(t^2) for the values, O(t^3) with the
 * vectors. Lanczos (lanczos.ts) reduces a large sparse eigenproblem to one of these.
 *
 * `diagonal` has t entries, `offDiagonal` t - 1 (entry i couples rows i and i + 1). Returns the
 * values ascending and the eigenvectors as columns of `vectors` (row-major, t columns, in the same
 * order). `rows` picks which of their t components to compute (default all): the rotations act on
 * each row alone, so rows = [t - 1], all that Lanczos's convergence test reads, costs O(t^2).
 */
export function tridiagonalEigen(
  diagonal: ArrayLike<number>, offDiagonal: ArrayLike<number>, rows?: ArrayLike<number>,
): { values: Float64Array; vectors: Float64Array } {
  const t = diagonal.length;
  const tracked = rows ?? Array.from({ length: t }, (_, i) => i);
  const width = tracked.length;
  const d = Float64Array.from(diagonal);
  const e = new Float64Array(t);
  for (let i = 0; i + 1 < t; i++) e[i] = offDiagonal[i];
  const z = new Float64Array(width * t);
  for (let row = 0; row < width; row++) z[row * t + tracked[row]] = 1;
  const epsilon = 2 ** -52;
  let shift = 0;
  let scale = 0;
  for (let l = 0; l < t; l++) {
    scale = Math.max(scale, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < t && Math.abs(e[m]) > epsilon * scale) m++;
    // e[t - 1] is 0, so m < t here; m > l means the block l..m is not yet diagonal.
    if (m > l) {
      for (let iteration = 0; Math.abs(e[l]) > epsilon * scale; iteration++) {
        if (iteration > 60 * t) throw new Error(`tridiagonalEigen: no convergence after ${iteration} QL iterations`);
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < t; i++) d[i] -= h;
        shift += h;
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          for (let k = 0; k < width; k++) {
            const row = k * t;
            h = z[row + i + 1];
            z[row + i + 1] = s * z[row + i] + c * h;
            z[row + i] = c * z[row + i] - s * h;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      }
    }
    d[l] += shift;
    e[l] = 0;
  }
  const order = Array.from({ length: t }, (_, i) => i).sort((a, b) => d[a] - d[b] || a - b);
  const values = Float64Array.from(order, (i) => d[i]);
  const vectors = new Float64Array(width * t);
  for (let k = 0; k < width; k++) order.forEach((from, to) => (vectors[k * t + to] = z[k * t + from]));
  return { values, vectors };
}
