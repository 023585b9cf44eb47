/**
 * The thresholds of the internal selection rule ('stable-silhouette', which 'stable-lift' falls back
 * on when held-out evidence is insufficient): the values `npm run bench -- selection` finds best over
 * all 68 labelled sets of ../shared/datasets/clustering-benchmarks (least mean ARI regret over every
 * sweep: all algorithm families together and each alone; then least worst regret). How well values
 * tuned this way hold on sets they were not tuned on is measured by the same bench with 5 fixed folds
 * (docs/EVALUATION.md, docs/BENCHMARKS.md). Re-tune by running the bench and copying its `shipped`
 * thresholds here. A constants file in common/ because the config's default reads it too.
 */
export interface InternalRuleThresholds {
  /** Candidates whose stability (seed ARI; subsample ARI for deterministic algorithms) is below this are passed over. */
  minStability: number;
  /** Candidates leaving more of the users as noise than this are passed over. */
  maxNoiseFraction: number;
  /** Candidates whose smallest segment holds less than this share of the segmented users are passed over. */
  minSegmentShare: number;
  /**
   * The structure score the rule ranks by: (1 - densityWeight) x silhouette + densityWeight x
   * density silhouette (activities/metrics/density-silhouette.ts); 0 is the Euclidean silhouette
   * alone, which the rule also uses when every candidate is a convex partition or some candidate has
   * no density silhouette (activities/evaluation/selection.ts).
   */
  densityWeight: number;
  /**
   * Noise users count as scoring 0 in the structure score (it is multiplied by the share of users
   * not left as noise); false leaves noise out, as both silhouettes do on their own.
   */
  noiseScoresZero: boolean;
  /** Candidates within this structure score of the best are tied... */
  tieMargin: number;
  /** ...and the tie goes to the fewest segments, or to the most stable (then the fewest segments). */
  tieBreak: 'fewest-segments' | 'most-stable';
}

/**
 * Tuned on all 68 sets (2026-12-01, with the density silhouette and noise users scoring 0);
 * 2026-11-30 without either: 0.85, 0.1, 0.02, 0, false, 0.03, 'most-stable'; before that: 0.75,
 * 0.25, 0, 0, false, 0.005, 'fewest-segments' (0.75 and 0.005 set on 10 of the sets).
 */
export const INTERNAL_RULE_THRESHOLDS: InternalRuleThresholds = {
  minStability: 0.85,
  maxNoiseFraction: 0.25,
  minSegmentShare: 0.02,
  densityWeight: 0.75,
  noiseScoresZero: true,
  tieMargin: 0.03,
  tieBreak: 'most-stable',
};
