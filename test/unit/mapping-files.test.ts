import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanInto } from '../../activities/clean-logs';
import { inspectDrop } from '../../activities/inspect-drop';
import { validateDrop } from '../../activities/ingest/validate-drop';
import { resolveRunConfig } from '../../common/run-config';
import { query } from '../helpers/duckdb-query';
import { freshDataDir } from '../helpers/pipeline-harness';

/**
 * The generic schema: any CSV, JSONL or Parquet log, read through a mapping file
 * (docs/DATA-CONTRACTS.md). Events are real rows of ../shared/datasets/taobao-userbehavior-2h,
 * rewritten into each layout.
 */
const TAOBAO = path.resolve('..', 'shared', 'datasets', 'taobao-userbehavior-2h', 'UserBehavior.csv');
const lines = fs.readFileSync(TAOBAO, 'utf8').trim().split('\n').slice(0, 3000).map((line) => line.split(','));

const mapping = (reader: object) => ({
  name: 'shop-export',
  reader,
  columns: { user_id: 'visitor', item_id: 'sku', category_id: 'cat', event_type: 'action', event_time: 'at' },
  eventTime: { unit: 's' },
  eventTypes: { pv: 'view', cart: 'cart', fav: 'fav', buy: 'purchase' },
});

describe('mapping files', () => {
  const dir = freshDataDir('mappings');
  const writeJson = (name: string, value: unknown) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, JSON.stringify(value));
    return file;
  };

  it('read a JSONL log and a Parquet log with the same events to the same accounting', async () => {
    const jsonl = path.join(dir, 'events.jsonl');
    fs.writeFileSync(jsonl, lines.map(([visitor, sku, cat, action, at]) => JSON.stringify({ visitor, sku, cat, action, at: Number(at), extra: 'ignored' })).join('\n') + '\n');
    const parquet = path.join(dir, 'events.parquet');
    await query(`COPY (SELECT * FROM read_json('${jsonl}', format = 'newline_delimited')) TO '${parquet}' (FORMAT parquet)`);
    const fromJsonl = await validateDrop(jsonl, { mappingFile: writeJson('jsonl.json', mapping({ kind: 'jsonl' })) });
    const fromParquet = await validateDrop(parquet, { mappingFile: writeJson('parquet.json', mapping({ kind: 'parquet' })) });
    const fromCsv = await validateDrop(TAOBAO.replace('UserBehavior.csv', 'UserBehavior.csv'), {});
    expect(fromJsonl.format).toBe('shop-export');
    expect(fromJsonl.accounting.rawRows).toBe(3000);
    expect(fromJsonl.accounting).toEqual(fromParquet.accounting);
    // Same events as the first 3,000 rows of the Taobao file read as the known format.
    expect(fromJsonl.accounting.cleanedRows + fromJsonl.accounting.duplicateRows).toBe(3000);
    expect(fromCsv.accounting.rawRows).toBeGreaterThan(3000);
  });

  it('read a CSV with its own column names and delimiter', async () => {
    const csv = path.join(dir, 'events.tsv');
    fs.writeFileSync(csv, ['visitor\tsku\tcat\taction\tat', ...lines.map((fields) => fields.join('\t'))].join('\n') + '\n');
    const result = await validateDrop(csv, { mappingFile: writeJson('tsv.json', mapping({ kind: 'csv', header: true, delimiter: '\t' })) });
    expect(result.accounting.rawRows).toBe(3000);
    expect(result.accounting.quarantinedRows).toBe(0);
  });

  it('read a source column named like the reader macro\'s parameter (file) from the file, not the path', async () => {
    const csv = path.join(dir, 'file-column.csv');
    fs.writeFileSync(csv, ['visitor,file,cat,action,at', ...lines.slice(0, 50).map((fields) => fields.join(','))].join('\n') + '\n');
    const mappingFile = writeJson('file-column.json', { ...mapping({ kind: 'csv' }), columns: { ...mapping({}).columns, item_id: 'file' } });
    const runDir = freshDataDir('file-column');
    const inspected = await inspectDrop({ runDir, source: csv, mappingFile });
    const databaseFile = path.join(runDir, 'run.duckdb');
    await cleanInto(databaseFile, { runDir, files: inspected.files, pinned: inspected.pinned, format: inspected.format, delimiter: inspected.delimiter, config: resolveRunConfig({ mappingFile }) });
    const items = await query(`ATTACH '${databaseFile}' AS run (READ_ONLY); SELECT DISTINCT item_id FROM run.events_clean ORDER BY item_id`);
    expect(items.map((row) => row.item_id)).toEqual([...new Set(lines.slice(0, 50).map((fields) => fields[1]))].sort());
  });

  it('read RetailRocket events (the third known format) without a mapping file', async () => {
    const csv = path.join(dir, 'events.csv');
    fs.writeFileSync(csv, [
      'timestamp,visitorid,event,itemid,transactionid',
      '1433221332117,257597,view,355908,',
      '1433224214164,992329,view,248676,',
      '1433221999827,257597,addtocart,355908,',
      '1433222276276,257597,transaction,355908,4000',
      '1433221955914,992329,refund,248676,',
    ].join('\n') + '\n');
    const { format, accounting } = await validateDrop(csv);
    expect(format).toBe('retailrocket');
    expect(accounting).toMatchObject({ rawRows: 5, cleanedRows: 4, quarantineByReason: { unknown_event_type: 1 }, users: 2 });
  });

  it('name the missing column, and the bad mapping field', async () => {
    const csv = path.join(dir, 'wrong-columns.csv');
    fs.writeFileSync(csv, 'visitor,product,cat,action,at\n1,2,3,pv,1511658000\n');
    await expect(validateDrop(csv, { mappingFile: writeJson('m1.json', mapping({ kind: 'csv' })) }))
      .rejects.toThrow(/wrong-columns\.csv: mapping "shop-export" expects column\(s\) "sku" \(for item_id\); the file has: visitor, product, cat, action, at/);
    const bad = { ...mapping({ kind: 'csv' }), eventTypes: { pv: 'glance' } };
    await expect(validateDrop(csv, { mappingFile: writeJson('m2.json', bad) }))
      .rejects.toThrow(/mapping field "eventTypes\.pv" must be one of view, click, cart, remove_from_cart, fav, purchase, search, got "glance"/);
    const noTime = { ...mapping({ kind: 'csv' }), eventTime: {} };
    await expect(validateDrop(csv, { mappingFile: writeJson('m3.json', noTime) })).rejects.toThrow(/mapping field "eventTime" must be either/);
  });
});
