import fs from 'node:fs';
import zlib from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { badInput } from '../../common/errors';

/**
 * DuckDB reads a truncated gzip file up to the cut and stops without an error, which would lose
 * the rest of the file silently. So every .gz file is decompressed once, end to end, before it
 * is read; a truncated or corrupt one fails here, naming the file.
 */
export async function verifyGzip(file: string): Promise<void> {
  let decompressed = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      decompressed += chunk.length;
      callback();
    },
  });
  try {
    await pipeline(fs.createReadStream(file), zlib.createGunzip(), sink);
  } catch (error) {
    throw badInput(
      `${file}: the gzip stream is truncated or corrupt (${(error as Error).message}) after ${decompressed} decompressed bytes; ` +
        'expected a complete gzip file (re-copy or re-export it)',
    );
  }
}
