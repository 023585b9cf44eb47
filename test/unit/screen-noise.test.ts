import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPipelineDirectly } from '../../bench/direct-pipeline';
import type { CandidateMetrics } from '../../common/contracts';
import { projectPath } from '../../lib/paths';
import { readLabelsFile } from '../../lib/runtime/labels-file';
import { freshDataDir } from '../helpers/pipeline-harness';

const DEMO = projectPath('data', 'demo', 'rees46-cosmetics-demo.csv.gz');

describe('screens measure the noise share and density silhouette the rule reads (and skip the distances)', () => {
  it('on the bundled real demo log with DBSCAN, each screen carries its labels\' noise share and cluster sizes, and the full score\'s density silhouette', async () => {
    const dataDir = freshDataDir('screen-noise');
    await runPipelineDirectly(DEMO, dataDir, {
      encoders: ['behavior-stats'], algorithms: ['dbscan', 'kmeans'], kMin: 2, kMax: 4,
      dbscanEpsQuantiles: [0.5, 0.9], dbscanMinSamples: [5], fullyScoredShare: 0.3, fullyScoredMin: 1,
    });
    const runDir = path.join(dataDir, 'runs', fs.readdirSync(path.join(dataDir, 'runs'))[0]);
    const screensDir = path.join(runDir, 'evaluation', 'screens');
    const screens = fs.readdirSync(screensDir);
    expect(screens.length).toBe(5);
    let noisy = 0;
    let compared = 0;
    for (const file of screens) {
      const screen = JSON.parse(fs.readFileSync(path.join(screensDir, file), 'utf8')) as CandidateMetrics;
      const { labels } = await readLabelsFile(path.join(runDir, 'clusters', file.replace(/\.json$/, ''), 'labels.arrow'));
      const noise = labels.filter((label) => label < 0).length;
      expect(screen.shape?.noiseFraction).toBeCloseTo(noise / labels.length, 12);
      expect(screen.shape?.sizes.max).toBeGreaterThan(0);
      if (noise > 0) noisy++;
      // The density silhouette: the same seeded sample as full scoring, so the same value.
      const scored = path.join(runDir, 'evaluation', 'candidates', file);
      if (screen.clusterSizes.length >= 2) expect(Number.isFinite(screen.densitySilhouette)).toBe(true);
      if (fs.existsSync(scored)) {
        expect(screen.densitySilhouette).toBe((JSON.parse(fs.readFileSync(scored, 'utf8')) as CandidateMetrics).densitySilhouette);
        compared++;
      }
    }
    expect(noisy).toBeGreaterThan(0);
    expect(compared).toBeGreaterThan(0);
  }, 300_000);
});
