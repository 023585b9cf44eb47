import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { projectPath } from '../paths';

/**
 * Builds the clustering kernels in native/ into a Node-API addon with the system C compiler
 * (cc, or $CC). No node-gyp: it would download Node's headers, which the official Node builds
 * ship next to the binary (include/node) anyway. The addon is rebuilt when a source is newer.
 * Without a compiler the engines fall back to their TypeScript/onnxruntime paths (slower).
 */
export const NATIVE_ADDON = projectPath('build', 'native', 'bseg-kernels.node');
const SOURCES = projectPath('native');

/** Files compiled with -ffast-math (vectorized float32 dot products); the rest keep IEEE order. */
const FAST_MATH = new Set(['kmeans.c']);

export function nodeIncludeDir(): string {
  const candidates = [
    process.env.BSEG_NODE_INCLUDE,
    path.resolve(path.dirname(process.execPath), '..', 'include', 'node'),
    '/usr/include/node',
  ].filter((dir): dir is string => Boolean(dir));
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, 'node_api.h')));
  if (!found) {
    throw new Error(`native kernels: node_api.h not found in ${candidates.join(', ')}; set BSEG_NODE_INCLUDE to Node's include/node directory`);
  }
  return found;
}

export function nativeAddonIsCurrent(): boolean {
  if (!fs.existsSync(NATIVE_ADDON)) return false;
  const built = fs.statSync(NATIVE_ADDON).mtimeMs;
  return fs.readdirSync(SOURCES).every((file) => fs.statSync(path.join(SOURCES, file)).mtimeMs <= built);
}

export function buildNativeAddon(log: (line: string) => void = () => {}): string {
  if (nativeAddonIsCurrent()) return NATIVE_ADDON;
  const compiler = process.env.CC ?? 'cc';
  // -march=native: the addon is built on the machine that runs it. $BSEG_NATIVE_ARCH_FLAGS overrides.
  const archFlags = (process.env.BSEG_NATIVE_ARCH_FLAGS ?? '-march=native').split(/\s+/).filter(Boolean);
  const include = nodeIncludeDir();
  const objects = path.join(path.dirname(NATIVE_ADDON), 'objects');
  fs.mkdirSync(objects, { recursive: true });
  const compiled = fs.readdirSync(SOURCES).filter((file) => file.endsWith('.c')).map((file) => {
    const object = path.join(objects, file.replace(/\.c$/, '.o'));
    // -ffp-contract=off: no fused multiply-adds where results must match the reference bit for bit.
    const math = FAST_MATH.has(file) ? ['-ffast-math'] : ['-ffp-contract=off'];
    const args = ['-std=gnu11', '-O3', ...archFlags, ...math, '-fPIC', '-pthread', '-Wall', '-Wextra', '-Werror',
      '-DNODE_GYP_MODULE_NAME=bseg_kernels', `-I${include}`, '-c', path.join(SOURCES, file), '-o', object];
    log(`${compiler} ${args.join(' ')}`);
    execFileSync(compiler, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    return object;
  });
  const temporary = `${NATIVE_ADDON}.tmp-${process.pid}`;
  execFileSync(compiler, ['-shared', '-pthread', ...compiled, '-lm', '-o', temporary], { stdio: ['ignore', 'inherit', 'inherit'] });
  fs.renameSync(temporary, NATIVE_ADDON);
  return NATIVE_ADDON;
}
