import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CandidateMetrics } from '../../common/contracts';
import type { RunConfig } from '../../common/run-config';
import { dropRefFor } from '../../lib/runtime/drop-id';
import { startDrop } from '../../lib/client/pipeline-client';
import { projectPath } from '../../lib/paths';
import { MAP_MAX_POINTS } from '../../activities/report/segment-geometry';
import { screenshot, withPage } from '../helpers/browser';
import { query } from '../helpers/duckdb-query';
import { copyOfSample, withWorkers } from '../helpers/pipeline-harness';

/** Two encoders, k-means: two candidate families, four k each; small enough for a minute on two cores. */
const CONFIG: Partial<RunConfig> = { encoders: ['behavior-stats', 'tfidf'], shardCount: 2, kMin: 2, kMax: 5 };

/** Every chart the report draws, by its figure's data-chart name. */
const CHARTS = ['user-map', 'segment-sizes', 'event-mix', 'top-terms', 'similarity', 'metric-silhouette', 'metric-densitySilhouette', 'metric-stability', 'pareto', 'accounting', 'stages'];

/** Brands and categories a log could hold: markup, quotes, 10,000 characters, right-to-left text, emoji. */
const HOSTILE_BRANDS = [
  '<script>window.__pwned = "brand"</script>',
  `"double" 'single' & <b>bold</b>`,
  `long-${'L'.repeat(9_995)}`,
  'متجر עברית',
  '🛒💄✨ emoji',
];
const HOSTILE_CATEGORIES = [
  'beauty.<img src=x onerror="window.__pwned=\'category\'">',
  'متجر.עברית.אבג',
  'home.🛋️ sofa "deluxe"',
];

/** The bundled sample with every brand and category code replaced by one of the hostile texts (a stable pick per original). */
function writeHostileSample(target: string): void {
  const csv = (value: string) => `"${value.replaceAll('"', '""')}"`;
  const pick = <T>(list: T[], key: string) => list[[...key].reduce((sum, character) => sum + character.charCodeAt(0), 0) % list.length];
  const [header, ...lines] = fs.readFileSync(projectPath('data', 'sample', 'rees46-2019-oct-sample.csv'), 'utf8').trimEnd().split('\n');
  const rewritten = lines.map((line) => {
    const fields = line.split(','); // the sample has no quoted fields
    fields[5] = csv(pick(HOSTILE_CATEGORIES, fields[4]));
    fields[6] = csv(pick(HOSTILE_BRANDS, fields[6] || fields[3]));
    return fields.join(',');
  });
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, `${header}\n${rewritten.join('\n')}\n`);
}

