import fs from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { modelFiles } from '../../common/model-layout';
import { openDuckDB, queryRows } from '../../lib/runtime/duckdb';

/**
 * The model registry: one DuckDB file under the data directory (common/model-layout.ts) with every
 * pipeline's segment models, its `current` pointer and the history of its drops (one row per drop:
 * refit or assign, the model version it used, why, and its drift summary once computed).
 *
 * Atomic and idempotent per drop: every write is one transaction that first looks the drop up
 * (drop_id is the history's primary key), so a re-triggered drop or a retried activity returns
 * what was recorded instead of registering again. Versions are max + 1 inside the transaction, so
 * they only grow; a refit moves `current` only if it still is the version the drop's decision saw
 * (a check-and-set), so two drops racing never move it backwards or lose an update: the later one
 * is registered, not made current, and says so in its reason.
 *
 * DuckDB lets one process at a time open a file for writing: each use opens, does its transaction
 * and closes at once, waiting its turn in this process (a queue per file) and retrying while
 * another process (a worker, the client) holds the file.
 */
export interface RegisteredModel {
  pipeline: string;
  version: number;
  dropId: string;
  modelDir: string;
  encoder: string;
  algorithm: string;
  params: string;
  segments: number;
  configHash: string;
  createdAt: string;
  current: boolean;
}

