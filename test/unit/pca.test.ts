import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fitPca, transformPca } from '../../activities/clustering/pca';
import { projectPath } from '../../lib/paths';
import { relativeError, toMatrix } from '../helpers/sklearn-fixtures';

interface PcaCase {
  name: string;
  components: number;
  data: number[][];
  explained_variance: number[];
  explained_variance_ratio: number[];
  components_: number[][];
  transformed_head: number[][];
}

const cases = (JSON.parse(fs.readFileSync(projectPath('test', 'fixtures', 'sklearn', 'pca.json'), 'utf8')) as { cases: PcaCase[] }).cases;

describe('PCA against scikit-learn', () => {
  for (const testCase of cases) {
    it(`${testCase.name}: explained variance, components and projections`, async () => {
      const { data, n, d } = toMatrix(testCase.data);
      const model = await fitPca(data, n, d, testCase.components);
      testCase.explained_variance.forEach((value, c) => expect(relativeError(model.explainedVariance[c], value)).toBeLessThan(1e-6));
      testCase.explained_variance_ratio.forEach((value, c) => expect(relativeError(model.explainedVarianceRatio[c], value)).toBeLessThan(1e-6));
      testCase.components_.forEach((component, c) =>
        component.forEach((value, j) => expect(Math.abs(model.basis[c * d + j] - value)).toBeLessThan(1e-6)));
      const projected = await transformPca(model, data, n);
      testCase.transformed_head.forEach((row, i) =>
        row.forEach((value, c) => expect(Math.abs(projected[i * testCase.components + c] - value)).toBeLessThan(1e-4 * Math.max(1, Math.abs(value)))));
    });
  }
});
