/**
 * Output fingerprint of the pipeline: proves that a refactor changes nothing a run produces
 * (issue 13, "Done when"). `run` segments four drops for real (the three real datasets in
 * ../shared/datasets and a small synthetic drop) with a fixed seed, and writes one JSON file that
 * describes every output of every run directory; `compare` diffs two such files.
 *
 *   npm run fingerprint -- run --out before.json [--work-dir NEW_DIR] [--only NAME,...] [--keep]
 *   npm run fingerprint -- snapshot --work-dir DIR --out again.json   (re-read a kept work dir)
 *   npm run fingerprint -- compare before.json after.json [--ignore REGEX ...]
 *
 * Typical use: `run` on main (before), `run` on the redesign (after), `compare` the two files;
 * it prints every difference (drop, item, field, before, after) and exits 1 if there is any.
 * `--ignore REGEX` accepts differences on purpose (e.g. a new file): a difference whose printed
 * line ("<drop>\t<item>\t<field>\t<before> -> <after>") matches is still listed, as 'ignored',
 * but does not fail the comparison. Both sides must run the same settings
 * (DROPS below); `compare` prints any setting that differs as a note.
 * Each `run` works in a new temporary directory (or an empty --work-dir), removed after success;
 * about 3 minutes on 2 idle cores, double that on a busy machine.
 *
 * What is fingerprinted, walking the run directory (items are named by their path in it):
 * - every table and view of every *.duckdb file (`run.duckdb#events_clean`): columns and types,
 *   row count, an order-independent hash of the rows and one per column;
 * - every Parquet file (shards, output/segments.parquet, ...): schema, row count, hashes of the
 *   rows in file order (order matters for shards) and per column, plus the raw bytes' hash;
 * - every Arrow IPC file (embeddings, labels of every candidate, fitted encoders): schema, row
 *   count, hashes in row order per column, plus the raw bytes' hash;
 * - every JSON file (leaderboard, manifest, candidate metrics, centroids, step markers, ...),
 *   normalized (below); small ones are kept whole so `compare` names the differing field;
 * - other text files by hash; `(files)` lists every file, so a file added or lost shows too.
 * Values are compared exactly (floats included): a fixed seed makes a run deterministic.
 *
 * Normalized away, because they differ between two runs of the same code:
 * - wall-clock timings and timestamps (TIMING_KEYS in JSON, TIMING_COLUMNS in tables);
 * - absolute paths: the run directory becomes <run>, the work directory <work>;
 * - the worker's pid in embeddings/<encoder>/shard-NNNN.batches.log;
 * - manifest.json's `config` (the redesign restructures the config; the settings of each drop
 *   are the DROPS table below and are recorded under `meta`), and the order of its `steps`
 *   (sorted by finish time, which varies; sorted by step name here);
 * - the last bits of avg() over DOUBLE columns in output/segment-profiles.json (a parallel
 *   DuckDB aggregate; see ORDER_SENSITIVE_FLOATS);
 * - output/report.html is skipped: it prints the timings and finish times in table cells, and
 *   everything it shows comes from files that are compared.
 * Raw bytes of Parquet/Arrow files are recorded too; a difference only in bytes, with equal
 * content, is printed as a note and does not fail `compare`.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import zlib from 'node:zlib';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { tableFromIPC, type Table } from 'apache-arrow';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
// The project's own entry points: a real dev server, and the real workers. Moved by a redesign?
// Change these two lines (and DROPS' config fields); nothing else here reads project internals.
import { readDevServerConfig, startDevServer } from '../lib/client/dev-server';
import { createWorkers, runWorkersUntil } from '../workers/create-workers';

// ---------------------------------------------------------------------------------------------
// THE RUN CONFIGURATION OF EACH DROP (flat run-config overrides, as common/run-config.ts takes
// them today). If the redesign renames or sections the fields, adapt them HERE, keeping the same
// settings, so that "before" and "after" run the same thing.
// ---------------------------------------------------------------------------------------------
/** Small sweeps and few resamples: every code path, minutes instead of hours. */
const COMMON = {
  seed: '42',
  shardCount: 2,
  // Small batches and a long heartbeat timeout: the transformer on a busy shared CPU otherwise
  // misses heartbeats (a batch heartbeats when it is done). Neither changes what a run produces.
  embedBatchSize: 100,
  embedHeartbeatTimeoutSeconds: 900,
  kMin: 2,
  kMax: 4,
  kmeansInit: 2,
  stabilitySeedRuns: 1,
  stabilitySubsampleRuns: 1,
  bootstrapSamples: 100,
  nextPurchaseFolds: 2,
  // A deterministic failure should end the fingerprint run, not wait an hour for a retry signal.
  activityMaxAttempts: 2,
  failedShardWaitMinutes: 0,
};