describe('the report in headless Chromium', () => {
  it('shows every chart with its marks and logs no error, for a real run of the bundled sample', async () => {
    await withWorkers({ label: 'report-browser' }, async ({ client, taskQueues, dataDir }) => {
      const run = await startDrop(client, dropRefFor(copyOfSample(dataDir)), { dataDir, config: CONFIG, taskQueues });
      const output = await run.handle.result();
      const { rows } = JSON.parse(fs.readFileSync(output.leaderboardPath, 'utf8')) as { rows: CandidateMetrics[] };
      const families = new Set(rows.map((row) => `${row.candidate.encoder}/${row.candidate.algorithm}`)).size;
      // The names are in segments.parquet (next to the segment) and segment-profiles.json, the same in both.
      const profiles = JSON.parse(fs.readFileSync(path.join(path.dirname(output.reportPath), 'segment-profiles.json'), 'utf8')) as { profiles: Array<{ segment: number; name: string; description: string }> };
      const named = await query('SELECT DISTINCT segment, segment_name FROM read_parquet($path) ORDER BY segment', { path: output.segmentsPath });
      expect(named).toEqual(profiles.profiles.map((profile) => ({ segment: profile.segment, segment_name: profile.name })));
      expect(profiles.profiles.every((profile) => profile.description.length > 20)).toBe(true);
      const html = fs.readFileSync(output.reportPath, 'utf8');
      expect(html).not.toMatch(/<script|<link|<img|<iframe|url\((?!#)/); // self-contained: no script, nothing fetched

      await withPage(output.reportPath, async ({ page, errors }) => {
        const count = (selector: string) => page.$$eval(selector, (nodes) => nodes.length);
        for (const chart of CHARTS) expect(await count(`figure[data-chart="${chart}"] svg`), chart).toBeGreaterThan(0);
        expect(await count('figure[data-chart="user-map"] g.users_marks path')).toBe(Math.min(MAP_MAX_POINTS, output.accounting.sequencedUsers));
        expect(await count('figure[data-chart="segment-sizes"] g.segment_bars_marks path')).toBe(output.chosen.k);
        expect(await count('figure[data-chart="similarity"] g.similarity_cells_marks path')).toBe(output.chosen.k ** 2);
        for (const metric of ['metric-silhouette', 'metric-densitySilhouette', 'metric-stability']) {
          expect(await count(`figure[data-chart="${metric}"] g.family_lines_marks path`), metric).toBe(families);
          expect(await count(`figure[data-chart="${metric}"] g.chosen_candidate_marks path`), metric).toBe(1);
        }
        expect(await count('figure[data-chart="pareto"] g.candidates_marks path')).toBeGreaterThan(0);
        expect(await count('section.card')).toBe(output.chosen.k);
        // Every segment is named, and the names are unique.
        const names = await page.$$eval('section.card h3', (nodes) => nodes.map((node) => node.firstChild?.textContent?.trim() ?? ''));
        expect(new Set(names).size).toBe(output.chosen.k);
        expect(names.every((name) => name.length > 0 && !/^segment \d+$/i.test(name))).toBe(true);
        const shot = await screenshot(page, output.reportPath, 'report-bundled-sample');
        console.log(`report screenshot: ${shot}; segments: ${names.join(' | ')}`);
        expect(errors).toEqual([]);
      });
    });
  });

  it('shows brands and categories holding markup, quotes, 10,000 characters, right-to-left text and emoji escaped and intact', async () => {
    await withWorkers({ label: 'report-hostile' }, async ({ client, taskQueues, dataDir }) => {
      const log = path.join(dataDir, 'inputs', 'hostile.csv');
      writeHostileSample(log);
      const run = await startDrop(client, dropRefFor(log), { dataDir, config: { ...CONFIG, encoders: ['behavior-stats'] }, taskQueues });
      const output = await run.handle.result();

      await withPage(output.reportPath, async ({ page, errors, dialogs }) => {
        // Nothing from the data ran or became an element (the page's own context is read through strings: no DOM types here).
        expect(await page.evaluate('window.__pwned')).toBeUndefined();
        expect(dialogs).toEqual([]);
        expect(await page.evaluate("[document.scripts.length, document.images.length, document.querySelectorAll('b').length]")).toEqual([0, 0, 0]);
        // ...and its text is on the page as written: in the tables, the cards and the charts' SVG text.
        const text = String(await page.evaluate('document.body.innerText'));
        for (const shown of [HOSTILE_BRANDS[0], HOSTILE_BRANDS[1], HOSTILE_BRANDS[3], HOSTILE_BRANDS[4], 'متجر.עברית.אבג', 'home.🛋️ sofa "deluxe"']) expect(text, shown).toContain(shown);
        const chartText = await page.$$eval('figure.chart svg text', (nodes) => nodes.map((node) => node.textContent ?? '').join('\n'));
        expect(chartText).toContain('<script>window.'); // (axis labels are cut to their width)
        expect(chartText).toMatch(/🛒💄✨|متجر/);
        // The 10,000-character brand is shown cut, whole in a tooltip, and never stretches the page.
        expect(text).toContain(`long-${'L'.repeat(195)}…`);
        expect(await page.$$eval('[title]', (nodes) => nodes.some((node) => node.getAttribute('title') === `long-${'L'.repeat(9_995)}`))).toBe(true);
        expect(Number(await page.evaluate('document.documentElement.scrollWidth'))).toBeLessThan(2000);
        const shot = await screenshot(page, output.reportPath, 'report-hostile-text');
        console.log(`hostile report screenshot: ${shot}`);
        expect(errors).toEqual([]);
      });
    });
  });
});
