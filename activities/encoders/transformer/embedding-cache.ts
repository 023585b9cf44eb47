import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { listValue, type DuckDBBlobValue, type DuckDBConnection } from '@duckdb/node-api';
import { pathExists, produceAtomically, writeJsonAtomic } from '../../../lib/runtime/atomic-write';
import { loadSql, sqlStringLiteral } from '../../../lib/runtime/duckdb';

/** One text's vector as the cache keeps it, with what tokenizing the text found (so shard stats stay the same on a hit). */
export interface CachedVector {
  vector: Float32Array;
  chunked: boolean;
  truncated: boolean;
}

export interface EmbeddingCache {
  /** The cached vectors of these text hashes (those found; the rest are misses). */
  lookup(hashes: Iterable<string>): Promise<Map<string, CachedVector>>;
  /** Adds freshly embedded texts: one new part file, renamed into place when complete. */
  add(entries: Map<string, CachedVector>): Promise<void>;
}

/** More part files than this are merged into one before a lookup (each lookup opens every part). */
const COMPACT_ABOVE_PARTS = 32;
const PART_PATTERN = /^part-[\w-]+\.parquet$/;

/**
 * The transformer's embedding cache of one model id: a directory of Parquet part files
 * (text_hash, vector, chunked, truncated), append-only. Every writer adds its own uniquely named
 * part, written under a temporary name and renamed, so several workers can write at once and a
 * crash leaves no half part. Readers semi-join the hashes they need against all parts in DuckDB.
 * Compaction merges the parts into one and then deletes exactly the parts it merged; a reader
 * that listed a part just deleted lists again. A part that cannot be read is deleted with a
 * warning (its texts are embedded and cached again); the cache never fails a run.
 */
export async function openEmbeddingCache(options: {
  dir: string;
  dimensions: number;
  connection: DuckDBConnection;
  warn: (message: string) => void;
  /** Written once as key.json: what the model id was made from, for whoever looks in the directory. */
  describe: unknown;
}): Promise<EmbeddingCache> {
  const { dir, dimensions, connection, warn } = options;
  await fs.mkdir(dir, { recursive: true });
  const keyFile = path.join(dir, 'key.json');
  if (!(await pathExists(keyFile))) await writeJsonAtomic(keyFile, options.describe);
  await connection.run('CREATE OR REPLACE TEMP TABLE embedding_cache_wanted (text_hash VARCHAR)');
  await connection.run('CREATE OR REPLACE TEMP TABLE embedding_cache_new (text_hash VARCHAR, vector BLOB, chunked BOOLEAN, truncated BOOLEAN)');

  const listParts = async () => (await fs.readdir(dir)).filter((name) => PART_PATTERN.test(name)).sort().map((name) => path.join(dir, name));
  const newPartPath = () => path.join(dir, `part-${Date.now().toString(36)}-${process.pid}-${randomBytes(6).toString('hex')}.parquet`);

  /** Deletes the parts that cannot be read whole; true if any was. A part gone meanwhile (compacted) is not damage. */
  async function dropDamagedParts(parts: string[]): Promise<boolean> {
    let dropped = false;
    for (const part of parts) {
      try {
        await connection.runAndReadAll(loadSql('encoders/embedding_cache_check_part.sql'), { file: part });
      } catch (error) {
        if (!(await pathExists(part))) continue;
        warn(`damaged embedding cache part ${part} (${(error as Error).message.split('\n')[0]}): ignored and deleted; its texts are embedded again`);
        await fs.rm(part, { force: true });
        dropped = true;
      }
    }
    return dropped;
  }

  /** Merges the parts into one; any failure leaves the parts as they are (a later lookup deals with damage). */
  async function compact(parts: string[]): Promise<void> {
    try {
      const list = `[${parts.map(sqlStringLiteral).join(', ')}]`;
      await produceAtomically(newPartPath(), (temporary) =>
        connection.run(`COPY (SELECT * FROM read_parquet(${list})) TO ${sqlStringLiteral(temporary)} (FORMAT parquet, ROW_GROUP_SIZE 100000)`));
      await Promise.all(parts.map((part) => fs.rm(part, { force: true })));
    } catch (error) {
      warn(`embedding cache compaction of ${parts.length} parts skipped: ${(error as Error).message.split('\n')[0]}`);
    }
  }

  async function lookup(hashes: Iterable<string>): Promise<Map<string, CachedVector>> {
    const found = new Map<string, CachedVector>();
    await connection.run('DELETE FROM embedding_cache_wanted');
    const appender = await connection.createAppender('embedding_cache_wanted', 'main', 'temp');
    for (const hash of hashes) {
      appender.appendVarchar(hash);
      appender.endRow();
    }
    appender.closeSync();
    let parts = await listParts();
    if (parts.length > COMPACT_ABOVE_PARTS) {
      await compact(parts);
      parts = await listParts();
    }
    for (let attempt = 1; parts.length > 0; attempt++) {
      try {
        const result = await connection.stream(loadSql('encoders/embedding_cache_lookup.sql'), { files: listValue(parts), vector_bytes: dimensions * 4 });
        for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
          for (const [hash, blob, chunked, truncated] of chunk.getRows()) {
            const bytes = (blob as DuckDBBlobValue).bytes;
            // Copied out: a Float32Array needs 4-byte alignment, and the chunk's memory is reused.
            const vector = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
            found.set(hash as string, { vector, chunked: chunked as boolean, truncated: truncated as boolean });
          }
        }
        return found;
      } catch (error) {
        found.clear();
        const listed = parts;
        parts = await listParts();
        if (attempt < 3) {
          // A part compacted away by another worker meanwhile: look again over the new list.
          if (parts.join('\n') !== listed.join('\n')) continue;
          if (await dropDamagedParts(parts)) {
            parts = await listParts();
            continue;
          }
        }
        warn(`embedding cache lookup failed (${(error as Error).message.split('\n')[0]}): embedding these texts instead`);
        return found;
      }
    }
    return found;
  }

  async function add(entries: Map<string, CachedVector>): Promise<void> {
    if (entries.size === 0) return;
    try {
      await connection.run('DELETE FROM embedding_cache_new');
      const appender = await connection.createAppender('embedding_cache_new', 'main', 'temp');
      for (const [hash, entry] of entries) {
        appender.appendVarchar(hash);
        appender.appendBlob(new Uint8Array(entry.vector.buffer, entry.vector.byteOffset, entry.vector.byteLength));
        appender.appendBoolean(entry.chunked);
        appender.appendBoolean(entry.truncated);
        appender.endRow();
      }
      appender.closeSync();
      await produceAtomically(newPartPath(), (temporary) =>
        connection.run(`COPY embedding_cache_new TO ${sqlStringLiteral(temporary)} (FORMAT parquet)`));
    } catch (error) {
      // A full disk or a removed directory costs the next drop some embedding, never this run.
      warn(`embedding cache not updated (${(error as Error).message.split('\n')[0]}): the run goes on without it`);
    }
  }

  return { lookup, add };
}
