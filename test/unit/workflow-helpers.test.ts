import { describe, expect, it } from 'vitest';
import { selectCandidate } from '../../activities/evaluation/selection';
import { escapeHtml } from '../../activities/report/display-text';
import { renderReport } from '../../activities/report/render-report';
import type { CandidateMetrics } from '../../common/contracts';
import { resolveRunConfig } from '../../common/run-config';
import { settleWithConcurrency } from '../../workflows/concurrency';
import { planSweep } from '../../activities/plan-sweep';
import { candidateRef } from '../../common/candidates';
import type { RunConfig } from '../../common/run-config';

/** The sweep's candidates as files record them. */
async function sweepCandidates(config: RunConfig, users: number) {
  return (await planSweep({ config, encoders: config.encoders, users })).candidates.map(candidateRef);
}

function row(k: number, silhouette: number): CandidateMetrics {
  return {
    candidate: { encoder: 'behavior-stats', algorithm: 'kmeans', params: `k=${k}`, k },
    silhouette, silhouetteSampled: false, daviesBouldin: 1, calinskiHarabasz: 10, inertia: 5, clusterSizes: Array.from({ length: k }, () => 3), clusterSeconds: 0.1,
  };
}

describe('sweep and selection', () => {
  it('sweeps every k in range, capped by the number of users', async () => {
    const config = resolveRunConfig({ kMin: 2, kMax: 6, encoders: ['behavior-stats'] });
    expect((await sweepCandidates(config, 100)).map((candidate) => candidate.k)).toEqual([2, 3, 4, 5, 6]);
    const twoEncoders = await sweepCandidates({ ...config, encoders: ['transformer', 'behavior-stats'] }, 100);
    expect(twoEncoders.map((candidate) => `${candidate.encoder}:${candidate.k}`)).toEqual([
      ...[2, 3, 4, 5, 6].map((k) => `transformer:${k}`), ...[2, 3, 4, 5, 6].map((k) => `behavior-stats:${k}`),
    ]);
    expect((await sweepCandidates(config, 4)).map((candidate) => candidate.params)).toEqual(['k=2', 'k=3', 'k=4']);
  });

  it('picks the highest silhouette, and the smallest k among near-ties', () => {
    expect(selectCandidate([row(2, 0.30), row(3, 0.41), row(4, 0.35)]).chosen.candidate.k).toBe(3);
    const tie = selectCandidate([row(5, 0.412), row(3, 0.409), row(4, 0.2)]);
    expect(tie.chosen.candidate.k).toBe(3);
    expect(tie.reason).toContain('3 segments is the fewest');
    expect(selectCandidate([row(2, 0.41), row(3, 0.409)]).reason).toBe('highest silhouette (0.4100) of 2 candidates');
  });

  it('stable-silhouette passes over unstable, mostly-noise and recommendation-harming candidates', () => {
    const stable = (value: number) => ({ seeds: { mean: value, sd: 0, runs: [value] }, subsamples: { mean: value, sd: 0, runs: [value] }, points: 10 });
    const unstableBest = { ...row(4, 0.5), stability: stable(0.5) };
    const noisy = { ...row(5, 0.6), stability: stable(1), shape: { sizes: { min: 3, max: 3, gini: 0 }, meanIntraDistance: 1, meanInterCentroidDistance: 2, noiseFraction: 0.4 } };
    const harmful = { ...row(6, 0.55), stability: stable(1), downstream: { lift: { ndcg10: { value: -0.5, ciLow: -0.7, ciHigh: -0.2, segment: 1, baseline: 2 } } } } as never;
    const fine = { ...row(3, 0.3), stability: stable(0.9) };
    const picked = selectCandidate([unstableBest, noisy, harmful, fine], 'stable-silhouette', 0.75);
    expect(picked.chosen.candidate.k).toBe(3);
    expect(picked.reason).toContain('3 of 4 candidates passed over');
    // Nothing qualifies: every candidate stays in.
    expect(selectCandidate([unstableBest, { ...row(2, 0.1), stability: stable(0.2) }], 'stable-silhouette', 0.75).chosen.candidate.k).toBe(4);
  });

  it('sweeps DBSCAN over eps quantiles and min_samples, and hierarchical over k', async () => {
    const config = resolveRunConfig({ kMin: 2, kMax: 4, encoders: ['behavior-stats'], algorithms: ['ward', 'dbscan'], dbscanEpsQuantiles: [0.5, 0.9], dbscanMinSamples: [5, 10] });
    expect((await sweepCandidates(config, 100)).map((candidate) => `${candidate.algorithm}:${candidate.params}`)).toEqual([
      'ward:k=2', 'ward:k=3', 'ward:k=4',
      'dbscan:q=0.5,min_samples=5', 'dbscan:q=0.9,min_samples=5', 'dbscan:q=0.5,min_samples=10', 'dbscan:q=0.9,min_samples=10',
    ]);
    const withHdbscan = resolveRunConfig({ encoders: ['behavior-stats'], algorithms: ['hdbscan'], hdbscanMinClusterShares: [0.01, 0.05] });
    expect((await sweepCandidates(withHdbscan, 100)).map((candidate) => `${candidate.algorithm}:${candidate.params}:${candidate.k}`)).toEqual([
      'hdbscan:min_cluster_share=0.01:0', 'hdbscan:min_cluster_share=0.05:0',
    ]);
  });

  it('never picks a candidate with fewer than 2 segments (all noise) while another has them, under every rule', () => {
    const stability = (value: number) => ({ seeds: { mean: value, sd: 0, runs: [value] }, subsamples: { mean: value, sd: 0, runs: [value] }, points: 10 });
    const lift = (value: number) => ({ lift: { ndcg10: { value, ciLow: value - 0.01, ciHigh: value + 0.01, segment: 1, baseline: 1 } } }) as never;
    // All noise refits to all noise (stability 1), and scores as well as it can elsewhere: it would
    // dominate once its missing silhouette drops that objective for everyone.
    const allNoise: CandidateMetrics = {
      candidate: { encoder: 'behavior-stats', algorithm: 'hdbscan', params: 'min_cluster_share=0.05', k: 0 },
      silhouette: NaN, silhouetteSampled: false, daviesBouldin: NaN, calinskiHarabasz: NaN, inertia: NaN, clusterSizes: [], clusterSeconds: 0.1,
      stability: stability(1), downstream: lift(0.2),
    };
    const candidates = [allNoise, { ...row(2, 0.3), stability: stability(0.9), downstream: lift(0.1) }, { ...row(3, 0.4), stability: stability(0.8), downstream: lift(0.05) }];
    for (const rule of ['silhouette', 'stable-silhouette', 'stable-lift', 'pareto'] as const) {
      expect(selectCandidate(candidates, rule).chosen.candidate.k).toBeGreaterThanOrEqual(2);
    }
    expect(selectCandidate([allNoise], 'pareto').chosen).toBe(allNoise);
  });
});

