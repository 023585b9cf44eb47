/**
 * The knobs of one pipeline run. Callers pass a partial object; `resolveRunConfig` merges it with
 * the defaults once and validates every field, so workflows and activities only see complete,
 * checked settings. Pure code: imported by workflows.
 */
export const ENCODERS = ['transformer', 'item2vec', 'tfidf', 'behavior-stats'] as const;
export type EncoderName = (typeof ENCODERS)[number];
/** Encoders with a model fitted once per run over all shards, before any shard is encoded. */
export const FITTED_ENCODERS: readonly EncoderName[] = ['item2vec', 'tfidf'];

export const CLUSTERING_ALGORITHMS = ['kmeans', 'minibatch-kmeans', 'distributed-kmeans', 'ward', 'average', 'dbscan', 'hdbscan'] as const;
/** Encoders whose vectors are z-scored over all users before clustering and evaluation (statistics, not embeddings). */
export const STANDARDIZED_ENCODERS: readonly string[] = ['behavior-stats'];
export type ClusteringAlgorithm = (typeof CLUSTERING_ALGORITHMS)[number];

export const HOLDOUT_MODES = ['none', 'last_n', 'time', 'last_purchase'] as const;
export type HoldoutMode = (typeof HOLDOUT_MODES)[number];

export interface RunConfig {
  /** Users are hashed into this many Parquet shards; each shard is one embedding activity. */
  shardCount: number;
  /** How many shard embeddings run at once. */
  embedConcurrency: number;
  /** Users per embedding batch; the heartbeat/checkpoint unit. */
  embedBatchSize: number;
  encoders: EncoderName[];
  algorithms: ClusteringAlgorithm[];
  kMin: number;
  kMax: number;
  /** k-means restarts per k (best inertia wins). */
  kmeansInit: number;
  kmeansMaxIterations: number;
  /** Mini-batch k-means: points per batch (the cost of a step, whatever n is). */
  minibatchSize: number;
  /** Hierarchical (ward, average): this many users are clustered exactly (O(m^2) memory), the rest join the nearest centroid. */
  hierarchicalSampleSize: number;
  /** DBSCAN eps candidates: these quantiles of the users' distance to their min_samples-th nearest neighbour. */
  dbscanEpsQuantiles: number[];
  /** DBSCAN min_samples candidates (the point itself included, as scikit-learn counts). */
  dbscanMinSamples: number[];
  /**
   * HDBSCAN candidates: the smallest segment, as a share of the users clustered (so it means the
   * same at any scale). Each share is one candidate; no eps to choose.
   */
  hdbscanMinClusterShares: number[];
  /** HDBSCAN core distance neighbours (the point itself included); capped at the minimum cluster size. */
  hdbscanMinSamples: number;
  /** HDBSCAN is quadratic: this many users are clustered exactly, the rest join their nearest sampled user's cluster when within its core distance. */
  hdbscanSampleSize: number;
  /** How many sweep candidates run at once. */
  sweepConcurrency: number;
  /** Optional PCA before clustering and evaluation: keep this many components (0 = off). */
  pcaComponents: number;
  /**
   * Silhouette is exact (blocked, bounded memory) for up to this many users... (20k x 384 takes ~8 s
   * per variant here; 50k works too, ~75 s per variant and candidate)
   */
  silhouetteExactUpTo: number;
  /** ...and above that estimated from this many sampled users, scored against all users, with a 95% interval. */
  silhouetteSampleSize: number;
  /** Users with fewer cleaned events are counted but not segmented. */
  minEventsPerUser: number;
  /** Only the newest N events of a user go into the sequence. */
  maxSequenceLength: number;
  /** A new session starts after this many minutes without events (when the log has no session id). */
  sessionGapMinutes: number;
  /** A shard whose worker sends no heartbeat for this long is retried on another worker. */
  embedHeartbeatTimeoutSeconds: number;
  /** Attempts per activity before a shard counts as failed. */
  activityMaxAttempts: number;
  /** After shards fail for good, wait this long for `retryFailedShards` before failing the run. */
  failedShardWaitMinutes: number;
  /**
   * A format mapping file (JSON, see docs/DATA-CONTRACTS.md) for logs that are not a known
   * format (CSV/JSONL/Parquet); '' = detect the known formats automatically.
   */
  mappingFile: string;
  /** Events before this time are quarantined ('outside_time_window'); '' = no lower bound. ISO date or timestamp (UTC). */
  timeWindowStart: string;
  /** Events at or after this time are quarantined; '' = no upper bound. */
  timeWindowEnd: string;
  /** A user with more events than this in any one minute is bot-like ('bot_user'); 0 = off. */
  botMaxEventsPerMinute: number;
  /** A user with more views than this in one session is bot-like; 0 = off. */
  botMaxViewsPerSession: number;
  /** Keep this fraction of users (a stable hash of the id decides); the rest are 'sampled_out'. */
  sampleUsersFraction: number;
  /**
   * Temporal holdout for downstream evaluation: 'last_n' holds out each user's newest
   * holdoutLastN events, 'time' the events at or after holdoutCutoff, 'last_purchase' the last
   * purchase and what follows it; 'none' holds out nothing. Users left with fewer than
   * minEventsPerUser events keep all their events (and have no holdout).
   */
  holdoutMode: HoldoutMode;
  holdoutLastN: number;
  holdoutCutoff: string;
  /**
   * Sequences are aggregated for one bucket of users at a time, about this many events per
   * bucket (DuckDB's grouped list aggregates do not spill; measure before raising it).
   */
  sequenceBucketEvents: number;
  /** Transformer encoder (docs/ENCODERS.md): a model directory (model.onnx + tokenizer.json); '' = the provisioned default. */
  transformerModelDir: string;
  /** Per-event text template; placeholders {gap} {action} {category} {brand} {title} {query} {price} {item}. */
  transformerEventTemplate: string;
  transformerEventSeparator: string;
  transformerOrder: 'newest-last' | 'newest-first';
  /** Ascending price boundaries for the {price} band. */
  transformerPriceBands: number[];
  /** Texts longer than the model's limit: 'chunk' (embed windows, average) or 'truncate' (keep the newest tokens). */
  transformerLongTexts: 'chunk' | 'truncate';
  /** At most this many windows per user (the newest); more is counted as truncated. */
  transformerMaxChunks: number;
  /** At most this many token windows per onnxruntime call (windows sorted by length, padded per call). */
  transformerBatchSize: number;
  /** At most this many padded tokens per call (0 = no limit); small calls are faster on CPU, raise it on a GPU. */
  transformerBatchTokens: number;
  /** item2vec (skip-gram, negative sampling) over item and category sequences, trained once per run. */
  item2vecDimensions: number;
  item2vecWindow: number;
  item2vecNegatives: number;
  item2vecEpochs: number;
  /** Items seen fewer times get no vector of their own (their category's vector still counts). */
  item2vecMinCount: number;
  /** Event-type weights of the user vector (purchase > cart > fav > view); unknown types weigh 1. */
  item2vecEventWeights: Record<string, number>;
  /** The weight of an event halves every this many newer events; 0 = no recency decay. */
  item2vecRecencyHalfLife: number;
  /** TF-IDF over event/category/brand tokens (uni- and bigrams): vocabulary size cap. */
  tfidfMaxFeatures: number;
  /** A term must appear for at least this many users. */
  tfidfMinDf: number;
  /** Truncated SVD components (the vector's dimensions). */
  tfidfComponents: number;
  /** The vocabulary and SVD are fitted on at most this many users (seeded sample). */
  tfidfFitUsers: number;
  /** Stability: refits of each k-means candidate with other seeds, and on subsamples (0 = skip). */
  stabilitySeedRuns: number;
  stabilitySubsampleRuns: number;
  /** Share of the points in each subsample refit. */
  stabilitySubsampleShare: number;
  /** Stability refits use at most this many users (a seeded sample). */
  stabilityMaxUsers: number;
  /** Cut-offs K of the downstream top-K recommendation metrics. */
  downstreamKs: number[];
  /** Whether recommendations skip items the user already interacted with. */
  downstreamExcludeSeen: boolean;
  /** Resamples of the paired bootstrap behind every lift interval. */
  bootstrapSamples: number;
  /** Folds of the next-purchase cross-validation. */
  nextPurchaseFolds: number;
  /** 'stable-lift' (default), 'stable-silhouette', 'pareto' (silhouette, stability, downstream lift) or 'silhouette'; see docs/EVALUATION.md. */
  selectionRule: 'stable-lift' | 'stable-silhouette' | 'pareto' | 'silhouette';
  /** 'stable-silhouette': the least stability (seed ARI) a chosen candidate needs. */
  selectionMinStability: number;
  /** Every seed of a run (sampling, clustering, evaluation) derives from this; '' = from the drop id (the default). */
  seed: string;
  /** Known segment labels (CSV or Parquet with user_id and label columns) for external metrics; '' = none. */
  truthLabelsFile: string;
  /** DuckDB threads per activity (0 = DuckDB's default: all cores). */
  duckdbThreads: number;
  /** DuckDB memory limit per activity, e.g. '4GB'. */
  duckdbMemoryLimit: string;
}