interface DropSpec {
  /** Directory name under ../shared/datasets, or 'synthetic' (generated, see SYNTHETIC). */
  name: string;
  config: Record<string, unknown>;
}

const DROPS: DropSpec[] = [
  {
    // Every clustering algorithm; a time window (outside_time_window quarantine); stable-lift.
    name: 'rees46-cosmetics-sample',
    config: {
      ...COMMON,
      encoders: ['behavior-stats', 'tfidf', 'item2vec'],
      algorithms: ['kmeans', 'minibatch-kmeans', 'distributed-kmeans', 'ward', 'average', 'dbscan', 'hdbscan'],
      timeWindowStart: '2019-10-02',
      hierarchicalSampleSize: 1500,
      hdbscanSampleSize: 1000,
      dbscanEpsQuantiles: [0.5, 0.9],
      hdbscanMinClusterShares: [0.02, 0.05],
      tfidfComponents: 16,
      item2vecDimensions: 16,
    },
  },
  {
    // Many short users, sampled; last-purchase holdout; PCA; the pareto rule.
    name: 'taobao-userbehavior-2h',
    config: {
      ...COMMON,
      encoders: ['behavior-stats', 'tfidf', 'item2vec'],
      algorithms: ['kmeans', 'hdbscan'],
      sampleUsersFraction: 0.25,
      holdoutMode: 'last_purchase',
      pcaComponents: 8,
      selectionRule: 'pareto',
      hdbscanSampleSize: 1000,
      tfidfComponents: 16,
      item2vecDimensions: 16,
    },
  },
  {
    // Few users with long histories (the transformer truncates them); time holdout; bot filter;
    // recommendations may repeat seen items; stable-silhouette; ward and dbscan.
    name: 'taobao-userbehavior-long',
    config: {
      ...COMMON,
      encoders: ['behavior-stats', 'tfidf', 'item2vec', 'transformer'],
      algorithms: ['kmeans', 'ward', 'dbscan'],
      transformerLongTexts: 'truncate',
      transformerOrder: 'newest-first',
      sampleUsersFraction: 0.5,
      holdoutMode: 'time',
      holdoutCutoff: '2017-12-02',
      botMaxEventsPerMinute: 10,
      downstreamExcludeSeen: false,
      sessionGapMinutes: 60,
      maxSequenceLength: 30,
      selectionRule: 'stable-silhouette',
      dbscanEpsQuantiles: [0.75],
      tfidfComponents: 16,
      item2vecDimensions: 16,
    },
  },
  {
    // A gzipped file read through a mapping file; the transformer chunking long texts (slow on
    // CPU: few users, short sequences); the planted segments as truth labels.
    name: 'synthetic',
    config: {
      ...COMMON,
      encoders: ['transformer', 'behavior-stats'],
      algorithms: ['kmeans', 'minibatch-kmeans', 'distributed-kmeans', 'hdbscan'],
      maxSequenceLength: 15,
      transformerMaxChunks: 2,
      selectionRule: 'silhouette',
      hdbscanMinClusterShares: [0.05],
      // Filled in by the run: the generator's <csv>.labels.csv and SYNTHETIC_MAPPING's file.
      truthLabelsFile: '<labels>',
      mappingFile: '<mapping>',
    },
  },
];

