import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { projectPath } from '../paths';

/**
 * One DuckDB instance per database file per activity, closed in `finally` by the caller via
 * `close()`. SQL lives in sql/ and is loaded by path; values are bound as parameters. Every
 * connection starts with the shared macros of sql/macros.sql.
 */
export interface DuckDBSettings {
  threads?: number;
  memoryLimit?: string;
  tempDirectory?: string;
}

export interface OpenDatabase {
  connection: DuckDBConnection;
  close(): void;
}

/** The macros every SQL file may use; the only place a macro is defined. */
const SHARED_MACROS = 'macros.sql';

export async function openDuckDB(file: string, settings: DuckDBSettings = {}): Promise<OpenDatabase> {
  const options: Record<string, string> = {};
  if (settings.threads && settings.threads > 0) options.threads = String(settings.threads);
  if (settings.memoryLimit) options.memory_limit = settings.memoryLimit;
  if (settings.tempDirectory) {
    // DuckDB creates the spill directory itself, but only its last level, and only when it first
    // spills: a missing parent fails a query deep into a large run, the same way on every retry.
    await fs.promises.mkdir(path.dirname(settings.tempDirectory), { recursive: true });
    options.temp_directory = settings.tempDirectory;
  }
  const instance = await DuckDBInstance.create(file, options);
  const connection = await instance.connect();
  const close = () => {
    connection.closeSync();
    instance.closeSync();
  };
  try {
    await runSqlFile(connection, SHARED_MACROS);
  } catch (error) {
    close();
    throw error;
  }
  return { connection, close };
}

const sqlCache = new Map<string, string>();

/** Reads sql/<relativePath> (cached). */
export function loadSql(relativePath: string): string {
  let text = sqlCache.get(relativePath);
  if (text === undefined) {
    text = fs.readFileSync(projectPath('sql', relativePath), 'utf8');
    sqlCache.set(relativePath, text);
  }
  return text;
}

export type SqlParams = Record<string, DuckDBValue>;

/**
 * Runs every statement of a SQL file, binding to each statement only the named parameters it
 * uses (`$name`), so one parameter object serves a multi-statement file.
 */
export async function runSqlFile(connection: DuckDBConnection, relativePath: string, params: SqlParams = {}): Promise<void> {
  await runSqlText(connection, loadSql(relativePath), params, relativePath);
}

export async function runSqlText(connection: DuckDBConnection, sql: string, params: SqlParams, label = 'inline SQL'): Promise<void> {
  const extracted = await connection.extractStatements(sql);
  for (let index = 0; index < extracted.count; index++) {
    const statement = await extracted.prepare(index);
    try {
      const bound: SqlParams = {};
      for (let p = 1; p <= statement.parameterCount; p++) {
        const name = statement.parameterName(p);
        if (!(name in params)) throw new Error(`${label}: statement ${index + 1} needs parameter $${name}`);
        bound[name] = params[name];
      }
      if (statement.parameterCount > 0) statement.bind(bound);
      const started = performance.now();
      await statement.run();
      // BSEG_SQL_TIMING=1 prints each statement's time: the first thing to look at when a stage is slow.
      if (process.env.BSEG_SQL_TIMING) console.error(`[sql] ${label} #${index + 1}: ${((performance.now() - started) / 1000).toFixed(2)} s`);
    } finally {
      statement.destroySync();
    }
  }
}

/** Runs a query file or text and returns rows as plain JSON-able objects (bigints become numbers). */
export async function queryRows(connection: DuckDBConnection, sql: string, params: SqlParams = {}): Promise<Array<Record<string, unknown>>> {
  const reader = await connection.runAndReadAll(sql, params);
  return reader.getRowObjectsJS().map((row) => {
    const plain: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(row)) plain[key] = typeof value === 'bigint' ? Number(value) : value;
    return plain;
  });
}

/**
 * COPY ... TO needs its target as a literal (DuckDB cannot bind it), so paths we generate
 * ourselves are quoted here, and only here.
 */
export function sqlStringLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** Table and column names cannot be bound either: those SQL is generated with are quoted here. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

