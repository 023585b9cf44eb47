import fs from 'node:fs';
import zlib from 'node:zlib';
import { builtInMappings, type FormatMapping } from './mapping';

/** Delimiters tried when recognizing a CSV by its first line, in order. */
export const DELIMITERS = [',', ';', '\t', '|'] as const;

/** Returns the first line of a (possibly gzipped) text file, or undefined for an empty file. */
export async function readFirstLine(file: string): Promise<string | undefined> {
  const raw = fs.createReadStream(file, { start: 0, end: 1 << 20 });
  const stream = file.endsWith('.gz') ? raw.pipe(zlib.createGunzip()) : raw;
  let buffered = '';
  try {
    for await (const chunk of stream) {
      buffered += (chunk as Buffer).toString('utf8');
      const newline = buffered.indexOf('\n');
      if (newline >= 0) return buffered.slice(0, newline).replace(/\r$/, '');
    }
  } catch (error) {
    // A 1 MiB prefix of a gzip file ends mid-stream; what was decoded so far is still good.
    if (buffered.length === 0) throw error;
  } finally {
    raw.destroy();
  }
  return buffered.length > 0 ? buffered.replace(/\r$/, '') : undefined;
}

export function splitFields(line: string, delimiter: string): string[] {
  return line.split(delimiter).map((field) => field.trim().replace(/^"|"$/g, ''));
}

function matches(mapping: FormatMapping, fields: string[]): boolean {
  const { requiredColumns, headerless } = mapping.detect ?? {};
  if (requiredColumns) return requiredColumns.every((column) => fields.includes(column));
  if (headerless) {
    return fields.length === headerless.fieldCount
      && headerless.values.includes(fields[headerless.valueColumn])
      && headerless.integerColumns.every((index) => /^\d+$/.test(fields[index]));
  }
  return false;
}

/** Recognizes a known CSV format (and its delimiter) from a file's first line. */
export function detectFormat(firstLine: string): { mapping: FormatMapping; delimiter: string } | undefined {
  for (const delimiter of DELIMITERS) {
    if (!firstLine.includes(delimiter)) continue;
    const fields = splitFields(firstLine, delimiter);
    const mapping = builtInMappings().find((candidate) => candidate.reader.kind === 'csv' && matches(candidate, fields));
    if (mapping) return { mapping, delimiter };
  }
  return undefined;
}
