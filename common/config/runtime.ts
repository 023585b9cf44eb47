import { z } from 'zod';
import { integer, matching } from './field-types';

export const runtimeSection = z.object({
  shardCount: integer(1, 1024).default(4).describe('Users are hashed into this many Parquet shards; each shard is one embedding activity.'),
  embedConcurrency: integer(1, 256).default(4).describe('How many shard embeddings run at once.'),
  embedBatchSize: integer(1, 1_000_000).default(2000).describe('Users per embedding batch; the heartbeat/checkpoint unit.'),
  embedHeartbeatTimeoutSeconds: integer(1, 86_400).default(120).describe(
    'A shard whose worker sends no heartbeat for this long is retried on another worker.',
  ),
  activityHeartbeatTimeoutSeconds: integer(5, 86_400).default(60).describe(
    'Every other activity (SQL, clustering, scoring, publishing) whose worker sends no heartbeat for this long is retried on ' +
      'another worker. Workers heartbeat every second while an activity runs (native kernels run on a thread pool; PCA and ' +
      'k-means loops yield); the longest stall measured under six concurrent drops on 2 cores was about 4 s. Raise it when ' +
      'running without the native kernels (their TypeScript fallbacks are synchronous).',
  ),
  activityMaxAttempts: integer(1, 100).default(5).describe('Attempts per activity before a shard counts as failed.'),
  failedShardWaitMinutes: integer(0, 525_600).default(60).describe(
    'After shards fail for good, wait this long for `retryFailedShards` before failing the run.',
  ),
  sequenceBucketEvents: integer(1, 1_000_000_000).default(3_000_000).describe(
    "Sequences are aggregated for one bucket of users at a time, about this many events per bucket (DuckDB's grouped list " +
      'aggregates do not spill; measure before raising it).',
  ),
  duckdbThreads: integer(0, 1024).default(0).describe("DuckDB threads of one worker's activities together, split like duckdbMemoryLimit (0 = every core)."),
  duckdbMemoryLimit: matching(/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, "a size like '4GB' (KB, MB, GB, TB, KiB, MiB, GiB, TiB)")
    .default('4GB')
    .describe(
      "DuckDB memory limit of one worker's activities together, e.g. '4GB': activities of a step that run at once split it " +
        '(scoring and screening: sweepConcurrency ways; fitting: one share per fitted encoder), as they split duckdbThreads. ' +
        'A step that runs out of it fails at once with a ResourceLimitError naming this field.',
    ),
}).describe(
  'How the work is cut up, retried and resourced: shards, concurrency, batches, heartbeats, attempts, DuckDB (read by the workflow and most activities).',
);

export type RuntimeConfig = z.output<typeof runtimeSection>;
