import fs from 'node:fs/promises';
import path from 'node:path';
import type { InspectDropInput, InspectDropOutput } from '../common/contracts';
import { badInput } from '../common/errors';
import { openDuckDB, queryRows } from '../lib/runtime/duckdb';
import { runStepOnce } from '../lib/runtime/run-dir';
import { runSteps } from '../common/run-layout';
import { changedSince, pinFiles } from '../lib/runtime/file-identity';
import { detectFormat, readFirstLine, splitFields } from './ingest/detect';
import { verifyGzip } from './ingest/verify-gzip';
import { builtInMappings, describeLayout, readMappingFile, type FormatMapping } from './ingest/mapping';

const DATA_FILE = /\.(csv|tsv|txt|jsonl|ndjson|json|parquet)(\.gz)?$/i;

/**
 * First stage: resolves the drop (file, directory or glob) to files and finds how to read them:
 * a known format detected from each file's first line, or the run's mapping file. Fails fast,
 * non-retryably, on a missing path, an empty file, an unknown or mixed format, or a mapping whose
 * columns the files do not have.
 */
export async function inspectDrop(input: InspectDropInput): Promise<InspectDropOutput> {
  return runStepOnce({
    runDir: input.runDir,
    step: runSteps.inspect,
    madeFrom: { source: input.source, mappingFile: input.mappingFile ?? null },
    outputs: () => [],
    stillValid: inspectionStillHolds(input.source),
  }, () => inspectFiles(input));
}

/** A recorded inspection holds while the drop has the same files, unchanged (a re-trigger after a change inspects again). */
function inspectionStillHolds(source: string) {
  return async (recorded: InspectDropOutput): Promise<boolean> => {
    const files = await resolveDropFiles(source).catch(() => []);
    return files.join('\n') === recorded.files.join('\n') && (await changedSince(recorded.pinned)).length === 0;
  };
}

async function inspectFiles(input: InspectDropInput): Promise<InspectDropOutput> {
  {
    const files = await resolveDropFiles(input.source);
    const pinned = await pinFiles(files);
    let bytes = 0;
    for (const file of files) {
      const { size } = await fs.stat(file);
      if (size === 0) throw badInput(`${file} is empty (0 bytes); expected an event log: ${expectedLayouts()}`);
      if (file.endsWith('.gz')) await verifyGzip(file);
      bytes += size;
    }
    if (input.mappingFile) {
      const mapping = readMappingFile(input.mappingFile);
      const delimiter = mapping.reader.kind === 'csv' ? mapping.reader.delimiter ?? ',' : '';
      for (const file of files) await checkMappedColumns(file, mapping, delimiter);
      return { files, pinned, format: mapping.name, delimiter, bytes };
    }
    const detected = new Map<string, { format: string; delimiter: string }>();
    for (const file of files) {
      const firstLine = await readFirstLine(file);
      const found = firstLine === undefined ? undefined : detectFormat(firstLine);
      if (!found) {
        throw badInput(
          `${file}: unknown log format; first line is ${JSON.stringify((firstLine ?? '').slice(0, 200))}. ` +
            `Expected one of: ${expectedLayouts()}; or give a mapping file (--set mappingFile=<path>, see docs/DATA-CONTRACTS.md)`,
        );
      }
      detected.set(file, { format: found.mapping.name, delimiter: found.delimiter });
    }
    const kinds = new Set([...detected.values()].map((value) => `${value.format} (delimiter ${JSON.stringify(value.delimiter)})`));
    if (kinds.size > 1) {
      const listing = [...detected].map(([file, value]) => `${file}: ${value.format}, delimiter ${JSON.stringify(value.delimiter)}`).join('; ');
      throw badInput(`drop ${input.source} mixes log formats (${listing}); put each format in its own drop`);
    }
    const [{ format, delimiter }] = detected.values();
    return { files, pinned, format, delimiter, bytes };
  }
}

function expectedLayouts(): string {
  return builtInMappings().map(describeLayout).join(' | ');
}

/** A mapping names source columns; a file that lacks one fails here, naming both. */
async function checkMappedColumns(file: string, mapping: FormatMapping, delimiter: string): Promise<void> {
  let columns: string[];
  if (mapping.reader.kind === 'csv') {
    if (mapping.reader.header === false) return;
    columns = splitFields((await readFirstLine(file)) ?? '', delimiter);
  } else {
    const database = await openDuckDB(':memory:');
    try {
      const reader = mapping.reader.kind === 'jsonl' ? "read_json($file, format = 'newline_delimited')" : 'read_parquet($file)';
      columns = (await queryRows(database.connection, `DESCRIBE SELECT * FROM ${reader}`, { file })).map((row) => String(row.column_name));
    } catch (error) {
      throw badInput(`${file} cannot be read as ${mapping.reader.kind.toUpperCase()}: ${(error as Error).message}`);
    } finally {
      database.close();
    }
  }
  const missing = Object.entries(mapping.columns).filter(([, source]) => !columns.includes(source!));
  if (missing.length > 0) {
    throw badInput(
      `${file}: mapping "${mapping.name}" expects column(s) ${missing.map(([canonical, source]) => `"${source}" (for ${canonical})`).join(', ')}; ` +
        `the file has: ${columns.join(', ')}`,
    );
  }
}

export async function resolveDropFiles(source: string): Promise<string[]> {
  const stat = await fs.stat(source).catch(() => undefined);
  if (stat?.isFile()) return [path.resolve(source)];
  if (stat?.isDirectory()) {
    const entries = await fs.readdir(source, { recursive: true, withFileTypes: true });
    const files = entries
      .filter((entry) => entry.isFile() && !entry.name.startsWith('.') && DATA_FILE.test(entry.name))
      .map((entry) => path.resolve(entry.parentPath, entry.name))
      .sort();
    if (files.length === 0) throw badInput(`drop directory ${source} holds no event files (.csv, .jsonl, .parquet, optionally .gz)`);
    return files;
  }
  if (/[*?[]/.test(source)) {
    const files = await globFiles(source);
    if (files.length === 0) throw badInput(`drop glob ${source} matches no files`);
    return files;
  }
  throw badInput(`drop path ${source} does not exist; expected a file, a directory or a glob of event logs`);
}

/** DuckDB's glob() is the same matcher its readers use, so what we list is what they would read. */
async function globFiles(pattern: string): Promise<string[]> {
  const database = await openDuckDB(':memory:');
  try {
    const rows = await queryRows(database.connection, 'SELECT file FROM glob($pattern) ORDER BY file', { pattern });
    return rows.map((row) => String(row.file)).filter((file) => DATA_FILE.test(file) && !path.basename(file).startsWith('.'));
  } finally {
    database.close();
  }
}
