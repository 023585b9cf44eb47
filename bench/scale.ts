/**
 * scale: the whole pipeline (stage functions called directly, bench/direct-pipeline.ts) on the
 * shared synthetic REES46-format logs at several sizes, with the encoders behavior-stats + item2vec
 * + tfidf (the transformer has its own benchmark, `embed`):
 *   npm run bench -- scale [--sizes 10000,100000,1000000] [--resume]
 * Per size and stage: wall seconds and peak RSS. Peak RSS is this process's high-water mark
 * (VmHWM, which includes DuckDB's native memory): it is reset before each stage
 * (/proc/self/clear_refs) and read after it, so a stage's peak includes what earlier stages still
 * hold, and the size's peak_rss_mib is the largest stage peak. Each size runs in a fresh data
 * directory, bench/out/scale-<users> (kept afterwards for a closer look); with --resume the last run's
 * checkpoints there are reused, so only the steps whose code-visible settings changed run again.
 * Last line: {"name":"scale","sizes":[{"users","events","wall_s","peak_rss_mib","stages":{stage:{"wall_s","peak_rss_mib"}}}],
 *   "growth_exponent"}: log(wall ratio) / log(users ratio) of the two largest sizes.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import type { RunConfig } from '../common/run-config';
import { projectPath } from '../lib/paths';
import { installWorkerLogging } from '../lib/runtime/worker-logging';
import { runPipelineDirectly, type StageTimer } from './direct-pipeline';
import { cachedSyntheticLog, peakRssMiB, resetPeakRss, round } from './helpers';

const CONFIG: Partial<RunConfig> = { encoders: ['behavior-stats', 'item2vec', 'tfidf'], seed: '1' };

interface StageResult {
  wall_s: number;
  peak_rss_mib: number;
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({ args, options: { sizes: { type: 'string', default: '10000,100000,1000000' }, resume: { type: 'boolean', default: false } } });
  const sizes = values.sizes.split(',').map(Number);
  installWorkerLogging('ERROR');
  const results = [];
  for (const users of sizes) {
    const input = await cachedSyntheticLog(users);
    const dataDir = projectPath('bench', 'out', `scale-${users}`);
    // --resume keeps the last run's checkpoints: steps whose inputs and settings did not change take ~0 s.
    if (!values.resume) fs.rmSync(dataDir, { recursive: true, force: true });
    const stages: Record<string, StageResult> = {};
    const stage: StageTimer = async (name, body) => {
      resetPeakRss();
      const started = performance.now();
      try {
        return await body();
      } finally {
        stages[name] = { wall_s: round((performance.now() - started) / 1000), peak_rss_mib: peakRssMiB() };
        console.log(`${users} users: ${name} ${stages[name].wall_s} s, peak RSS ${stages[name].peak_rss_mib} MiB`);
      }
    };
    const started = performance.now();
    const output = await runPipelineDirectly(input, dataDir, CONFIG, stage);
    const wall = (performance.now() - started) / 1000;
    const result = {
      users: output.accounting.sequencedUsers,
      events: output.accounting.rawRows,
      wall_s: round(wall),
      peak_rss_mib: Math.max(...Object.values(stages).map((value) => value.peak_rss_mib)),
      stages,
    };
    console.log(JSON.stringify(result));
    results.push(result);
  }
  const [smaller, larger] = results.slice(-2);
  const growth = smaller && larger ? Math.log(larger.wall_s / smaller.wall_s) / Math.log(larger.users / smaller.users) : null;
  return { sizes: results, growth_exponent: growth === null ? null : round(growth) };
}
