import { z } from 'zod';
import { INTERNAL_RULE_THRESHOLDS } from '../internal-rule-thresholds';
import { flag, integer, integerList, numberIn, oneOf, text } from './field-types';

/** How the chosen candidate is picked; each rule is explained in docs/EVALUATION.md ("Selection rule"). */
export const SELECTION_RULES = ['stable-lift', 'stable-silhouette', 'pareto', 'silhouette'] as const;
export type SelectionRule = (typeof SELECTION_RULES)[number];

export const evaluationSection = z.object({
  silhouetteExactUpTo: integer(2, 1_000_000).default(20_000).describe(
    'Silhouette is exact (blocked, bounded memory) for up to this many users... (20k x 384 takes ~8 s per candidate here; ' +
      '50k works too, ~75 s per candidate)',
  ),
  silhouetteSampleSize: integer(100, 1_000_000).default(5000).describe(
    '...and above that estimated from this many sampled users, scored against all users, with a 95% interval.',
  ),
  stabilitySeedRuns: integer(0, 100).default(3).describe('Stability: refits of each candidate with other seeds (0 = skip).'),
  stabilitySubsampleRuns: integer(0, 100).default(3).describe('Stability: refits of each candidate on subsamples (0 = skip).'),
  stabilitySubsampleShare: numberIn(0, 1, { min: true, max: true }).default(0.8).describe('Share of the points in each subsample refit.'),
  stabilityMaxUsers: integer(100, 10_000_000).default(10_000).describe('Stability refits use at most this many users (a seeded sample).'),
  downstreamKs: integerList(1, 1000).default([5, 10, 20]).describe('Cut-offs K of the downstream top-K recommendation metrics.'),
  downstreamExcludeSeen: flag().default(true).describe('Whether recommendations skip items the user already interacted with.'),
  downstreamMaxUsers: integer(1000, 100_000_000).default(200_000).describe(
    'Downstream evaluation: above this many users with held-out events, a seeded sample of this many (the same for every candidate) ' +
      'is evaluated; segment popularity still counts every user. Intervals widen accordingly (at 200,000 users about +-1% of lift).',
  ),
  bootstrapSamples: integer(100, 100_000).default(1000).describe('Resamples of the paired bootstrap behind every lift interval.'),
  nextPurchaseFolds: integer(2, 20).default(5).describe('Folds of the next-purchase cross-validation.'),
  fullyScoredShare: numberIn(0, 1, { min: true }).default(0.25).describe(
    'Successive halving: every candidate is first screened (a cheap score: stability from one refit on a sample, validation lift ' +
      'on a sample of validation users); only this share of them, the most promising, is then scored fully (1 = score every candidate fully, no screening).',
  ),
  fullyScoredMin: integer(1, 1000).default(4).describe(
    "Successive halving: at least this many candidates are scored fully (and always each encoder x algorithm family's best screened one).",
  ),
  screenUsers: integer(100, 1_000_000).default(2000).describe(
    'Screening: the validation users (a seeded sample) whose held-out items measure a candidate\'s lift, and the users its one stability refit uses.',
  ),
  selectionRule: oneOf(SELECTION_RULES).default('stable-lift').describe(
    'How the chosen candidate is picked among all candidates; see docs/EVALUATION.md ("Selection rule").',
  ),
  selectionMinStability: numberIn(-1, 1).default(INTERNAL_RULE_THRESHOLDS.minStability).describe(
    "'stable-silhouette' (and 'stable-lift' when it falls back on it): the least stability (seed ARI) a chosen candidate needs " +
      '(the default is tuned on the labelled benchmarks: docs/EVALUATION.md).',
  ),
  truthLabelsFile: text("a file path or ''").default('').describe(
    "Known segment labels (CSV or Parquet with user_id and label columns) for external metrics; '' = none.",
  ),
  seed: text("a string (e.g. '42'), or '' for the drop id").default('').describe(
    "Every seed of a run (sampling, clustering, evaluation) derives from this; '' = from the drop id (the default).",
  ),
}).describe(
  "Scoring and choosing candidates (read by scoreCandidate and evaluateCandidates; docs/EVALUATION.md), and the run's seed (read by the workflow).",
);

export type EvaluationConfig = z.output<typeof evaluationSection>;
