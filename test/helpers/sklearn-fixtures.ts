import fs from 'node:fs';
import { projectPath } from '../../lib/paths';

/** Cases written by scripts/python/make_sklearn_fixtures.py. */
export interface SklearnCase {
  name: string;
  k: number;
  data: number[][];
  init: number[][];
  labels: number[];
  inertia: number;
  n_iter: number;
  kmeanspp_best_inertia: number;
  metrics: { silhouette: number; davies_bouldin: number; calinski_harabasz: number };
}

export function loadSklearnCases(): SklearnCase[] {
  const file = projectPath('test', 'fixtures', 'sklearn', 'kmeans-and-metrics.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { cases: SklearnCase[] }).cases;
}

export function toMatrix(rows: number[][]): { data: Float32Array; n: number; d: number } {
  const n = rows.length;
  const d = rows[0].length;
  const data = new Float32Array(n * d);
  rows.forEach((row, i) => row.forEach((value, j) => (data[i * d + j] = value)));
  return { data, n, d };
}

export function relativeError(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-12);
}
