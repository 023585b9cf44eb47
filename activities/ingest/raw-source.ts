import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdentifier, runSqlFile, runSqlText, sqlStringLiteral } from '../../lib/runtime/duckdb';
import { CANONICAL_COLUMNS, type FormatMapping } from './mapping';

/**
 * Stages a drop's files into staged_events as the format mapping says: the staging tables
 * (sql/ingest/staging_tables.sql), then sql/ingest/stage_events.sql once per file. CSV lines that
 * do not parse land in csv_rejects/csv_reject_scans (empty for other readers).
 */
export async function stageEvents(
  connection: DuckDBConnection,
  mapping: FormatMapping,
  files: string[],
  delimiter: string,
  window: { start: string; end: string },
): Promise<void> {
  await runSqlFile(connection, 'ingest/staging_tables.sql');
  const appender = await connection.createAppender('event_type_vocabulary', 'main', 'temp');
  for (const [raw, canonical] of Object.entries(mapping.eventTypes)) {
    appender.appendVarchar(raw.trim().toLowerCase());
    appender.appendVarchar(canonical);
    appender.endRow();
  }
  appender.closeSync();
  if (mapping.reader.kind !== 'csv') await runSqlFile(connection, 'ingest/empty_csv_rejects.sql');
  await runSqlText(connection, rawRowsMacro(mapping, delimiter), {}, 'raw_rows macro (raw-source.ts)');
  // One file at a time, in the drop's order: a scan of one file keeps its row order, a scan of
  // several reads them in parallel and interleaves them, and drop_row must follow the files.
  for (const [index, file] of files.entries()) {
    await runSqlFile(connection, 'ingest/stage_events.sql', {
      file,
      file_index: index,
      time_unit: mapping.eventTime.unit ?? 'format',
      // strptime is bound even when unused, and rejects an empty format.
      time_format: mapping.eventTime.format ?? '%Y',
      window_start: window.start,
      window_end: window.end,
    });
  }
}

/**
 * The one generated statement of staging: the table macro raw_rows(file) that stage_events.sql
 * reads each file through, selecting every canonical column as VARCHAR from the format's reader.
 * It is generated because the source column names come from the mapping and DuckDB cannot bind
 * identifiers (they are quoted); the file path stays a parameter, bound where stage_events.sql
 * calls raw_rows($file). Source columns are qualified (source."name"): a macro replaces every
 * unqualified name equal to its parameter's, so a column named "file" would read the path.
 */
function rawRowsMacro(mapping: FormatMapping, delimiter: string): string {
  const reader = mapping.reader.kind === 'csv'
    ? csvReader(mapping, delimiter)
    : mapping.reader.kind === 'jsonl'
      ? "read_json(file, format = 'newline_delimited')"
      : 'read_parquet(file)';
  const columns = CANONICAL_COLUMNS.map((canonical) => {
    const column = mapping.columns[canonical];
    return column ? `CAST(source.${quoteIdentifier(column)} AS VARCHAR) AS ${canonical}` : `NULL::VARCHAR AS ${canonical}`;
  });
  return `CREATE OR REPLACE TEMP MACRO raw_rows(file) AS TABLE SELECT ${columns.join(', ')} FROM ${reader} AS source`;
}

function csvReader(mapping: FormatMapping, delimiter: string): string {
  const { reader } = mapping;
  const options = [
    `header = ${reader.header === false ? 'false' : 'true'}`,
    'all_varchar = true',
    `delim = ${delimiter === '\t' ? "'\\t'" : sqlStringLiteral(delimiter)}`,
    `quote = '"'`,
    // Lines that do not parse are logged here, and quarantined by clean_events.sql.
    'store_rejects = true',
    "rejects_table = 'csv_rejects'",
    "rejects_scan = 'csv_reject_scans'",
  ];
  if (reader.header === false) {
    options.push(`columns = {${(reader.columnNames ?? []).map((name) => `${sqlStringLiteral(name)}: 'VARCHAR'`).join(', ')}}`);
  }
  return `read_csv(file, ${options.join(', ')})`;
}
