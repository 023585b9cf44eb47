import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { standardizeColumns } from '../../activities/clustering/embedding-matrix';
import type { Matrix } from '../../activities/metrics/internal';
import { projectPath } from '../paths';

/** ../shared/datasets/clustering-benchmarks (see its SOURCE.md): battery/name.data.gz + .labels0.gz. */
export const SHARED_BENCHMARKS = path.resolve(projectPath(), '..', 'shared', 'datasets', 'clustering-benchmarks');

/** Every "battery/name" in `dir` that has both a data file and a labels0 file, sorted. */
export function listLabelledSets(dir: string): string[] {
  const names: string[] = [];
  for (const battery of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!battery.isDirectory()) continue;
    for (const file of fs.readdirSync(path.join(dir, battery.name))) {
      const name = file.endsWith('.data.gz') ? file.slice(0, -'.data.gz'.length) : null;
      if (name && fs.existsSync(path.join(dir, battery.name, `${name}.labels0.gz`))) names.push(`${battery.name}/${name}`);
    }
  }
  return names.sort();
}

function readMatrix(file: string): number[][] {
  return zlib.gunzipSync(fs.readFileSync(file)).toString('utf8').trim().split('\n').map((line) => line.trim().split(/\s+/).map(Number));
}

export interface LabelledSet {
  name: string;
  /** Standardized columns (as the sweep sees behavior-stats embeddings), float32. */
  matrix: Matrix;
  /** The reference partition labels0: 1..k, 0 = noise (left out of every ARI). */
  truth: number[];
}

export function loadLabelledSet(dir: string, name: string): LabelledSet {
  const rows = readMatrix(path.join(dir, `${name}.data.gz`));
  const truth = readMatrix(path.join(dir, `${name}.labels0.gz`)).map((row) => row[0]);
  if (truth.length !== rows.length) throw new Error(`${name}: ${rows.length} data rows but ${truth.length} labels`);
  const matrix = { data: Float32Array.from(rows.flat()), n: rows.length, d: rows[0].length };
  standardizeColumns(matrix);
  return { name, matrix, truth };
}
