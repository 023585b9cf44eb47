/**
 * Writes test/fixtures/transformer/texts.json: serialized sequences of real users (the bundled
 * REES46 sample and the Taobao 2-hour sample), the input of scripts/python/make_transformer_fixture.py,
 * which computes the independent reference embeddings. Picks short, medium and long (chunked) texts.
 *   npx tsx scripts/make-transformer-texts.ts
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createActivities } from '../activities';
import { readShardSequences } from '../activities/encoders/shard-sequences';
import { serializationOptions } from '../activities/encoders/transformer';
import { serializeSequence } from '../activities/encoders/transformer/serialize';
import { resolveRunConfig } from '../common/run-config';
import { openDuckDB } from '../lib/runtime/duckdb';
import { projectPath } from '../lib/paths';

const SOURCES = [
  { name: 'rees46-sample', path: projectPath('data/sample') },
  { name: 'taobao-2h', path: path.resolve(projectPath('..'), 'shared/datasets/taobao-userbehavior-2h/UserBehavior.csv') },
];
const PER_SOURCE = 10;

const activities = createActivities();
const config = resolveRunConfig({ shardCount: 1 });
const rows: Array<{ source: string; userId: string; text: string }> = [];
for (const source of SOURCES) {
  const runDir = await fs.mkdtemp(path.join(os.tmpdir(), 'transformer-texts-'));
  const inspected = await activities.inspectDrop({ runDir, source: source.path, mappingFile: '' });
  await activities.cleanRawLogs({ runDir, files: inspected.files, pinned: inspected.pinned, format: inspected.format, delimiter: inspected.delimiter, config });
  const { shards } = await activities.shardUsers({ runDir, config });
  const database = await openDuckDB(':memory:', {});
  const users = await readShardSequences(database.connection, shards[0].path, 0, shards[0].users);
  database.close();
  const texts = users.map((user) => ({ source: source.name, userId: user.userId, text: serializeSequence(user.events, serializationOptions(config)) }))
    .sort((a, b) => a.text.length - b.text.length || a.userId.localeCompare(b.userId));
  // Evenly spaced through the length distribution: the longest ones need chunking.
  for (let i = 0; i < PER_SOURCE; i++) rows.push(texts[Math.round((i * (texts.length - 1)) / (PER_SOURCE - 1))]);
  await fs.rm(runDir, { recursive: true, force: true });
}
const out = projectPath('test/fixtures/transformer/texts.json');
await fs.writeFile(out, `${JSON.stringify({ serialization: serializationOptions(config), rows }, null, 1)}\n`);
console.log(`${rows.length} texts -> ${out}`);
