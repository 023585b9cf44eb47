import fs from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanInto } from '../../activities/clean-logs';
import { inspectDrop } from '../../activities/inspect-drop';
import { shardUsers } from '../../activities/shard-users';
import { validateDrop } from '../../activities/ingest/validate-drop';
import { resolveRunConfig, type RunConfig } from '../../common/run-config';
import { query } from '../helpers/duckdb-query';
import { freshDataDir } from '../helpers/pipeline-harness';
import { userEvents, writeRees46 } from '../helpers/rees46-fixture';
import { runFiles } from '../../common/run-layout';
import { pinFiles } from '../../lib/runtime/file-identity';

/**
 * Cleans a fixture into a DuckDB file and writes its shards (run.sequences is a view over them);
 * returns the database's path, for table assertions.
 */
async function clean(file: string, overrides: Partial<RunConfig> = {}): Promise<string> {
  const runDir = path.join(path.dirname(file), `${path.basename(file)}-${Object.keys(overrides).join('-')}.run`);
  const database = runFiles.database(runDir);
  fs.mkdirSync(runDir, { recursive: true });
  const config = resolveRunConfig(overrides);
  await cleanInto(database, { runDir, files: [file], pinned: await pinFiles([file]), format: 'rees46', delimiter: ',', config });
  await shardUsers({ runDir, config });
  return database;
}

const attach = (database: string) => `ATTACH '${database}' AS run (READ_ONLY);`;

