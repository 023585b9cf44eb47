import { describe, expect, it } from 'vitest';
import { renderReport, type ReportModel } from '../../activities/report/render-report';
import { paretoFront } from '../../activities/report/charts/candidate-charts';
import { stageSpans } from '../../activities/report/charts/run-charts';
import type { CandidateMetrics } from '../../common/contracts';
import { resolveRunConfig } from '../../common/run-config';
import type { AcrossDrops } from '../../activities/report/across-drops';
import { inWords } from '../../activities/report/across-drops-section';
import { markCount } from '../helpers/svg-marks';

const HOSTILE = '<script>alert("x")</script> & \'q\'';

function candidate(k: number, stability: number, lift: number | null): CandidateMetrics {
  const estimate = { value: lift, ciLow: lift === null ? null : lift - 0.1, ciHigh: k === 3 ? null : lift === null ? null : lift + 0.1, segment: 0, baseline: 0 };
  return {
    candidate: { encoder: 'behavior-stats', algorithm: 'kmeans', params: `k=${k}`, k },
    silhouette: 0.3, silhouetteSampled: false, daviesBouldin: 1, calinskiHarabasz: 10, inertia: 5, clusterSizes: Array(k).fill(2), clusterSeconds: 0.1,
    stability: { seeds: { mean: stability, sd: 0, runs: [stability] }, subsamples: { mean: stability, sd: 0, runs: [] }, points: 10 } as never,
    downstream: { users: 10, catalogue: 5, ks: [], segment: {}, popularity: {}, random: {}, lift: { ndcg10: estimate }, validation: { users: 5, ndcg10: estimate } } as never,
  };
}

function model(): ReportModel {
  const rows = [candidate(2, 0.9, 0.1), candidate(3, 0.8, 0.3), candidate(4, 0.6, 0.2)];
  const profile = (segment: number) => ({
    segment, users: 3, share: 0.5, mean_events: 4, view_share: 0.7, cart_share: 0.2, purchase_share: 0.1, buyer_share: 0.3, mean_price: 10,
    name: `${HOSTILE} ${segment}`, description: HOSTILE,
  });
  return {
    dropId: 'drop', workflowId: 'wf', runDir: '/runs/x',
    accounting: { rawRows: 10, cleanedRows: 8, quarantinedRows: 1, duplicateRows: 1, quarantineByReason: { [HOSTILE]: 1 }, users: 6, sequencedUsers: 6, holdoutEvents: 2, holdoutUsers: 2 },
    leaderboard: rows, selectionRule: 'rule', chosen: rows[0].candidate, selectionReason: 'best',
    profiles: [profile(0), profile(1)],
    topTerms: [{ segment: 0, kind: 'brand', term: HOSTILE, lift: 2, segment_users: 3 }, { segment: 1, kind: 'category', term: '2053013555631882655', lift: 1.5, segment_users: 3 }],
    representatives: [{ segment: 0, userId: 'u1', sequence: `viewed ${HOSTILE}` }],
    geometry: {
      map: { points: [{ x: 0, y: 0, segment: 0 }, { x: 1, y: 1, segment: 1 }, { x: 0.1, y: 0.2, segment: 0 }], explained: [0.6, 0.3], users: 3 },
      similarity: { segments: [0, 1], values: [[1, -1], [-1, 1]] },
    },
    steps: [{ step: 'clean', finishedAt: '2026-01-01T00:00:02Z' }, { step: 'embed-tfidf-shard-0000', finishedAt: '2026-01-01T00:00:05Z' }],
    startedAt: '2026-01-01T00:00:00Z',
    config: resolveRunConfig({}),
    generatedAt: 'now',
  };
}

/**
 * A pipeline's third drop: segments 0, 1, 2 of model v1; 1 split into 1 and 3 (3 is new); 2 disappeared.
 * Drop 2 was assigned before sizes were recorded.
 */
function acrossDrops(): AcrossDrops {
  return {
    pipeline: 'shop',
    summary: { mode: 'refit', comparedWith: { pipeline: 'shop', version: 1, dropId: 'day-1' }, returningUsers: 90, driftScore: 0.31, migratedShare: 0.31, shareShift: 0.2, centroidSpace: 'model space' },
    names: [{ id: 0, name: 'Browsers' }, { id: 1, name: HOSTILE }, { id: 2, name: 'Buyers' }, { id: 3, name: 'segment 3' }],
    sizes: [
      { sequence: 1, dropId: 'day-1', id: 0, users: 40 }, { sequence: 1, dropId: 'day-1', id: 1, users: 30 }, { sequence: 1, dropId: 'day-1', id: 2, users: 30 },
      { sequence: 3, dropId: 'day-3', id: 0, users: 42 }, { sequence: 3, dropId: 'day-3', id: 1, users: 16 }, { sequence: 3, dropId: 'day-3', id: 3, users: 14 },
    ],
    dropsWithoutSizes: 1,
    transitions: [
      { kind: 'survived', from: [0], to: [0], overlaps: [0.95] },
      { kind: 'split', from: [1], to: [1, 3], overlaps: [0.5, 0.45] },
      { kind: 'disappeared', from: [2], to: [], overlaps: [] },
    ],
    migration: { rows: [0, 1, 2, -1], columns: [0, 1, 3, -1], counts: [[38, 1, 1, 0], [0, 15, 13, 2], [10, 5, 5, 0], [0, 0, 0, 0]], rates: [[0.95, 0.025, 0.025, 0], [0, 0.5, 0.43, 0.07], [0.5, 0.25, 0.25, 0], [0, 0, 0, 0]] },
  };
}

