/**
 * Payloads between workflows and activities. They carry references (paths, counts, small
 * summaries), never data: embeddings, labels and events stay in the run directory.
 */
import type { FileIdentity } from '../lib/runtime/file-identity';
import type { SweepCandidate } from './candidates';
import type {
  ClusteringAlgorithm, EncoderName, EncodersConfig, EvaluationConfig, IngestConfig, ModelsConfig, RunConfig, RuntimeConfig, SweepConfig,
} from './run-config';
import type { TaskQueues } from './task-queues';

/** A data drop: a file, a directory or a glob, named by a stable id derived from its path. */
export interface DropRef {
  dropId: string;
  source: string;
}

export interface SegmentDataDropInput {
  drop: DropRef;
  /** Root of all run directories; the run lives in `<dataDir>/runs/<dropId>`. */
  dataDir: string;
  config?: Partial<RunConfig>;
  /** Overrides for tests and multi-tenant deployments; defaults come from common/task-queues. */
  taskQueues?: TaskQueues;
}

export interface SegmentDataDropOutput {
  /** Refit or assign, the model version the drop's segments belong to, and why (absent for runs before segment models). */
  segmentation?: { pipeline: string; mode: 'refit' | 'assign'; modelVersion: number; reason: string; current: boolean; recordedBefore: boolean };
  runDir: string;
  reportPath: string;
  segmentsPath: string;
  leaderboardPath: string;
  chosen: CandidateRef;
  accounting: CleaningAccounting;
}

/** The whole resolved config: preflight stores it once in the run directory (config.json) and checks the files it names. */
export interface PreflightRunInput { runDir: string; config: RunConfig }
export interface PreflightRunOutput { configPath: string }

export interface InspectDropInput { runDir: string; source: string; mappingFile: string }
export interface InspectDropOutput {
  files: string[];
  /** Each file's size and modification time at inspection: cleaning refuses files that changed since. */
  pinned: FileIdentity[];
  /** A known format's name (sql/ingest/formats/) or the name in the run's mapping file. */
  format: string;
  /** CSV delimiter found on the first line ('' for JSONL/Parquet). */
  delimiter: string;
  bytes: number;
}

export interface CleanRawLogsInput {
  runDir: string;
  files: string[];
  /** The files as inspected (InspectDropOutput.pinned). */
  pinned: FileIdentity[];
  format: string;
  delimiter: string;
  config: IngestConfig & RuntimeConfig;
}

export interface CleaningAccounting {
  rawRows: number;
  cleanedRows: number;
  quarantinedRows: number;
  duplicateRows: number;
  quarantineByReason: Record<string, number>;
  users: number;
  /** Users kept for segmentation (at least `minEventsPerUser` events after the holdout). */
  sequencedUsers: number;
  /** Events held out for downstream evaluation, and the users they belong to. */
  holdoutEvents: number;
  holdoutUsers: number;
}

export interface CleanRawLogsOutput {
  databasePath: string;
  accounting: CleaningAccounting;
}

/** The run's run.duckdb (common/run-layout.ts) holds the cleaned events and each user's shard. */
export interface ShardUsersInput { runDir: string; config: RuntimeConfig }
export interface ShardRef { index: number; path: string; users: number }
export interface ShardUsersOutput { shards: ShardRef[] }

export interface FitEncoderInput {
  runDir: string;
  encoder: EncoderName;
  shards: ShardRef[];
  seed: number;
  config: EncodersConfig & RuntimeConfig;
}
export interface FitEncoderOutput {
  encoder: EncoderName;
  modelDir: string;
  /** e.g. item2vec: tokens, vocabulary, withVector; tfidf: fit_users, terms, components. */
  stats: Record<string, number>;
}

export interface EmbedShardInput {
  runDir: string;
  shard: ShardRef;
  encoder: EncoderName;
  config: EncodersConfig & RuntimeConfig;
}
export interface EmbedShardOutput {
  shardIndex: number;
  encoder: EncoderName;
  path: string;
  rows: number;
  dimensions: number;
  /** Batches computed by this attempt, and batches found finished by an earlier attempt. */
  batchesComputed: number;
  batchesReused: number;
  /** The batch offset from the last heartbeat of an earlier attempt (0 on a first attempt). */
  resumedAtBatch: number;
  /** Encoder counters summed over the shard's batches (e.g. transformer: chunked_users, truncated_users, tokens). */
  encoderStats: Record<string, number>;
}

/**
 * A sweep candidate as files record it (leaderboard, score files, centroids.json): derived from
 * its typed parameters by common/candidates.ts candidateRef.
 */