describe('cleaning rules', () => {
  const dir = freshDataDir('cleaning-rules');

  it('quarantines events outside the configured time window', async () => {
    const file = writeRees46(path.join(dir, 'window.csv'), [
      ...userEvents('1', 3, '2019-09-30T23:59:58', 1),
      ...userEvents('2', 2, '2019-10-02T00:00:00', 1),
    ]);
    const { accounting } = await validateDrop(file, { timeWindowStart: '2019-10-01', timeWindowEnd: '2019-10-02' });
    // user 1: 23:59:58, 23:59:59 before the window, 00:00:00 inside; user 2: both at/after the end.
    expect(accounting.quarantineByReason).toEqual({ outside_time_window: 4 });
    expect(accounting.cleanedRows).toBe(1);
  });

  it('quarantines every event of bot-like users, with the evidence', async () => {
    const file = writeRees46(path.join(dir, 'bots.csv'), [
      ...userEvents('fast', 30, '2019-10-01T10:00:00', 1), // 30 events within one minute
      ...userEvents('human', 30, '2019-10-01T10:00:00', 90).map((row, i) => ({ ...row, session: `human-${i % 3}` })),
    ]);
    const database = await clean(file, { botMaxEventsPerMinute: 20, holdoutMode: 'none', selectionRule: 'stable-silhouette' });
    const rows = await query(`${attach(database)} SELECT reason, count(*) AS n, any_value(detail) AS detail FROM run.quarantine GROUP BY reason`);
    expect(rows).toEqual([{ reason: 'bot_user', n: 30, detail: 'user fast looks like a bot: up to 30 events in a minute, 30 views in a session' }]);
    const [kept] = await query(`${attach(database)} SELECT list(DISTINCT user_id) AS users FROM run.events_clean`);
    expect(kept.users).toEqual(['human']);
    const viewsPerSession = await validateDrop(file, { botMaxEventsPerMinute: 0, botMaxViewsPerSession: 29 });
    expect(viewsPerSession.accounting.quarantineByReason).toEqual({ bot_user: 30 }); // 30 views in one session; human has 10 per session
  });

  it('samples users by a stable hash, and the counts still add up', async () => {
    const rows = Array.from({ length: 400 }, (_, u) => userEvents(`u${u}`, 3, '2019-10-01T10:00:00', 60)).flat();
    const file = writeRees46(path.join(dir, 'sample.csv'), rows);
    const first = await validateDrop(file, { sampleUsersFraction: 0.25 });
    const second = await validateDrop(file, { sampleUsersFraction: 0.25 });
    expect(first.accounting).toEqual(second.accounting);
    expect(first.accounting.users).toBeGreaterThan(60);
    expect(first.accounting.users).toBeLessThan(140);
    expect(first.accounting.quarantineByReason.sampled_out).toBe((400 - first.accounting.users) * 3);
    expect(first.accounting.cleanedRows + first.accounting.quarantinedRows).toBe(1200);
  });

  it('orders ties by drop order, keeps the newest N events and counts exact duplicates', async () => {
    const file = writeRees46(path.join(dir, 'order.csv'), [
      { time: '2019-10-01 10:00:05', type: 'view', item: 'c', user: '1' },
      { time: '2019-10-01 10:00:00', type: 'view', item: 'a', user: '1' },
      { time: '2019-10-01 10:00:05', type: 'cart', item: 'd', user: '1' },
      { time: '2019-10-01 10:00:00', type: 'view', item: 'b', user: '1' },
      { time: '2019-10-01 10:00:05', type: 'cart', item: 'd', user: '1' }, // exact duplicate of the third row
    ]);
    const database = await clean(file, { maxSequenceLength: 3, holdoutMode: 'none', selectionRule: 'stable-silhouette' });
    const [row] = await query(`${attach(database)} SELECT n_events, [e.item_id FOR e IN events] AS items FROM run.sequences`);
    expect(row).toEqual({ n_events: 4, items: ['b', 'c', 'd'] }); // a, b tie at 10:00:00: file order
    const [accounting] = await query(`${attach(database)} SELECT duplicate_rows FROM run.accounting`);
    expect(accounting.duplicate_rows).toBe(1);
  });

  it('builds the same sequences when users are aggregated in many buckets', async () => {
    const rows = Array.from({ length: 300 }, (_, u) => userEvents(`u${u}`, 2 + (u % 9), '2019-10-01T10:00:00', 400 + u)).flat();
    const file = writeRees46(path.join(dir, 'buckets.csv'), rows);
    const sequencesOf = async (database: string) =>
      query(`${attach(database)} SELECT * EXCLUDE (first_event_time, last_event_time) FROM run.sequences ORDER BY user_id`);
    const oneBucket = await sequencesOf(await clean(file, { maxSequenceLength: 5 }));
    const manyBuckets = await sequencesOf(await clean(file, { maxSequenceLength: 5, sequenceBucketEvents: 100 }));
    expect(oneBucket).toHaveLength(300);
    expect(manyBuckets).toEqual(oneBucket);
  });

  it('numbers rows in drop order across files (files sorted by name)', async () => {
    const drop = path.join(dir, 'two-files');
    writeRees46(path.join(drop, 'b.csv'), [
      { time: '2019-10-01 10:00:00', type: 'view', item: 'from-b', user: '1' },
      { time: '2019-10-01 10:00:01', type: 'view', item: 'bad-price', user: '1', price: '-1' },
    ]);
    writeRees46(path.join(drop, 'a.csv'), [
      { time: '2019-10-01 10:00:00', type: 'view', item: 'from-a', user: '1' },
      { time: '2019-10-01 09:00:00', type: 'view', item: 'early', user: '1' },
    ]);
    const inspected = await inspectDrop({ runDir: drop, source: drop, mappingFile: '' });
    const database = runFiles.database(drop);
    const config = resolveRunConfig({ holdoutMode: 'none', selectionRule: 'stable-silhouette' });
    await cleanInto(database, { runDir: drop, files: inspected.files, pinned: inspected.pinned, format: inspected.format, delimiter: ',', config });
    await shardUsers({ runDir: drop, config });
    const [sequence] = await query(`${attach(database)} SELECT [e.item_id FOR e IN events] AS items FROM run.sequences`);
    expect(sequence.items).toEqual(['early', 'from-a', 'from-b']);
    const [quarantined] = await query(`${attach(database)} SELECT source_file, drop_row FROM run.quarantine`);
    expect(quarantined).toEqual({ source_file: path.join(drop, 'b.csv'), drop_row: 4 });
  });

  it('splits sessions on 30-minute gaps when the log has no session id', async () => {
    const file = writeRees46(path.join(dir, 'sessions.csv'), [
      { time: '2019-10-01 10:00:00', type: 'view', item: 'a', user: '1', session: '' },
      { time: '2019-10-01 10:29:00', type: 'view', item: 'b', user: '1', session: '' },
      { time: '2019-10-01 11:00:00', type: 'view', item: 'c', user: '1', session: '' },
      { time: '2019-10-01 11:10:00', type: 'view', item: 'd', user: '1', session: '' },
    ]);
    const database = await clean(file, { holdoutMode: 'none', selectionRule: 'stable-silhouette' });
    const [row] = await query(`${attach(database)} SELECT n_sessions FROM run.sequences`);
    expect(row.n_sessions).toBe(2);
    const events = await query(`${attach(database)} SELECT item_id, position, gap_s, session_key FROM run.events_clean ORDER BY position`);
    expect(events).toEqual([
      { item_id: 'a', position: 1, gap_s: null, session_key: '1#1' },
      { item_id: 'b', position: 2, gap_s: 29 * 60, session_key: '1#1' },
      { item_id: 'c', position: 3, gap_s: 31 * 60, session_key: '1#2' },
      { item_id: 'd', position: 4, gap_s: 10 * 60, session_key: '1#2' },
    ]);
  });

  it('stores the sequences in shard order, numbered within each shard by user id', async () => {
    const rows = Array.from({ length: 200 }, (_, u) => userEvents(`u${u}`, 2 + (u % 4), '2019-10-01T10:00:00', 300 + u)).flat();
    const file = writeRees46(path.join(dir, 'shard-order.csv'), rows);
    // Small buckets: several per shard, appended one after another.
    const database = await clean(file, { shardCount: 3, sequenceBucketEvents: 50 });
    const stored = await query(`${attach(database)} SELECT shard, row_in_shard, user_id FROM run.sequences`);
    const expected = [...stored].sort((a, b) => Number(a.shard) - Number(b.shard) || Number(a.row_in_shard) - Number(b.row_in_shard));
    expect(stored).toEqual(expected);
    for (const shard of [0, 1, 2]) {
      const members = stored.filter((row) => row.shard === shard);
      expect(members.length).toBeGreaterThan(30);
      expect(members.map((row) => row.row_in_shard)).toEqual(members.map((_, index) => index));
      expect(members.map((row) => row.user_id)).toEqual(members.map((row) => String(row.user_id)).sort());
    }
  });

  it('places users by md5(user_id) read as a 128-bit little-endian number, for shards and the sample', async () => {
    const users = Array.from({ length: 300 }, (_, u) => `user-${u * 7919}`);
    const file = writeRees46(path.join(dir, 'placement.csv'), users.flatMap((user) => userEvents(user, 3, '2019-10-01T10:00:00', 60)));
    const database = await clean(file, { shardCount: 7, sampleUsersFraction: 0.6 });
    const md5Number = (text: string) => BigInt(`0x${createHash('md5').update(text).digest().reverse().toString('hex')}`);
    const sequenced = await query(`${attach(database)} SELECT user_id, shard FROM run.sequences`);
    expect(sequenced.length).toBeGreaterThan(100);
    for (const row of sequenced) expect(BigInt(row.shard as number)).toBe(md5Number(String(row.user_id)) % 7n);
    const sampled = users.filter((user) => md5Number(user) % 10_000n < 6_000n).sort();
    expect(sequenced.map((row) => String(row.user_id)).sort()).toEqual(sampled);
  });

  it.each([
    ['last_n', { holdoutMode: 'last_n', holdoutLastN: 2 }, { long: ['e4', 'e5'], purchaser: ['e3', 'e4'] }],
    ['time', { holdoutMode: 'time', holdoutCutoff: '2019-10-01 10:03' }, { long: ['e3', 'e4', 'e5'], purchaser: ['e3', 'e4'] }],
    ['last_purchase', { holdoutMode: 'last_purchase' }, { purchaser: ['e2', 'e3', 'e4'] }],
  ] as const)('holds out events by %s, and never leaves a user with too few', async (_mode, overrides, expected) => {
    const file = writeRees46(path.join(dir, `holdout-${_mode}.csv`), [
      ...userEvents('long', 6, '2019-10-01T10:00:00', 60).map((row, i) => ({ ...row, item: `e${i}` })),
      ...userEvents('purchaser', 5, '2019-10-01T10:00:00', 60).map((row, i) => ({ ...row, item: `e${i}`, type: i === 2 ? 'purchase' : 'view' })),
      ...userEvents('short', 2, '2019-10-01T10:00:00', 60), // holding anything out would leave 1 < minEventsPerUser
    ]);
    const database = await clean(file, { minEventsPerUser: 2, ...overrides } as Partial<RunConfig>);
    const rows = await query(`${attach(database)} SELECT user_id, list(item_id ORDER BY position) AS items FROM run.holdout_events GROUP BY user_id ORDER BY user_id`);
    expect(Object.fromEntries(rows.map((row) => [row.user_id, row.items]))).toEqual(expected);
    const sequences = await query(`${attach(database)} SELECT user_id, n_events FROM run.sequences ORDER BY user_id`);
    const heldOut = (user: string) => (expected as unknown as Record<string, string[]>)[user]?.length ?? 0;
    expect(sequences).toEqual([
      { user_id: 'long', n_events: 6 - heldOut('long') },
      { user_id: 'purchaser', n_events: 5 - heldOut('purchaser') },
      { user_id: 'short', n_events: 2 },
    ]);
  });
});
