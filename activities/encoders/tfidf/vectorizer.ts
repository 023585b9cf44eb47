/**
 * TF-IDF over per-user token documents, column for column the same as scikit-learn's
 * TfidfVectorizer(analyzer='word', token_pattern=r'\S+', lowercase=False, ngram_range=(1, ngramMax))
 * applied to the tokens joined by single spaces (checked in test/unit/tfidf.test.ts against
 * scripts/python/make_tfidf_fixtures.py). Fitting reads the documents once, so a streaming source
 * (a generator over a shard) is enough; the model is small and goes to JSON for the shard steps.
 */

/** Compressed sparse rows: row i holds indices/values[indptr[i] .. indptr[i + 1]), columns ascending. */
export interface CsrMatrix {
  rows: number;
  cols: number;
  indptr: Int32Array;
  indices: Int32Array;
  values: Float32Array | Float64Array;
}

export interface TfidfOptions {
  /** Longest n-gram: 1 = tokens only, 2 = tokens plus adjacent pairs joined by one space. */
  ngramMax: number;
  /** Terms in fewer documents than this are dropped (an absolute count, like an integer min_df). */
  minDf: number;
  /** Keep only this many terms, the highest total counts over the corpus; absent = keep all. */
  maxFeatures?: number;
  /** Use 1 + ln(count) instead of the raw count. */
  sublinearTf: boolean;
  /** idf = ln((1 + n) / (1 + df)) + 1 when true, ln(n / df) + 1 when false. */
  smoothIdf: boolean;
  norm: 'l2' | 'none';
}

/** scikit-learn's defaults, except bigrams: the segmentation features are event pairs. */
export const DEFAULT_TFIDF_OPTIONS: TfidfOptions = {
  ngramMax: 2,
  minDf: 1,
  sublinearTf: false,
  smoothIdf: true,
  norm: 'l2',
};

export interface TfidfModel {
  options: TfidfOptions;
  /** Documents seen by the fit (n in the idf formula). */
  documents: number;
  /** Column order: ascending by code point, as Python sorts the vocabulary. */
  terms: string[];
  idf: Float64Array;
  columnOf: ReadonlyMap<string, number>;
}

/** Document frequency and total count over the corpus of one n-gram. */
interface TermStats {
  documents: number;
  count: number;
}

/** minDf left no term (scikit-learn: "After pruning, no terms remain"). */
export class EmptyVocabularyError extends Error {
  override name = 'EmptyVocabularyError';
}

export function fitTfidf(docs: Iterable<readonly string[]>, options: Partial<TfidfOptions> = {}): TfidfModel {
  const resolved = resolveOptions(options);
  const seen = new Map<string, TermStats>();
  let documents = 0;
  for (const doc of docs) {
    documents++;
    for (const [term, count] of countNgrams(doc, resolved.ngramMax)) {
      const stats = seen.get(term);
      if (stats === undefined) seen.set(term, { documents: 1, count });
      else {
        stats.documents++;
        stats.count += count;
      }
    }
  }
  if (documents === 0) throw new Error('TF-IDF: no documents to fit');
  let terms = [...seen.keys()].filter((term) => seen.get(term)!.documents >= resolved.minDf);
  terms.sort(compareCodePoints);
  if (resolved.maxFeatures !== undefined && terms.length > resolved.maxFeatures) {
    terms = mostFrequent(terms, seen, resolved.maxFeatures);
  }
  if (terms.length === 0) throw new EmptyVocabularyError(`TF-IDF: no terms appear in at least minDf=${resolved.minDf} documents`);
  const idf = Float64Array.from(terms, (term) => inverseDocumentFrequency(documents, seen.get(term)!.documents, resolved.smoothIdf));
  return buildModel(resolved, documents, terms, idf);
}

/** One row per document; terms outside the vocabulary are ignored, an empty row stays all zero. */
export function transformTfidf(model: TfidfModel, docs: Iterable<readonly string[]>): CsrMatrix {
  const { ngramMax, sublinearTf, norm } = model.options;
  const indptr = [0];
  const indices: number[] = [];
  const values: number[] = [];
  for (const doc of docs) {
    const row: Array<[number, number]> = [];
    for (const [term, count] of countNgrams(doc, ngramMax)) {
      const column = model.columnOf.get(term);
      if (column === undefined) continue;
      row.push([column, (sublinearTf ? 1 + Math.log(count) : count) * model.idf[column]]);
    }
    row.sort((a, b) => a[0] - b[0]);
    let scale = 1;
    if (norm === 'l2') {
      const length = Math.sqrt(row.reduce((sum, [, value]) => sum + value * value, 0));
      if (length > 0) scale = 1 / length;
    }
    for (const [column, value] of row) {
      indices.push(column);
      values.push(value * scale);
    }
    indptr.push(indices.length);
  }
  return {
    rows: indptr.length - 1,
    cols: model.terms.length,
    indptr: Int32Array.from(indptr),
    indices: Int32Array.from(indices),
    values: Float64Array.from(values),
  };
}

