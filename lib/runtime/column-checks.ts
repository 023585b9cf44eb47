import fs from 'node:fs';
import { listValue, type DuckDBConnection } from '@duckdb/node-api';
import { queryRows, quoteIdentifier, type SqlParams } from './duckdb';
import { projectPath } from '../paths';
import { internalInvariantError } from '../../common/errors';

/**
 * Column checks in the spirit of dbt's schema tests. A JSON file beside the SQL that builds some
 * tables (sql/<layer>/<file>.checks.json) lists, per table and column, the tests its values must
 * pass: "unique" and {"accepted_values": [...]} (both ignore NULLs, as dbt's do) and "not_null".
 * They must stay cheap next to the cleaning itself (under a second for 10M events, see
 * violationCounts), and only a violated check costs a query for examples of the offending values.
 */
export type ColumnTest = 'unique' | 'not_null' | { accepted_values: string[] };
/** table -> column -> tests */
export type ColumnChecks = Record<string, Record<string, ColumnTest[]>>;

interface Check {
  table: string;
  column: string;
  test: ColumnTest;
  /** Its violation count's name in the table's query, and the parameter its accepted values bind to. */
  name: string;
}

/** Reads and checks sql/<relativePath>. */
export function readColumnChecks(relativePath: string): ColumnChecks {
  const file = projectPath('sql', relativePath);
  const checks = JSON.parse(fs.readFileSync(file, 'utf8')) as ColumnChecks;
  for (const [table, columns] of Object.entries(checks)) {
    for (const [column, tests] of Object.entries(columns)) {
      for (const test of tests) {
        const known = test === 'unique' || test === 'not_null'
          || (typeof test === 'object' && Array.isArray(test.accepted_values) && test.accepted_values.every((value) => typeof value === 'string'));
        if (!known) throw new Error(`${file}: ${table}.${column}: unknown check ${JSON.stringify(test)}; expected "unique", "not_null" or {"accepted_values": [strings]}`);
      }
    }
  }
  return checks;
}

/** Runs the checks of sql/<relativePath>; throws one error listing every violated check. */
export async function runColumnChecks(connection: DuckDBConnection, relativePath: string): Promise<void> {
  await checkColumns(connection, readColumnChecks(relativePath), `sql/${relativePath}`);
}

/** Runs `checks` (from `source`, for the message); throws one error listing every violated check. */
export async function checkColumns(connection: DuckDBConnection, checks: ColumnChecks, source: string): Promise<void> {
  const failures: string[] = [];
  for (const [table, columns] of Object.entries(checks)) {
    const tableChecks = Object.entries(columns).flatMap(([column, tests]) => tests.map((test) => ({ table, column, test })))
      .map((check, index): Check => ({ ...check, name: `check_${index}` }));
    const counts = await violationCounts(connection, table, tableChecks);
    for (const check of tableChecks) {
      const count = counts.get(check.name) ?? 0;
      if (count > 0) failures.push(await describeFailure(connection, check, count));
    }
  }
  // Cleaning produced rows its own contract forbids: a bug, which no retry fixes.
  if (failures.length > 0) throw internalInvariantError(`column checks of ${source} failed:\n${failures.join('\n')}`);
}

/**
 * Each check's number of violating rows (for unique: the rows beyond each value's first). The
 * kinds are counted in separate queries because they cost very differently: not_null is
 * count(*) - count(column), which DuckDB answers from the column's statistics when they say "no
 * NULLs" (instant), but not in a query that also reads the values; accepted_values reads one
 * column; unique needs a set of the values.
 */
async function violationCounts(connection: DuckDBConnection, table: string, checks: Check[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const countInOneScan = async (scanned: Check[], expression: (check: Check, column: string) => string) => {
    if (scanned.length === 0) return;
    const params: SqlParams = {};
    for (const check of scanned) if (typeof check.test === 'object') params[check.name] = listValue(check.test.accepted_values);
    const expressions = scanned.map((check) => `${expression(check, quoteIdentifier(check.column))} AS ${check.name}`);
    const [row] = await queryRows(connection, `SELECT ${expressions.join(', ')} FROM ${quoteIdentifier(table)}`, params);
    for (const check of scanned) counts.set(check.name, Number(row[check.name]));
  };
  await countInOneScan(checks.filter((check) => check.test === 'not_null'), (_check, column) => `count(*) - count(${column})`);
  await countInOneScan(checks.filter((check) => typeof check.test === 'object'),
    (check, column) => `count(*) FILTER (WHERE NOT list_contains($${check.name}, CAST(${column} AS VARCHAR)))`);
  for (const check of checks.filter((candidate) => candidate.test === 'unique')) {
    counts.set(check.name, await duplicateCount(connection, table, check.column));
  }
  return counts;
}

/**
 * Rows beyond the first of each value. count(DISTINCT) builds a hash table of every value: 4-5 s
 * for events_clean.drop_row at 10M events on two busy cores. An integer column whose values span
 * a range at most 8 times its row count (row numbers, positions) is counted with one bit per
 * possible value instead (bitstring_agg, at most a byte per row), about ten times faster.
 */
async function duplicateCount(connection: DuckDBConnection, table: string, name: string): Promise<number> {
  const column = quoteIdentifier(name);
  const from = `FROM ${quoteIdentifier(table)}`;
  const [range] = await queryRows(connection, `SELECT count(${column}) AS n, CAST(min(${column}) AS VARCHAR) AS low, CAST(max(${column}) AS VARCHAR) AS high,
    typeof(min(${column})) IN ('TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT') AS is_integer ${from}`);
  const rows = Number(range.n);
  if (rows === 0) return 0;
  if (range.is_integer && BigInt(String(range.high)) - BigInt(String(range.low)) < BigInt(8 * rows)) {
    const [counted] = await queryRows(connection, `SELECT count(${column}) - bit_count(bitstring_agg(${column}, $low, $high)) AS duplicates ${from}`,
      { low: BigInt(String(range.low)), high: BigInt(String(range.high)) });
    return Number(counted.duplicates);
  }
  const [counted] = await queryRows(connection, `SELECT count(${column}) - count(DISTINCT ${column}) AS duplicates ${from}`);
  return Number(counted.duplicates);
}

async function describeFailure(connection: DuckDBConnection, check: Check, count: number): Promise<string> {
  const { table, test } = check;
  const column = quoteIdentifier(check.column);
  const where = `${table}.${check.column}`;
  if (test === 'not_null') return `${where} not_null: ${rowCount(count)} with NULL`;
  const values = `SELECT CAST(${column} AS VARCHAR) AS value, count(*) AS n FROM ${quoteIdentifier(table)}`;
  const rows = test === 'unique'
    ? await queryRows(connection, `${values} WHERE ${column} IS NOT NULL GROUP BY ALL HAVING count(*) > 1 ORDER BY n DESC, value LIMIT 3`)
    : await queryRows(connection, `${values} WHERE NOT list_contains($accepted, CAST(${column} AS VARCHAR)) GROUP BY ALL ORDER BY n DESC, value LIMIT 3`,
      { accepted: listValue(test.accepted_values) });
  const examples = rows.map((example) => `${JSON.stringify(example.value)} (${rowCount(Number(example.n))})`).join(', ');
  if (test === 'unique') return `${where} unique: ${count} duplicate ${count === 1 ? 'row' : 'rows'}, e.g. ${examples}`;
  return `${where} accepted_values [${test.accepted_values.join(', ')}]: ${rowCount(count)} with other values, e.g. ${examples}`;
}

function rowCount(n: number): string {
  return n === 1 ? '1 row' : `${n} rows`;
}
