/**
 * Every file and table name of a run directory, in one place (docs/DATA-CONTRACTS.md describes
 * each). Workflows and activities both build paths here, so nobody spells a path twice. Pure code:
 * no node:path, because workflows import it; run directories use '/' on every platform we run on.
 */

/** `<dataDir>/runs/<dropId>`: one run directory per data drop. */
export function runDirFor(dataDir: string, dropId: string): string {
  return join(dataDir.replace(/\/+$/, ''), 'runs', dropId);
}

/**
 * The data directory a run directory lives in (`<dataDir>/runs/<dropId>`): where what runs share
 * across drops is kept. A run directory elsewhere (tests, scratch runs) is its own data directory.
 */
export function dataDirOfRun(runDir: string): string {
  const parts = runDir.replace(/\/+$/, '').split('/');
  return parts.length >= 3 && parts[parts.length - 2] === 'runs' ? parts.slice(0, -2).join('/') || '/' : runDir.replace(/\/+$/, '');
}

/** Caches shared by every run of a data directory; each is safe to delete (it only saves work). */
export const cacheFiles = {
  /** `<dataDir>/cache/embeddings/<modelId>`: transformer vectors by text hash (activities/encoders/transformer/embedding-cache.ts). */
  embeddingCacheDir: (dataDir: string, modelId: string) => join(dataDir.replace(/\/+$/, ''), 'cache', 'embeddings', modelId),
};

/** "shard-0007": shards, their embedding files and the per-shard files of distributed k-means. */
export function shardName(index: number): string {
  return `shard-${String(index).padStart(4, '0')}`;
}

