import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { DuckDBInstance } from '@duckdb/node-api';
import { createActivities } from '../../activities';
import { cleanRawLogs } from '../../activities/clean-logs';
import { inspectDrop } from '../../activities/inspect-drop';
import { hierarchical } from '../../activities/clustering/hierarchical';
import { kmeans } from '../../activities/clustering/kmeans';
import { miniBatchKMeans } from '../../activities/clustering/minibatch-kmeans';
import type { ErrorKind } from '../../common/errors';
import { resolveRunConfig, type RunConfig } from '../../common/run-config';
import { dropRefFor } from '../../lib/runtime/drop-id';
import { writeEmbeddingFile } from '../../lib/runtime/embedding-file';
import { startDrop } from '../../lib/client/pipeline-client';
import { runDirFor, runFiles } from '../../common/run-layout';
import { distributedKMeans } from '../../workflows';
import { startChildWorker } from '../helpers/child-worker';
import { copyOfSample, freshDataDir, NAMESPACE, withWorkers, type Harness } from '../helpers/pipeline-harness';
import { REES46_HEADER } from '../helpers/rees46-fixture';

/**
 * What retrying cannot fix (common/errors.ts) ends the run at once: the failing activity runs
 * exactly once, the run fails within seconds (not after activityMaxAttempts retries, and not
 * parked in awaiting-retry for failedShardWaitMinutes), and the message names the input and the fix.
 */

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** Seconds from the failing activity's first start to the run's failure; generous, the point is "not minutes". */
const FAILS_WITHIN_S = 30;

function eventMs(event: HistoryEvent): number {
  return Number(event.eventTime!.seconds) * 1000 + (event.eventTime!.nanos ?? 0) / 1e6;
}

/** Every started attempt of `activityType` in the history, with when it started. */
function startedAttempts(events: HistoryEvent[], activityType: string): Array<{ attempt: number; at: number }> {
  const scheduled = new Map(events.filter((event) => event.activityTaskScheduledEventAttributes)
    .map((event) => [Number(event.eventId), event.activityTaskScheduledEventAttributes!.activityType!.name]));
  return events.filter((event) => event.activityTaskStartedEventAttributes
    && scheduled.get(Number(event.activityTaskStartedEventAttributes.scheduledEventId)) === activityType)
    .map((event) => ({ attempt: event.activityTaskStartedEventAttributes!.attempt!, at: eventMs(event) }));
}

interface Expected {
  type: ErrorKind;
  message: RegExp;
  /** The activity that fails; undefined when the workflow itself finds the problem. */
  activity?: string;
}