/** The synthetic drop: `npm run generate` with these arguments (deterministic for a seed). */
const SYNTHETIC = { users: 300, seed: 7, meanEvents: 8 };
/** The generator writes the REES46 layout; read it as an unknown format (docs/DATA-CONTRACTS.md). */
const SYNTHETIC_MAPPING = {
  name: 'synthetic-shop',
  reader: { kind: 'csv', header: true, delimiter: ',' },
  columns: {
    user_id: 'user_id', item_id: 'product_id', category_id: 'category_id', category_code: 'category_code',
    brand: 'brand', price: 'price', event_type: 'event_type', event_time: 'event_time', session_id: 'user_session',
  },
  eventTime: { format: '%Y-%m-%d %H:%M:%S UTC' },
  eventTypes: { view: 'view', cart: 'cart', remove_from_cart: 'remove_from_cart', purchase: 'purchase' },
};
// ---------------------------------------------------------------------------------------------

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DATASETS = path.resolve(PROJECT_ROOT, '..', 'shared', 'datasets');
const FORMAT = 'bseg-fingerprint/1';
/** JSON keys holding wall-clock times or durations. */
const TIMING_KEYS = ['clusterSeconds', 'scoreSeconds', 'seconds', 'finishedAt', 'generatedAt'];
/** Table/Parquet columns holding durations (the leaderboard table and output/metrics.parquet). */
const TIMING_COLUMNS = ['cluster_seconds', 'score_seconds'];
/** Files left out, with the reason (see the header). */
const SKIPPED: Array<[RegExp, string]> = [
  [/^output\/report\.html$/, 'prints timings and finish times; its contents come from compared files'],
  [/\.(tmp|partial)(-\d+)?$|\.tmp-|\.wal$/, 'temporary file'],
];
/**
 * Floats that differ in their last bits between two runs of the SAME code, rounded to 12
 * significant digits: segment_profiles.sql takes avg() of DOUBLE columns in a parallel DuckDB
 * aggregate, whose partial sums combine in thread order (seen on rees46: mean_price
 * 10.056947975097827 vs 10.056947975097831). Integer averages and shares are exact and kept.
 */
const ORDER_SENSITIVE_FLOATS: Record<string, string[]> = {
  'output/segment-profiles.json': ['mean_revenue', 'mean_price', 'mean_recency_hours'],
};
const SIGNIFICANT_DIGITS = 12;
/** JSON files kept whole in the fingerprint up to this size; larger ones as one hash per top-level key. */
const WHOLE_JSON_LIMIT = 256 * 1024;

type Item =
  | { kind: 'table'; type: string; columns: string[]; rows: number; hash: string; columnHashes: Record<string, string> }
  | { kind: 'parquet' | 'arrow'; columns: string[]; rows: number; hash: string; columnHashes: Record<string, string>; bytes: string }
  | { kind: 'json'; value: unknown }
  | { kind: 'json-large'; hash: string; keys: Record<string, string> }
  | { kind: 'text'; hash: string }
  | { kind: 'files'; files: string[] };

interface DropFingerprint {
  items: Record<string, Item>;
}

interface Fingerprint {
  format: string;
  /** Not compared: where and how the fingerprint was made. */
  meta: Record<string, unknown>;
  drops: Record<string, DropFingerprint>;
}

/** What `run` leaves in the work dir for `snapshot`. */
interface RunRecord {
  name: string;
  dropId: string;
  runDir: string;
  seconds: number;
  config: Record<string, unknown>;
}

const log = (line: string) => console.error(`[fingerprint] ${line}`);
const sha = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

// ---- run --------------------------------------------------------------------------------------

