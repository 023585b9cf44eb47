import fs from 'node:fs/promises';
import path from 'node:path';
import type { InspectDropInput, InspectDropOutput, LogFormat } from '../common/contracts';
import { badInput } from '../lib/bad-input';
import { openDuckDB, queryRows } from '../lib/duckdb';
import { runStepOnce } from '../lib/run-dir';
import { FORMAT_ADAPTERS, detectFormat, readFirstLine } from './formats';

const DATA_FILE = /\.(csv|tsv|txt)(\.gz)?$/i;

/**
 * First stage: resolves the drop (file, directory or glob) to files and detects their format.
 * Fails fast, non-retryably, on a missing path, an empty file or an unknown or mixed format.
 */
export async function inspectDrop(input: InspectDropInput): Promise<InspectDropOutput> {
  return runStepOnce(input.runDir, 'inspect', async () => {
    const files = await resolveDropFiles(input.source);
    let bytes = 0;
    const formats = new Map<string, LogFormat>();
    for (const file of files) {
      const { size } = await fs.stat(file);
      if (size === 0) {
        throw badInput(`${file} is empty (0 bytes); expected an event log: ${expectedLayouts()}`);
      }
      bytes += size;
      const firstLine = await readFirstLine(file);
      const format = firstLine === undefined ? undefined : detectFormat(firstLine);
      if (!format) {
        throw badInput(
          `${file}: unknown log format; first line is ${JSON.stringify((firstLine ?? '').slice(0, 200))}. ` +
            `Expected one of: ${expectedLayouts()}`,
        );
      }
      formats.set(file, format);
    }
    const distinct = [...new Set(formats.values())];
    if (distinct.length > 1) {
      const listing = [...formats].map(([file, format]) => `${file}: ${format}`).join('; ');
      throw badInput(`drop ${input.source} mixes log formats (${listing}); put each format in its own drop`);
    }
    return { files, format: distinct[0], bytes };
  });
}

function expectedLayouts(): string {
  return FORMAT_ADAPTERS.map((adapter) => adapter.expectedLayout).join(' | ');
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
    if (files.length === 0) throw badInput(`drop directory ${source} holds no .csv/.csv.gz files`);
    return files;
  }
  if (/[*?[]/.test(source)) {
    const files = await globFiles(source);
    if (files.length === 0) throw badInput(`drop glob ${source} matches no files`);
    return files;
  }
  throw badInput(`drop path ${source} does not exist; expected a file, a directory or a glob of event logs`);
}

/** DuckDB's glob() is the same matcher read_csv uses, so what we list is what it would read. */
async function globFiles(pattern: string): Promise<string[]> {
  const database = await openDuckDB(':memory:');
  try {
    const rows = await queryRows(database.connection, 'SELECT file FROM glob($pattern) ORDER BY file', { pattern });
    return rows.map((row) => String(row.file)).filter((file) => DATA_FILE.test(file) && !path.basename(file).startsWith('.'));
  } finally {
    database.close();
  }
}
