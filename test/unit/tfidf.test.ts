import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fitTruncatedSvd, transformSvd, type TruncatedSvdModel } from '../../activities/encoders/tfidf/truncated-svd';
import {
  compareCodePoints, fitTfidf, tfidfModelFromJson, tfidfModelToJson, transformTfidf, type CsrMatrix, type TfidfOptions,
} from '../../activities/encoders/tfidf/vectorizer';
import { projectPath } from '../../lib/paths';
import { relativeError } from '../helpers/sklearn-fixtures';

/** Written by scripts/python/make_tfidf_fixtures.py from real REES46 events (one document per user). */
interface Fixture {
  token_table: string[];
  docs: number[][];
  vectorizer_cases: VectorizerCase[];
  svd: SvdCase;
}

interface VectorizerCase {
  name: string;
  settings: { ngram_range: [number, number]; min_df: number; max_features?: number; sublinear_tf?: boolean; smooth_idf?: boolean; norm?: string | null };
  terms: string[];
  idf: number[];
  rows: Array<{ row: number; indices: number[]; values: number[] }>;
  /** Only for max_features cases: term frequencies at the cut. */
  boundary?: { boundary_tf: number; above_boundary: number; at_boundary: string[]; boundary_slots: number };
}

interface SvdCase {
  input_case: string;
  components: number;
  singular_values: number[];
  dense_singular_values_head: number[];
  explained_variance_ratio: number[];
  components_: number[][];
  transformed_head: number[][];
}

const fixture = JSON.parse(fs.readFileSync(projectPath('test', 'fixtures', 'sklearn', 'tfidf-svd.json'), 'utf8')) as Fixture;
const docs = fixture.docs.map((doc) => doc.map((token) => fixture.token_table[token]));
const caseNamed = (name: string): VectorizerCase => fixture.vectorizer_cases.find((c) => c.name === name)!;

function optionsOf({ settings }: VectorizerCase): Partial<TfidfOptions> {
  return {
    ngramMax: settings.ngram_range[1],
    minDf: settings.min_df,
    maxFeatures: settings.max_features,
    sublinearTf: settings.sublinear_tf ?? false,
    smoothIdf: settings.smooth_idf ?? true,
    norm: settings.norm === null ? 'none' : 'l2',
  };
}

function largestDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let largest = 0;
  for (let i = 0; i < expected.length; i++) largest = Math.max(largest, Math.abs(actual[i] - expected[i]));
  return largest;
}

function rowOf(matrix: CsrMatrix, row: number): { indices: number[]; values: number[] } {
  const from = matrix.indptr[row];
  const to = matrix.indptr[row + 1];
  return { indices: Array.from(matrix.indices.subarray(from, to)), values: Array.from(matrix.values.subarray(from, to)) };
}

