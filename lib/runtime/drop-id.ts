import path from 'node:path';
import { createHash } from 'node:crypto';
import type { DropRef } from '../../common/contracts';

/**
 * A drop's id is derived from its absolute path (or glob), so triggering the same drop twice maps
 * to the same workflow id and the same run directory. A readable slug keeps it recognizable in
 * the Temporal UI; the hash keeps two drops with the same file name apart.
 */
export function dropRefFor(source: string): DropRef {
  const absolute = path.resolve(source);
  const slug = path.basename(absolute).replace(/\.(csv|tsv|jsonl|json|parquet)(\.gz)?$/i, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'drop';
  const hash = createHash('sha256').update(absolute).digest('hex').slice(0, 10);
  return { dropId: `${slug}-${hash}`, source: absolute };
}
