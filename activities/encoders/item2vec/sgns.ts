import { seededRandom } from '../../clustering/random';

/**
 * item2vec: word2vec's skip-gram with negative sampling (SGNS) over item sequences, following
 * word2vec.c so its hyperparameters mean what the literature says they mean: a unigram^0.75
 * noise distribution, frequent-token subsampling, a linearly decaying learning rate and a
 * randomly shrunk window. Single-threaded on one seeded PRNG, so a seed gives bit-identical
 * vectors on every run and retry (word2vec.c's Hogwild threads do not).
 */
export interface Item2VecOptions {
  dimensions: number;
  /** Largest distance between centre and context; each centre draws a window in [1, window]. */
  window: number;
  /** Noise items drawn per (centre, context) pair. */
  negatives: number;
  epochs: number;
  /** Starting learning rate; it falls linearly to 1e-4 of this over all epochs. */
  learningRate: number;
  /** Tokens seen fewer times get no vector and are dropped from the sequences before windowing. */
  minCount: number;
  /** word2vec's `sample`: tokens more frequent than this share are randomly dropped; 0 = off. */
  subsample: number;
  seed: number;
}

/**
 * word2vec's skip-gram defaults (lr 0.025, window 5, 5 negatives, 5 epochs, sample 1e-3), with
 * 64 dimensions (item catalogues are smaller than natural-language vocabularies) and minCount 5
 * (an item seen fewer times gets a vector that is mostly its random initialisation).
 */
export const DEFAULT_ITEM2VEC_OPTIONS: Item2VecOptions = {
  dimensions: 64,
  window: 5,
  negatives: 5,
  epochs: 5,
  learningRate: 0.025,
  minCount: 5,
  subsample: 1e-3,
  seed: 1,
};

/** Integer-encoded corpus: tokens of all sequences back to back, sequence i is tokens[offsets[i]..offsets[i+1]). */
export interface TokenCorpus {
  /** Token id -> item id. */
  vocabulary: string[];
  /** Token id -> occurrences in `tokens`. */
  counts: Float64Array;
  tokens: Int32Array;
  /** sequences + 1 entries, offsets[0] = 0 and the last = tokens.length. */
  offsets: Int32Array;
}

export interface ItemVectors {
  /** Items that met minCount, in corpus token-id order; row r of `vectors` belongs to vocabulary[r]. */
  vocabulary: string[];
  dimensions: number;
  /** Row-major vocabulary.length x dimensions input (syn0) vectors. */
  vectors: Float32Array;
  /** Corpus token id -> row in `vectors`, or -1 for a token below minCount (it has no vector). */
  rowOfToken: Int32Array;
}

/** Builds a TokenCorpus from string sequences (token ids in first-seen order); for tests and small inputs. */
export function buildCorpus(sequences: Iterable<string[]>): TokenCorpus {
  const idOf = new Map<string, number>();
  const vocabulary: string[] = [];
  const counts: number[] = [];
  const tokens: number[] = [];
  const offsets: number[] = [0];
  for (const sequence of sequences) {
    for (const item of sequence) {
      let id = idOf.get(item);
      if (id === undefined) {
        id = vocabulary.length;
        idOf.set(item, id);
        vocabulary.push(item);
        counts.push(0);
      }
      counts[id]++;
      tokens.push(id);
    }
    offsets.push(tokens.length);
  }
  return { vocabulary, counts: Float64Array.from(counts), tokens: Int32Array.from(tokens), offsets: Int32Array.from(offsets) };
}

// word2vec.c's noise distribution exponent and its sigmoid table (sigmoid is clamped outside +-6).
const NEGATIVE_SAMPLING_POWER = 0.75;
const MAX_EXP = 6;
const SIGMOID_TABLE_SIZE = 1000;
const SIGMOID_TABLE = Float32Array.from({ length: SIGMOID_TABLE_SIZE }, (_, i) => {
  const e = Math.exp(((i / SIGMOID_TABLE_SIZE) * 2 - 1) * MAX_EXP);
  return e / (e + 1);
});
const MIN_LEARNING_RATE_SHARE = 1e-4;

/**
 * Trains item vectors on `corpus`. Items seen fewer than minCount times get no vector: they are
 * left out of the result's vocabulary and their token ids map to -1 in `rowOfToken`.
 * Bit-identical for a seed, options and corpus.
 */
export function trainItem2Vec(corpus: TokenCorpus, options: Item2VecOptions): ItemVectors {
  const training = item2vecTraining(corpus, options);
  for (;;) {
    const step = training.next();
    if (step.done) return step.value;
  }
}

/**
 * The same training, pausing every ~50k tokens so a worker's event loop can send heartbeats and
 * run workflow tasks meanwhile (training on millions of events takes minutes). `onProgress` gets
 * the share done. Same vectors as trainItem2Vec: the pauses change nothing in the arithmetic.
 */