describe('TF-IDF against scikit-learn TfidfVectorizer', () => {
  const exactCases = fixture.vectorizer_cases.filter((c) => c.name !== 'bigrams-max-features-tied');

  for (const testCase of exactCases) {
    it(`${testCase.name}: same vocabulary in the same order, idf within 1e-9, every stored entry within 1e-6`, () => {
      const model = fitTfidf(docs, optionsOf(testCase));
      expect(model.terms).toEqual(testCase.terms);
      expect(largestDifference(model.idf, testCase.idf)).toBeLessThan(1e-9);
      const matrix = transformTfidf(model, docs);
      expect(matrix.rows).toBe(docs.length);
      expect(matrix.cols).toBe(testCase.terms.length);
      expect(testCase.rows.length).toBeGreaterThan(0);
      for (const expected of testCase.rows) {
        const actual = rowOf(matrix, expected.row);
        expect(actual.indices).toEqual(expected.indices);
        expect(largestDifference(actual.values, expected.values)).toBeLessThan(1e-6);
      }
    });
  }

  it('maxFeatures with a tie at the cut: the same terms above it and as many from the tie (sklearn picks those by an unstable sort)', () => {
    const testCase = caseNamed('bigrams-max-features-tied');
    const boundary = testCase.boundary!;
    expect(boundary.boundary_slots).toBeLessThan(boundary.at_boundary.length); // the fixture really has a tie
    const tied = new Set(boundary.at_boundary);
    const model = fitTfidf(docs, optionsOf(testCase));
    expect(model.terms).toHaveLength(testCase.settings.max_features!);
    expect(model.terms.filter((term) => !tied.has(term))).toEqual(testCase.terms.filter((term) => !tied.has(term)));
    // Ours: the alphabetically first of the tied terms, what a stable sort would keep.
    expect(model.terms.filter((term) => tied.has(term))).toEqual(boundary.at_boundary.slice(0, boundary.boundary_slots));
    // Columns are still in vocabulary order, and idf agrees for the terms both keep.
    const sklearnIdf = new Map(testCase.terms.map((term, i) => [term, testCase.idf[i]]));
    model.terms.forEach((term, i) => {
      if (sklearnIdf.has(term)) expect(Math.abs(model.idf[i] - sklearnIdf.get(term)!)).toBeLessThan(1e-9);
    });
  });

  it('a model written to JSON and read back transforms identically', () => {
    const model = fitTfidf(docs, optionsOf(caseNamed('bigrams-min-df-2')));
    const restored = tfidfModelFromJson(JSON.parse(JSON.stringify(tfidfModelToJson(model))));
    expect(restored.terms).toEqual(model.terms);
    expect(restored.idf).toEqual(model.idf);
    expect(transformTfidf(restored, docs)).toEqual(transformTfidf(model, docs));
    const shuffled = { ...tfidfModelToJson(model), terms: [...model.terms].reverse() };
    expect(() => tfidfModelFromJson(shuffled)).toThrow(/ascending/);
  });

  it('orders terms by code point like Python, not by UTF-16 unit like JavaScript', () => {
    const halfwidth = '\uff61'; // U+FF61 sorts before any astral character in Python
    const emoji = '\u{1f600}';
    expect(emoji < halfwidth).toBe(true); // JavaScript's order disagrees
    expect(compareCodePoints(halfwidth, emoji)).toBeLessThan(0);
    expect(fitTfidf([[emoji, halfwidth]], { ngramMax: 1 }).terms).toEqual([halfwidth, emoji]);
  });

  it('rejects tokens that scikit-learn would split on whitespace', () => {
    expect(() => fitTfidf([['b:two words']])).toThrow(/whitespace/);
  });
});