export const DEFAULT_RUN_CONFIG: RunConfig = {
  shardCount: 4,
  embedConcurrency: 4,
  embedBatchSize: 2000,
  encoders: ['transformer', 'behavior-stats'],
  algorithms: ['kmeans'],
  kMin: 2,
  kMax: 8,
  kmeansInit: 4,
  kmeansMaxIterations: 300,
  sweepConcurrency: 4,
  minibatchSize: 1024,
  hierarchicalSampleSize: 10_000,
  dbscanEpsQuantiles: [0.5, 0.75, 0.9],
  dbscanMinSamples: [10],
  hdbscanMinClusterShares: [0.01, 0.05],
  hdbscanMinSamples: 10,
  hdbscanSampleSize: 5000,
  pcaComponents: 0,
  silhouetteExactUpTo: 20_000,
  silhouetteSampleSize: 5000,
  minEventsPerUser: 2,
  maxSequenceLength: 50,
  sessionGapMinutes: 30,
  embedHeartbeatTimeoutSeconds: 120,
  activityMaxAttempts: 5,
  failedShardWaitMinutes: 60,
  mappingFile: '',
  timeWindowStart: '',
  timeWindowEnd: '',
  botMaxEventsPerMinute: 120,
  botMaxViewsPerSession: 2000,
  sampleUsersFraction: 1,
  holdoutMode: 'last_n',
  holdoutLastN: 1,
  holdoutCutoff: '',
  sequenceBucketEvents: 3_000_000,
  transformerModelDir: '',
  transformerEventTemplate: '{gap}{action} {category} {brand} {title} {query} {price}',
  transformerEventSeparator: '; ',
  transformerOrder: 'newest-last',
  transformerPriceBands: [10, 50, 200, 1000],
  transformerLongTexts: 'chunk',
  transformerMaxChunks: 4,
  transformerBatchSize: 64,
  transformerBatchTokens: 1024,
  item2vecDimensions: 64,
  item2vecWindow: 5,
  item2vecNegatives: 5,
  item2vecEpochs: 5,
  item2vecMinCount: 2,
  item2vecEventWeights: { purchase: 4, cart: 2, fav: 1.5, view: 1, click: 1, search: 0.5, remove_from_cart: 0.5 },
  item2vecRecencyHalfLife: 20,
  tfidfMaxFeatures: 20_000,
  tfidfMinDf: 2,
  tfidfComponents: 64,
  tfidfFitUsers: 200_000,
  stabilitySeedRuns: 3,
  stabilitySubsampleRuns: 3,
  stabilitySubsampleShare: 0.8,
  stabilityMaxUsers: 10_000,
  downstreamKs: [5, 10, 20],
  downstreamExcludeSeen: true,
  bootstrapSamples: 1000,
  nextPurchaseFolds: 5,
  selectionRule: 'stable-lift',
  selectionMinStability: 0.75,
  seed: '',
  truthLabelsFile: '',
  duckdbThreads: 0,
  duckdbMemoryLimit: '4GB',
};