async function runDrops(workDir: string, only: string[] | undefined): Promise<RunRecord[]> {
  const drops = DROPS.filter((drop) => !only || only.includes(drop.name));
  if (drops.length === 0) throw new Error(`--only names none of: ${DROPS.map((drop) => drop.name).join(', ')}`);
  // Outputs of a native build and a provisioned model are what the runs use; make both current.
  npm(['run', 'build:native']);
  if (drops.some((drop) => (drop.config.encoders as string[]).includes('transformer'))) npm(['run', 'model:provision']);

  const sources = new Map(drops.map((drop) => [drop.name, prepareSource(workDir, drop)]));
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const server = await startDevServer({ stateDir: path.join(workDir, 'temporal'), port: 'auto', headless: true, log });
  const namespace = readDevServerConfig().namespaces[0];
  const taskQueues = { cpu: 'fingerprint-cpu', embedding: 'fingerprint-embedding' };
  const workerConnection = await NativeConnection.connect({ address: server.address });
  const stopWorkers = new AbortController();
  let workersDone: Promise<void> | undefined;
  const client = new Client({ connection: await Connection.connect({ address: server.address }), namespace });
  const records: RunRecord[] = [];
  try {
    const workers = await createWorkers({ connection: workerConnection, namespace, role: 'all', taskQueues });
    workersDone = runWorkersUntil(workers, stopWorkers.signal);
    for (const drop of drops) {
      const { source, config } = sources.get(drop.name)!;
      // A fixed drop id (not one derived from the path) keeps names the same in every checkout.
      const dropId = `fingerprint-${drop.name}`;
      const started = performance.now();
      log(`${drop.name}: running`);
      const handle = await client.workflow.start('segmentDataDrop', {
        workflowId: dropId,
        taskQueue: taskQueues.cpu,
        args: [{ drop: { dropId, source }, dataDir: path.join(workDir, 'data'), config, taskQueues }],
      });
      const output = (await handle.result()) as { runDir: string };
      const seconds = (performance.now() - started) / 1000;
      log(`${drop.name}: done in ${seconds.toFixed(1)} s`);
      records.push({ name: drop.name, dropId, runDir: output.runDir, seconds, config });
    }
  } finally {
    stopWorkers.abort();
    await workersDone?.catch((error) => log(`workers: ${(error as Error).message}`));
    await client.connection.close();
    await workerConnection.close();
    await server.stop();
  }
  fs.writeFileSync(path.join(workDir, 'runs.json'), JSON.stringify(records, null, 2));
  return records;
}

/** A private copy of the drop under the work dir, so paths are <work>/... in every checkout. */
function prepareSource(workDir: string, drop: DropSpec): { source: string; config: Record<string, unknown> } {
  const target = path.join(workDir, 'drops', drop.name);
  fs.mkdirSync(target, { recursive: true });
  const config = { ...drop.config };
  if (drop.name === 'synthetic') {
    // Generated outside the drop directory: the labels file there would be read as events.
    const csv = path.join(workDir, 'synthetic.csv');
    npm(['run', 'generate', '--', csv, '--users', String(SYNTHETIC.users), '--seed', String(SYNTHETIC.seed), '--mean-events', String(SYNTHETIC.meanEvents)]);
    fs.writeFileSync(path.join(target, 'synthetic.csv.gz'), zlib.gzipSync(fs.readFileSync(csv)));
    const mapping = path.join(workDir, 'synthetic.mapping.json');
    fs.writeFileSync(mapping, JSON.stringify(SYNTHETIC_MAPPING, null, 2));
    if (config.truthLabelsFile === '<labels>') config.truthLabelsFile = `${csv}.labels.csv`;
    if (config.mappingFile === '<mapping>') config.mappingFile = mapping;
    return { source: target, config };
  }
  const from = path.join(DATASETS, drop.name);
  for (const file of fs.readdirSync(from).filter((name) => name.endsWith('.csv')).sort()) {
    fs.copyFileSync(path.join(from, file), path.join(target, file));
  }
  return { source: target, config };
}

function npm(args: string[]): void {
  execFileSync('npm', ['--silent', ...args], { cwd: PROJECT_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}

// ---- fingerprint of a run directory -----------------------------------------------------------

interface Normalizer {
  runDir: string;
  workDir: string;
}

function normalizeText(text: string, where: Normalizer): string {
  const withoutRunDir = where.runDir ? text.split(where.runDir).join('<run>') : text;
  return withoutRunDir.split(where.workDir).join('<work>');
}

function normalizeJson(value: unknown, where: Normalizer): unknown {
  if (typeof value === 'string') return normalizeText(value, where);
  if (Array.isArray(value)) return value.map((element) => normalizeJson(element, where));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      out[key] = TIMING_KEYS.includes(key) ? '<timing>' : normalizeJson((value as Record<string, unknown>)[key], where);
    }
    return out;
  }
  return value;
}

function roundFields(value: unknown, fields: string[]): unknown {
  if (Array.isArray(value)) return value.map((element) => roundFields(element, fields));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, element]) => [key,
      fields.includes(key) && typeof element === 'number' ? Number(element.toPrecision(SIGNIFICANT_DIGITS)) : roundFields(element, fields)]));
  }
  return value;
}