export interface CandidateRef {
  encoder: EncoderName;
  algorithm: ClusteringAlgorithm;
  /** The parameters' label, e.g. "k=5" or "q=0.75,min_samples=10"; unique per (encoder, algorithm). */
  params: string;
  /** Segments asked for (0 when the algorithm decides, as DBSCAN does). */
  k: number;
}

export interface PlanSweepInput {
  /** Users to segment: k-based grids stop there. */
  users: number;
  encoders: EncoderName[];
  config: SweepConfig;
}
export interface PlanSweepOutput { candidates: SweepCandidate[] }

export interface ClusterCandidateInput {
  runDir: string;
  candidate: SweepCandidate;
  embeddingPaths: string[];
  seed: number;
  config: SweepConfig;
}
export interface ClusterCandidateOutput {
  candidate: SweepCandidate;
  labelsPath: string;
  inertia: number;
  iterations: number;
  /** Clusters found (DBSCAN decides; noise is not a cluster). */
  clusters?: number;
  seconds: number;
}

export interface ScoreCandidateInput {
  runDir: string;
  clustering: ClusterCandidateOutput;
  /** The candidate encoder's embedding files, in shard order. */
  embeddingPaths: string[];
  /** The run's evaluation seed: every candidate is scored on the same samples. */
  seed: number;
  /** Sweep: PCA and each algorithm's settings, for the stability refits. */
  config: SweepConfig & EvaluationConfig & RuntimeConfig;
}
export interface ScoreCandidateOutput {
  candidate: SweepCandidate;
  /** evaluation/candidates/<candidate>.json: the candidate's CandidateMetrics. */
  scorePath: string;
}

/** What screening a candidate tells the workflow: where its screen metrics are, and the two numbers it is ranked on. */
export interface ScreenCandidateOutput {
  candidate: SweepCandidate;
  /** evaluation/screens/<candidate>.json: the candidate's screen metrics (a CandidateMetrics from cheaper estimates). */
  screenPath: string;
  /** The stable-lift utility from the screen estimates; null without held-out evidence. */
  utility: number | null;
  /** The internal rule's soft score (silhouette less stability and noise shortfalls); null with fewer than 2 segments. */
  internalScore: number | null;
}

export interface EvaluateCandidatesInput {
  runDir: string;
  /** Every fully scored candidate's score file, written by scoreCandidate in the sweep. */
  scores: ScoreCandidateOutput[];
  /** Every candidate's screen (successive halving); absent when every candidate was scored fully without screening. */
  screens?: ScreenCandidateOutput[];
  /** The selection rule and its settings. */
  config: EvaluationConfig;
}
export interface AriSummary { mean: number; sd: number; runs: number[] }
export interface CandidateStability {
  /** ARI of the labels against refits with other seeds, and against refits on subsamples. */
  seeds: AriSummary;
  subsamples: AriSummary;
  points: number;
}
export interface RankingAtK { hr: number; mrr: number; ndcg: number; precision: number; recall: number; coverage: number }
export interface LiftEstimate {
  /** segment / baseline - 1 with its paired-bootstrap 95% interval; null when the baseline is 0. */
  value: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  segment: number;
  baseline: number;
}
export interface HoldoutPartLift {
  users: number;
  ndcg10?: LiftEstimate;
  hr10?: LiftEstimate;
}
export interface MeanSd { mean: number; sd: number }
export interface NextPurchaseSummary {
  users: number;
  buyers: number;
  folds: number;
  segment: { auc: MeanSd; f1: MeanSd };
  baseline: { auc: MeanSd; f1: MeanSd };
}
export interface DownstreamSummary {
  /** Segmented users with held-out items (the evaluated users) and the training catalogue size. */
  users: number;
  /** Users with held-out items when `users` is a seeded sample of them (downstreamMaxUsers); absent when every one was evaluated. */
  sampledFrom?: number;
  catalogue: number;
  ks: number[];
  /** Metrics by K ("5", "10", "20") for segment popularity and the two baselines. */
  segment: Record<string, RankingAtK>;
  popularity: Record<string, RankingAtK>;
  random: Record<string, RankingAtK>;
  /** Lift over global popularity at K = 10, over all evaluated users (descriptive). */
  lift: { ndcg10?: LiftEstimate; hr10?: LiftEstimate };
  /**
   * The same lift on two disjoint halves of the evaluated users (a seeded hash of the user id):
   * candidates are compared on `validation`, and the chosen one's figures are re-measured on
   * `test`, which played no part in choosing it (docs/EVALUATION.md, "Validation and test").
   */
  validation?: HoldoutPartLift;
  test?: HoldoutPartLift;
  nextPurchase?: NextPurchaseSummary | null;
}
export interface ExternalSummary {
  /** Users with both a known label and a segment. */
  users: number;
  ari: number;
  ami: number;
  nmi: number;
  homogeneity: number;
  completeness: number;
  vMeasure: number;
  fowlkesMallows: number;
  purity: number;
  /** Rows: known labels; columns: segments. */
  contingency: { truth: number[]; segments: number[]; counts: number[][] };
}
export interface ClusterShape {
  sizes: { min: number; max: number; gini: number };
  meanIntraDistance: number;
  meanInterCentroidDistance: number;
  noiseFraction: number;
}

