import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { standardizeColumns } from '../../activities/clustering/embedding-matrix';
import { adjustedRandIndex } from '../../activities/metrics/external';
import type { Matrix } from '../../activities/metrics/internal';
import { projectPath } from '../../lib/paths';

/** ../shared/datasets/clustering-benchmarks (see its SOURCE.md): battery/name.data.gz + .labels0.gz. */
export const BENCHMARKS = path.resolve(projectPath(), '..', 'shared', 'datasets', 'clustering-benchmarks');

function readMatrix(file: string): number[][] {
  return zlib.gunzipSync(fs.readFileSync(file)).toString('utf8').trim().split('\n').map((line) => line.trim().split(/\s+/).map(Number));
}

/**
 * A labelled benchmark ("sipu/s1") as the sweep sees its data (standardized columns, float32), and
 * the ARI of a labelling against its reference partition, leaving out the points the suite marks
 * as noise (label 0), as the fixture scripts in scripts/python do.
 */
export function labelledBenchmark(name: string): { matrix: Matrix; truth: number[]; ari: (labels: ArrayLike<number>) => number } {
  const rows = readMatrix(path.join(BENCHMARKS, `${name}.data.gz`));
  const truth = readMatrix(path.join(BENCHMARKS, `${name}.labels0.gz`)).map((row) => row[0]);
  const matrix = { data: Float32Array.from(rows.flat()), n: rows.length, d: rows[0].length };
  standardizeColumns(matrix);
  const kept = truth.flatMap((label, i) => (label > 0 ? [i] : []));
  return { matrix, truth, ari: (labels) => adjustedRandIndex(kept.map((i) => truth[i]), kept.map((i) => labels[i])) };
}