/** Rules for single files, applied after normalizeJson. */
function normalizeFile(relative: string, value: unknown): unknown {
  if (ORDER_SENSITIVE_FLOATS[relative]) return roundFields(value, ORDER_SENSITIVE_FLOATS[relative]);
  if (relative === 'manifest.json' && value && typeof value === 'object') {
    const manifest = { ...(value as Record<string, unknown>) };
    delete manifest.config;
    if (Array.isArray(manifest.steps)) {
      manifest.steps = [...(manifest.steps as Array<{ step: string }>)].sort((a, b) => a.step.localeCompare(b.step));
    }
    return manifest;
  }
  return value;
}

/** JSON with sorted keys (normalizeJson already sorted them), so equal values hash equally. */
const stableJson = (value: unknown) => JSON.stringify(value);

function listFiles(dir: string, prefix = ''): string[] {
  const files: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) files.push(...listFiles(path.join(dir, entry.name), relative));
    else files.push(relative);
  }
  return files.sort();
}

async function fingerprintRunDir(runDir: string, workDir: string): Promise<DropFingerprint> {
  const where: Normalizer = { runDir: path.resolve(runDir), workDir: path.resolve(workDir) };
  const items: Record<string, Item> = {};
  const files = listFiles(runDir);
  items['(files)'] = { kind: 'files', files: files.map((file) => {
    const skip = SKIPPED.find(([pattern]) => pattern.test(file));
    return skip ? `${file} (not compared: ${skip[1]})` : file;
  }) };
  const memory = await DuckDBInstance.create(':memory:');
  const connection = await memory.connect();
  try {
    for (const relative of files) {
      if (SKIPPED.some(([pattern]) => pattern.test(relative))) continue;
      const file = path.join(runDir, relative);
      if (relative.endsWith('.duckdb')) Object.assign(items, await fingerprintDatabase(file, relative, where));
      else if (relative.endsWith('.parquet')) items[relative] = await fingerprintParquet(connection, file, where);
      else if (relative.endsWith('.arrow')) items[relative] = fingerprintArrow(file, where);
      else if (relative.endsWith('.json')) items[relative] = fingerprintJson(file, relative, where);
      else items[relative] = { kind: 'text', hash: sha(normalizeLog(normalizeText(fs.readFileSync(file, 'utf8'), where))) };
    }
  } finally {
    connection.closeSync();
    memory.closeSync();
  }
  return { items };
}

/** The embedding batch log names the worker's pid; the batch and attempt sequence is compared. */
const normalizeLog = (text: string) => text.replace(/ pid=\d+/g, '');