describe('bounded fan-out', () => {
  it('never runs more than the limit at once and keeps going past failures', async () => {
    let inFlight = 0;
    let peak = 0;
    const results = await settleWithConcurrency([1, 2, 3, 4, 5, 6, 7], 3, async (item) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      if (item === 4) throw new Error('four');
      return item * 10;
    });
    expect(peak).toBe(3);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect((results[6] as PromiseFulfilledResult<number>).value).toBe(70);
  });
});

describe('report', () => {
  it('escapes user-controlled text and marks the chosen candidate', async () => {
    expect(escapeHtml('<script>"x" & y</script>')).toBe('&lt;script&gt;&quot;x&quot; &amp; y&lt;/script&gt;');
    const html = await renderReport({
      dropId: '<evil>', workflowId: 'wf', runDir: '/runs/x',
      accounting: { rawRows: 10, cleanedRows: 7, quarantinedRows: 2, duplicateRows: 1, quarantineByReason: { bad_price: 2 }, users: 3, sequencedUsers: 2, holdoutEvents: 2, holdoutUsers: 2 },
      leaderboard: [row(2, 0.3), row(3, 0.5)], selectionRule: 'rule', chosen: row(3, 0.5).candidate, selectionReason: 'best',
      profiles: [{ segment: 0, users: 2 }], steps: [{ step: 'clean', finishedAt: 't' }], generatedAt: 'now', config: resolveRunConfig({ kMax: 9 }),
    });
    expect(html).not.toContain('<evil>');
    expect(html).toContain('&lt;evil&gt;');
    expect(html.match(/class="chosen"/g)).toHaveLength(1);
    expect(html).toContain('quarantined: bad_price');
    expect(html).toContain('<td class="text">kMax</td><td>9</td>');
  });
});