export interface DropRecord {
  dropId: string;
  pipeline: string;
  /** The drop's place in its pipeline's history (1, 2, ...). */
  sequence: number;
  mode: 'refit' | 'assign';
  modelVersion: number;
  reason: string;
  /** The drop's drift summary (DriftSummary, activities/compare-with-model.ts); null for a first refit or a drop recorded before drift. */
  drift: unknown;
  recordedAt: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS models (
  pipeline VARCHAR NOT NULL, version INTEGER NOT NULL, drop_id VARCHAR NOT NULL, model_dir VARCHAR NOT NULL,
  encoder VARCHAR NOT NULL, algorithm VARCHAR NOT NULL, params VARCHAR NOT NULL, segments INTEGER NOT NULL,
  config_hash VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL, PRIMARY KEY (pipeline, version));
CREATE TABLE IF NOT EXISTS current_models (pipeline VARCHAR PRIMARY KEY, version INTEGER NOT NULL, updated_at TIMESTAMP NOT NULL);
CREATE TABLE IF NOT EXISTS drop_history (
  drop_id VARCHAR PRIMARY KEY, pipeline VARCHAR NOT NULL, sequence INTEGER NOT NULL, mode VARCHAR NOT NULL,
  model_version INTEGER NOT NULL, reason VARCHAR NOT NULL, drift JSON, recorded_at TIMESTAMP NOT NULL, UNIQUE (pipeline, sequence));
`;

const queues = new Map<string, Promise<unknown>>();
const LOCK_WAIT_MS = 120_000;

/** Runs `use` with the registry open (created if absent), one user at a time. */
export async function withRegistry<T>(dataDir: string, use: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
  const file = modelFiles.registry(dataDir);
  const previous = queues.get(file) ?? Promise.resolve();
  const mine = previous.catch(() => undefined).then(async () => {
    await fs.mkdir(path.dirname(file), { recursive: true });
    const database = await openWhenFree(file);
    try {
      await database.connection.run(SCHEMA);
      return await use(database.connection);
    } finally {
      database.close();
    }
  });
  queues.set(file, mine);
  try {
    return await mine;
  } finally {
    if (queues.get(file) === mine) queues.delete(file);
  }
}

async function openWhenFree(file: string) {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await openDuckDB(file, { threads: 1 });
    } catch (error) {
      const message = (error as Error).message ?? '';
      if (!/lock/i.test(message) || Date.now() - started > LOCK_WAIT_MS) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** attempt, 1000)));
    }
  }
}

/** BEGIN ... COMMIT, rolled back when `work` throws. */
export async function inTransaction<T>(connection: DuckDBConnection, work: () => Promise<T>): Promise<T> {
  await connection.run('BEGIN TRANSACTION');
  try {
    const result = await work();
    await connection.run('COMMIT');
    return result;
  } catch (error) {
    await connection.run('ROLLBACK');
    throw error;
  }
}

export async function listModels(connection: DuckDBConnection, pipeline?: string): Promise<RegisteredModel[]> {
  const rows = await queryRows(connection, `
    SELECT m.*, strftime(m.created_at, '%Y-%m-%dT%H:%M:%SZ') AS created, coalesce(c.version = m.version, false) AS is_current
    FROM models m LEFT JOIN current_models c USING (pipeline)
    WHERE $pipeline IS NULL OR m.pipeline = $pipeline
    ORDER BY m.pipeline, m.version`, { pipeline: pipeline ?? null });
  return rows.map((row) => ({
    pipeline: String(row.pipeline),
    version: Number(row.version),
    dropId: String(row.drop_id),
    modelDir: String(row.model_dir),
    encoder: String(row.encoder),
    algorithm: String(row.algorithm),
    params: String(row.params),
    segments: Number(row.segments),
    configHash: String(row.config_hash),
    createdAt: String(row.created),
    current: Boolean(row.is_current),
  }));
}

export async function currentModel(connection: DuckDBConnection, pipeline: string): Promise<RegisteredModel | undefined> {
  return (await listModels(connection, pipeline)).find((model) => model.current);
}

export async function dropHistory(connection: DuckDBConnection, pipeline: string): Promise<DropRecord[]> {
  const rows = await queryRows(connection, `
    SELECT *, strftime(recorded_at, '%Y-%m-%dT%H:%M:%SZ') AS recorded, CAST(drift AS VARCHAR) AS drift_text
    FROM drop_history WHERE pipeline = $pipeline ORDER BY sequence`, { pipeline });
  return rows.map(toDropRecord);
}

export async function dropRecord(connection: DuckDBConnection, dropId: string): Promise<DropRecord | undefined> {
  const rows = await queryRows(connection, `
    SELECT *, strftime(recorded_at, '%Y-%m-%dT%H:%M:%SZ') AS recorded, CAST(drift AS VARCHAR) AS drift_text
    FROM drop_history WHERE drop_id = $drop_id`, { drop_id: dropId });
  return rows.length > 0 ? toDropRecord(rows[0]) : undefined;
}

function toDropRecord(row: Record<string, unknown>): DropRecord {
  return {
    dropId: String(row.drop_id),
    pipeline: String(row.pipeline),
    sequence: Number(row.sequence),
    mode: row.mode as DropRecord['mode'],
    modelVersion: Number(row.model_version),
    reason: String(row.reason),
    drift: row.drift_text === null || row.drift_text === undefined ? null : JSON.parse(String(row.drift_text)),
    recordedAt: String(row.recorded),
  };
}

/** Drops recorded with `version` (its refit and the drops assigned into it since): what refitEveryDrops counts. */
export async function dropsUsing(connection: DuckDBConnection, pipeline: string, version: number): Promise<number> {
  const rows = await queryRows(connection, 'SELECT count(*) AS drops FROM drop_history WHERE pipeline = $pipeline AND model_version = $version', { pipeline, version });
  return Number(rows[0].drops);
}

export interface NewModel {
  dataDir: string;
  pipeline: string;
  dropId: string;
  /** The model's files, copied next to the registry; renamed to the version's directory here. */
  stagingDir: string;
  encoder: string;
  algorithm: string;
  params: string;
  segments: number;
  configHash: string;
}

export interface Registration {
  record: DropRecord;
  /** True when the drop was recorded before (a re-triggered drop or a retried activity): nothing was written. */
  recordedBefore: boolean;
  madeCurrent: boolean;
}

/**
 * Registers a refit's model as the pipeline's next version and records the drop, in one
 * transaction. `current` moves to it only when it still is `basedOn` (the version the drop's
 * decision saw; null: none).
 */
export async function registerRefit(
  connection: DuckDBConnection, model: NewModel, decision: { reason: string; basedOn: number | null; drift: unknown },
): Promise<Registration> {
  return inTransaction(connection, async () => {
    const earlier = await dropRecord(connection, model.dropId);
    if (earlier) {
      await fs.rm(model.stagingDir, { recursive: true, force: true });
      return { record: earlier, recordedBefore: true, madeCurrent: false };
    }
    const [{ next }] = await queryRows(connection, 'SELECT coalesce(max(version), 0) + 1 AS next FROM models WHERE pipeline = $pipeline', { pipeline: model.pipeline });
    const version = Number(next);
    const modelDir = modelFiles.versionDir(model.dataDir, model.pipeline, version);
    // A directory left by a transaction that did not commit has no row: it is replaced.
    await fs.rm(modelDir, { recursive: true, force: true });
    await fs.rename(model.stagingDir, modelDir);
    await connection.run(`INSERT INTO models VALUES ($pipeline, $version, $drop_id, $model_dir, $encoder, $algorithm, $params, $segments, $config_hash, now())`, {
      pipeline: model.pipeline, version, drop_id: model.dropId, model_dir: modelDir, encoder: model.encoder, algorithm: model.algorithm,
      params: model.params, segments: model.segments, config_hash: model.configHash,
    });
    const current = (await currentModel(connection, model.pipeline))?.version ?? null;
    const madeCurrent = current === decision.basedOn;
    if (madeCurrent) await setCurrent(connection, model.pipeline, version);
    const reason = madeCurrent
      ? decision.reason
      : `${decision.reason}; not made current: the current model moved from ${describeVersion(decision.basedOn)} to ${describeVersion(current)} meanwhile (promote v${version} to use it)`;
    const record = await insertDrop(connection, { dropId: model.dropId, pipeline: model.pipeline, mode: 'refit', modelVersion: version, reason, drift: decision.drift });
    return { record, recordedBefore: false, madeCurrent };
  });
}

/** Records a drop assigned into `version`; a drop recorded before is returned as it was. */
export async function registerAssignment(
  connection: DuckDBConnection, drop: { dropId: string; pipeline: string; modelVersion: number; reason: string; drift: unknown },
): Promise<Registration> {
  return inTransaction(connection, async () => {
    const earlier = await dropRecord(connection, drop.dropId);
    if (earlier) return { record: earlier, recordedBefore: true, madeCurrent: false };
    return { record: await insertDrop(connection, { ...drop, mode: 'assign' }), recordedBefore: false, madeCurrent: false };
  });
}

/** An operator's choice: any registered version may become current (the only way back to an older one). */
export async function promote(connection: DuckDBConnection, pipeline: string, version: number): Promise<RegisteredModel> {
  return inTransaction(connection, async () => {
    const model = (await listModels(connection, pipeline)).find((candidate) => candidate.version === version);
    if (!model) throw new Error(`pipeline ${pipeline} has no model version ${version}`);
    await setCurrent(connection, pipeline, version);
    return { ...model, current: true };
  });
}

async function setCurrent(connection: DuckDBConnection, pipeline: string, version: number): Promise<void> {
  await connection.run(`INSERT INTO current_models VALUES ($pipeline, $version, now())
    ON CONFLICT (pipeline) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at`, { pipeline, version });
}

async function insertDrop(
  connection: DuckDBConnection, drop: { dropId: string; pipeline: string; mode: DropRecord['mode']; modelVersion: number; reason: string; drift: unknown },
): Promise<DropRecord> {
  await connection.run(`INSERT INTO drop_history
    SELECT $drop_id, $pipeline, coalesce(max(sequence), 0) + 1, $mode, $model_version, $reason, $drift::JSON, now() FROM drop_history WHERE pipeline = $pipeline`, {
    drop_id: drop.dropId, pipeline: drop.pipeline, mode: drop.mode, model_version: drop.modelVersion, reason: drop.reason,
    drift: drop.drift === null || drop.drift === undefined ? null : JSON.stringify(drop.drift),
  });
  return (await dropRecord(connection, drop.dropId))!;
}

function describeVersion(version: number | null): string {
  return version === null ? 'none' : `v${version}`;
}