describe('report charts', () => {
  it('draws every chart as inline SVG, with text from the data escaped inside the SVG too', async () => {
    const html = await renderReport(model());
    for (const chart of ['user-map', 'segment-sizes', 'event-mix', 'top-terms', 'similarity', 'metric-silhouette', 'metric-stability', 'metric-lift', 'pareto', 'accounting', 'stages']) {
      expect(html, chart).toMatch(new RegExp(`<figure class="chart" data-chart="${chart}"><svg`));
    }
    expect(html).not.toMatch(/<script|<img|<link/);
    // The names reach the SVG text marks (map centres), escaped by the renderer.
    expect(html).toMatch(/<text[^>]*>&lt;script&gt;alert\(/);
    // An id where the log has no name is labelled as one.
    expect(html).toMatch(/<text[^>]*>#2053013555631882655<\/text>/);
  });

  it('shows a drop compared with its model across drops: one line per persisted segment, one cell per migration matrix entry, transitions in words', async () => {
    const plain = await renderReport(model());
    expect(plain).not.toContain('Across drops');
    const html = await renderReport({ ...model(), acrossDrops: acrossDrops() });
    expect(html).toContain('<h2>Across drops</h2>');
    for (const chart of ['sizes-over-drops', 'migration']) expect(html, chart).toMatch(new RegExp(`<figure class="chart" data-chart="${chart}"><svg`));
    // Segments 0, 1, 2 and 3 over the drops with sizes: 2 ends (disappeared), 3 starts (emerged).
    expect(markCount(html, 'sizes-over-drops', 'segment_size_lines')).toBe(4);
    expect(markCount(html, 'sizes-over-drops', 'segment_size_points')).toBe(6);
    expect(markCount(html, 'migration', 'migration_cells')).toBe(4 * 4);
    expect(html).toContain('1 earlier drop(s) recorded no segment sizes');
    expect(html).toContain('90 returning users, 31.0% of them in another segment now');
    // Names from the data are escaped in the words and in the charts.
    expect(html).not.toMatch(/<script>alert/);
    expect(html).toContain('segment 1 (&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; \'q\') split into segment 1');
    expect(html).toMatch(/<text[^>]*>1: &lt;script&gt;alert\(/);
  });

  it('says each MONIC transition in plain words', () => {
    const segment = (id: number) => `S${id}`;
    expect(inWords({ kind: 'survived', from: [2], to: [2], overlaps: [0.9] }, segment)).toBe('S2 survived: 90% of its returning users are in it now.');
    expect(inWords({ kind: 'survived', from: [2], to: [5], overlaps: [0.6] }, segment)).toBe('S2 survived as S5: 60% of its returning users are in it now.');
    expect(inWords({ kind: 'absorbed', from: [1, 2], to: [1], overlaps: [0.8, 0.7] }, segment)).toBe('S1 and S2 were absorbed into S1, which holds 80% and 70% of their returning users.');
    expect(inWords({ kind: 'split', from: [1], to: [1, 3, 4], overlaps: [0.4, 0.3, 0.2] }, segment)).toBe('S1 split into S1, S3 and S4 (40%, 30% and 20% of its returning users).');
    expect(inWords({ kind: 'disappeared', from: [2], to: [], overlaps: [] }, segment)).toMatch(/^S2 disappeared: /);
    expect(inWords({ kind: 'emerged', from: [], to: [6], overlaps: [] }, segment)).toMatch(/^S6 emerged: /);
  });

  it('weighs stability against silhouette when no candidate has a validation lift', async () => {
    const without = model();
    without.leaderboard = without.leaderboard.map((row) => ({ ...row, downstream: null }));
    const html = await renderReport(without);
    expect(html).toMatch(/<figure class="chart" data-chart="pareto"><svg/);
    expect(html).toContain('silhouette stands in for it');
    expect(html).not.toContain('data-chart="metric-lift"');
  });

  it('finds the Pareto front: the candidates no other beats on both stability and lift', () => {
    const points = [
      { name: 'a', stability: 0.9, lift: 0.1 }, { name: 'b', stability: 0.8, lift: 0.3 }, { name: 'c', stability: 0.6, lift: 0.2 },
      { name: 'd', stability: 0.9, lift: 0.05 }, { name: 'e', stability: null, lift: 0.9 },
    ];
    expect(paretoFront(points).map((point) => point.name)).toEqual(['b', 'a']);
  });

  it('spans each stage from the checkpoint before its first step to its last step', () => {
    const spans = stageSpans([
      { step: 'clean', finishedAt: '2026-01-01T00:00:02Z' },
      { step: 'embed-tfidf-shard-0001', finishedAt: '2026-01-01T00:00:06Z' },
      { step: 'embed-tfidf-shard-0000', finishedAt: '2026-01-01T00:00:05Z' },
      { step: 'cluster-tfidf--kmeans-k=2', finishedAt: '2026-01-01T00:00:07Z' },
    ], '2026-01-01T00:00:00Z');
    expect(spans).toEqual([
      { stage: 'clean', start: 0, end: 2, steps: 1 },
      { stage: 'embed tfidf', start: 2, end: 6, steps: 2 },
      { stage: 'cluster', start: 6, end: 7, steps: 1 },
    ]);
  });
});
