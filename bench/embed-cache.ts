/**
 * embed-cache: the transformer embedding cache across drops (issue 16). Drop 1 is the first
 * `--users` users (with 3+ events) of the REES46 cosmetics sample (October), embedded with a cold
 * cache; drop 2 is the same users where every tenth has one more event (their newest one again, a
 * minute before it) and the rest are unchanged, embedded with the cache drop 1 filled. Both go through
 * inspect, clean, shard and the embedShard activity (one shard); only embedShard is timed, after a
 * warm-up drop in another data directory has loaded the model. The baseline is drop 1: the same
 * users' work without a cache, measured in the same run.
 *   npm run bench -- embed-cache [--users 1000]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createActivities } from '../activities';
import type { EmbedShardOutput } from '../common/contracts';
import { configSection, resolveRunConfig } from '../common/run-config';
import { runDirFor } from '../common/run-layout';
import { openDuckDB, sqlStringLiteral } from '../lib/runtime/duckdb';
import { readEmbeddingFile } from '../lib/runtime/embedding-file';
import { provisionDefaultModel } from '../lib/runtime/models/default-model';
import { projectPath } from '../lib/paths';
import { round } from './helpers';

const SOURCE = path.resolve(projectPath(), '..', 'shared', 'datasets', 'rees46-cosmetics-sample', '2019-oct.csv');
const RAW_COLUMNS = 'event_time, event_type, product_id, category_id, category_code, brand, price, user_id, user_session';

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({ args, options: { users: { type: 'string', default: '1000' } } });
  const users = Number(values.users);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bseg-bench-embed-cache-'));
  try {
    await provisionDefaultModel();
    const drops = await writeDrops(scratch, users);
    await embedDrop(path.join(scratch, 'warm-up-data'), 'warm-up', drops.warmUp);

    const dataDir = path.join(scratch, 'data');
    const first = await embedDrop(dataDir, 'drop-1', drops.first);
    const second = await embedDrop(dataDir, 'drop-2', drops.second);
    const identical = await unchangedIdentical(first.output, second.output, drops.changedUsers);
    const hits = second.output.encoderStats.cache_hits ?? 0;
    return {
      users: first.output.rows,
      changed_users: drops.changedUsers.size,
      drop1_cold_s: round(first.seconds),
      drop1_users_per_s: round(first.output.rows / first.seconds),
      drop2_cached_s: round(second.seconds),
      drop2_cache_hits: hits,
      drop2_hit_rate: round(hits / second.output.rows),
      speedup: round(first.seconds / second.seconds),
      unchanged_vectors_bit_identical: identical,
      cache_bytes: directoryBytes(path.join(dataDir, 'cache')),
    };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** The two drops (and a small warm-up drop of other users) as raw CSV files in the sample's format. */
async function writeDrops(scratch: string, users: number) {
  const database = await openDuckDB(':memory:', {});
  const file = (name: string) => path.join(scratch, `${name}.csv`);
  try {
    const { connection } = database;
    await connection.run(`CREATE TABLE events AS SELECT ${RAW_COLUMNS} FROM read_csv(${sqlStringLiteral(SOURCE)}, all_varchar = true)`);
    // Read as text, so the files keep the sample's own spelling. Users with 3+ events (cleaning keeps
    // them in both drops) in order of their first event; rank 1..users are the drop, the next 50 the warm-up.
    await connection.run(`CREATE TABLE ranked AS
      SELECT user_id, row_number() OVER (ORDER BY min(event_time), user_id) AS rank FROM events GROUP BY user_id HAVING count(*) >= 3`);
    const copy = (sql: string, name: string) => connection.run(`COPY (${sql}) TO ${sqlStringLiteral(file(name))} (HEADER)`);
    await copy(`SELECT e.* FROM events e JOIN ranked r USING (user_id) WHERE r.rank > ${users} AND r.rank <= ${users + 50}`, 'warm-up');
    await copy(`SELECT e.* FROM events e JOIN ranked r USING (user_id) WHERE r.rank <= ${users}`, 'drop-1');
    // Every tenth user does one thing more: their newest event again, a minute before it (the newest
    // event itself is held out by the default holdout, so the extra one ends the sequence).
    await copy(`SELECT e.* FROM events e JOIN ranked r USING (user_id) WHERE r.rank <= ${users}
      UNION ALL
      SELECT * REPLACE (strftime(CAST(replace(event_time, ' UTC', '') AS TIMESTAMP) - INTERVAL 1 MINUTE, '%Y-%m-%d %H:%M:%S UTC') AS event_time) FROM (
        SELECT e.* FROM events e JOIN ranked r USING (user_id) WHERE r.rank <= ${users} AND r.rank % 10 = 0
        QUALIFY row_number() OVER (PARTITION BY e.user_id ORDER BY e.event_time DESC, e.product_id) = 1)`, 'drop-2');
    const changed = await connection.runAndReadAll(`SELECT CAST(user_id AS VARCHAR) FROM ranked WHERE rank <= ${users} AND rank % 10 = 0`);
    return { warmUp: file('warm-up'), first: file('drop-1'), second: file('drop-2'), changedUsers: new Set(changed.getRows().map((row) => String(row[0]))) };
  } finally {
    database.close();
  }
}

/** Inspect, clean and shard one drop (one shard), then time its embedShard. */
async function embedDrop(dataDir: string, dropId: string, source: string): Promise<{ output: EmbedShardOutput; seconds: number }> {
  const activities = createActivities();
  const config = resolveRunConfig({ encoders: ['transformer'], shardCount: 1 });
  const runDir = runDirFor(dataDir, dropId);
  const inspected = await activities.inspectDrop({ runDir, source, mappingFile: '' });
  await activities.cleanRawLogs({ runDir, files: inspected.files, pinned: inspected.pinned, format: inspected.format, delimiter: inspected.delimiter, config: configSection(config, 'ingest', 'runtime') });
  const { shards } = await activities.shardUsers({ runDir, config: configSection(config, 'runtime') });
  const started = performance.now();
  const output = await activities.embedShard({ runDir, shard: shards[0], encoder: 'transformer', config: configSection(config, 'encoders', 'runtime') });
  const seconds = (performance.now() - started) / 1000;
  console.log(`${dropId}: ${output.rows} users embedded in ${seconds.toFixed(1)} s (cache hits ${output.encoderStats.cache_hits ?? 0})`);
  return { output, seconds };
}

/** Whether every unchanged user's drop-2 vector is bit for bit its drop-1 vector. */
async function unchangedIdentical(first: EmbedShardOutput, second: EmbedShardOutput, changed: Set<string>): Promise<boolean> {
  const [a, b] = [await readEmbeddingFile(first.path), await readEmbeddingFile(second.path)];
  const rowOf = new Map(a.userIds.map((id, row) => [id, row]));
  const d = a.dimensions;
  return b.userIds.every((id, row) => {
    if (changed.has(id)) return true;
    const other = rowOf.get(id);
    if (other === undefined) return false;
    for (let k = 0; k < d; k++) if (!Object.is(a.vectors[other * d + k], b.vectors[row * d + k])) return false;
    return true;
  });
}

function directoryBytes(dir: string): number {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .reduce((sum, entry) => sum + fs.statSync(path.join(entry.parentPath, entry.name)).size, 0);
}
