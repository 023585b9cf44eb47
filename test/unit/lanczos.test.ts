import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../activities/clustering/random';
import { largestEigenpairs, type SymmetricOperator } from '../../activities/linear-algebra/lanczos';
import { symmetricEigen } from '../../activities/linear-algebra/symmetric-eigen';
import { tridiagonalEigen } from '../../activities/linear-algebra/tridiagonal-eigen';

function denseOperator(matrix: Float64Array, size: number): SymmetricOperator {
  return {
    size,
    apply(x, out) {
      for (let i = 0; i < size; i++) {
        let sum = 0;
        for (let j = 0; j < size; j++) sum += matrix[i * size + j] * x[j];
        out[i] = sum;
      }
    },
  };
}

function residual(operator: SymmetricOperator, value: number, vector: Float64Array): number {
  const product = new Float64Array(operator.size);
  operator.apply(vector, product);
  return Math.sqrt(product.reduce((sum, entry, i) => sum + (entry - value * vector[i]) ** 2, 0));
}

describe('symmetric tridiagonal eigenproblem (implicit QL)', () => {
  it("finds the path graph Laplacian's known eigenvalues 2 - 2 cos(j pi / (t + 1)) and orthonormal eigenvectors", () => {
    const t = 40;
    const { values, vectors } = tridiagonalEigen(new Array(t).fill(2), new Array(t - 1).fill(-1));
    for (let j = 0; j < t; j++) expect(values[j]).toBeCloseTo(2 - 2 * Math.cos(((j + 1) * Math.PI) / (t + 1)), 12);
    for (let a = 0; a < t; a++) {
      // T v = lambda v, row by row, and unit length.
      let norm = 0;
      for (let i = 0; i < t; i++) {
        const tv = 2 * vectors[i * t + a] - (i > 0 ? vectors[(i - 1) * t + a] : 0) - (i < t - 1 ? vectors[(i + 1) * t + a] : 0);
        expect(Math.abs(tv - values[a] * vectors[i * t + a])).toBeLessThan(1e-12);
        norm += vectors[i * t + a] ** 2;
      }
      expect(norm).toBeCloseTo(1, 12);
    }
    // Computing one row only (what Lanczos's convergence test reads) gives that row of the full result.
    const lastRow = tridiagonalEigen(new Array(t).fill(2), new Array(t - 1).fill(-1), [t - 1]).vectors;
    for (let a = 0; a < t; a++) expect(Math.abs(lastRow[a])).toBeCloseTo(Math.abs(vectors[(t - 1) * t + a]), 12);
  });
});

describe('Lanczos: the largest eigenpairs of a symmetric operator', () => {
  it("agrees with the Jacobi solver's largest eigenvalues on a random symmetric matrix", async () => {
    const size = 120;
    const random = seededRandom(5);
    const matrix = new Float64Array(size * size);
    for (let i = 0; i < size; i++) {
      for (let j = i; j < size; j++) matrix[i * size + j] = matrix[j * size + i] = (random() - 0.5) / Math.sqrt(size);
    }
    const reference = Array.from(symmetricEigen(matrix, size).values).sort((a, b) => b - a);
    const operator = denseOperator(matrix, size);
    const found = await largestEigenpairs(operator, { count: 5, random: seededRandom(1) });
    expect(found.steps).toBeLessThan(size);
    found.values.forEach((value, i) => {
      expect(value).toBeCloseTo(reference[i], 9);
      expect(residual(operator, value, found.vectors[i])).toBeLessThan(1e-7);
    });
  });

  it('finds a repeated eigenvalue as often as it repeats, and stays out of a deflated vector', async () => {
    // Few distinct eigenvalues: the Krylov space closes after 4 steps and Lanczos restarts from a fresh
    // vector each time, which is how the second and third copies of 1 are found.
    const diagonal = [1, 1, 1, 0.5, 0.5, ...new Array(55).fill(0.1), 0.9];
    const size = diagonal.length;
    const operator: SymmetricOperator = { size, apply: (x, out) => x.forEach((value, i) => (out[i] = diagonal[i] * value)) };
    const found = await largestEigenpairs(operator, { count: 4, random: seededRandom(2) });
    expect(Array.from(found.values)).toEqual([1, 1, 1, 0.9].map((value) => expect.closeTo(value, 10)));
    // Deflating the last coordinate's vector (eigenvalue 0.9) leaves 1, 1, 1, 0.5.
    const deflated = new Float64Array(size);
    deflated[size - 1] = 1;
    const without = await largestEigenpairs(operator, { count: 4, random: seededRandom(2), deflated: [deflated] });
    expect(Array.from(without.values)).toEqual([1, 1, 1, 0.5].map((value) => expect.closeTo(value, 10)));
    for (const vector of without.vectors) expect(Math.abs(vector[size - 1])).toBeLessThan(1e-12);
  });
});
