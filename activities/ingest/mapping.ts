import fs from 'node:fs';
import path from 'node:path';
import { badInput } from '../../common/errors';
import { projectPath } from '../../lib/paths';

/**
 * A format mapping says how to read a log and which of its columns feed the canonical event
 * columns. The known formats are mappings in sql/ingest/formats/*.json; any other log is read
 * with a mapping file of the same shape (docs/DATA-CONTRACTS.md, "Generic schema").
 */
export const CANONICAL_COLUMNS = [
  'user_id', 'item_id', 'category_id', 'category_code', 'brand', 'price', 'event_type', 'event_time', 'session_id', 'title', 'query_text',
] as const;
export type CanonicalColumn = (typeof CANONICAL_COLUMNS)[number];
const REQUIRED_COLUMNS: CanonicalColumn[] = ['user_id', 'item_id', 'event_type', 'event_time'];

export const CANONICAL_EVENT_TYPES = ['view', 'click', 'cart', 'remove_from_cart', 'fav', 'purchase', 'search'] as const;
export type CanonicalEventType = (typeof CANONICAL_EVENT_TYPES)[number];

export type ReaderKind = 'csv' | 'jsonl' | 'parquet';

export interface FormatMapping {
  name: string;
  description?: string;
  reader: { kind: ReaderKind; header?: boolean; delimiter?: string; columnNames?: string[] };
  detect?: {
    requiredColumns?: string[];
    headerless?: { fieldCount: number; valueColumn: number; values: string[]; integerColumns: number[] };
  };
  columns: Partial<Record<CanonicalColumn, string>>;
  eventTime: { format?: string; unit?: 's' | 'ms' | 'iso' };
  eventTypes: Record<string, CanonicalEventType>;
}

/** Checks a parsed mapping; errors name `source` and the offending field. */
export function validateMapping(value: unknown, source: string): FormatMapping {
  const fail = (field: string, expected: string, found: unknown): never => {
    throw badInput(`${source}: mapping field "${field}" must be ${expected}, got ${JSON.stringify(found)}`);
  };
  if (typeof value !== 'object' || value === null) fail('(root)', 'an object', value);
  const mapping = value as FormatMapping;
  if (typeof mapping.name !== 'string' || !/^[A-Za-z0-9_-]+$/.test(mapping.name)) fail('name', 'a name of letters, digits, _ and -', mapping.name);
  if (!['csv', 'jsonl', 'parquet'].includes(mapping.reader?.kind)) fail('reader.kind', 'one of csv, jsonl, parquet', mapping.reader?.kind);
  if (mapping.reader.delimiter !== undefined && !/^(.|\t)$/.test(mapping.reader.delimiter)) fail('reader.delimiter', 'a single character', mapping.reader.delimiter);
  if (mapping.reader.kind === 'csv' && mapping.reader.header === false && !Array.isArray(mapping.reader.columnNames)) {
    fail('reader.columnNames', 'the list of column names of a headerless CSV', mapping.reader.columnNames);
  }
  if (typeof mapping.columns !== 'object' || mapping.columns === null) fail('columns', 'an object of canonical column -> source column', mapping.columns);
  for (const [canonical, column] of Object.entries(mapping.columns)) {
    if (!(CANONICAL_COLUMNS as readonly string[]).includes(canonical)) fail(`columns.${canonical}`, `one of the canonical columns (${CANONICAL_COLUMNS.join(', ')})`, canonical);
    if (typeof column !== 'string' || column === '') fail(`columns.${canonical}`, 'a source column name', column);
  }
  for (const required of REQUIRED_COLUMNS) {
    if (!mapping.columns[required]) fail(`columns.${required}`, 'set (user_id, item_id, event_type and event_time are required)', undefined);
  }
  const { format, unit } = mapping.eventTime ?? {};
  if ((format === undefined) === (unit === undefined)) fail('eventTime', 'either {"format": "<strptime format>"} or {"unit": "s" | "ms" | "iso"}', mapping.eventTime);
  if (unit !== undefined && !['s', 'ms', 'iso'].includes(unit)) fail('eventTime.unit', 's, ms or iso', unit);
  if (typeof mapping.eventTypes !== 'object' || mapping.eventTypes === null || Object.keys(mapping.eventTypes).length === 0) {
    fail('eventTypes', 'an object of source event type -> canonical event type', mapping.eventTypes);
  }
  for (const [raw, canonical] of Object.entries(mapping.eventTypes)) {
    if (!(CANONICAL_EVENT_TYPES as readonly string[]).includes(canonical)) fail(`eventTypes.${raw}`, `one of ${CANONICAL_EVENT_TYPES.join(', ')}`, canonical);
  }
  return mapping;
}

export function readMappingFile(file: string): FormatMapping {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw badInput(`mapping file ${file} cannot be read as JSON: ${(error as Error).message}`);
  }
  return validateMapping(parsed, `mapping file ${file}`);
}

let builtIns: FormatMapping[] | undefined;

/** The known formats, from sql/ingest/formats/. */
export function builtInMappings(): FormatMapping[] {
  if (!builtIns) {
    const dir = projectPath('sql', 'ingest', 'formats');
    builtIns = fs.readdirSync(dir).filter((name) => name.endsWith('.json')).sort()
      .map((name) => validateMapping(JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')), path.join(dir, name)));
  }
  return builtIns;
}

/** The mapping a run uses: the user's mapping file when given, else the detected known format. */
export function mappingFor(format: string, mappingFile: string): FormatMapping {
  if (mappingFile) return readMappingFile(mappingFile);
  const mapping = builtInMappings().find((candidate) => candidate.name === format);
  if (!mapping) throw new Error(`unknown format ${format}`);
  return mapping;
}

/** What a file of this format must look like, for error messages. */
export function describeLayout(mapping: FormatMapping): string {
  const { reader, detect } = mapping;
  if (reader.kind === 'csv' && reader.header === false) return `${mapping.name}: CSV without header: ${(reader.columnNames ?? []).join(',')}`;
  const columns = detect?.requiredColumns ?? Object.values(mapping.columns);
  return `${mapping.name}: ${reader.kind.toUpperCase()} with columns ${columns.join(',')}`;
}