function fingerprintJson(file: string, relative: string, where: Normalizer): Item {
  const value = normalizeFile(relative, normalizeJson(JSON.parse(fs.readFileSync(file, 'utf8')), where));
  const text = stableJson(value);
  if (text.length <= WHOLE_JSON_LIMIT || !value || typeof value !== 'object') return { kind: 'json', value };
  const keys: Record<string, string> = {};
  for (const [key, element] of Object.entries(value)) keys[key] = sha(stableJson(element));
  return { kind: 'json-large', hash: sha(text), keys };
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * SQL that turns a value into comparable text: DuckDB prints floats in their shortest exact form,
 * nested values in full; paths and timing fields inside text (the leaderboard's JSON `details`)
 * are normalized like JSON files.
 */
function normalizedSql(expression: string): string {
  const timing = `'"(${TIMING_KEYS.join('|')})":\\s*("[^"]*"|[-+0-9.eE]+)'`;
  return `regexp_replace(replace(replace(coalesce(CAST(${expression} AS VARCHAR), '<NULL>'), $run, '<run>'), $work, '<work>'), ${timing}, '"\\1":"<timing>"', 'g')`;
}

/**
 * Hashes of the rows (a row = the struct of its columns) and of each column. `order` null: as a
 * multiset (table rows have no order); otherwise in that order.
 */
async function hashRelation(connection: DuckDBConnection, relation: string, columns: Array<[string, string]>, order: string | null, where: Normalizer) {
  const kept = columns.filter(([name]) => !TIMING_COLUMNS.includes(name)).map(([name]) => name);
  const select = kept.map(quote).join(', ');
  const aggregate = (expression: string) => `md5(coalesce(string_agg(${expression}, chr(10) ORDER BY ${order ?? expression}), ''))`;
  const columnHashes = kept.map((name, index) => `${aggregate(normalizedSql(`fp_row.${quote(name)}`))} AS c${index}`);
  const sql = `SELECT count(*) AS fp_rows, ${aggregate(normalizedSql(`struct_pack(${kept.map((name) => `${quote(name)} := fp_row.${quote(name)}`).join(', ')})`))} AS fp_hash, ${columnHashes.join(', ')}
    FROM (SELECT ${select}${order ? `, ${order}` : ''} FROM ${relation}) fp_row`;
  const reader = await connection.runAndReadAll(sql, { run: where.runDir, work: where.workDir });
  const row = reader.getRowObjectsJS()[0];
  return {
    rows: Number(row.fp_rows),
    hash: String(row.fp_hash),
    columnHashes: Object.fromEntries(kept.map((name, index) => [name, String(row[`c${index}`])])),
  };
}

async function describe(connection: DuckDBConnection, relation: string): Promise<Array<[string, string]>> {
  const reader = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${relation}`);
  return reader.getRowObjectsJS().map((row) => [String(row.column_name), String(row.column_type)]);
}

async function fingerprintDatabase(file: string, relative: string, where: Normalizer): Promise<Record<string, Item>> {
  const instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  const items: Record<string, Item> = {};
  try {
    const relations = (await connection.runAndReadAll(`
      SELECT table_name AS name, 'TABLE' AS type FROM duckdb_tables() WHERE database_name = current_database() AND NOT internal
      UNION ALL
      SELECT view_name, 'VIEW' FROM duckdb_views() WHERE database_name = current_database() AND NOT internal
      ORDER BY name`)).getRowObjectsJS();
    for (const { name, type } of relations) {
      const columns = await describe(connection, quote(String(name)));
      const hashes = await hashRelation(connection, quote(String(name)), columns, null, where);
      items[`${relative}#${name}`] = { kind: 'table', type: String(type), columns: columns.map(([column, columnType]) => `${column} ${columnType}`), ...hashes };
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return items;
}

async function fingerprintParquet(connection: DuckDBConnection, file: string, where: Normalizer): Promise<Item> {
  const relation = `read_parquet('${file.replace(/'/g, "''")}', file_row_number = true)`;
  const columns = (await describe(connection, relation)).filter(([name]) => name !== 'file_row_number');
  const hashes = await hashRelation(connection, relation, columns, 'file_row_number', where);
  return { kind: 'parquet', columns: columns.map(([name, type]) => `${name} ${type}`), ...hashes, bytes: sha(fs.readFileSync(file)) };
}

/** Arrow IPC: each column hashed in row order (typed arrays by their bytes, floats exactly). */
function fingerprintArrow(file: string, where: Normalizer): Item {
  const bytes = fs.readFileSync(file);
  const table: Table = tableFromIPC(bytes);
  const columnHashes: Record<string, string> = {};
  for (const [index, field] of table.schema.fields.entries()) {
    const hash = createHash('sha256');
    for (const value of table.getChildAt(index)!) hash.update(arrowValueText(value, where)).update('\n');
    columnHashes[field.name] = hash.digest('hex');
  }
  return {
    kind: 'arrow',
    columns: table.schema.fields.map((field) => `${field.name} ${String(field.type)}`),
    rows: table.numRows,
    hash: sha(Object.values(columnHashes).join(',')),
    columnHashes,
    bytes: sha(bytes),
  };
}

function arrowValueText(value: unknown, where: Normalizer): string {
  if (value === null || value === undefined) return '<NULL>';
  if (typeof value === 'string') return normalizeText(value, where);
  if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (typeof value === 'object' && 'toArray' in value) return arrowValueText((value as { toArray(): unknown }).toArray(), where);
  return String(value);
}

async function snapshot(records: RunRecord[], workDir: string, wallSeconds?: number): Promise<Fingerprint> {
  const drops: Record<string, DropFingerprint> = {};
  for (const record of records) {
    log(`${record.name}: fingerprinting ${record.runDir}`);
    drops[record.name] = await fingerprintRunDir(record.runDir, workDir);
  }
  return {
    format: FORMAT,
    meta: {
      createdAt: new Date().toISOString(),
      git: gitDescription(),
      node: process.version,
      workDir,
      wallSeconds,
      drops: Object.fromEntries(records.map((record) => [record.name, { dropId: record.dropId, seconds: record.seconds, config: record.config }])),
    },
    drops,
  };
}

function gitDescription(): string {
  try {
    const cwd = PROJECT_ROOT;
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd, encoding: 'utf8' }).trim() !== '';
    return `${head}${dirty ? ' (uncommitted changes)' : ''}`;
  } catch {
    return 'unknown';
  }
}

