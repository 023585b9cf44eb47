import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDuckDB, sqlStringLiteral, type OpenDatabase } from '../../lib/runtime/duckdb';
import { documentTokens } from '../../activities/encoders/tfidf/documents';
import { fitTfidfModel } from '../../activities/encoders/tfidf/fit';
import { tfidfEncoder } from '../../activities/encoders/tfidf/encoder';
import type { SequenceEvent } from '../../activities/encoders/transformer/serialize';
import { projectPath } from '../../lib/paths';
import { referenceEventDocument } from '../helpers/tfidf-document-reference';

const REES46 = path.resolve(projectPath(), '..', 'shared', 'datasets', 'rees46-cosmetics-sample', '2019-oct.csv');

/** Per user of the real REES46 October sample: its events as the shards hold them (a subset of the fields). */
const USER_EVENTS = `
  SELECT CAST(user_id AS VARCHAR) AS user_id,
         list({'position': position, 'event_type': event_type, 'category_code': category_code,
               'category_id': CAST(category_id AS VARCHAR), 'brand': brand} ORDER BY position DESC) AS events
  FROM (SELECT *, row_number() OVER (PARTITION BY user_id ORDER BY event_time, product_id, event_type) AS position
        FROM read_csv(${sqlStringLiteral(REES46)}, header = true))
  GROUP BY user_id`;

let database: OpenDatabase;
beforeAll(async () => {
  database = await openDuckDB(':memory:');
});
afterAll(() => database.close());

async function documentOf(eventsSql: string): Promise<string[]> {
  const rows = (await database.connection.runAndReadAll(`SELECT tfidf_document(${eventsSql}) AS document`)).getColumnsJS()[0];
  return documentTokens(rows[0] as string | null);
}

describe('the tfidf_document macro (sql/macros.sql)', () => {
  it('builds the same tokens as the JavaScript it replaced, for every user of a real log', async () => {
    const reader = await database.connection.runAndReadAll(`SELECT events, tfidf_document(events) AS document FROM (${USER_EVENTS})`);
    const [events, documents] = reader.getColumnsJS();
    expect(events.length).toBeGreaterThan(500);
    let tokens = 0;
    events.forEach((userEvents, i) => {
      // The old code refused values with whitespace; the macro writes '_' for it.
      const expected = referenceEventDocument(userEvents as unknown as SequenceEvent[]).map((token) => token.replace(/\s+/g, '_'));
      expect(documentTokens(documents[i] as string)).toEqual(expected);
      tokens += expected.length;
    });
    expect(tokens).toBeGreaterThan(events.length * 3);
  });

  it('orders by position, skips empty values, falls back to the category id, and keeps every token one word', async () => {
    const tokens = await documentOf(`[
      {'position': 2, 'event_type': 'cart', 'category_code': NULL, 'category_id': '77', 'brand': 'Calvin  Klein'},
      {'position': 1, 'event_type': 'view', 'category_code': 'a.b', 'category_id': '5', 'brand': ''},
      {'position': 3, 'event_type': 'view', 'category_code': 'x' || chr(31) || 'y' || chr(9) || 'z', 'category_id': NULL, 'brand': NULL}]`);
    expect(tokens).toEqual(['e:view', 'c:a.b', 'e:cart', 'c:77', 'b:Calvin_Klein', 'e:view', 'c:x_y_z']);
    expect(await documentOf("[]::STRUCT(position BIGINT, event_type VARCHAR, category_code VARCHAR, category_id VARCHAR, brand VARCHAR)[]")).toEqual([]);
  });
});

describe('the TF-IDF encoder on brands and categories written as text', () => {
  it('fits and encodes users whose brands hold spaces, markup and emoji (the old documents were refused)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfidf-doc-'));
    try {
      const shard = path.join(dir, 'shard-0000.parquet');
      const brands = ['Calvin Klein', '<script>alert(1)</script>', 'Dolce & Gabbana 🌹', 'L\'Oréal Paris'];
      await database.connection.run(`COPY (
        SELECT 'u' || i AS user_id, i - 1 AS row_in_shard,
               list_transform(range(4), p -> {'position': p, 'event_type': CASE WHEN p = 3 THEN 'purchase' ELSE 'view' END,
                 'category_code': 'Home & Garden > ' || ((i + p) % 3), 'category_id': NULL::VARCHAR,
                 'brand': ${'['}${brands.map((brand) => sqlStringLiteral(brand)).join(', ')}${']'}[(i + p) % 4 + 1]}) AS events
        FROM range(1, 61) AS t(i)) TO ${sqlStringLiteral(shard)} (FORMAT parquet)`);
      const paths = { vectorizerPath: path.join(dir, 'vectorizer.json'), componentsPath: path.join(dir, 'components.arrow') };
      const config = { tfidfFitUsers: 100, tfidfMinDf: 2, tfidfMaxFeatures: 1000, tfidfComponents: 4 } as never;
      const fitted = await fitTfidfModel(database.connection, [shard], config, 1, paths);
      expect(fitted.fit_users).toBe(60);
      const vocabulary = JSON.parse(fs.readFileSync(paths.vectorizerPath, 'utf8')) as { terms: string[] };
      expect(vocabulary.terms).toContain('b:Calvin_Klein');
      expect(vocabulary.terms).toContain('b:Dolce_&_Gabbana_🌹');
      const encoder = await tfidfEncoder({ connection: database.connection, config, runDir: dir, onnx: undefined as never, warn: () => {} }, paths);
      const batch = await encoder.encodeBatch(shard, 0, 60);
      expect(batch.userIds).toEqual(Array.from({ length: 60 }, (_, i) => `u${i + 1}`));
      for (let row = 0; row < 60; row++) {
        const vector = batch.vectors.subarray(row * batch.dimensions, (row + 1) * batch.dimensions);
        expect(Math.hypot(...vector)).toBeCloseTo(1, 5);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
