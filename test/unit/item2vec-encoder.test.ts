import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDuckDB, sqlStringLiteral, type OpenDatabase } from '../../lib/runtime/duckdb';
import { readEmbeddingFile, writeEmbeddingFile } from '../../lib/runtime/embedding-file';
import { item2vecEncoder } from '../../activities/encoders/item2vec/encoder';
import { CATEGORY_TOKEN, ITEM_TOKEN } from '../../activities/encoders/item2vec/fit';
import { poolUserVector } from '../../activities/encoders/item2vec/pool';
import { readShardSequences } from '../../activities/encoders/shard-sequences';
import { seededRandom } from '../../activities/clustering/random';
import { projectPath } from '../../lib/paths';

const REES46 = path.resolve(projectPath(), '..', 'shared', 'datasets', 'rees46-cosmetics-sample', '2019-oct.csv');

let database: OpenDatabase;
let dir: string;
beforeAll(async () => {
  database = await openDuckDB(':memory:');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'item2vec-encoder-'));
});
afterAll(() => {
  database.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the item2vec encoder reads only the fields it pools', () => {
  it('gives, on a real log, the vectors of pooling the full event structs sorted by position', async () => {
    // A shard of the real REES46 October sample's first 300 users, events stored newest first so the sort matters.
    const shard = path.join(dir, 'shard-0000.parquet');
    await database.connection.run(`COPY (
      SELECT user_id, row_number() OVER (ORDER BY user_id) - 1 AS row_in_shard, events FROM (
        SELECT CAST(user_id AS VARCHAR) AS user_id,
               list({'position': position, 'event_type': event_type, 'item_id': CAST(product_id AS VARCHAR),
                     'category_id': CAST(category_id AS VARCHAR), 'category_code': category_code} ORDER BY position DESC) AS events
        FROM (SELECT *, row_number() OVER (PARTITION BY user_id ORDER BY event_time, product_id, event_type) AS position
              FROM read_csv(${sqlStringLiteral(REES46)}, header = true))
        GROUP BY user_id ORDER BY user_id LIMIT 300)) TO ${sqlStringLiteral(shard)} (FORMAT parquet)`);
    // Vectors for every other item and for every category, so both the item and the category fallback are used.
    const tokens = (await database.connection.runAndReadAll(`
      SELECT DISTINCT token FROM (
        SELECT ${sqlStringLiteral(ITEM_TOKEN)} || e.item_id AS token, hash(e.item_id) % 2 AS keep FROM (SELECT unnest(events) AS e FROM read_parquet(${sqlStringLiteral(shard)}))
        UNION ALL
        SELECT ${sqlStringLiteral(CATEGORY_TOKEN)} || coalesce(e.category_code, e.category_id), 0 FROM (SELECT unnest(events) AS e FROM read_parquet(${sqlStringLiteral(shard)})))
      WHERE keep = 0 ORDER BY token`)).getColumnsJS()[0].map(String);
    const random = seededRandom(2);
    const dimensions = 8;
    const vectorsPath = path.join(dir, 'vectors.arrow');
    await writeEmbeddingFile(vectorsPath, { userIds: tokens, vectors: Float32Array.from({ length: tokens.length * dimensions }, () => random() - 0.5), dimensions });
    const config = { item2vecEventWeights: { purchase: 4, cart: 2, view: 1 }, item2vecRecencyHalfLife: 5 } as never;
    const encoder = await item2vecEncoder({ connection: database.connection, config, runDir: dir, onnx: undefined as never, warn: () => {} }, vectorsPath);
    const batch = await encoder.encodeBatch(shard, 0, 300);

    const users = await readShardSequences(database.connection, shard, 0, 300);
    const rowOf = new Map(tokens.map((token, row) => [token, row]));
    const itemVectors = { vocabulary: tokens, dimensions, vectors: (await readEmbeddingFile(vectorsPath)).vectors, rowOfToken: new Int32Array(0) };
    const expected = new Float32Array(users.length * dimensions);
    let fallbacks = 0;
    users.forEach((user, index) => {
      const events = [...user.events].sort((a, b) => Number(a.position) - Number(b.position));
      const rows = events.map((event) => {
        const item = rowOf.get(ITEM_TOKEN + event.item_id);
        if (item === undefined) fallbacks++;
        return item ?? rowOf.get(CATEGORY_TOKEN + (event.category_code ?? event.category_id)) ?? -1;
      });
      poolUserVector(rows, events.map((event) => event.event_type), itemVectors, { eventTypeWeights: { purchase: 4, cart: 2, view: 1 }, recencyHalfLife: 5 }, expected.subarray(index * dimensions, (index + 1) * dimensions));
    });
    expect(fallbacks).toBeGreaterThan(100);
    expect(batch.userIds).toEqual(users.map((user) => user.userId));
    expect(batch.vectors).toEqual(expected);
    expect(batch.stats?.users_without_vector).toBe(0);
  });
});