// ---- compare ----------------------------------------------------------------------------------

interface Difference {
  drop: string;
  item: string;
  field: string;
  before: string;
  after: string;
  /** Only the raw bytes differ (same content): printed, never fails the comparison. */
  note?: boolean;
}

const MISSING = '(missing)';
const show = (value: unknown) => {
  const text = value === undefined ? MISSING : typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
};

/** Leaf paths of a JSON value: {a: {b: [1]}} -> {'a.b[0]': 1}. */
function leaves(value: unknown, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  if (Array.isArray(value)) {
    if (value.length === 0) out[prefix] = [];
    value.forEach((element, index) => leaves(element, `${prefix}[${index}]`, out));
  } else if (value && typeof value === 'object') {
    if (Object.keys(value).length === 0) out[prefix] = {};
    for (const [key, element] of Object.entries(value)) leaves(element, prefix ? `${prefix}.${key}` : key, out);
  } else {
    out[prefix] = value;
  }
  return out;
}

function compareItems(drop: string, item: string, before: Item | undefined, after: Item | undefined): Difference[] {
  const differences: Difference[] = [];
  const add = (field: string, a: unknown, b: unknown, note = false) =>
    differences.push({ drop, item, field, before: show(a), after: show(b), note });
  if (!before || !after) {
    add('', before ? before.kind : undefined, after ? after.kind : undefined);
    return differences;
  }
  if (before.kind !== after.kind) {
    add('kind', before.kind, after.kind);
    return differences;
  }
  if (before.kind === 'files' && after.kind === 'files') {
    const a = new Set(before.files);
    const b = new Set(after.files);
    for (const file of before.files) if (!b.has(file)) add('file', file, undefined);
    for (const file of after.files) if (!a.has(file)) add('file', undefined, file);
    return differences;
  }
  const a = leaves(before.kind === 'json' ? before.value : { ...before, bytes: undefined });
  const b = leaves(after.kind === 'json' ? after.value : { ...after, bytes: undefined });
  for (const field of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    if (stableJson(a[field]) !== stableJson(b[field])) add(field, a[field], b[field]);
  }
  if ('bytes' in before && 'bytes' in after && before.bytes !== after.bytes) {
    add('bytes', before.bytes, after.bytes, differences.length === 0);
  }
  return differences;
}

function compareFingerprints(before: Fingerprint, after: Fingerprint): Difference[] {
  const differences: Difference[] = [];
  for (const drop of [...new Set([...Object.keys(before.drops), ...Object.keys(after.drops)])].sort()) {
    const a = before.drops[drop]?.items ?? {};
    const b = after.drops[drop]?.items ?? {};
    if (!before.drops[drop] || !after.drops[drop]) {
      differences.push({ drop, item: '(drop)', field: '', before: before.drops[drop] ? 'present' : MISSING, after: after.drops[drop] ? 'present' : MISSING });
      continue;
    }
    for (const item of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) differences.push(...compareItems(drop, item, a[item], b[item]));
  }
  return differences;
}

function readFingerprint(file: string): Fingerprint {
  const fingerprint = JSON.parse(fs.readFileSync(file, 'utf8')) as Fingerprint;
  if (fingerprint.format !== FORMAT) throw new Error(`${file}: not a ${FORMAT} file (format ${fingerprint.format})`);
  return fingerprint;
}

