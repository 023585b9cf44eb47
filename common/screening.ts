import type { ScreenCandidateOutput } from './contracts';
import { candidateKey, candidateRef } from './candidates';

export interface FullScoringBudget {
  /** Share of the screened candidates scored fully (config fullyScoredShare)... */
  share: number;
  /** ...but at least this many (config fullyScoredMin). */
  min: number;
}

/** How many of `candidates` successive halving scores fully; all of them means no screening at all. */
export function fullyScoredCount(candidates: number, budget: FullScoringBudget): number {
  return Math.min(candidates, Math.max(budget.min, Math.ceil(budget.share * candidates - 1e-9)));
}

/**
 * The second rung of successive halving (docs/EVALUATION.md): the screened candidates worth scoring
 * fully, in sweep order. Ranked by the screen's stable-lift utility when any screen has held-out
 * evidence (those without come last, by internal score), else by internal score, so the rung
 * keeps what the selection rule will look for. The budget's best are kept, plus the best of each
 * encoder x algorithm family, so every family has a fully scored representative in the leaderboard.
 * Ties keep sweep order. Pure and deterministic: the workflow calls it.
 */
export function candidatesToScoreFully(screens: ScreenCandidateOutput[], budget: FullScoringBudget): ScreenCandidateOutput[] {
  const byUtility = screens.some((screen) => screen.utility !== null);
  const rank = (screen: ScreenCandidateOutput): [number, number] => [
    byUtility ? screen.utility ?? -Infinity : 0,
    screen.internalScore ?? -Infinity,
  ];
  const ranked = screens.map((screen, index) => ({ screen, index, key: rank(screen) }))
    .sort((a, b) => b.key[0] - a.key[0] || b.key[1] - a.key[1] || a.index - b.index);
  const kept = new Set(ranked.slice(0, fullyScoredCount(screens.length, budget)).map((entry) => entry.index));
  const familiesSeen = new Set<string>();
  for (const entry of ranked) {
    const family = `${entry.screen.candidate.encoder}/${entry.screen.candidate.params.algorithm}`;
    if (!familiesSeen.has(family)) kept.add(entry.index);
    familiesSeen.add(family);
  }
  return screens.filter((_, index) => kept.has(index));
}

/** The leaderboard's record of the screening: which candidates were scored fully and what they were ranked on. */
export function screeningSummary(screens: ScreenCandidateOutput[], fullyScored: Array<{ candidate: ScreenCandidateOutput['candidate'] }>) {
  const scored = new Set(fullyScored.map((score) => candidateKey(score.candidate)));
  return {
    candidates: screens.length,
    fullyScored: scored.size,
    rows: screens.map((screen) => ({
      candidate: candidateRef(screen.candidate),
      utility: screen.utility,
      internalScore: screen.internalScore,
      fullyScored: scored.has(candidateKey(screen.candidate)),
    })),
  };
}
