import fs from 'node:fs/promises';

/**
 * What a drop's file was when the run inspected it: its size and modification time. A file that
 * grows (rows appended), shrinks or is replaced changes one of them, without reading gigabytes
 * again. Later steps compare against it, so a run never mixes two versions of its input.
 */
export interface FileIdentity {
  path: string;
  size: number;
  mtimeMs: number;
}

export async function pinFiles(files: string[]): Promise<FileIdentity[]> {
  return Promise.all(files.map(async (file) => {
    const { size, mtimeMs } = await fs.stat(file);
    return { path: file, size, mtimeMs };
  }));
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
