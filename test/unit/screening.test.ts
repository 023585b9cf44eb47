import { describe, expect, it } from 'vitest';
import type { ScreenCandidateOutput } from '../../common/contracts';
import type { SweepCandidate } from '../../common/candidates';
import { candidatesToScoreFully, fullyScoredCount, screeningSummary } from '../../common/screening';

const kmeans = (k: number, encoder: SweepCandidate['encoder'] = 'behavior-stats'): SweepCandidate => ({ encoder, params: { algorithm: 'kmeans', k } });
const screen = (candidate: SweepCandidate, utility: number | null, internalScore: number | null = 0): ScreenCandidateOutput =>
  ({ candidate, screenPath: `screens/${JSON.stringify(candidate)}.json`, utility, internalScore });
const ks = (screens: ScreenCandidateOutput[]) => screens.map((entry) => `${entry.candidate.encoder}:${'k' in entry.candidate.params ? entry.candidate.params.k : '?'}`);

describe('successive halving: which screened candidates are scored fully', () => {
  it('scores a share of the candidates, at least the minimum, never more than there are', () => {
    expect(fullyScoredCount(19, { share: 0.34, min: 4 })).toBe(7);
    expect(fullyScoredCount(6, { share: 0.34, min: 4 })).toBe(4);
    expect(fullyScoredCount(3, { share: 0.34, min: 4 })).toBe(3);
    expect(fullyScoredCount(10, { share: 1, min: 1 })).toBe(10);
    expect(fullyScoredCount(10, { share: 0.3, min: 1 })).toBe(3);
  });

  it('keeps the candidates with the best screen utility, in sweep order', () => {
    const screens = [2, 3, 4, 5, 6, 7, 8].map((k) => screen(kmeans(k), [0.01, 0.05, 0.2, 0.1, 0.3, -0.1, 0.15][k - 2]));
    expect(ks(candidatesToScoreFully(screens, { share: 0.4, min: 1 }))).toEqual(['behavior-stats:4', 'behavior-stats:6', 'behavior-stats:8']);
  });

  it('puts candidates without held-out evidence last, ranked among themselves by internal score', () => {
    const screens = [screen(kmeans(2), null, 0.9), screen(kmeans(3), -0.2, 0.1), screen(kmeans(4), null, 0.5), screen(kmeans(5), 0.1, 0.2)];
    expect(ks(candidatesToScoreFully(screens, { share: 0.75, min: 1 }))).toEqual(['behavior-stats:2', 'behavior-stats:3', 'behavior-stats:5']);
  });

  it('ranks by internal score when no screen has held-out evidence', () => {
    const screens = [screen(kmeans(2), null, 0.2), screen(kmeans(3), null, 0.6), screen(kmeans(4), null, null), screen(kmeans(5), null, 0.4)];
    expect(ks(candidatesToScoreFully(screens, { share: 0.5, min: 1 }))).toEqual(['behavior-stats:3', 'behavior-stats:5']);
  });

  it("always scores each encoder x algorithm family's best screen fully", () => {
    const screens = [
      ...[2, 3, 4, 5].map((k) => screen(kmeans(k), 0.1 * k)),
      ...[2, 3, 4].map((k) => screen(kmeans(k, 'tfidf'), -0.1 * k)),
    ];
    expect(ks(candidatesToScoreFully(screens, { share: 0.25, min: 2 }))).toEqual(['behavior-stats:4', 'behavior-stats:5', 'tfidf:2']);
  });

  it('records which candidates were scored fully', () => {
    const screens = [screen(kmeans(2), 0.1), screen(kmeans(3), 0.2)];
    const summary = screeningSummary(screens, [{ candidate: kmeans(3) }]);
    expect(summary).toMatchObject({ candidates: 2, fullyScored: 1 });
    expect(summary.rows.map((row) => [row.candidate.params, row.fullyScored])).toEqual([['k=2', false], ['k=3', true]]);
  });
});
