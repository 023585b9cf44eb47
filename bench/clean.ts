/**
 * clean: raw CSV -> cleaned events, quarantine, holdout -> user shards with the sequences (our
 * inspect, clean and shard stages) against one bare DuckDB query doing the same dedup + per-user
 * group-by (time-sorted lists of every column, counts) into Parquet, on the same generated file in
 * the same run; also against the narrower 4-field variant of earlier records.
 *   npm run bench -- clean [--events 10000000]
 * Goals: speedup >= 0.8, >= 1M events/s. Peak RSS of the process is reported for each side
 * (VmHWM, reset between the two through /proc/self/clear_refs).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { cleanRawLogs } from '../activities/clean-logs';
import { inspectDrop } from '../activities/inspect-drop';
import { shardUsers } from '../activities/shard-users';
import { resolveRunConfig } from '../common/run-config';
import { openDuckDB, sqlStringLiteral } from '../lib/runtime/duckdb';
import { cachedSyntheticLog, peakRssMiB, resetPeakRss, round } from './helpers';

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({ args, options: { events: { type: 'string', default: '10000000' } } });
  const targetEvents = Number(values.events);
  const users = Math.round(targetEvents / 10.4); // the generator averages ~10.4 events per user
  const input = await cachedSyntheticLog(users);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bseg-bench-clean-'));
  const config = resolveRunConfig(); // the defaults, 4 GB DuckDB memory limit included
  try {
    resetPeakRss();
    const started = performance.now();
    const runDir = path.join(scratch, 'run');
    const inspected = await inspectDrop({ runDir, source: input, mappingFile: '' });
    const cleaned = await cleanRawLogs({ runDir, files: inspected.files, pinned: inspected.pinned, format: inspected.format, delimiter: inspected.delimiter, config });
    await shardUsers({ runDir, config });
    const ours = (performance.now() - started) / 1000;
    const oursPeak = peakRssMiB();
    console.log(`ours: ${ours.toFixed(2)} s, ${cleaned.accounting.rawRows} rows, peak RSS ${oursPeak} MiB`);

    // The reference carries every column of the file in its lists, as our sequences do; the
    // narrow variant (4 fields, the reference of earlier records) is kept for comparison.
    const reference = await bareQuery(input, scratch, 'full', 'event_time, event_type, product_id, category_id, category_code, brand, price, user_session', config.duckdbMemoryLimit);
    const narrow = await bareQuery(input, scratch, 'narrow', 'event_time, event_type, product_id, price', config.duckdbMemoryLimit);
    return {
      ours_s: round(ours),
      reference: 'one bare DuckDB query: SELECT DISTINCT + GROUP BY user with time-sorted lists of every column, to Parquet',
      reference_s: round(reference.seconds),
      speedup: round(reference.seconds / ours),
      narrow_reference_s: round(narrow.seconds),
      speedup_vs_narrow: round(narrow.seconds / ours),
      events: cleaned.accounting.rawRows,
      events_per_s: Math.round(cleaned.accounting.rawRows / ours),
      peak_rss_mib: oursPeak,
      reference_peak_rss_mib: reference.peakMiB,
      input_mib: Math.round(fs.statSync(input).size / 2 ** 20),
    };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** The bare query: exact duplicates out, one time-sorted list of `fields` per user, to Parquet. */
async function bareQuery(input: string, scratch: string, name: string, fields: string, memoryLimit: string) {
  resetPeakRss();
  const started = performance.now();
  const database = await openDuckDB(path.join(scratch, `bare-${name}.duckdb`), { memoryLimit, tempDirectory: path.join(scratch, 'bare-tmp') });
  try {
    await database.connection.run(`COPY (
      SELECT user_id, count(*) AS n_events, count(*) FILTER (WHERE event_type = 'purchase') AS n_purchases,
             -- list_sort over structs led by the time: the ordered aggregate (list(... ORDER BY))
             -- runs out of memory at 10M events even with a 12 GB limit and a spill directory.
             list_sort(list(struct_pack(${fields}))) AS events
      FROM (SELECT DISTINCT * EXCLUDE (column0) FROM read_csv(${sqlStringLiteral(input)}, header = true))
      GROUP BY user_id
    ) TO ${sqlStringLiteral(path.join(scratch, `bare-${name}.parquet`))} (FORMAT parquet)`);
  } finally {
    database.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const peakMiB = peakRssMiB();
  console.log(`bare DuckDB (${name}): ${seconds.toFixed(2)} s, peak RSS ${peakMiB} MiB`);
  return { seconds, peakMiB };
}