export class RunConfigError extends Error {
  override name = 'RunConfigError';
}

const integerFields: Array<[keyof RunConfig, number, number]> = [
  ['shardCount', 1, 1024],
  ['embedConcurrency', 1, 256],
  ['embedBatchSize', 1, 1_000_000],
  ['kMin', 2, 1000],
  ['kMax', 2, 1000],
  ['kmeansInit', 1, 100],
  ['kmeansMaxIterations', 1, 100_000],
  ['sweepConcurrency', 1, 256],
  ['hierarchicalSampleSize', 10, 30_000],
  ['hdbscanMinSamples', 1, 1000],
  ['hdbscanSampleSize', 100, 30_000],
  ['minibatchSize', 16, 1_000_000],
  ['pcaComponents', 0, 4096],
  ['silhouetteExactUpTo', 2, 1_000_000],
  ['silhouetteSampleSize', 100, 1_000_000],
  ['minEventsPerUser', 1, 1_000_000],
  ['maxSequenceLength', 1, 100_000],
  ['sessionGapMinutes', 1, 100_000],
  ['embedHeartbeatTimeoutSeconds', 1, 86_400],
  ['activityMaxAttempts', 1, 100],
  ['failedShardWaitMinutes', 0, 525_600],
  ['duckdbThreads', 0, 1024],
  ['botMaxEventsPerMinute', 0, 1_000_000],
  ['botMaxViewsPerSession', 0, 1_000_000_000],
  ['holdoutLastN', 1, 100_000],
  ['sequenceBucketEvents', 1, 1_000_000_000],
  ['transformerMaxChunks', 1, 1000],
  ['transformerBatchSize', 1, 4096],
  ['transformerBatchTokens', 0, 10_000_000],
  ['item2vecDimensions', 2, 1024],
  ['item2vecWindow', 1, 100],
  ['item2vecNegatives', 1, 100],
  ['item2vecEpochs', 1, 1000],
  ['item2vecMinCount', 1, 1_000_000],
  ['item2vecRecencyHalfLife', 0, 1_000_000],
  ['tfidfMaxFeatures', 10, 10_000_000],
  ['tfidfMinDf', 1, 1_000_000],
  ['tfidfComponents', 1, 1024],
  ['tfidfFitUsers', 100, 100_000_000],
  ['stabilitySeedRuns', 0, 100],
  ['stabilitySubsampleRuns', 0, 100],
  ['stabilityMaxUsers', 100, 10_000_000],
  ['bootstrapSamples', 100, 100_000],
  ['nextPurchaseFolds', 2, 20],
];

