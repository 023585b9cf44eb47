import { openDuckDB, queryRows } from '../../lib/runtime/duckdb';

/** One-off query in a throwaway in-memory DuckDB (read Parquet/CSV outputs in assertions). */
export async function query(sql: string, params: Record<string, string | number> = {}): Promise<Array<Record<string, unknown>>> {
  const database = await openDuckDB(':memory:');
  try {
    return await queryRows(database.connection, sql, params);
  } finally {
    database.close();
  }
}
