import type { CandidateMetrics, HoldoutPartLift, LiftEstimate } from '../../common/contracts';
import { stabilityScore } from './stability';

/**
 * The 'stable-lift' rule (docs/EVALUATION.md, "The selection rule"), in four steps:
 *  1. Evidence per candidate: the lower 95% bound of its NDCG@10 lift over popularity on the
 *     validation half of the held-out users (the test half plays no part in choosing).
 *  2. Utility, without cliffs: that bound minus STABILITY_PENALTY per unit of stability below
 *     STABILITY_TARGET and NOISE_PENALTY per unit of noise share above NOISE_TARGET. A small change
 *     in stability or noise moves the utility a little; it never removes a candidate outright
 *     (0.749 and 0.751 stability differ by 0.002 of lift bound, not by eligibility).
 *  3. How strong the evidence is: 'insufficient' when too few users have held-out events or the
 *     best candidate's interval includes no lift at all; 'weak' when other candidates with a surely
 *     positive lift have validation intervals that overlap the best one's (the data cannot rank
 *     them); else 'clear' (an overlapping interval that includes no gain is not a tie).
 *  4. The documented tie-break when the evidence is not clear: among the candidates the data
 *     cannot tell apart ('weak'), the most stable, then the fewest segments; with no evidence of
 *     lift at all ('insufficient'), the internal rule ('stable-silhouette') decides and the reason
 *     says the choice is not backed by recommendation value.
 * The chosen candidate's lift is then reported on the test half: an estimate that the choice did not
 * inflate (with 14+ candidates the best validation figure is biased upward: the winner's curse).
 */
export const STABILITY_TARGET = 0.75;
export const STABILITY_PENALTY = 1;
export const NOISE_TARGET = 0.25;
export const NOISE_PENALTY = 1;
/** Below this many validation users, a lift interval says little: the evidence counts as insufficient. */
export const MIN_VALIDATION_USERS = 100;

export type EvidenceStrength = 'clear' | 'weak' | 'insufficient';

export interface Evidence {
  strength: EvidenceStrength;
  /** One plain sentence for the report and the CLI. */
  statement: string;
  /** The chosen candidate's lift on each half. */
  validation?: HoldoutPartLift;
  test?: HoldoutPartLift;
}

export interface StableLiftChoice {
  chosen: CandidateMetrics;
  reason: string;
  evidence: Evidence;
}

/** The validation lift a candidate is compared on (the whole holdout for runs scored before the split existed). */
export function validationLift(row: CandidateMetrics): LiftEstimate | undefined {
  return row.downstream?.validation?.ndcg10 ?? row.downstream?.lift.ndcg10;
}

export function utility(row: CandidateMetrics): number {
  const bound = validationLift(row)?.ciLow ?? NaN;
  const stability = stabilityScore(row.stability) ?? 1;
  const noise = row.shape?.noiseFraction ?? 0;
  return bound - STABILITY_PENALTY * Math.max(0, STABILITY_TARGET - stability) - NOISE_PENALTY * Math.max(0, noise - NOISE_TARGET);
}

/**
 * Returns undefined when no candidate has a validation lift interval (no held-out events): the
 * caller then uses the internal rule.
 */
