import type { DuckDBConnection } from '@duckdb/node-api';

/** Loads a labelling into `segments(user_id, segment)`: what the evaluation and publishing SQL join on. */
export async function createSegmentsTable(connection: DuckDBConnection, userIds: string[], labels: Int32Array): Promise<void> {
  await connection.run('CREATE TABLE segments (user_id VARCHAR NOT NULL, segment INTEGER NOT NULL)');
  const appender = await connection.createAppender('segments');
  for (let i = 0; i < userIds.length; i++) {
    appender.appendVarchar(userIds[i]);
    appender.appendInteger(labels[i]);
    appender.endRow();
  }
  appender.closeSync();
}
