import { fileURLToPath } from 'node:url';
import path from 'node:path';
import os from 'node:os';

/** The repository root, wherever the process was started from. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function projectPath(...parts: string[]): string {
  return path.join(PROJECT_ROOT, ...parts);
}

/** Where provisioned tools (Temporal CLI, models) are cached across clones: $BSEG_CACHE_DIR or ~/.cache. */
export function cacheDir(): string {
  return process.env.BSEG_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'behavior-segmentation');
}

/** Where runs and the dev server's SQLite file live by default: $BSEG_DATA_DIR or <repo>/.data. */
export function defaultDataDir(): string {
  return path.resolve(process.env.BSEG_DATA_DIR ?? projectPath('.data'));
}