const TIMESTAMP_TEXT = /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?$/;

/** Merges `overrides` over the defaults; throws RunConfigError naming the first bad field. */
export function resolveRunConfig(overrides: Partial<RunConfig> = {}): RunConfig {
  const unknown = Object.keys(overrides).filter((key) => !(key in DEFAULT_RUN_CONFIG));
  if (unknown.length > 0) {
    throw new RunConfigError(
      `unknown run config field(s): ${unknown.join(', ')}; expected some of: ${Object.keys(DEFAULT_RUN_CONFIG).join(', ')}`,
    );
  }
  const config: RunConfig = { ...DEFAULT_RUN_CONFIG, ...overrides };
  for (const [field, min, max] of integerFields) {
    const value = config[field];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new RunConfigError(`run config field "${field}" must be an integer in [${min}, ${max}], got ${JSON.stringify(value)}`);
    }
  }
  if (config.kMax < config.kMin) {
    throw new RunConfigError(`run config: kMax (${config.kMax}) must be >= kMin (${config.kMin})`);
  }
  for (const field of ['timeWindowStart', 'timeWindowEnd', 'holdoutCutoff'] as const) {
    if (config[field] !== '' && !TIMESTAMP_TEXT.test(config[field])) {
      throw new RunConfigError(`run config field "${field}" must be '' or a UTC date/time like 2019-10-01 or 2019-10-01T12:00, got ${JSON.stringify(config[field])}`);
    }
  }
  if (config.timeWindowStart && config.timeWindowEnd && config.timeWindowStart >= config.timeWindowEnd) {
    throw new RunConfigError(`run config: timeWindowStart (${config.timeWindowStart}) must be before timeWindowEnd (${config.timeWindowEnd})`);
  }
  if (typeof config.sampleUsersFraction !== 'number' || !(config.sampleUsersFraction > 0 && config.sampleUsersFraction <= 1)) {
    throw new RunConfigError(`run config field "sampleUsersFraction" must be a number in (0, 1], got ${JSON.stringify(config.sampleUsersFraction)}`);
  }
  if (!HOLDOUT_MODES.includes(config.holdoutMode)) {
    throw new RunConfigError(`run config field "holdoutMode" must be one of ${HOLDOUT_MODES.join(', ')}, got ${JSON.stringify(config.holdoutMode)}`);
  }
  if (config.holdoutMode === 'time' && config.holdoutCutoff === '') {
    throw new RunConfigError('run config: holdoutMode "time" needs holdoutCutoff (a UTC date/time)');
  }
  checkSubset('encoders', config.encoders, ENCODERS);
  checkSubset('algorithms', config.algorithms, CLUSTERING_ALGORITHMS);
  checkEncoderSettings(config);
  checkEvaluationSettings(config);
  if (!/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(config.duckdbMemoryLimit)) {
    throw new RunConfigError(`run config field "duckdbMemoryLimit" must look like '4GB', got ${JSON.stringify(config.duckdbMemoryLimit)}`);
  }
  return config;
}

