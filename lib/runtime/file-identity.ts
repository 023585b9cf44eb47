import fs from 'node:fs/promises';
import { sha256File } from './step-outputs';

/**
 * What a drop's file was when the run inspected it: its size, modification time and content
 * digest. A file that grows (rows appended), shrinks or is replaced changes size or time, which
 * later steps compare without reading gigabytes again, so a run never mixes two versions of its
 * input; the digest enters the cleaning step's fingerprint and lets `client verify` prove the
 * input is still the one the results were made from.
 */
export interface FileIdentity {
  path: string;
  size: number;
  mtimeMs: number;
  sha256?: string;
}

export async function pinFiles(files: string[]): Promise<FileIdentity[]> {
  const pinned: FileIdentity[] = [];
  for (const file of files) {
    const { size, mtimeMs } = await fs.stat(file);
    pinned.push({ path: file, size, mtimeMs, sha256: await sha256File(file) });
  }
  return pinned;
}

/** One line per pinned file that is gone or differs now ([] when all are as pinned). */
export async function changedSince(pinned: FileIdentity[]): Promise<string[]> {
  const changes: string[] = [];
  for (const [index, now] of (await Promise.all(pinned.map((file) => fs.stat(file.path).catch(() => undefined)))).entries()) {
    const then = pinned[index];
    if (!now) changes.push(`${then.path} is gone`);
    else if (now.size !== then.size) changes.push(`${then.path} went from ${then.size} to ${now.size} bytes`);
    else if (now.mtimeMs !== then.mtimeMs) changes.push(`${then.path} was modified (${new Date(then.mtimeMs).toISOString()} -> ${new Date(now.mtimeMs).toISOString()})`);
  }
  return changes;
}
