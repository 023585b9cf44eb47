import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import { queryRows } from './duckdb';
import { openRunDatabase } from './run-database';

/**
 * What a step wrote: files, and tables or views of the run's run.duckdb. Recorded in the step's
 * marker with their digests, so a reused checkpoint whose outputs were deleted or damaged since is
 * noticed (cheaply, on every reuse: existence, size, rows) and `client verify` can check every
 * byte (sha256 of files, a content hash of tables).
 */
export type OutputRef = { file: string } | { table: string } | { view: string };

export type OutputRecord =
  | { file: string; bytes: number; sha256: string }
  /** digest: the sum of DuckDB's hash of every row (order-independent; duplicates count). */
  | { table: string; rows: number; digest: string }
  /** A view over files that are outputs themselves: only that it answers, with its rows. */
  | { view: string; rows: number };

export async function recordOutputs(runDir: string, refs: OutputRef[]): Promise<OutputRecord[]> {
  const records: OutputRecord[] = [];
  const relations = refs.filter((ref) => !('file' in ref));
  const counted = relations.length > 0 ? await countRelations(runDir, relations as RelationRef[], true) : new Map<string, RelationState>();
  for (const ref of refs) {
    if ('file' in ref) {
      records.push({ file: ref.file, bytes: (await fs.stat(ref.file)).size, sha256: await sha256File(ref.file) });
    } else {
      const state = counted.get(relationName(ref))!;
      if ('missing' in state) throw new Error(`step output ${relationName(ref)} of ${runDir}/run.duckdb: ${state.missing}`);
      records.push('table' in ref ? { table: ref.table, rows: state.rows, digest: state.digest! } : { view: ref.view, rows: state.rows });
    }
  }
  return records;
}

/**
 * What differs between the recorded outputs and what is there now, one line each ([] when
 * intact). Quick by default (existence, bytes, rows); `full` also compares every digest.
 */
export async function damagedOutputs(runDir: string, records: OutputRecord[], options: { full?: boolean } = {}): Promise<string[]> {
  const problems: string[] = [];
  const relations = records.filter((record) => !('file' in record)) as Array<Exclude<OutputRecord, { file: string }>>;
  let counted = new Map<string, RelationState>();
  if (relations.length > 0) {
    try {
      counted = await countRelations(runDir, relations, options.full ?? false);
    } catch (error) {
      return [`${runDir}/run.duckdb cannot be opened: ${(error as Error).message}`];
    }
  }
  for (const record of records) {
    if ('file' in record) {
      const stat = await fs.stat(record.file).catch(() => undefined);
      if (!stat) problems.push(`${record.file} is missing`);
      else if (stat.size !== record.bytes) problems.push(`${record.file} has ${stat.size} bytes, ${record.bytes} recorded`);
      else if (options.full && (await sha256File(record.file)) !== record.sha256) problems.push(`${record.file} differs from its recorded sha256`);
      continue;
    }
    const name = relationName(record);
    const state = counted.get(name)!;
    if ('missing' in state) problems.push(`run.duckdb ${name}: ${state.missing}`);
    else if (state.rows !== record.rows) problems.push(`run.duckdb ${name} has ${state.rows} rows, ${record.rows} recorded`);
    else if (options.full && 'table' in record && state.digest !== record.digest) problems.push(`run.duckdb table ${name} differs from its recorded digest`);
  }
  return problems;
}

type RelationRef = { table: string } | { view: string };
type RelationState = { rows: number; digest?: string } | { missing: string };

function relationName(ref: RelationRef): string {
  return 'table' in ref ? ref.table : ref.view;
}

/** Rows (and, with `digest`, the content hash of tables) of each relation in run.duckdb. */
async function countRelations(runDir: string, refs: RelationRef[], digest: boolean): Promise<Map<string, RelationState>> {
  const states = new Map<string, RelationState>();
  const database = await openRunDatabase(runDir, 'read-only', {}, { use: true });
  try {
    for (const ref of refs) {
      const name = relationName(ref);
      const hashed = digest && 'table' in ref;
      try {
        // Names come from the run layout's step code, never from users: quoting keeps them identifiers.
        const [row] = await queryRows(database.connection,
          `SELECT count(*) AS n${hashed ? ', coalesce(sum(hash(t)), 0)::VARCHAR AS digest' : ''} FROM "${name}" AS t`);
        states.set(name, { rows: Number(row.n), digest: hashed ? String(row.digest) : undefined });
      } catch (error) {
        states.set(name, { missing: (error as Error).message.split('\n')[0] });
      }
    }
  } finally {
    database.close();
  }
  return states;
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
