import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { kmeans } from '../../activities/clustering/kmeans';
import { standardizeColumns } from '../../activities/clustering/embedding-matrix';
import { kmeansStability } from '../../activities/evaluation/stability';
import { selectCandidate } from '../../activities/evaluation/selection';
import { adjustedRandIndex } from '../../activities/metrics/external';
import { sampledDensitySilhouette } from '../../activities/metrics/density-silhouette';
import { silhouetteScore } from '../../activities/metrics/internal';
import type { CandidateMetrics } from '../../common/contracts';
import { projectPath } from '../../lib/paths';

const BENCHMARKS = path.resolve(projectPath(), '..', 'shared', 'datasets', 'clustering-benchmarks');
const cases = (JSON.parse(fs.readFileSync(projectPath('test', 'fixtures', 'sklearn', 'benchmark-ari.json'), 'utf8')) as {
  cases: Array<{ path: string; k: number }>;
}).cases;
/**
 * The shipped rule (thresholds tuned on all 68 labelled sets, common/internal-rule-thresholds.ts) on
 * 10 of them, k-means only as a default run sweeps. It trails the best k by 0.054 on average here,
 * 0.143 at worst (uci/wdbc); on held-out folds a k-means sweep trails by 0.049 on average, 0.36 at
 * worst (docs/EVALUATION.md). The bounds below guard that measured level; they are not a goal met.
 * (The bounds were 0.05 and 0.02 when 0.75 and 0.005 had been tuned on these same 10 sets.)
 */
const MARGIN = 0.2;
const MEAN_MARGIN = 0.07;

function readMatrix(file: string): number[][] {
  return zlib.gunzipSync(fs.readFileSync(file)).toString('utf8').trim().split('\n').map((line) => line.trim().split(/\s+/).map(Number));
}

describe('the selection rule on the labelled clustering benchmarks', () => {
  const regrets: Record<string, number> = {};
  for (const testCase of cases) {
    it(`${testCase.path}: the chosen k's ARI is within ${MARGIN} of the best candidate's`, async () => {
      const rows = readMatrix(path.join(BENCHMARKS, `${testCase.path}.data.gz`));
      const truth = readMatrix(path.join(BENCHMARKS, `${testCase.path}.labels0.gz`)).map((row) => row[0]);
      const matrix = { data: Float32Array.from(rows.flat()), n: rows.length, d: rows[0].length };
      standardizeColumns(matrix);
      const kept = truth.flatMap((label, i) => (label > 0 ? [i] : [])); // 0 = noise in the suite
      const candidates: Array<CandidateMetrics & { ari: number }> = [];
      for (let k = 2; k <= Math.max(8, testCase.k + 4); k++) {
        const { labels } = await kmeans(matrix.data, matrix.n, matrix.d, { k, seed: 7, nInit: 4 });
        const stability = await kmeansStability(matrix, labels, k, { seedRuns: 3, bootstrapRuns: 3, subsampleShare: 0.8, maxPoints: 5000, seed: 11, maxIterations: 300 });
        candidates.push({
          candidate: { encoder: 'behavior-stats', algorithm: 'kmeans', params: `k=${k}`, k },
          silhouette: silhouetteScore(matrix, labels, 5000, 1).value, silhouetteSampled: matrix.n > 5000,
          densitySilhouette: await sampledDensitySilhouette(matrix, labels, 1),
          daviesBouldin: 0, calinskiHarabasz: 0, inertia: 0, clusterSizes: [], clusterSeconds: 0, stability,
          ari: adjustedRandIndex(kept.map((i) => truth[i]), kept.map((i) => labels[i])),
        });
      }
      const best = Math.max(...candidates.map((row) => row.ari));
      const chosen = selectCandidate(candidates, 'stable-silhouette').chosen as CandidateMetrics & { ari: number };
      regrets[testCase.path] = best - chosen.ari;
      console.log(`${testCase.path}: chose k=${chosen.candidate.k} (true ${testCase.k}), ARI ${chosen.ari.toFixed(3)}, best ${best.toFixed(3)}`);
      expect(chosen.ari).toBeGreaterThanOrEqual(best - MARGIN);
    });
  }

  it(`trails the best candidate by less than ${MEAN_MARGIN} ARI on average`, () => {
    const values = Object.values(regrets);
    expect(values).toHaveLength(cases.length);
    expect(values.reduce((sum, value) => sum + value, 0) / values.length).toBeLessThan(MEAN_MARGIN);
  });
});