/** Prints every difference; returns the exit code: 1 if any difference is neither ignored nor a note. */
function printComparison(beforeFile: string, afterFile: string, ignore: RegExp[]): number {
  const before = readFingerprint(beforeFile);
  const after = readFingerprint(afterFile);
  for (const [name, a, b] of [['git', before.meta.git, after.meta.git], ['workDir', before.meta.workDir, after.meta.workDir]] as const) {
    console.log(`${name}: ${show(a)} -> ${show(b)}`);
  }
  // The settings should be the same; their shape may differ on purpose (a config schema change).
  const settings = (fingerprint: Fingerprint, drop: string) => {
    const meta = fingerprint.meta as { workDir: string; drops: Record<string, { config: unknown }> };
    return leaves(normalizeJson(meta.drops[drop]?.config, { runDir: '', workDir: meta.workDir }));
  };
  for (const drop of Object.keys(before.drops).filter((name) => after.drops[name])) {
    const [a, b] = [settings(before, drop), settings(after, drop)];
    for (const field of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      if (stableJson(a[field]) !== stableJson(b[field])) console.log(`note (run config)\t${drop}\t${field}\t${show(a[field])} -> ${show(b[field])}`);
    }
  }
  const differences = compareFingerprints(before, after);
  const counts = { DIFF: 0, ignored: 0, note: 0 };
  for (const difference of differences) {
    const line = `${difference.drop}\t${difference.item}\t${difference.field}\t${difference.before} -> ${difference.after}`;
    const tag = difference.note ? 'note' : ignore.some((pattern) => pattern.test(line)) ? 'ignored' : 'DIFF';
    counts[tag]++;
    console.log(`${tag === 'note' ? 'note (bytes only, same content)' : tag}\t${line}`);
  }
  const failing = counts.DIFF;
  const items = Object.values(before.drops).reduce((sum, drop) => sum + Object.keys(drop.items).length, 0);
  const others = `${counts.ignored} ignored, ${counts.note} notes`;
  console.log(failing > 0 ? `${failing} difference(s) (${others})`
    : counts.ignored > 0 ? `no other differences: ${Object.keys(before.drops).length} drops, ${items} items (${others})`
      : `identical: ${Object.keys(before.drops).length} drops, ${items} items (${others})`);
  return failing === 0 ? 0 : 1;
}

// ---- command line -----------------------------------------------------------------------------

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    out: { type: 'string' },
    'work-dir': { type: 'string' },
    only: { type: 'string' },
    keep: { type: 'boolean', default: false },
    ignore: { type: 'string', multiple: true, default: [] },
  },
});
const [command, ...files] = positionals;

/**
 * A new directory for each run (never one in use: two checkouts may fingerprint at once). The
 * name does not matter, paths under it are normalized to <work>.
 */
function newWorkDir(requested: string | undefined): string {
  if (!requested) return fs.mkdtempSync(path.join(os.tmpdir(), 'bseg-fingerprint-'));
  const dir = path.resolve(requested);
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0) throw new Error(`--work-dir ${dir} is not empty; name a new directory`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

const usage = 'usage: npm run fingerprint -- run --out FILE [--work-dir NEW_DIR] [--only NAME,...] [--keep] | snapshot --work-dir DIR --out FILE | compare BEFORE AFTER [--ignore REGEX ...]';
if (command === 'run' && values.out) {
  const workDir = newWorkDir(values['work-dir']);
  log(`work dir ${workDir}${values.keep ? ' (kept)' : ' (removed after a successful run)'}`);
  const started = performance.now();
  const records = await runDrops(workDir, values.only?.split(','));
  const wallSeconds = (performance.now() - started) / 1000;
  const fingerprint = await snapshot(records, workDir, wallSeconds);
  fs.writeFileSync(values.out, JSON.stringify(fingerprint, null, 1));
  log(`wrote ${values.out}; pipeline wall time ${wallSeconds.toFixed(1)} s`);
  if (!values.keep) fs.rmSync(workDir, { recursive: true, force: true });
} else if (command === 'snapshot' && values.out && values['work-dir']) {
  const workDir = path.resolve(values['work-dir']);
  const records = JSON.parse(fs.readFileSync(path.join(workDir, 'runs.json'), 'utf8')) as RunRecord[];
  fs.writeFileSync(values.out, JSON.stringify(await snapshot(records, workDir), null, 1));
  log(`wrote ${values.out}`);
} else if (command === 'compare' && files.length === 2) {
  process.exitCode = printComparison(files[0], files[1], values.ignore!.map((pattern) => new RegExp(pattern)));
} else {
  console.error(usage);
  process.exitCode = 2;
}