/** Names inside a run directory. */
export const runFiles = {
  /** The cleaned events and everything derived from them in SQL (its tables are named by the SQL in sql/). */
  database: (runDir: string) => join(runDir, 'run.duckdb'),
  /** DuckDB's spill directory for the SQL steps. */
  duckdbTemp: (runDir: string) => join(runDir, 'duckdb-tmp'),
  /** The resolved run config, written once before any step. */
  config: (runDir: string) => join(runDir, 'config.json'),
  stepsDir: (runDir: string) => join(runDir, 'steps'),
  stepMarker: (runDir: string, step: string) => join(runDir, 'steps', `${step}.json`),
  shardsDir: (runDir: string) => join(runDir, 'shards'),
  shardFile: (runDir: string, index: number) => join(runDir, 'shards', `${shardName(index)}.parquet`),
  embeddingFile: (runDir: string, encoder: string, shard: number) => join(runDir, 'embeddings', encoder, `${shardName(shard)}.arrow`),
  /** A shard's finished embedding batches while it runs (removed when the shard is merged). */
  embeddingPartsDir: (runDir: string, encoder: string, shard: number) => join(runDir, 'embeddings', encoder, `${shardName(shard)}.parts`),
  embeddingBatchFile: (partsDir: string, batch: number) => join(partsDir, `batch-${String(batch).padStart(5, '0')}.arrow`),
  /** A finished batch's encoder counters, beside its part file. */
  embeddingBatchStats: (batchFile: string) => batchFile.replace(/\.arrow$/, '.stats.json'),
  /** The batch size the parts were computed with: other parts are not reused. */
  embeddingPartsMeta: (partsDir: string) => join(partsDir, 'parts.json'),
  /** One line per computed batch (batch, attempt, pid): the audit trail of resumed shards. */
  embeddingBatchLog: (runDir: string, encoder: string, shard: number) => join(runDir, 'embeddings', encoder, `${shardName(shard)}.batches.log`),
  /** A fitted encoder's model (item2vec, tfidf), fitted once per run. */
  encoderModelDir: (runDir: string, encoder: string) => join(runDir, 'encoders', encoder),
  item2vecVectors: (runDir: string) => join(runDir, 'encoders', 'item2vec', 'item-vectors.arrow'),
  tfidfVectorizer: (runDir: string) => join(runDir, 'encoders', 'tfidf', 'vectorizer.json'),
  tfidfComponents: (runDir: string) => join(runDir, 'encoders', 'tfidf', 'svd-components.arrow'),
  candidateDir: (runDir: string, candidateKey: string) => join(runDir, 'clusters', candidateKey),
  labelsFile: (runDir: string, candidateKey: string) => join(runDir, 'clusters', candidateKey, 'labels.arrow'),
  centroidsFile: (runDir: string, candidateKey: string) => join(runDir, 'clusters', candidateKey, 'centroids.json'),
  /** Distributed k-means: one shard's initialisation sample and its final labels. */
  distributedInitSample: (runDir: string, candidateKey: string, shard: number) => join(runDir, 'clusters', candidateKey, `init-sample-${String(shard).padStart(4, '0')}.arrow`),
  distributedShardLabels: (runDir: string, candidateKey: string, shard: number) => join(runDir, 'clusters', candidateKey, `${shardName(shard)}.labels.arrow`),
  candidateScore: (runDir: string, candidateKey: string) => join(runDir, 'evaluation', 'candidates', `${candidateKey}.json`),
  /** A candidate's screen metrics (successive halving): cheaper estimates that decide whether it is scored fully. */
  candidateScreen: (runDir: string, candidateKey: string) => join(runDir, 'evaluation', 'screens', `${candidateKey}.json`),
  /** The screen's baselines, on its sample of validation users. */
  screenBaselines: (runDir: string) => join(runDir, 'evaluation', 'screen-baselines.json'),
  /** The downstream baselines (popularity, random), computed by the first candidate scored. */
  downstreamBaselines: (runDir: string) => join(runDir, 'evaluation', 'baselines.json'),
  /** What every candidate's downstream evaluation reads (seen items, catalogue, holdout), computed once per run (Parquet). */
  downstreamInputs: (runDir: string) => join(runDir, 'evaluation', 'downstream-inputs'),
  leaderboard: (runDir: string) => join(runDir, 'evaluation', 'leaderboard.json'),
  outputDir: (runDir: string) => join(runDir, 'output'),
  segments: (runDir: string) => join(runDir, 'output', 'segments.parquet'),
  metrics: (runDir: string) => join(runDir, 'output', 'metrics.parquet'),
  segmentProfiles: (runDir: string) => join(runDir, 'output', 'segment-profiles.json'),
  report: (runDir: string) => join(runDir, 'output', 'report.html'),
  /** The chosen segmentation as a segment model package (common/model-layout.ts modelFiles), written by publish in a refit. */
  segmentModelDir: (runDir: string) => join(runDir, 'output', 'segment-model'),
  /** Assign mode: the drop's users placed into the pipeline's current model (user_id, segment). */
  assignedLabels: (runDir: string) => join(runDir, 'assigned', 'labels.arrow'),
  /** Assign mode: an empty leaderboard naming the model (no sweep ran), read by publish like a sweep's. */
  assignedLeaderboard: (runDir: string) => join(runDir, 'assigned', 'leaderboard.json'),
  /** Assign mode: which model the labels came from and what they look like (sizes, noise). */
  assignmentSummary: (runDir: string) => join(runDir, 'assigned', 'assignment.json'),
  /**
   * The drop's segmentation compared with a registered model (activities/compare-with-model.ts): the
   * full drift (transitions, migration matrix, population, centroid and spread shifts) and, in a
   * refit, the identity matching; the registry keeps only its summary. One file per mode, because a
   * drop whose assignment drifted past refitDriftThreshold is compared twice (assigned, then refitted).
   */
  drift: (runDir: string, mode: 'refit' | 'assign') => (mode === 'assign' ? join(runDir, 'assigned', 'drift.json') : join(runDir, 'output', 'drift.json')),
  /** Written last by publish: its presence means the run's outputs are complete. */
  manifest: (runDir: string) => join(runDir, 'manifest.json'),
};

/** The step names of a run: each is `steps/<name>.json` when finished (lib/runtime/run-dir.ts). */
export const runSteps = {
  inspect: 'inspect',
  clean: 'clean',
  shard: 'shard',
  fit: (encoder: string) => `fit-${encoder}`,
  embed: (encoder: string, shard: number) => `embed-${encoder}-${shardName(shard)}`,
  /** Every shard's embedding step of one encoder (what clustering and scoring read). */
  embedAll: (encoder: string, shards: number) => Array.from({ length: shards }, (_, shard) => runSteps.embed(encoder, shard)),
  cluster: (candidateKey: string) => `cluster-${candidateKey}`,
  screen: (candidateKey: string) => `screen-${candidateKey}`,
  score: (candidateKey: string) => `score-${candidateKey}`,
  evaluate: 'evaluate',
  /** Assign mode: the current model's encoder files copied in (in place of the fit step, under its name). */
  installEncoder: (encoder: string) => `fit-${encoder}`,
  assign: 'assign',
  /** Identity (refit) and drift against the model the drop was assigned into or refitted from. */
  compare: (mode: 'refit' | 'assign') => `compare-with-model-${mode}`,
  publish: 'publish',
};

function join(...parts: string[]): string {
  return parts.join('/');
}
