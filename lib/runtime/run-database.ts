import { openDuckDB, sqlStringLiteral, type DuckDBSettings, type OpenDatabase } from './duckdb';
import { runFiles } from '../../common/run-layout';

export type RunDatabaseMode = 'read-only' | 'read-write';

/**
 * An in-memory DuckDB with the run's run.duckdb attached as `run` (and made the default schema
 * with `use: true`): how every step after cleaning reads (or adds to) the run's tables. Read-only
 * lets concurrent steps of the same run read it together.
 */
export async function openRunDatabase(runDir: string, mode: RunDatabaseMode, settings: DuckDBSettings = {}, options: { use?: boolean } = {}): Promise<OpenDatabase> {
  const database = await openDuckDB(':memory:', settings);
  try {
    // ATTACH cannot take a bound parameter: the path is escaped as a string literal.
    await database.connection.run(`ATTACH ${sqlStringLiteral(runFiles.database(runDir))} AS run${mode === 'read-only' ? ' (READ_ONLY)' : ''}`);
    if (options.use) await database.connection.run('USE run');
    return database;
  } catch (error) {
    database.close();
    throw error;
  }
}

/** Runs `body` on the run's database (see openRunDatabase) and closes it whatever happens. */
export async function withRunDatabase<T>(
  runDir: string,
  mode: RunDatabaseMode,
  settings: DuckDBSettings,
  body: (database: OpenDatabase) => Promise<T>,
  options: { use?: boolean } = {},
): Promise<T> {
  const database = await openRunDatabase(runDir, mode, settings, options);
  try {
    return await body(database);
  } finally {
    database.close();
  }
}