export interface CandidateMetrics {
  candidate: CandidateRef;
  silhouette: number;
  silhouetteSampled: boolean;
  daviesBouldin: number;
  calinskiHarabasz: number;
  inertia: number;
  clusterSizes: number[];
  clusterSeconds: number;
  /** 95% interval of a sampled silhouette (absent when exact). */
  silhouetteCi?: [number, number];
  /**
   * Silhouette on density-connected distances (activities/metrics/density-silhouette.ts), on a
   * seeded sample of users; NaN with fewer than 2 segments there. Absent in runs scored before it existed.
   */
  densitySilhouette?: number;
  shape?: ClusterShape;
  stability?: CandidateStability | null;
  downstream?: DownstreamSummary | null;
  /** Against known labels (truthLabelsFile), when given. */
  external?: ExternalSummary | null;
  scoreSeconds?: number;
}
export interface EvaluateCandidatesOutput {
  leaderboardPath: string;
  chosen: CandidateRef;
  /** Why the chosen candidate won, in one sentence (shown in the report). */
  selectionReason: string;
}

export interface PublishSegmentationInput {
  runDir: string;
  dropId: string;
  leaderboardPath: string;
  chosen: CandidateRef;
  selectionReason: string;
  accounting: CleaningAccounting;
  labelsPath: string;
  workflowId: string;
  /** Per encoder: its fitted model's stats and its shard counters summed (e.g. transformer chunked_users). */
  encoderReports?: Record<string, EncoderReport>;
  /**
   * A refit's persisted id and name per label (compareWithModel's matching to the previous model);
   * absent: each label is its own id (a first refit), or the assigned model's ids (assign mode).
   */
  segmentIds?: SegmentIdentity[];
  /** The chosen encoder's embedding files (shard order): for the segments' representative users. */
  embeddingPaths?: string[];
  /** Assign mode: the labels were placed into this registered model (no sweep ran; the leaderboard is empty). */
  assignment?: ModelAssignment;
  /**
   * The drop's drift against its model (compareWithModel's drift.json) and the data directory whose
   * registry holds the pipeline's earlier drops: the report's "Across drops" section. Absent: a
   * first refit, or a history recorded before drift. `triggeredBy`: the drift rule that switched an
   * assignment to this refit (the workflow adds it to the summary after comparing).
   */
  acrossDrops?: { driftPath: string; dataDir: string; triggeredBy?: DriftSummary['triggeredBy'] };
}
/** Which registered segment model a drop was assigned into. */
export interface ModelAssignment {
  pipeline: string;
  version: number;
  modelDir: string;
  reason: string;
}
export interface EncoderReport {
  dimensions: number;
  fit?: Record<string, number>;
  stats: Record<string, number>;
}
export interface PublishSegmentationOutput { segmentsPath: string; reportPath: string; manifestPath: string }

export interface DecideSegmentationInput { dataDir: string; dropId: string; config: ModelsConfig }
/**
 * Refit (sweep and register a new model) or assign (score into `model`), and why. A drop recorded
 * in the registry before gets its recorded decision back (`recorded`), so a re-triggered drop
 * decides as it did and registers nothing twice.
 */
export interface SegmentationDecision {
  pipeline: string;
  mode: 'refit' | 'assign';
  reason: string;
  /** The pipeline's current version when deciding (null: none): a refit becomes current only if it still is. */
  basedOn: number | null;
  /**
   * Refit: the model its segments are matched to and its drift measured against (the current one
   * when deciding; for a recorded refit, the one it was compared with); absent: none (first refit).
   */
  baseline?: ModelAssignment;
  /** Assign: the model to score into, its encoder and the encoder settings its users were embedded with. */
  model?: ModelAssignment & { encoder: EncoderName; encoderSettings: Partial<EncodersConfig> };
  recorded: boolean;
}

export interface InstallModelEncoderInput { runDir: string; encoder: EncoderName; modelDir: string }
export interface InstallModelEncoderOutput { encoder: EncoderName; modelDir: string; files: string[] }

