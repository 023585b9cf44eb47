import type { DuckDBConnection } from '@duckdb/node-api';
import { loadSql, runSqlFile, runSqlText } from '../../lib/duckdb';
import { CANONICAL_COLUMNS, type FormatMapping } from './mapping';

/**
 * Stages a drop's files into staged_events (sql/ingest/stage_events.sql) as the format mapping
 * says: the reader query selecting every canonical column as VARCHAR is generated here (column
 * names from the mapping, as quoted identifiers); file paths and time settings are bound.
 * CSV lines that do not parse land in csv_rejects/csv_reject_scans (empty for other readers).
 */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function csvReader(mapping: FormatMapping, delimiter: string): string {
  const { reader } = mapping;
  const options = [
    `header = ${reader.header === false ? 'false' : 'true'}`,
    'all_varchar = true',
    `delim = ${delimiter === '\t' ? "'\\t'" : `'${delimiter.replaceAll("'", "''")}'`}`,
    `quote = '"'`,
    'store_rejects = true',
    "rejects_table = 'csv_rejects'",
    "rejects_scan = 'csv_reject_scans'",
  ];
  if (reader.header === false) {
    options.push(`columns = {${(reader.columnNames ?? []).map((name) => `'${name.replaceAll("'", "''")}': 'VARCHAR'`).join(', ')}}`);
  }
  return `read_csv($file, ${options.join(', ')})`;
}

export async function stageEvents(
  connection: DuckDBConnection,
  mapping: FormatMapping,
  files: string[],
  delimiter: string,
  window: { start: string; end: string },
): Promise<void> {
  const reader = mapping.reader.kind === 'csv'
    ? csvReader(mapping, delimiter)
    : mapping.reader.kind === 'jsonl'
      ? "read_json($file, format = 'newline_delimited')"
      : 'read_parquet($file)';
  const columns = CANONICAL_COLUMNS.map((canonical) => {
    const source = mapping.columns[canonical];
    return source ? `CAST(${quoteIdentifier(source)} AS VARCHAR) AS ${canonical}` : `NULL::VARCHAR AS ${canonical}`;
  });
  if (mapping.reader.kind !== 'csv') {
    await connection.run('CREATE OR REPLACE TEMP TABLE csv_rejects (scan_id UBIGINT, file_id UBIGINT, line UBIGINT, column_idx UBIGINT, error_type VARCHAR, csv_line VARCHAR, error_message VARCHAR)');
    await connection.run('CREATE OR REPLACE TEMP TABLE csv_reject_scans (scan_id UBIGINT, file_id UBIGINT, file_path VARCHAR)');
  }
  await connection.run('CREATE OR REPLACE TEMP TABLE event_type_vocabulary (raw VARCHAR, canonical VARCHAR)');
  const appender = await connection.createAppender('event_type_vocabulary', 'main', 'temp');
  for (const [raw, canonical] of Object.entries(mapping.eventTypes)) {
    appender.appendVarchar(raw.trim().toLowerCase());
    appender.appendVarchar(canonical);
    appender.endRow();
  }
  appender.closeSync();
  // Trimming copies every string; most values have no surrounding spaces, so test first.
  await connection.run("CREATE OR REPLACE TEMP MACRO trimmed(text) AS CASE WHEN starts_with(text, ' ') OR suffix(text, ' ') THEN trim(text) ELSE text END");
  // Rows carry their file's index; the path is stored once per file.
  await connection.run('CREATE OR REPLACE TEMP TABLE staged_files (file_index INTEGER, source_file VARCHAR)');
  const rawSource = `SELECT ${columns.join(', ')} FROM ${reader}`;
  const createStatement = loadSql('ingest/stage_events.sql').replace('{{raw_source}}', rawSource);
  // One file at a time, in the drop's order: a scan of one file keeps its row order, a scan of
  // several reads them in parallel and interleaves them, and drop_row must follow the files.
  for (const [index, file] of files.entries()) {
    const statement = index === 0 ? createStatement : createStatement.replace('CREATE OR REPLACE TEMP TABLE staged_events AS', 'INSERT INTO staged_events');
    await runSqlText(connection, 'INSERT INTO staged_files VALUES ($file_index, $file)', { file_index: index, file });
    await runSqlText(connection, statement, {
      file,
      file_index: index,
      time_unit: mapping.eventTime.unit ?? 'format',
      // strptime is bound even when unused, and rejects an empty format.
      time_format: mapping.eventTime.format ?? '%Y',
      window_start: window.start,
      window_end: window.end,
    }, 'ingest/stage_events.sql');
  }
  await runSqlFile(connection, 'ingest/number_rows.sql');
}
