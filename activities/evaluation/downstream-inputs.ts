import fs from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { runSqlFile, sqlStringLiteral } from '../../lib/runtime/duckdb';

/** The tables of sql/evaluation/downstream_inputs.sql: none depends on the segmentation. */
const TABLES = ['seen', 'catalogue', 'holdout_relevant', 'user_facts'] as const;
const MADE_FROM_FILE = 'made-from.json';

const inFlight = new Map<string, Promise<void>>();

/**
 * Makes seen, catalogue, holdout_relevant and user_facts available on `connection`. Without a cache
 * directory they are computed here (temporary tables); with one, the first candidate of the run
 * computes them and writes them there as Parquet (with `madeFrom`, the cleaning step's seal, so a
 * re-cleaned run recomputes them), and every candidate reads them as views of those files.
 * Candidates scored at once in one process share one computation; two processes that race both
 * compute the same files and the first rename wins.
 */
export async function useDownstreamInputs(connection: DuckDBConnection, cache?: { dir: string; madeFrom: string }): Promise<void> {
  if (!cache) {
    await runSqlFile(connection, 'evaluation/downstream_inputs.sql');
    return;
  }
  if (!(await cachedFrom(cache.dir, cache.madeFrom))) {
    const key = `${cache.dir}|${cache.madeFrom}`;
    let pending = inFlight.get(key);
    if (!pending) {
      pending = writeCache(connection, cache.dir, cache.madeFrom).finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    await pending;
  }
  for (const table of TABLES) {
    await connection.run(`CREATE OR REPLACE TEMP VIEW ${table} AS SELECT * FROM read_parquet(${sqlStringLiteral(path.join(cache.dir, `${table}.parquet`))})`);
  }
}

async function cachedFrom(dir: string, madeFrom: string): Promise<boolean> {
  try {
    return JSON.parse(await fs.readFile(path.join(dir, MADE_FROM_FILE), 'utf8')).madeFrom === madeFrom;
  } catch {
    return false; // not written yet
  }
}

async function writeCache(connection: DuckDBConnection, dir: string, madeFrom: string): Promise<void> {
  const scratch = `${dir}.tmp-${process.pid}-${Date.now()}`;
  await fs.mkdir(scratch, { recursive: true });
  try {
    await runSqlFile(connection, 'evaluation/downstream_inputs.sql');
    for (const table of TABLES) {
      await connection.run(`COPY ${table} TO ${sqlStringLiteral(path.join(scratch, `${table}.parquet`))} (FORMAT parquet)`);
      await connection.run(`DROP TABLE ${table}`);
    }
    await fs.writeFile(path.join(scratch, MADE_FROM_FILE), JSON.stringify({ madeFrom }));
    if (!(await cachedFrom(dir, madeFrom))) {
      await fs.rm(dir, { recursive: true, force: true });
      await fs.rename(scratch, dir).catch(async (error: unknown) => {
        if (!(await cachedFrom(dir, madeFrom))) throw error; // another process's rename won otherwise
      });
    }
  } finally {
    await fs.rm(scratch, { recursive: true, force: true });
  }
}