export async function trainItem2VecInSlices(corpus: TokenCorpus, options: Item2VecOptions, onProgress: (share: number) => void = () => {}): Promise<ItemVectors> {
  const training = item2vecTraining(corpus, options);
  for (;;) {
    const step = training.next();
    if (step.done) return step.value;
    onProgress(step.value);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const TOKENS_PER_SLICE = 50_000;

function* item2vecTraining(corpus: TokenCorpus, options: Item2VecOptions): Generator<number, ItemVectors> {
  validateOptions(options);
  validateCorpus(corpus);
  const { dimensions, negatives, epochs, learningRate } = options;
  const { rowOfToken, vocabulary, rowCounts } = keepFrequentTokens(corpus, options.minCount);
  const rows = vocabulary.length;
  const random = seededRandom(options.seed);

  const input = new Float32Array(rows * dimensions);
  for (let i = 0; i < input.length; i++) input[i] = (random() - 0.5) / dimensions;
  if (rows === 0) return { vocabulary, dimensions, vectors: input, rowOfToken };
  const output = new Float32Array(rows * dimensions);
  const gradient = new Float32Array(dimensions);
  const noise = aliasTable(rowCounts);
  let trainTokens = 0;
  for (let r = 0; r < rows; r++) trainTokens += rowCounts[r];
  const keepProbability = subsampleKeepProbability(rowCounts, trainTokens, options.subsample);
  const sentence = new Int32Array(longestSequence(corpus.offsets));
  const sequences = corpus.offsets.length - 1;
  const totalSteps = epochs * trainTokens + 1;
  let processed = 0;
  let nextPause = TOKENS_PER_SLICE;

  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let s = 0; s < sequences; s++) {
      if (processed >= nextPause) {
        nextPause = processed + TOKENS_PER_SLICE;
        yield processed / totalSteps;
      }
      // Filtered and subsampled tokens leave the sentence before windowing, as in word2vec.c,
      // so the window reaches past them.
      const processedBefore = processed;
      let length = 0;
      for (let t = corpus.offsets[s]; t < corpus.offsets[s + 1]; t++) {
        const row = rowOfToken[corpus.tokens[t]];
        if (row < 0) continue;
        processed++;
        if (keepProbability[row] < 1 && keepProbability[row] < random()) continue;
        sentence[length++] = row;
      }
      for (let position = 0; position < length; position++) {
        // Decays per token, not per sequence: one user can have tens of thousands of events.
        const rate = learningRate * Math.max(MIN_LEARNING_RATE_SHARE, 1 - (processedBefore + position) / totalSteps);
        const centre = sentence[position];
        const reach = options.window - Math.floor(random() * options.window);
        const from = Math.max(0, position - reach);
        const to = Math.min(length - 1, position + reach);
        for (let c = from; c <= to; c++) {
          if (c === position) continue;
          // word2vec.c's orientation: the context's input vector predicts the centre's output vector.
          const contextOffset = sentence[c] * dimensions;
          gradient.fill(0);
          for (let n = 0; n <= negatives; n++) {
            let target = centre;
            let label = 1;
            if (n > 0) {
              target = noise.sample(random);
              if (target === centre) continue;
              label = 0;
            }
            trainPair(input, contextOffset, output, target * dimensions, dimensions, label, rate, gradient);
          }
          for (let j = 0; j < dimensions; j++) input[contextOffset + j] += gradient[j];
        }
      }
    }
  }
  return { vocabulary, dimensions, vectors: input, rowOfToken };
}

/**
 * One logistic-regression step on the pair: the output vector moves now, the context's input
 * vector collects its step in `gradient` (applied after all negatives, as in word2vec.c).
 * Unrolled by four: V8 does not vectorise, and four independent sums run about a third faster.
 */
function trainPair(input: Float32Array, contextOffset: number, output: Float32Array, targetOffset: number, dimensions: number, label: number, rate: number, gradient: Float32Array): void {
  const unrolled = dimensions - (dimensions % 4);
  let dot0 = 0;
  let dot1 = 0;
  let dot2 = 0;
  let dot3 = 0;
  let j = 0;
  for (; j < unrolled; j += 4) {
    dot0 += input[contextOffset + j] * output[targetOffset + j];
    dot1 += input[contextOffset + j + 1] * output[targetOffset + j + 1];
    dot2 += input[contextOffset + j + 2] * output[targetOffset + j + 2];
    dot3 += input[contextOffset + j + 3] * output[targetOffset + j + 3];
  }
  for (; j < dimensions; j++) dot0 += input[contextOffset + j] * output[targetOffset + j];
  const step = (label - sigmoid(dot0 + dot1 + dot2 + dot3)) * rate;
  for (j = 0; j < unrolled; j += 4) {
    const out0 = output[targetOffset + j];
    const out1 = output[targetOffset + j + 1];
    const out2 = output[targetOffset + j + 2];
    const out3 = output[targetOffset + j + 3];
    gradient[j] += step * out0;
    gradient[j + 1] += step * out1;
    gradient[j + 2] += step * out2;
    gradient[j + 3] += step * out3;
    output[targetOffset + j] = out0 + step * input[contextOffset + j];
    output[targetOffset + j + 1] = out1 + step * input[contextOffset + j + 1];
    output[targetOffset + j + 2] = out2 + step * input[contextOffset + j + 2];
    output[targetOffset + j + 3] = out3 + step * input[contextOffset + j + 3];
  }
  for (; j < dimensions; j++) {
    const out = output[targetOffset + j];
    gradient[j] += step * out;
    output[targetOffset + j] = out + step * input[contextOffset + j];
  }
}