export function chooseByStableLift(rows: CandidateMetrics[], internalRule: (rows: CandidateMetrics[]) => { chosen: CandidateMetrics; reason: string }): StableLiftChoice | undefined {
  const scored = rows.filter((row) => Number.isFinite(utility(row)));
  if (scored.length === 0) return undefined;
  const ranked = [...scored].sort((a, b) => utility(b) - utility(a) || segmentCount(a) - segmentCount(b));
  const best = ranked[0];
  const bestLift = validationLift(best)!;
  const users = best.downstream?.validation?.users ?? best.downstream?.users ?? 0;

  if (users < MIN_VALIDATION_USERS || !((bestLift.ciLow ?? -Infinity) > 0)) {
    const fallback = internalRule(rows);
    const why = users < MIN_VALIDATION_USERS
      ? `only ${users} validation users have held-out events (fewer than ${MIN_VALIDATION_USERS})`
      : `the best validation lift interval, ${describe(bestLift)} for ${label(best)}, includes no gain over global popularity`;
    return {
      chosen: fallback.chosen,
      reason: `evidence insufficient (${why}), so the internal rule decided: ${fallback.reason}`,
      evidence: evidenceFor(fallback.chosen, 'insufficient',
        `The held-out evidence cannot show that any segmentation recommends better than global popularity (${why}); ` +
          'the segmentation was chosen on internal structure and stability alone.'),
    };
  }

  // Tied with the leader: candidates whose interval reaches its lower bound and whose own gain is surely
  // positive too. An interval that overlaps only because it is wide (-18% (-59% .. +31%) against +86%
  // (+2% .. +398%)) is no evidence of an equal gain: such a candidate is not a tie, whatever its stability.
  const overlapping = ranked.filter((row) => row !== best && (validationLift(row)?.ciHigh ?? -Infinity) >= bestLift.ciLow!);
  const tied = [best, ...overlapping.filter((row) => (validationLift(row)?.ciLow ?? -Infinity) > 0)];
  if (tied.length === 1) {
    const separated = overlapping.length === 0;
    return {
      chosen: best,
      reason: `highest validation utility: NDCG@10 lift ${describe(bestLift)} on validation users${penaltyNote(best)}, ` +
        (separated ? "an interval separated from every other candidate's" : `the only candidate whose gain is surely positive (${overlapping.length} other interval(s) overlap it but include no gain)`) +
        `; stability ${formatStability(best)}`,
      evidence: evidenceFor(best, 'clear', separated
        ? `${label(best)} recommends better than global popularity on validation users (${describe(bestLift)}) and its interval is separated from every other candidate's.`
        : `${label(best)} is the only segmentation that surely recommends better than global popularity on validation users (${describe(bestLift)}); ` +
          `${overlapping.length} other(s) might do as well, but their intervals include no gain at all.`),
    };
  }
  const chosen = [...tied].sort((a, b) => (stabilityScore(b.stability) ?? 1) - (stabilityScore(a.stability) ?? 1) || segmentCount(a) - segmentCount(b))[0];
  return {
    chosen,
    reason: `${tied.length} candidates' validation lift intervals overlap the best one's (${label(best)}: ${describe(bestLift)}), so the data cannot rank them; ` +
      `among them the most stable (${formatStability(chosen)}), then the fewest segments, was chosen: lift ${describe(validationLift(chosen)!)}`,
    evidence: evidenceFor(chosen, 'weak',
      `${tied.length} candidates recommend better than popularity by amounts the validation users cannot tell apart; ` +
        `${label(chosen)} is the most stable of them. Treat the choice among them as a tie.`),
  };
}

function evidenceFor(row: CandidateMetrics, strength: EvidenceStrength, statement: string): Evidence {
  return { strength, statement, validation: row.downstream?.validation, test: row.downstream?.test };
}

function segmentCount(row: CandidateMetrics): number {
  return row.clusterSizes.length || row.candidate.k;
}

function label(row: CandidateMetrics): string {
  return `${row.candidate.encoder} / ${row.candidate.algorithm} ${row.candidate.params}`;
}

function percent(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? 'n/a' : `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)}%`;
}

export function describe(lift: LiftEstimate): string {
  return `${percent(lift.value)} (95% interval ${percent(lift.ciLow)} .. ${percent(lift.ciHigh)})`;
}

function formatStability(row: CandidateMetrics): string {
  const score = stabilityScore(row.stability);
  return score === null ? 'not measured' : score.toFixed(3);
}

function penaltyNote(row: CandidateMetrics): string {
  const cost = (validationLift(row)?.ciLow ?? 0) - utility(row);
  return cost > 1e-12 ? ` less ${(cost * 100).toFixed(1)} points for stability below ${STABILITY_TARGET} or noise above ${NOISE_TARGET * 100}%` : '';
}
