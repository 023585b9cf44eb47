/**
 * npm run bench -- <name> [options]: runs one benchmark; its last output line is one JSON object
 * {"name", "ours_s", "reference", "reference_s", "speedup": reference_s / ours_s, ...}
 * ('embed-cache' times a cold drop against a mostly unchanged one through the embedding cache: {"name", "speedup", "drop2_hit_rate", ...};
 * 'selection' measures the selection rule instead: {"name", "mean_regret", "worst_regret", "datasets", ...};
 * 'planted-lift' measures it on planted synthetic logs: {"name", "cases", "within_interval", "rows", ...}).
 * Results and the exact commands are recorded in docs/BENCHMARKS.md.
 */
export {};

const benchmarks: Record<string, () => Promise<{ run: (args: string[]) => Promise<Record<string, unknown>> }>> = {
  orchestration: () => import('./orchestration'),
  clean: () => import('./clean'),
  kmeans: () => import('./kmeans'),
  dbscan: () => import('./dbscan'),
  ward: () => import('./ward'),
  embed: () => import('./embed'),
  'embed-cache': () => import('./embed-cache'),
  'embed-int8': () => import('./embed-int8'),
  silhouette: () => import('./silhouette'),
  hdbscan: () => import('./hdbscan'),
  selection: () => import('./selection'),
  sweep: () => import('./sweep'),
  assign: () => import('./assign'),
  'planted-lift': () => import('./planted-lift'),
  scale: () => import('./scale'),
  'scale-pieces': () => import('./scale-pieces'),
};

const [name, ...args] = process.argv.slice(2);
const load = benchmarks[name ?? ''];
if (!load) {
  console.error(`usage: npm run bench -- <${Object.keys(benchmarks).join('|')}> [options]`);
  process.exit(2);
}
const result = await (await load()).run(args);
console.log(JSON.stringify({ name, ...result }));
process.exit(0);