export interface TfidfModelJson {
  format: 'tfidf-model/1';
  options: TfidfOptions;
  documents: number;
  terms: string[];
  idf: number[];
}

export function tfidfModelToJson(model: TfidfModel): TfidfModelJson {
  return { format: 'tfidf-model/1', options: { ...model.options }, documents: model.documents, terms: [...model.terms], idf: [...model.idf] };
}

export function tfidfModelFromJson(json: TfidfModelJson): TfidfModel {
  if (json?.format !== 'tfidf-model/1') throw new Error(`TF-IDF model: unknown format ${String(json?.format)}`);
  const { terms, idf } = json;
  if (!Array.isArray(terms) || !Array.isArray(idf) || terms.length !== idf.length) {
    throw new Error('TF-IDF model: terms and idf must be arrays of the same length');
  }
  if (!Number.isInteger(json.documents) || json.documents < 1) throw new Error(`TF-IDF model: bad document count ${String(json.documents)}`);
  for (let i = 0; i < terms.length; i++) {
    if (typeof terms[i] !== 'string' || !Number.isFinite(idf[i])) throw new Error(`TF-IDF model: bad entry at column ${i}`);
    // Columns are positions in the sorted vocabulary; a reordered file would silently shuffle features.
    if (i > 0 && compareCodePoints(terms[i - 1], terms[i]) >= 0) throw new Error(`TF-IDF model: terms not strictly ascending at column ${i}`);
  }
  return buildModel(resolveOptions(json.options), json.documents, [...terms], Float64Array.from(idf));
}

/** Orders strings by Unicode code point, as Python does; JavaScript's `<` compares UTF-16 units instead. */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Only surrogates (astral characters) vs U+E000..U+FFFF disagree between the two orders:
    // move surrogates above that range.
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

/** Counts of every n-gram (n = 1..ngramMax) of adjacent tokens, joined by single spaces. */
function countNgrams(tokens: readonly string[], ngramMax: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (const token of tokens) {
    // scikit-learn re-splits the joined text on whitespace: a token holding a space would turn into two.
    if (token.length === 0 || /\s/.test(token)) throw new Error(`TF-IDF: token ${JSON.stringify(token)} is empty or contains whitespace`);
    counts.set(token, (counts.get(token) ?? 0) + 1);
  }
  for (let n = 2; n <= ngramMax; n++) {
    for (let start = 0; start + n <= tokens.length; start++) {
      let gram = tokens[start];
      for (let k = 1; k < n; k++) gram += ' ' + tokens[start + k];
      counts.set(gram, (counts.get(gram) ?? 0) + 1);
    }
  }
  return counts;
}

/**
 * The `limit` terms with the largest total counts, returned in vocabulary order. Ties at the cut go
 * to the alphabetically first terms (a stable sort of the sorted vocabulary). scikit-learn uses
 * numpy's unstable default argsort there, so its choice among tied terms depends on the CPU's sort
 * kernel; every term above the cut and the number taken from the tie agree with it.
 */
function mostFrequent(sortedTerms: string[], seen: ReadonlyMap<string, TermStats>, limit: number): string[] {
  const ranked = sortedTerms.map((term, position) => ({ position, count: seen.get(term)!.count }));
  ranked.sort((a, b) => b.count - a.count || a.position - b.position);
  const kept = ranked.slice(0, limit).map(({ position }) => position).sort((a, b) => a - b);
  return kept.map((position) => sortedTerms[position]);
}

function inverseDocumentFrequency(documents: number, df: number, smooth: boolean): number {
  const extra = smooth ? 1 : 0;
  return Math.log((documents + extra) / (df + extra)) + 1;
}

function resolveOptions(options: Partial<TfidfOptions>): TfidfOptions {
  const resolved: TfidfOptions = { ...DEFAULT_TFIDF_OPTIONS, ...stripUndefined(options) };
  if (!Number.isInteger(resolved.ngramMax) || resolved.ngramMax < 1) throw new RangeError(`TF-IDF: ngramMax=${resolved.ngramMax} must be a positive integer`);
  if (!Number.isInteger(resolved.minDf) || resolved.minDf < 1) throw new RangeError(`TF-IDF: minDf=${resolved.minDf} must be a positive integer (a document count)`);
  if (resolved.maxFeatures !== undefined && (!Number.isInteger(resolved.maxFeatures) || resolved.maxFeatures < 1)) {
    throw new RangeError(`TF-IDF: maxFeatures=${resolved.maxFeatures} must be a positive integer`);
  }
  if (resolved.norm !== 'l2' && resolved.norm !== 'none') throw new RangeError(`TF-IDF: norm=${String(resolved.norm)} must be 'l2' or 'none'`);
  return resolved;
}

/** `{ maxFeatures: undefined }` should mean "default", not overwrite the default with undefined. */
function stripUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function buildModel(options: TfidfOptions, documents: number, terms: string[], idf: Float64Array): TfidfModel {
  return { options, documents, terms, idf, columnOf: new Map(terms.map((term, column) => [term, column])) };
}