export interface AssignSegmentsInput {
  runDir: string;
  assignment: ModelAssignment;
  /** The model encoder's embedding files, in shard order. */
  embeddingPaths: string[];
}
export interface AssignSegmentsOutput {
  labelsPath: string;
  /** An empty leaderboard naming the model (publish reads it like a sweep's). */
  leaderboardPath: string;
  /** The model's candidate (its encoder, algorithm and parameters). */
  chosen: CandidateRef;
  selectionReason: string;
  users: number;
  noiseUsers: number;
  sizes: number[];
}

export interface SegmentIdentity {
  segment: number;
  id: number;
  name: string;
}

export interface CompareWithModelInput {
  runDir: string;
  dataDir: string;
  mode: 'refit' | 'assign';
  /** The registered model compared with: the one assigned into, or the one current when the refit was decided. */
  baseline: ModelAssignment;
  /** The drop's labels: assigned (model labels) or the refit's chosen clustering (fresh labels). */
  labelsPath: string;
  encoder: EncoderName;
  /** The drop's embedding files of `encoder`, in shard order. */
  embeddingPaths: string[];
}
export interface CompareWithModelOutput {
  /** The full comparison (runFiles.drift). */
  driftPath: string;
  summary: DriftSummary;
  /** Refit: the persisted id and name of each label; assign: the model's own. */
  segmentIds: SegmentIdentity[];
}

/**
 * What the registry keeps of a drop's drift (drop_history.drift): small numbers only; the full
 * transitions, migration matrix and shifts are in `file` (docs/DRIFT.md).
 */
export interface DriftSummary {
  mode: 'refit' | 'assign';
  comparedWith: { pipeline: string; version: number; dropId: string };
  returningUsers: number;
  /** The drop's users per persisted segment id (-1 noise, when present), most users first: the report's segment sizes over drops. Absent in drops recorded before it existed. */
  segmentSizes?: Array<{ id: number; users: number }>;
  driftScore: number;
  migratedShare: number;
  shareShift: number;
  /** How many transitions of each kind (survived, absorbed, split, disappeared, emerged). */
  transitionCounts: Record<string, number>;
  /** Each transition by persisted ids. */
  transitions: Array<{ kind: string; from: number[]; to: number[] }>;
  /** The largest off-diagonal cells of the migration matrix (persisted ids, -1 noise), most users first. */
  topMigrations: Array<{ from: number; to: number; users: number; rate: number }>;
  /** Where centroids were compared: 'model space' or why not (then identity matched on overlap alone and centroid shift is empty). */
  centroidSpace: string;
  /** Refit: the new labels that got fresh ids. */
  freshIds?: number[];
  /** A refit switched from assign mode by a drift threshold: which rule, the assignment's value and the threshold it reached. */
  triggeredBy?: { rule: 'refitDriftThreshold' | 'refitShareShiftThreshold'; value: number; threshold: number; version: number };
  file: string;
}

export interface RegisterDropInput {
  dataDir: string;
  dropId: string;
  runDir: string;
  decision: SegmentationDecision;
  /** The drop's drift summary against the model it was compared with; null: nothing to compare with (a first refit). */
  drift: DriftSummary | null;
}
export interface RegisterDropOutput {
  pipeline: string;
  mode: 'refit' | 'assign';
  modelVersion: number;
  reason: string;
  /** Whether the drop's model version is the pipeline's current one after registering. */
  current: boolean;
  recordedBefore: boolean;
}

/** Progress exposed by the `progress` query of segmentDataDrop. */
export interface PipelineProgress {
  dropId: string;
  stage: PipelineStage;
  shardsTotal: number;
  shardsDone: number;
  candidatesTotal: number;
  candidatesDone: number;
  /** Successive halving: the screened candidates scored fully (0 until screening ends; equal to candidatesTotal without screening). */
  fullyScoredTotal?: number;
  fullyScoredDone?: number;
  failures: Array<{ step: string; error: string }>;
  runDir: string;
}

export type PipelineStage =
  | 'starting'
  | 'inspect'
  | 'clean'
  | 'shard'
  | 'fit'
  | 'embed'
  | 'awaiting-retry'
  | 'cluster'
  | 'score'
  | 'evaluate'
  | 'assign'
  | 'publish'
  | 'register'
  | 'done'
  | 'failed';

export interface ListDropsInput { inboxDir: string; dataDir: string }
export interface ListDropsOutput { drops: DropRef[] }

export interface ListDayPartitionsInput { root: string; from: string; to: string }
export interface ListDayPartitionsOutput { partitions: Array<{ day: string; drop: DropRef }> }
