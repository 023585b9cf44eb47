import path from 'node:path';
import type { Command } from 'commander';
import type { FieldType } from '../../common/config/field-types';
import type { RunConfig } from '../../common/run-config';
import { configReference, resolveRunConfig } from '../../common/run-config';
import { defaultDataDir } from '../../lib/paths';
import { collectSetPair } from './cli';

/** What withPipelineOptions adds to a command's parsed options. */
export interface PipelineOptions {
  dataDir?: string;
  set?: string[];
  taskQueuePrefix?: string;
}

/** Options every pipeline-starting command shares: --data-dir, --set key=value (run config), --task-queue-prefix. */
export function withPipelineOptions(command: Command): Command {
  return command
    .option('--data-dir <dir>', 'where run directories are written (default: .data in the project, or BSEG_DATA_DIR)')
    .option('--set <key=value>', 'a run config field, repeatable; read by the field\'s type: a list as a,b or a JSON array, a string as typed, ' +
      'a number or boolean as written, an object as JSON (docs/CONFIG.md)', collectSetPair)
    .option('--task-queue-prefix <prefix>', 'use the task queues <prefix>-cpu and <prefix>-embedding (isolated deployments, tests)');
}

/** A run directory option for the commands that read one (verify, repair, report). */
export const DATA_DIR_HELP = 'the data directory that holds runs/<dropId> (default: .data in the project, or BSEG_DATA_DIR)';

export function dataDirFrom(value: string | undefined): string {
  return path.resolve(value ?? defaultDataDir());
}

/**
 * `--set kMax=12 --set encoders=tfidf,item2vec --set seed=7`: each value read by its field's type
 * (parseSetValue). Validated now, not in the worker.
 */
export function configFrom(pairs: string[] | undefined): Partial<RunConfig> {
  const overrides: Record<string, unknown> = {};
  for (const pair of pairs ?? []) {
    const equals = pair.indexOf('=');
    if (equals < 1) throw new Error(`--set expects key=value, got ${JSON.stringify(pair)}`);
    const field = pair.slice(0, equals);
    overrides[field] = parseSetValue(field, pair.slice(equals + 1));
  }
  resolveRunConfig(overrides as Partial<RunConfig>);
  return overrides as Partial<RunConfig>;
}

/** Each field's type as the schema declares it: the only source of how a value is read. */
const FIELD_TYPES = new Map<string, FieldType>(configReference().map((entry) => [entry.field, entry.type]));

/**
 * One `--set` value, read as its field's type: a list as `a,b` (items trimmed) or a JSON array; a
 * string as typed, never JSON (`seed=7` is the string '7'); a number or boolean parsed; an object as
 * JSON. A value that does not parse is passed on as text, so the schema's error says what the field
 * accepts; an unknown field is passed on too, for the schema's unknown-field error.
 */
export function parseSetValue(field: string, raw: string): unknown {
  switch (FIELD_TYPES.get(field)) {
    case undefined:
    case 'string': return raw;
    case 'integer':
    case 'number': return asNumber(raw);
    case 'boolean': return raw === 'true' ? true : raw === 'false' ? false : raw;
    case 'object': return asJson(raw);
    case 'list of strings': return asList(raw, (item) => item);
    case 'list of integers':
    case 'list of numbers': return asList(raw, asNumber);
  }
}

function asList(raw: string, readItem: (item: string) => unknown): unknown {
  if (raw.trim().startsWith('[')) return asJson(raw);
  if (raw.trim() === '') return [];
  return raw.split(',').map((item) => readItem(item.trim()));
}

function asNumber(text: string): number | string {
  const value = Number(text);
  return text.trim() !== '' && Number.isFinite(value) ? value : text;
}

function asJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

export function taskQueuesFrom(prefix: string | undefined) {
  return prefix ? { cpu: `${prefix}-cpu`, embedding: `${prefix}-embedding` } : undefined;
}
