/**
 * Seeds derived from the run identity, so a retried or re-run step reproduces its result.
 * FNV-1a over the joined parts: tiny, pure and stable across Node versions (workflows use it).
 */
export function deriveSeed(...parts: Array<string | number>): number {
  let hash = 0x811c9dc5;
  const text = parts.join('\u0000');
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