function sigmoid(x: number): number {
  if (x >= MAX_EXP) return 1;
  if (x <= -MAX_EXP) return 0;
  return SIGMOID_TABLE[Math.floor((x + MAX_EXP) * (SIGMOID_TABLE_SIZE / MAX_EXP / 2))];
}

function validateOptions(options: Item2VecOptions): void {
  const positiveIntegers = ['dimensions', 'window', 'negatives', 'epochs', 'minCount'] as const;
  for (const name of positiveIntegers) {
    if (!Number.isInteger(options[name]) || options[name] < 1) throw new RangeError(`item2vec: ${name} must be a positive integer, got ${options[name]}`);
  }
  if (!(options.learningRate > 0)) throw new RangeError(`item2vec: learningRate must be > 0, got ${options.learningRate}`);
  if (!(options.subsample >= 0)) throw new RangeError(`item2vec: subsample must be >= 0, got ${options.subsample}`);
}

/** Checked once up front: a token id out of range would otherwise train row 0 silently. */
function validateCorpus(corpus: TokenCorpus): void {
  const { vocabulary, counts, tokens, offsets } = corpus;
  if (counts.length !== vocabulary.length) throw new RangeError(`item2vec: ${counts.length} counts for ${vocabulary.length} vocabulary entries`);
  if (offsets.length < 1 || offsets[0] !== 0 || offsets[offsets.length - 1] !== tokens.length) throw new RangeError('item2vec: offsets must run from 0 to tokens.length');
  for (let s = 0; s + 1 < offsets.length; s++) {
    if (offsets[s + 1] < offsets[s]) throw new RangeError(`item2vec: offsets decrease at sequence ${s}`);
  }
  for (let t = 0; t < tokens.length; t++) {
    if (tokens[t] < 0 || tokens[t] >= vocabulary.length) throw new RangeError(`item2vec: token ${tokens[t]} at position ${t} is not in the vocabulary`);
  }
}

function keepFrequentTokens(corpus: TokenCorpus, minCount: number) {
  const rowOfToken = new Int32Array(corpus.vocabulary.length).fill(-1);
  const vocabulary: string[] = [];
  const kept: number[] = [];
  for (let id = 0; id < corpus.vocabulary.length; id++) {
    if (corpus.counts[id] < minCount) continue;
    rowOfToken[id] = vocabulary.length;
    vocabulary.push(corpus.vocabulary[id]);
    kept.push(corpus.counts[id]);
  }
  return { rowOfToken, vocabulary, rowCounts: Float64Array.from(kept) };
}

/** word2vec.c's keep probability (sqrt(f/t) + 1) * t/f for a token with corpus share f. */
function subsampleKeepProbability(counts: Float64Array, total: number, threshold: number): Float64Array {
  const keep = new Float64Array(counts.length).fill(1);
  if (threshold === 0) return keep;
  for (let r = 0; r < counts.length; r++) {
    const ratio = (threshold * total) / counts[r];
    keep[r] = Math.min(1, (Math.sqrt(1 / ratio) + 1) * ratio);
  }
  return keep;
}

function longestSequence(offsets: Int32Array): number {
  let longest = 0;
  for (let s = 0; s + 1 < offsets.length; s++) longest = Math.max(longest, offsets[s + 1] - offsets[s]);
  return longest;
}

/**
 * Walker/Vose alias table over count^0.75: exact noise sampling in O(vocabulary) memory, where
 * word2vec.c's 1e8-entry unigram table would cost 400 MB and still round rare items away.
 */
function aliasTable(counts: Float64Array) {
  const n = counts.length;
  const probability = new Float64Array(n);
  const alias = new Int32Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) total += Math.pow(counts[i], NEGATIVE_SAMPLING_POWER);
  const small = new Int32Array(n);
  const large = new Int32Array(n);
  let smallTop = 0;
  let largeTop = 0;
  for (let i = 0; i < n; i++) {
    probability[i] = (Math.pow(counts[i], NEGATIVE_SAMPLING_POWER) * n) / total;
    if (probability[i] < 1) small[smallTop++] = i;
    else large[largeTop++] = i;
  }
  while (smallTop > 0 && largeTop > 0) {
    const less = small[--smallTop];
    const more = large[--largeTop];
    alias[less] = more;
    probability[more] += probability[less] - 1;
    if (probability[more] < 1) small[smallTop++] = more;
    else large[largeTop++] = more;
  }
  // Whatever is left is 1 up to rounding.
  while (smallTop > 0) probability[small[--smallTop]] = 1;
  while (largeTop > 0) probability[large[--largeTop]] = 1;
  return {
    sample(random: () => number): number {
      const i = Math.floor(random() * n);
      return random() < probability[i] ? i : alias[i];
    },
  };
}
