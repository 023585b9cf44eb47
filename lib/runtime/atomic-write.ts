import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * Outputs are written under a temporary name next to their final place and renamed when complete,
 * so a crash never leaves a half-written file that looks like a finished checkpoint.
 */
export function temporaryPathFor(finalPath: string): string {
  return path.join(path.dirname(finalPath), `.${path.basename(finalPath)}.tmp-${randomBytes(4).toString('hex')}`);
}

export async function writeFileAtomic(finalPath: string, contents: string | Uint8Array): Promise<void> {
  await fs.mkdir(path.dirname(finalPath), { recursive: true });
  const temporary = temporaryPathFor(finalPath);
  try {
    await fs.writeFile(temporary, contents);
    await fs.rename(temporary, finalPath);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
  }
}

export async function writeJsonAtomic(finalPath: string, value: unknown): Promise<void> {
  await writeFileAtomic(finalPath, JSON.stringify(value, null, 2) + '\n');
}

/**
 * Runs `produce` against a temporary path (file or directory) and renames it into place only if
 * `produce` succeeds. An existing final path is replaced.
 */
export async function produceAtomically<T>(finalPath: string, produce: (temporaryPath: string) => Promise<T>): Promise<T> {
  await fs.mkdir(path.dirname(finalPath), { recursive: true });
  const temporary = temporaryPathFor(finalPath);
  try {
    const result = await produce(temporary);
    await fs.rm(finalPath, { recursive: true, force: true });
    await fs.rename(temporary, finalPath);
    return result;
  } catch (error) {
    await fs.rm(temporary, { recursive: true, force: true });
    throw error;
  }
}

export async function pathExists(target: string): Promise<boolean> {
  try {
    await fs.access(target);
    return true;
  } catch {
    return false;
  }
}