/** Asserts the run failed as `expected`, fast and without a retry; returns its history's events. */
async function expectFailsFast(handle: WorkflowHandle, expected: Expected): Promise<HistoryEvent[]> {
  const failure = await handle.result().then(() => undefined, (error: unknown) => error);
  expect(failure).toBeInstanceOf(WorkflowFailedError);
  const cause = (failure as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  expect({ type: (cause as ApplicationFailure).type, nonRetryable: (cause as ApplicationFailure).nonRetryable }).toEqual({ type: expected.type, nonRetryable: true });
  expect(cause!.message).toMatch(expected.message);

  const events = (await handle.fetchHistory()).events ?? [];
  const failedAt = eventMs(events.find((event) => event.workflowExecutionFailedEventAttributes)!);
  // No activity was retried: every started attempt is the first.
  const allAttempts = events.flatMap((event) => event.activityTaskStartedEventAttributes?.attempt ?? []);
  expect(allAttempts.every((attempt) => attempt === 1)).toBe(true);
  if (expected.activity) {
    const attempts = startedAttempts(events, expected.activity);
    expect(attempts.length).toBeGreaterThan(0);
    expect(attempts.map((started) => started.attempt)).toEqual(attempts.map(() => 1));
    expect((failedAt - Math.min(...attempts.map((started) => started.at))) / 1000).toBeLessThan(FAILS_WITHIN_S);
  } else {
    const lastActivityEnd = Math.max(...events.filter((event) => event.activityTaskCompletedEventAttributes).map(eventMs));
    expect((failedAt - lastActivityEnd) / 1000).toBeLessThan(FAILS_WITHIN_S);
  }
  return events;
}

/** The run config tests start from: one shard, one candidate, behavior statistics (fast). */
const SMALL: Partial<RunConfig> = { encoders: ['behavior-stats'], algorithms: ['kmeans'], shardCount: 1, kMin: 2, kMax: 2 };

async function runDrop(harness: Harness, source: string, config: Partial<RunConfig>) {
  const { handle } = await startDrop(harness.client, dropRefFor(source), { dataDir: harness.dataDir, taskQueues: harness.taskQueues, config });
  return handle;
}

function writeCsv(dataDir: string, name: string, rows: string[]): string {
  const file = path.join(dataDir, 'inputs', name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, [REES46_HEADER, ...rows.map((row, index) => `${index},${row}`)].join('\n') + '\n');
  return file;
}

describe('deterministic failures end the run at once', () => {
  it('a missing model directory: ModelError from preflight naming the directory and transformerModelDir; no shard is started', async () => {
    await withWorkers({ label: 'model-missing' }, async (harness) => {
      const modelDir = path.join(harness.dataDir, 'no-such-model');
      const handle = await runDrop(harness, copyOfSample(harness.dataDir), {
        ...SMALL, encoders: ['transformer'], shardCount: 3, embedConcurrency: 1, transformerModelDir: modelDir,
      });
      const events = await expectFailsFast(handle, {
        type: 'ModelError',
        activity: 'preflightRun',
        message: new RegExp(`transformerModelDir: ${modelDir} does not exist; point transformerModelDir at a model directory`),
      });
      expect(startedAttempts(events, 'embedShard')).toEqual([]);
    });
  });

  it('a broken model directory (bad model-config.json): ModelError naming the file and field', async () => {
    await withWorkers({ label: 'model-broken' }, async (harness) => {
      const modelDir = path.join(harness.dataDir, 'broken-model');
      fs.mkdirSync(modelDir, { recursive: true });
      fs.writeFileSync(path.join(modelDir, 'model.onnx'), 'not read: the config is checked first');
      fs.writeFileSync(path.join(modelDir, 'tokenizer.json'), '{}');
      fs.writeFileSync(path.join(modelDir, 'model-config.json'), JSON.stringify({ name: 'x', maxTokens: 256, dimensions: 384, pooling: 'max', outputName: 'y', usesTokenTypeIds: true }));
      const handle = await runDrop(harness, copyOfSample(harness.dataDir), { ...SMALL, encoders: ['transformer'], shardCount: 2, transformerModelDir: modelDir });
      await expectFailsFast(handle, {
        type: 'ModelError',
        activity: 'preflightRun',
        message: /broken-model\/model-config\.json: field pooling is "max"; expected 'mean', 'cls' or 'pooled'\. Fix the file/,
      });
    });
  });

  it('the default model not provisioned on the embedding worker: the shard fails with a ModelError that says npm run model:provision, and provisions nothing', async () => {
    await withWorkers({ role: 'cpu', label: 'model-not-provisioned' }, async (harness) => {
      // An embedding worker of a machine whose cache lacks the model (createWorkers would have
      // provisioned it at start; this one is made without, as if the cache was emptied since).
      const emptyCache = freshDataDir('empty-cache');
      const connection = await NativeConnection.connect({ address: harness.address });
      const worker = await Worker.create({
        connection, namespace: NAMESPACE, taskQueue: harness.taskQueues.embedding, activities: { embedShard: createActivities().embedShard },
      });
      const previous = process.env.BSEG_CACHE_DIR;
      process.env.BSEG_CACHE_DIR = emptyCache;
      try {
        await worker.runUntil(async () => {
          const handle = await runDrop(harness, copyOfSample(harness.dataDir), { ...SMALL, encoders: ['transformer'] });
          await expectFailsFast(handle, {
            type: 'ModelError',
            activity: 'embedShard',
            message: new RegExp(`the default transformer model is not provisioned on this worker \\(${emptyCache}/models/all-MiniLM-L6-v2-[^ ]* does not exist\\): run 'npm run model:provision'`),
          });
        });
      } finally {
        if (previous === undefined) delete process.env.BSEG_CACHE_DIR;
        else process.env.BSEG_CACHE_DIR = previous;
        await connection.close();
      }
      expect(fs.readdirSync(emptyCache)).toEqual([]);
    });
  });

  it('an embedding worker that cannot get the default model fails at start, naming why', async () => {
    const worker = startChildWorker({
      role: 'embedding', taskQueuePrefix: 'no-model', env: { BSEG_CACHE_DIR: freshDataDir('empty-cache'), BSEG_MODEL_WHEEL: '/nonexistent/model.whl' },
    });
    const exitCode = await new Promise<number | null>((resolve) => worker.process.once('exit', resolve));
    expect(exitCode).not.toBe(0);
    expect(worker.output()).toMatch(/BSEG_MODEL_WHEEL=\/nonexistent\/model\.whl cannot be read/);
    expect(worker.output()).not.toMatch(/polling/);
  });

  it('TF-IDF with too few terms: RunConfigError naming tfidfMinDf', async () => {
    await withWorkers({ label: 'tfidf-terms' }, async (harness) => {
      // Three users with nothing in common: no term is in 2 users' sequences (tfidfMinDf=2).
      const file = writeCsv(harness.dataDir, 'disjoint.csv', [
        ['view', 'aaa', 'u1'], ['cart', 'bbb', 'u2'], ['purchase', 'ccc', 'u3'],
      ].flatMap(([type, brand, user], i) => [0, 1].map((second) =>
        `2019-10-01 00:0${i}:0${second} UTC,${type},${100 + i},${200 + i},shop.${brand},${brand},1.00,${user},s-${user}`)));
      const handle = await runDrop(harness, file, { ...SMALL, encoders: ['tfidf'], tfidfMinDf: 2 });
      await expectFailsFast(handle, {
        type: 'RunConfigError',
        activity: 'fitEncoder',
        message: /TF-IDF: only 0 term\(s\) appear in at least 2 of the 3 users' sequences it was fitted on \(tfidfMinDf=2\); it needs 2\. Lower tfidfMinDf, or leave tfidf out of encoders/,
      });
    });
  });

  it('a shard count that differs from the one the drop was cleaned with: cleaning runs again for the new one (it failed with a RunConfigError before)', async () => {
    await withWorkers({ label: 'shard-count' }, async (harness) => {
      const source = copyOfSample(harness.dataDir);
      const runDir = runDirFor(harness.dataDir, dropRefFor(source).dropId);
      // The state a failed first run with shardCount=4 leaves: the drop is cleaned (checkpointed) for 4 shards.
      const cleanedFor4 = resolveRunConfig({ ...SMALL, shardCount: 4 });
      const inspected = await inspectDrop({ runDir, source, mappingFile: cleanedFor4.mappingFile });
      await cleanRawLogs({ runDir, files: inspected.files, pinned: inspected.pinned, format: inspected.format, delimiter: inspected.delimiter, config: cleanedFor4 });

      const handle = await runDrop(harness, source, { ...SMALL, shardCount: 2 });
      const output = await handle.result();
      expect(fs.readdirSync(runFiles.shardsDir(output.runDir)).sort()).toEqual(['shard-0000.parquet', 'shard-0001.parquet']);
    });
  });

  it('a content-hash collision in duplicate detection: InternalInvariantError naming the rows, to be reported', async () => {
    // DuckDB 1.5 hashes a NULL as 0xbf58476d1ce4e5b9, and so does the brand below (found by inverting
    // its string hash): two events that differ only in that brand get the same content hash.
    const brand = 'nEOv5H6Qce6A';
    const duckdb = await (await DuckDBInstance.create(':memory:')).connect();
    const [precondition] = (await duckdb.runAndReadAll(`SELECT hash('${brand}') = hash(NULL::VARCHAR) AS same`)).getRowObjects();
    expect(precondition.same, 'DuckDB changed its hash: find a new colliding brand').toBe(true);
    duckdb.closeSync();

    await withWorkers({ label: 'hash-collision' }, async (harness) => {
      const event = '2019-10-01 00:00:00 UTC,view,5773203,1487580005134238553,,BRAND,2.62,463240011,s-1';
      const file = writeCsv(harness.dataDir, 'collision.csv', [
        event.replace('BRAND', ''), event.replace('BRAND', brand), '2019-10-01 00:00:05 UTC,cart,5773203,1487580005134238553,,runail,2.62,463240011,s-1',
      ]);
      const handle = await runDrop(harness, file, SMALL);
      await expectFailsFast(handle, {
        type: 'InternalInvariantError',
        activity: 'cleanRawLogs',
        message: /duplicate detection: different events of .*collision\.csv share a content hash \(drop rows 2 and 1, data rows counted from 1 .*\); to go on meanwhile, change or remove one event of each pair\. This is a bug: please report it/,
      });
    });
  });

  it('cannot cluster n users into k (kmeans): RunConfigError before anything is embedded', async () => {
    await withWorkers({ label: 'k-above-users' }, async (harness) => {
      const handle = await runDrop(harness, copyOfSample(harness.dataDir), { ...SMALL, sampleUsersFraction: 0.01, kMin: 60, kMax: 60 });
      await expectFailsFast(handle, {
        type: 'RunConfigError',
        message: /^cannot cluster \d+ users into k=60 segments: set kMin \(and kMax\) to at most \d+, or give the run more users/,
      });
      const events = (await handle.fetchHistory()).events ?? [];
      expect(startedAttempts(events, 'embedShard')).toEqual([]);
    });
  });

  it('cannot cluster n users into k (distributed-kmeans, its own workflow): the same RunConfigError', async () => {
    await withWorkers({ label: 'k-above-users-distributed' }, async (harness) => {
      const runDir = path.join(harness.dataDir, 'runs', 'tiny');
      const embeddingPaths = [0, 1].map((shard) => path.join(runDir, 'embeddings', `shard-${shard}.arrow`));
      for (const [shard, file] of embeddingPaths.entries()) {
        await writeEmbeddingFile(file, { userIds: [`u${shard}a`, `u${shard}b`], vectors: Float32Array.from([0, 1, 1, 0]), dimensions: 2 });
      }
      const config = resolveRunConfig({ ...SMALL, algorithms: ['distributed-kmeans'] });
      const handle = await harness.client.workflow.start(distributedKMeans, {
        workflowId: `tiny-distributed-kmeans-${path.basename(harness.dataDir)}`,
        taskQueue: harness.taskQueues.cpu,
        args: [{
          runDir, candidate: { encoder: 'behavior-stats', params: { algorithm: 'distributed-kmeans', k: 5 } }, candidateKey: 'k5', embeddingPaths, seed: 1, config, taskQueues: harness.taskQueues,
        }],
      });
      await expectFailsFast(handle, { type: 'RunConfigError', message: /^cannot cluster 4 users into k=5 segments: set kMin \(and kMax\) to at most 4/ });
    });
  });

  it('cannot cluster n users into k: every engine\'s own check says the same', async () => {
    const data = new Float32Array([0, 0, 1, 1, 2, 2]);
    const checks = [
      kmeans(data, 3, 2, { k: 4, seed: 1 }),
      miniBatchKMeans(data, 3, 2, { k: 4, seed: 1 }),
      hierarchical(data, 3, 2, { k: 4, linkage: 'ward' }),
    ];
    for (const check of checks) {
      const failure = await check.then(() => undefined, (error: unknown) => error);
      expect(failure).toBeInstanceOf(ApplicationFailure);
      expect({ type: (failure as ApplicationFailure).type, nonRetryable: (failure as ApplicationFailure).nonRetryable }).toEqual({ type: 'RunConfigError', nonRetryable: true });
      expect((failure as Error).message).toMatch(/^cannot cluster 3 users into k=4 segments: set kMin \(and kMax\) to at most 3/);
    }
  });

  it('a RunConfigError raised by an activity (pcaComponents above the encoder width) ends the run with its message', async () => {
    await withWorkers({ label: 'activity-run-config' }, async (harness) => {
      const handle = await runDrop(harness, copyOfSample(harness.dataDir), { ...SMALL, pcaComponents: 4000 });
      await expectFailsFast(handle, {
        type: 'RunConfigError',
        activity: 'preflightRun',
        message: /pcaComponents: 4000 must be below the dimensions of every encoder of the run, but behavior-stats has \d+ \(fixed\); set pcaComponents below \d+, or 0 for no PCA/,
      });
    });
  });

  it('a step that runs out of DuckDB memory: ResourceLimitError naming duckdbMemoryLimit and the step, not retried', async () => {
    await withWorkers({ label: 'out-of-memory' }, async (harness) => {
      const handle = await runDrop(harness, copyOfSample(harness.dataDir), { ...SMALL, duckdbMemoryLimit: '1MB', activityMaxAttempts: 5 });
      await expectFailsFast(handle, {
        type: 'ResourceLimitError',
        activity: 'cleanRawLogs',
        message: /^cleanRawLogs ran out of DuckDB memory: .*Out of Memory Error: .*\. duckdbMemoryLimit \(1MB\) is what one worker's activities may use together.*raise duckdbMemoryLimit/s,
      });
    });
  });
});