describe('randomized truncated SVD against scikit-learn TruncatedSVD (arpack)', () => {
  const svd = fixture.svd;
  const k = svd.components;
  const matrix = transformTfidf(fitTfidf(docs, optionsOf(caseNamed(svd.input_case))), docs);
  /**
   * A solver pins down a singular vector only as well as its singular value is separated from its
   * neighbours; inside a near-tie any rotation of the pair is an equally good answer. Components
   * whose value is at least 1% away from both neighbours are compared one by one (in this fixture
   * all 8: the closest pair, 7 and 8, is 1.8% apart; the dense head supplies the 9th value).
   */
  const head = svd.dense_singular_values_head;
  const separated = Array.from({ length: k }, (_, c) => c).filter((c) => {
    const below = (head[c] - head[c + 1]) / head[c];
    const above = c === 0 ? Infinity : (head[c - 1] - head[c]) / head[c];
    return Math.min(below, above) >= 0.01;
  });

  function cosines(model: TruncatedSvdModel): number[] {
    return svd.components_.map((reference, c) => {
      let dot = 0;
      let norm = 0;
      reference.forEach((value, j) => {
        dot += value * model.components[c * matrix.cols + j];
        norm += value * value;
      });
      return Math.abs(dot) / Math.sqrt(norm);
    });
  }

  it('the fixture has enough well-separated components for the checks to mean something', () => {
    expect(separated.length).toBeGreaterThanOrEqual(6);
  });

  it('singular values within 1% of arpack, separated components with |cosine| >= 0.99, projections equal up to sign', () => {
    const model = fitTruncatedSvd(matrix, k, { seed: 7 });
    svd.singular_values.forEach((value, c) => expect(relativeError(model.singularValues[c], value)).toBeLessThan(0.01));
    const cosine = cosines(model);
    for (const c of separated) expect(cosine[c]).toBeGreaterThanOrEqual(0.99);
    for (const c of separated) expect(relativeError(model.explainedVarianceRatio[c], svd.explained_variance_ratio[c])).toBeLessThan(0.01);
    // Rows of X have unit length, so a coordinate can be off by at most ‖v - v_sklearn‖; 0.05 holds
    // the projections to |cosine| >= 0.99875, tighter than the component check above.
    const projected = transformSvd(model, matrix);
    for (const c of separated) {
      const sign = Math.sign(svd.components_[c].reduce((dot, value, j) => dot + value * model.components[c * matrix.cols + j], 0));
      const difference = svd.transformed_head.reduce((largest, row, i) => Math.max(largest, Math.abs(sign * projected[i * k + c] - row[c])), 0);
      expect(difference).toBeLessThan(0.05);
    }
  });

  it('every component is a unit vector whose largest-magnitude entry is positive (svd_flip on the components)', () => {
    const model = fitTruncatedSvd(matrix, k, { seed: 7 });
    for (let c = 0; c < k; c++) {
      const component = model.components.subarray(c * matrix.cols, (c + 1) * matrix.cols);
      const largest = component.reduce((best, value) => (Math.abs(value) > Math.abs(best) ? value : best), 0);
      expect(largest).toBeGreaterThan(0);
      expect(Math.abs(Math.hypot(...component) - 1)).toBeLessThan(1e-12);
    }
  });

  it('the same seed gives bit-identical output; another seed a different sample and the same answer', () => {
    const first = fitTruncatedSvd(matrix, k, { seed: 7 });
    const again = fitTruncatedSvd(matrix, k, { seed: 7 });
    expect(again.components).toEqual(first.components);
    expect(again.singularValues).toEqual(first.singularValues);
    expect(transformSvd(again, matrix)).toEqual(transformSvd(first, matrix));
    const other = fitTruncatedSvd(matrix, k, { seed: 8 });
    expect(other.components).not.toEqual(first.components);
    const cosine = cosines(other);
    for (const c of separated) expect(cosine[c]).toBeGreaterThanOrEqual(0.99);
  });

  it('the thresholds reject an unconverged solver (no power iterations)', () => {
    const rough = fitTruncatedSvd(matrix, k, { seed: 7, powerIterations: 0 });
    const worstValue = Math.max(...svd.singular_values.map((value, c) => relativeError(rough.singularValues[c], value)));
    expect(worstValue).toBeGreaterThan(0.01);
    expect(Math.min(...separated.map((c) => cosines(rough)[c]))).toBeLessThan(0.99);
  });

  it('a rank-2 matrix: two exact singular values, then zeros with all-zero components', () => {
    const dense = [[1, 2, 0, 0, 1], [2, 4, 0, 0, 2], [0, 0, 3, 1, 0], [0, 0, 6, 2, 0], [1, 2, 3, 1, 1], [0, 0, 0, 0, 0]];
    const indptr = [0];
    const indices: number[] = [];
    const values: number[] = [];
    for (const row of dense) {
      row.forEach((value, j) => {
        if (value !== 0) {
          indices.push(j);
          values.push(value);
        }
      });
      indptr.push(indices.length);
    }
    const small: CsrMatrix = { rows: 6, cols: 5, indptr: Int32Array.from(indptr), indices: Int32Array.from(indices), values: Float64Array.from(values) };
    const model = fitTruncatedSvd(small, 4, { seed: 3 });
    // numpy.linalg.svd of the same matrix: 7.89194886..., 5.80664646..., then ~1e-16.
    expect(relativeError(model.singularValues[0], 7.8919488630556724)).toBeLessThan(1e-12);
    expect(relativeError(model.singularValues[1], 5.8066464627110133)).toBeLessThan(1e-12);
    expect(Array.from(model.singularValues.subarray(2))).toEqual([0, 0]);
    expect(model.components.subarray(2 * 5).every((value) => value === 0)).toBe(true);
  });

  it('refuses more components than min(rows, cols)', () => {
    expect(() => fitTruncatedSvd(matrix, Math.min(matrix.rows, matrix.cols) + 1, { seed: 1 })).toThrow(/min\(rows, cols\)/);
  });
});
