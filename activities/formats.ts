import fs from 'node:fs';
import zlib from 'node:zlib';
import type { LogFormat } from '../common/contracts';

/**
 * Known log formats: how to recognize a file by its first line, and which adapter SQL maps it
 * to the canonical event columns (sql/ingest/<format>.sql).
 */
export interface FormatAdapter {
  format: LogFormat;
  sqlFile: string;
  /** Shown in errors, so a user sees what a file of this format must look like. */
  expectedLayout: string;
  matches(firstLineFields: string[]): boolean;
}

const REES46_COLUMNS = ['event_time', 'event_type', 'product_id', 'category_id', 'category_code', 'brand', 'price', 'user_id', 'user_session'];
const RETAILROCKET_COLUMNS = ['timestamp', 'visitorid', 'event', 'itemid', 'transactionid'];
const TAOBAO_BEHAVIORS = new Set(['pv', 'cart', 'fav', 'buy']);

export const FORMAT_ADAPTERS: FormatAdapter[] = [
  {
    format: 'rees46',
    sqlFile: 'ingest/rees46.sql',
    expectedLayout: `REES46/Open CDP CSV with header ${REES46_COLUMNS.join(',')} (an extra unnamed index column is allowed)`,
    matches: (fields) => REES46_COLUMNS.every((column) => fields.includes(column)),
  },
  {
    format: 'retailrocket',
    sqlFile: 'ingest/retailrocket.sql',
    expectedLayout: `RetailRocket CSV with header ${RETAILROCKET_COLUMNS.join(',')}`,
    matches: (fields) => RETAILROCKET_COLUMNS.every((column) => fields.includes(column)),
  },
  {
    format: 'taobao',
    sqlFile: 'ingest/taobao.sql',
    expectedLayout: 'Taobao UserBehavior CSV without header: user_id,item_id,category_id,behavior_type(pv|cart|fav|buy),timestamp',
    matches: (fields) =>
      fields.length === 5 && TAOBAO_BEHAVIORS.has(fields[3]) && [0, 1, 2, 4].every((i) => /^\d+$/.test(fields[i])),
  },
];

export function adapterFor(format: LogFormat): FormatAdapter {
  const adapter = FORMAT_ADAPTERS.find((candidate) => candidate.format === format);
  if (!adapter) throw new Error(`no adapter for format ${format}`);
  return adapter;
}

/** Returns the first line of a (possibly gzipped) text file, or undefined for an empty file. */
export async function readFirstLine(file: string): Promise<string | undefined> {
  const raw = fs.createReadStream(file, { start: 0, end: 1 << 20 });
  const stream = file.endsWith('.gz') ? raw.pipe(zlib.createGunzip()) : raw;
  let buffered = '';
  try {
    for await (const chunk of stream) {
      buffered += (chunk as Buffer).toString('utf8');
      const newline = buffered.indexOf('\n');
      if (newline >= 0) return buffered.slice(0, newline).replace(/\r$/, '');
    }
  } catch (error) {
    // A 1 MiB prefix of a gzip file ends mid-stream; what we decoded so far is still good.
    if (buffered.length === 0) throw error;
  } finally {
    raw.destroy();
  }
  return buffered.length > 0 ? buffered.replace(/\r$/, '') : undefined;
}

export function splitCsvHeader(line: string): string[] {
  return line.split(',').map((field) => field.trim().replace(/^"|"$/g, ''));
}

export function detectFormat(firstLine: string): LogFormat | undefined {
  const fields = splitCsvHeader(firstLine);
  return FORMAT_ADAPTERS.find((adapter) => adapter.matches(fields))?.format;
}
