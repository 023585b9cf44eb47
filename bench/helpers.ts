import fs from 'node:fs';
import path from 'node:path';
import { seededRandom } from '../activities/clustering/random';
import { projectPath } from '../lib/paths';
import { writeSyntheticLog } from '../lib/tooling/synthetic-events';

/** Peak resident memory of this process so far (VmHWM), in MiB. */
export function peakRssMiB(): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return match ? Math.round(Number(match[1]) / 1024) : NaN;
}

/** Resets VmHWM, so the next peakRssMiB() measures only what follows. */
export function resetPeakRss(): void {
  fs.writeFileSync('/proc/self/clear_refs', '5');
}

export const round = (value: number) => Math.round(value * 1000) / 1000;

/**
 * n x d Gaussian blobs around k centres drawn uniformly from [-spread, spread]^d, with standard
 * deviation `std`, plus a fraction of uniform background noise over the same box (+25%).
 */
export function gaussianBlobs(options: { n: number; d: number; k: number; spread: number; std: number; noiseFraction?: number; seed: number }): Float32Array {
  const { n, d, k, spread, std, noiseFraction = 0, seed } = options;
  const random = seededRandom(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const centers = Float64Array.from({ length: k * d }, () => -spread + 2 * spread * random());
  const data = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const background = random() < noiseFraction;
    const c = Math.floor(random() * k);
    for (let j = 0; j < d; j++) {
      data[i * d + j] = background ? -1.25 * spread + 2.5 * spread * random() : centers[c * d + j] + std * gaussian();
    }
  }
  return data;
}

/** The synthetic REES46-format log of `users` users (seed 1) the benchmarks share, generated once under bench/out. */
export async function cachedSyntheticLog(users: number): Promise<string> {
  const input = projectPath('bench', 'out', `synthetic-${users}.csv`);
  if (!fs.existsSync(input)) {
    fs.mkdirSync(path.dirname(input), { recursive: true });
    const { events } = await writeSyntheticLog(input, { users, seed: 1 });
    console.log(`generated ${input}: ${events} events`);
  }
  return input;
}
