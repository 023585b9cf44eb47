import { z } from 'zod';
import { ascendingPositiveList, flag, integer, matching, oneOf, someOf, text, weights } from './field-types';

export const ENCODERS = ['transformer', 'item2vec', 'tfidf', 'behavior-stats'] as const;
export type EncoderName = (typeof ENCODERS)[number];
/** Encoders with a model fitted once per run over all shards, before any shard is encoded. */
export const FITTED_ENCODERS: readonly EncoderName[] = ['item2vec', 'tfidf'];
/** Encoders whose vectors are z-scored over all users before clustering and evaluation (statistics, not embeddings). */
export const STANDARDIZED_ENCODERS: readonly string[] = ['behavior-stats'];

export const TRANSFORMER_ORDERS = ['newest-last', 'newest-first'] as const;
export type TransformerOrder = (typeof TRANSFORMER_ORDERS)[number];
export const TRANSFORMER_LONG_TEXTS = ['chunk', 'truncate'] as const;
export type TransformerLongTexts = (typeof TRANSFORMER_LONG_TEXTS)[number];
/** Which ONNX file of a model directory runs (lib/runtime/models/model-config.ts modelFileName). */
export const MODEL_PRECISIONS = ['float32', 'int8'] as const;
export type ModelPrecision = (typeof MODEL_PRECISIONS)[number];

export const encodersSection = z.object({
  encoders: someOf(ENCODERS).default(['transformer', 'behavior-stats']).describe(
    'The sequence encoders to run; every encoder is clustered with every algorithm (docs/ENCODERS.md).',
  ),
  transformerModelDir: text("a directory path or ''").default('').describe(
    "Transformer encoder (docs/ENCODERS.md): a model directory (model.onnx + tokenizer.json); '' = the provisioned default.",
  ),
  transformerPrecision: oneOf(MODEL_PRECISIONS).default('float32').describe(
    "Which ONNX file of the model directory runs: 'float32' (model.onnx) or 'int8' (model-int8.onnx, dynamically quantized: " +
      '1.6-2.3x faster on a 2-core AVX-512 VNNI CPU, cosine about 0.99 to float32; docs/BENCHMARKS.md).',
  ),
  transformerEventTemplate: matching(/\{\w+\}/, 'a template with at least one {placeholder}')
    .default('{gap}{action} {category} {brand} {title} {query} {price}')
    .describe('Per-event text template; placeholders {gap} {action} {category} {brand} {title} {query} {price} {item}.'),
  transformerEventSeparator: text().default('; ').describe("The text between two events of a user's sequence."),
  transformerOrder: oneOf(TRANSFORMER_ORDERS).default('newest-last').describe(
    'Event order in the text: newest last reads like a story; newest first keeps the recent events when a text is truncated at the end.',
  ),
  transformerPriceBands: ascendingPositiveList().default([10, 50, 200, 1000]).describe('Ascending price boundaries for the {price} band.'),
  transformerLongTexts: oneOf(TRANSFORMER_LONG_TEXTS).default('chunk').describe(
    "Texts longer than the model's limit: 'chunk' (embed windows, average) or 'truncate' (keep the newest tokens).",
  ),
  transformerMaxChunks: integer(1, 1000).default(4).describe('At most this many windows per user (the newest); more is counted as truncated.'),
  transformerBatchSize: integer(1, 4096).default(64).describe(
    'At most this many token windows per onnxruntime call (windows sorted by length, padded per call).',
  ),
  transformerBatchTokens: integer(0, 10_000_000).default(1024).describe(
    'At most this many padded tokens per call (0 = no limit); small calls are faster on CPU, raise it on a GPU.',
  ),
  transformerCache: flag().default(true).describe(
    'Reuse the vector of a text that an earlier run of this data directory already embedded with the same model file and ' +
      'text settings (<dataDir>/cache/embeddings; docs/OPERATIONS.md); false = embed every user.',
  ),
  item2vecDimensions: integer(2, 1024).default(64).describe(
    'item2vec (skip-gram, negative sampling) over item and category sequences, trained once per run: the vector dimensions.',
  ),
  item2vecWindow: integer(1, 100).default(5).describe('item2vec: the largest distance between an event and its context (each event draws a window in [1, this]).'),
  item2vecNegatives: integer(1, 100).default(5).describe('item2vec: negative samples per positive pair.'),
  item2vecEpochs: integer(1, 1000).default(5).describe('item2vec: training passes over the sequences.'),
  item2vecMinCount: integer(1, 1_000_000).default(2).describe(
    "Items seen fewer times get no vector of their own (their category's vector still counts).",
  ),
  item2vecFitUsers: integer(100, 100_000_000).default(50_000).describe(
    'item2vec is trained on at most this many users (a sample by id hash, spread over the shards); every user is still embedded. ' +
      'Training is single-threaded, about 50 s per 100k users on 2 cores.',
  ),
  item2vecEventWeights: weights()
    .default({ purchase: 4, cart: 2, fav: 1.5, view: 1, click: 1, search: 0.5, remove_from_cart: 0.5 })
    .describe('Event-type weights of the user vector (purchase > cart > fav > view); unknown types weigh 1.'),
  item2vecRecencyHalfLife: integer(0, 1_000_000).default(20).describe(
    'The weight of an event halves every this many newer events; 0 = no recency decay.',
  ),
  tfidfMaxFeatures: integer(10, 10_000_000).default(20_000).describe(
    'TF-IDF over event/category/brand tokens (uni- and bigrams): vocabulary size cap.',
  ),
  tfidfMinDf: integer(1, 1_000_000).default(2).describe('A term must appear for at least this many users.'),
  tfidfComponents: integer(1, 1024).default(64).describe("Truncated SVD components (the vector's dimensions)."),
  tfidfFitUsers: integer(100, 100_000_000).default(50_000).describe(
    'The vocabulary and SVD are fitted on at most this many users (a sample by id hash); every user is still embedded. About 1 s per 1,000 users on 2 cores.',
  ),
}).describe(
  'Which encoders run and their settings (read by fitEncoder and embedShard; docs/ENCODERS.md).',
);

export type EncodersConfig = z.output<typeof encodersSection>;
