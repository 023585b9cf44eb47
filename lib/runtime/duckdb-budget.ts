import os from 'node:os';
import type { DuckDBSettings } from './duckdb';

/** The run config's DuckDB fields (common/config/runtime.ts). */
export interface DuckDBBudget {
  duckdbThreads: number;
  duckdbMemoryLimit: string;
}

const UNIT_BYTES: Record<string, number> = {
  kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40,
};

/** Bytes of a size as the config writes it ('4GB', '512 MiB'); DuckDB reads GB as 10^9 bytes too. */
export function sizeInBytes(size: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]+)$/i.exec(size.trim());
  const unit = match ? UNIT_BYTES[match[2].toLowerCase()] : undefined;
  if (!match || unit === undefined) throw new RangeError(`not a size like '4GB': ${JSON.stringify(size)}`);
  return Number(match[1]) * unit;
}

/**
 * The DuckDB settings of one activity that runs next to `concurrent - 1` others of its step on
 * the same worker (scoring candidates: sweepConcurrency; fitting encoders: how many are fitted):
 * duckdbMemoryLimit is what they may use together, and the threads (duckdbThreads, or every core
 * when it is 0) are split the same way, so four candidates scored at once take a quarter each
 * instead of four times the limit.
 */
export function duckdbShare(budget: DuckDBBudget, concurrent = 1, tempDirectory?: string): DuckDBSettings {
  const share = Math.max(1, Math.floor(concurrent));
  const threads = budget.duckdbThreads > 0 ? budget.duckdbThreads : os.availableParallelism();
  const memoryMiB = Math.max(1, Math.floor(sizeInBytes(budget.duckdbMemoryLimit) / share / 2 ** 20));
  return {
    threads: Math.max(1, Math.floor(threads / share)),
    memoryLimit: `${memoryMiB}MiB`,
    ...(tempDirectory ? { tempDirectory } : {}),
  };
}