function checkEncoderSettings(config: RunConfig): void {
  const fail = (field: string, expected: string): never => {
    throw new RunConfigError(`run config field "${field}" must be ${expected}, got ${JSON.stringify(config[field as keyof RunConfig])}`);
  };
  if (typeof config.transformerModelDir !== 'string') fail('transformerModelDir', "a directory path or ''");
  if (typeof config.transformerEventTemplate !== 'string' || !/\{\w+\}/.test(config.transformerEventTemplate)) {
    fail('transformerEventTemplate', 'a template with at least one {placeholder}');
  }
  if (typeof config.transformerEventSeparator !== 'string') fail('transformerEventSeparator', 'a string');
  if (!['newest-last', 'newest-first'].includes(config.transformerOrder)) fail('transformerOrder', "'newest-last' or 'newest-first'");
  if (!['chunk', 'truncate'].includes(config.transformerLongTexts)) fail('transformerLongTexts', "'chunk' or 'truncate'");
  const bands = config.transformerPriceBands;
  if (!Array.isArray(bands) || bands.some((band, i) => typeof band !== 'number' || !(band > 0) || (i > 0 && band <= bands[i - 1]))) {
    fail('transformerPriceBands', 'an ascending list of positive prices');
  }
  const weights = config.item2vecEventWeights;
  if (typeof weights !== 'object' || weights === null || Array.isArray(weights) || Object.values(weights).some((w) => typeof w !== 'number' || !(w >= 0))) {
    fail('item2vecEventWeights', 'an object of event type -> non-negative weight');
  }
}

function checkEvaluationSettings(config: RunConfig): void {
  const fail = (field: keyof RunConfig, expected: string): never => {
    throw new RunConfigError(`run config field "${field}" must be ${expected}, got ${JSON.stringify(config[field])}`);
  };
  if (!(config.stabilitySubsampleShare > 0 && config.stabilitySubsampleShare < 1)) fail('stabilitySubsampleShare', 'a number in (0, 1)');
  const ks = config.downstreamKs;
  if (!Array.isArray(ks) || ks.length === 0 || ks.some((k) => !Number.isInteger(k) || k < 1 || k > 1000)) fail('downstreamKs', 'a non-empty list of integers in [1, 1000]');
  const quantiles = config.dbscanEpsQuantiles;
  if (!Array.isArray(quantiles) || quantiles.length === 0 || quantiles.some((q) => typeof q !== 'number' || !(q > 0 && q < 1))) fail('dbscanEpsQuantiles', 'a non-empty list of numbers in (0, 1)');
  const minSamples = config.dbscanMinSamples;
  if (!Array.isArray(minSamples) || minSamples.length === 0 || minSamples.some((m) => !Number.isInteger(m) || m < 2 || m > 1000)) fail('dbscanMinSamples', 'a non-empty list of integers in [2, 1000]');
  const shares = config.hdbscanMinClusterShares;
  if (!Array.isArray(shares) || shares.length === 0 || shares.some((share) => typeof share !== 'number' || !(share > 0 && share <= 0.5))) fail('hdbscanMinClusterShares', 'a non-empty list of numbers in (0, 0.5]');
  if (typeof config.downstreamExcludeSeen !== 'boolean') fail('downstreamExcludeSeen', 'true or false');
  if (!['stable-lift', 'stable-silhouette', 'pareto', 'silhouette'].includes(config.selectionRule)) fail('selectionRule', "'stable-lift', 'stable-silhouette', 'pareto' or 'silhouette'");
  if (!(config.selectionMinStability >= -1 && config.selectionMinStability <= 1)) fail('selectionMinStability', 'a number in [-1, 1]');
  if (typeof config.truthLabelsFile !== 'string') fail('truthLabelsFile', "a file path or ''");
  if (typeof config.seed !== 'string') fail('seed', "a string (e.g. '42') or '' for the drop id");
}

function checkSubset(field: string, values: readonly string[], allowed: readonly string[]): void {
  if (!Array.isArray(values) || values.length === 0) {
    throw new RunConfigError(`run config field "${field}" must be a non-empty list of: ${allowed.join(', ')}`);
  }
  const bad = values.filter((value) => !allowed.includes(value));
  if (bad.length > 0) {
    throw new RunConfigError(`run config field "${field}": unknown value(s) ${bad.join(', ')}; expected some of: ${allowed.join(', ')}`);
  }
}
