import type { EncodersConfig } from './encoders';
import { SELECTION_RULES, type EvaluationConfig, type SelectionRule } from './evaluation';
import { quoted } from './field-types';
import { HOLDOUT_MODES, type IngestConfig } from './ingest';
import type { RuntimeConfig } from './runtime';
import type { SweepConfig } from './sweep';

type Fields = IngestConfig & EncodersConfig & SweepConfig & EvaluationConfig & RuntimeConfig;

/**
 * A rule between fields that each are valid on their own. It is checked only when all its fields
 * are, so one mistake is not reported twice; its message names the fix.
 */
export interface CrossFieldRule {
  fields: ReadonlyArray<keyof Fields>;
  /** The rule in words (docs/CONFIG.md). */
  rule: string;
  /** What is wrong and how to fix it, or undefined when the rule holds. */
  violation(config: Fields): string | undefined;
}

/** "or choose selectionRule 'pareto', 'silhouette'": the rules that do not need what `rules` need. */
function otherRules(...rules: SelectionRule[]): string {
  return `or choose selectionRule ${quoted(SELECTION_RULES.filter((rule) => !rules.includes(rule)))}`;
}

export const CROSS_FIELD_RULES: CrossFieldRule[] = [
  {
    fields: ['kMin', 'kMax'],
    rule: 'kMax >= kMin',
    violation: (config) => (config.kMax < config.kMin ? `kMax (${config.kMax}) must be >= kMin (${config.kMin})` : undefined),
  },
  {
    fields: ['timeWindowStart', 'timeWindowEnd'],
    rule: 'timeWindowStart is before timeWindowEnd (when both are set)',
    violation: (config) => (config.timeWindowStart && config.timeWindowEnd && config.timeWindowStart >= config.timeWindowEnd
      ? `timeWindowStart (${config.timeWindowStart}) must be before timeWindowEnd (${config.timeWindowEnd})`
      : undefined),
  },
  {
    fields: ['holdoutMode', 'holdoutCutoff'],
    rule: "holdoutMode 'time' needs holdoutCutoff",
    violation: (config) => (config.holdoutMode === 'time' && config.holdoutCutoff === ''
      ? "holdoutMode 'time' needs holdoutCutoff (a UTC date/time such as 2019-10-25)"
      : undefined),
  },
  {
    fields: ['selectionRule', 'downstreamKs'],
    rule: "selectionRule 'stable-lift' needs 10 in downstreamKs (it ranks by the NDCG@10 lift)",
    violation: (config) => (config.selectionRule === 'stable-lift' && !config.downstreamKs.includes(10)
      ? `selectionRule 'stable-lift' ranks candidates by the NDCG@10 lift, but downstreamKs ${JSON.stringify(config.downstreamKs)} lacks 10; ` +
        `add 10, ${otherRules('stable-lift')}`
      : undefined),
  },
  {
    fields: ['selectionRule', 'holdoutMode'],
    rule: "selectionRule 'stable-lift' needs a holdout (holdoutMode other than 'none')",
    violation: (config) => (config.selectionRule === 'stable-lift' && config.holdoutMode === 'none'
      ? "selectionRule 'stable-lift' ranks candidates by their recommendations on held-out events, but holdoutMode 'none' holds out nothing; " +
        `set holdoutMode to one of ${quoted(HOLDOUT_MODES.filter((mode) => mode !== 'none'))}, ${otherRules('stable-lift')}`
      : undefined),
  },
  {
    fields: ['selectionRule', 'stabilitySeedRuns', 'stabilitySubsampleRuns'],
    rule: "selectionRule 'stable-lift' and 'stable-silhouette' need stability refits (stabilitySeedRuns + stabilitySubsampleRuns > 0)",
    violation: (config) => ((config.selectionRule === 'stable-lift' || config.selectionRule === 'stable-silhouette') &&
      config.stabilitySeedRuns + config.stabilitySubsampleRuns === 0
      ? `selectionRule '${config.selectionRule}' passes over unstable candidates, but stabilitySeedRuns and stabilitySubsampleRuns are both 0 ` +
        `(nothing would be measured); set one of them above 0, ${otherRules('stable-lift', 'stable-silhouette')}`
      : undefined),
  },
  {
    fields: ['algorithms', 'pcaComponents'],
    rule: "algorithm 'distributed-kmeans' needs pcaComponents 0 (it clusters the encoder space itself)",
    violation: (config) => (config.algorithms.includes('distributed-kmeans') && config.pcaComponents > 0
      ? `algorithm 'distributed-kmeans' clusters the encoder space itself, but pcaComponents is ${config.pcaComponents}; ` +
        "set pcaComponents to 0 or use 'kmeans'"
      : undefined),
  },
  {
    fields: ['algorithms', 'hierarchicalSampleSize', 'kMin'],
    rule: "algorithms 'ward' and 'average' need hierarchicalSampleSize >= kMin (they cluster that many users exactly)",
    violation: (config) => (config.algorithms.some((algorithm) => algorithm === 'ward' || algorithm === 'average') &&
      config.hierarchicalSampleSize < config.kMin
      ? `algorithms 'ward' and 'average' cluster at most hierarchicalSampleSize (${config.hierarchicalSampleSize}) users exactly, ` +
        `which cannot make kMin (${config.kMin}) segments; raise hierarchicalSampleSize to at least ${config.kMin} or lower kMin`
      : undefined),
  },
  {
    fields: ['algorithms', 'spectralSampleSize', 'kMin'],
    rule: "algorithm 'spectral' needs spectralSampleSize >= kMin (its graph holds that many users)",
    violation: (config) => (config.algorithms.includes('spectral') && config.spectralSampleSize < config.kMin
      ? `algorithm 'spectral' builds its graph on spectralSampleSize (${config.spectralSampleSize}) users, ` +
        `which cannot make kMin (${config.kMin}) segments; raise spectralSampleSize to at least ${config.kMin} or lower kMin`
      : undefined),
  },
];
