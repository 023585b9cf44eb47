/**
 * The knobs of one pipeline run, as one schema (zod) in sections: common/config/<section>.ts
 * declares each field once, with its type, default, accepted values and description, and the
 * types, defaults, validation and docs/CONFIG.md all come from there. Callers pass a flat partial
 * object; `resolveRunConfig` merges it with the defaults once and reports every bad field at once,
 * so workflows and activities only see complete, checked settings. An activity receives only the
 * sections it reads (`configSection`). Pure code: imported by workflows.
 */
import { z } from 'zod';
import { encodersSection } from './config/encoders';
import { evaluationSection } from './config/evaluation';
import type { FieldMeta } from './config/field-types';
import { ingestSection } from './config/ingest';
import { modelsSection } from './config/models';
import { CROSS_FIELD_RULES } from './config/rules';
import { runtimeSection } from './config/runtime';
import { sweepSection } from './config/sweep';

export {
  ENCODERS, FITTED_ENCODERS, STANDARDIZED_ENCODERS, TRANSFORMER_LONG_TEXTS, TRANSFORMER_ORDERS,
  type EncoderName, type EncodersConfig, type TransformerLongTexts, type TransformerOrder,
} from './config/encoders';
export { SELECTION_RULES, type EvaluationConfig, type SelectionRule } from './config/evaluation';
export { HOLDOUT_MODES, type HoldoutMode, type IngestConfig } from './config/ingest';
export type { RuntimeConfig } from './config/runtime';
export { SEGMENTATION_MODES, type ModelsConfig, type SegmentationMode } from './config/models';
export { CLUSTERING_ALGORITHMS, type ClusteringAlgorithm, type SweepConfig } from './config/sweep';
export { CROSS_FIELD_RULES } from './config/rules';

/** The sections, in the order of docs/CONFIG.md. Field names are unique across sections. */
export const CONFIG_SECTIONS = {
  ingest: ingestSection,
  encoders: encodersSection,
  sweep: sweepSection,
  evaluation: evaluationSection,
  runtime: runtimeSection,
  models: modelsSection,
} as const;
export type ConfigSectionName = keyof typeof CONFIG_SECTIONS;

const runConfigSchema = z
  .strictObject({ ...ingestSection.shape, ...encodersSection.shape, ...sweepSection.shape, ...evaluationSection.shape, ...runtimeSection.shape, ...modelsSection.shape })
  // Checked even when some fields are bad, so every problem is reported at once.
  .superRefine(checkCrossFieldRules, { when: () => true });

export type RunConfig = z.output<typeof runConfigSchema>;
export type RunConfigField = keyof RunConfig;

export const DEFAULT_RUN_CONFIG: RunConfig = runConfigSchema.parse({});

export class RunConfigError extends Error {
  override name = 'RunConfigError';
}

/** Merges `overrides` over the defaults; throws one RunConfigError listing every bad field, one per line. */
export function resolveRunConfig(overrides: Partial<RunConfig> = {}): RunConfig {
  const result = runConfigSchema.safeParse(overrides);
  if (result.success) return result.data;
  const problems = describeProblems(result.error.issues, overrides as Record<string, unknown>);
  throw new RunConfigError(`invalid run config (${problems.length} problem${problems.length > 1 ? 's' : ''}):\n${problems.map((line) => `  ${line}`).join('\n')}`);
}

/** The fields of some sections: what an activity that reads only those sections receives. */
type SectionFields<S extends ConfigSectionName> = S extends ConfigSectionName ? keyof z.output<(typeof CONFIG_SECTIONS)[S]> : never;
export type ConfigSections<S extends ConfigSectionName> = Pick<RunConfig, SectionFields<S>>;

/** `configSection(config, 'sweep', 'runtime')`: only those sections' fields, for an activity's payload. */
export function configSection<S extends ConfigSectionName>(config: RunConfig, ...sections: S[]): ConfigSections<S> {
  const picked: Record<string, unknown> = {};
  for (const section of sections) {
    for (const field of Object.keys(CONFIG_SECTIONS[section].shape)) picked[field] = config[field as RunConfigField];
  }
  return picked as ConfigSections<S>;
}

/**
 * Settings that change how fast or how a run is carried out, never what it computes: they are
 * left out of step fingerprints (lib/runtime/run-dir.ts), so changing them reuses every
 * checkpoint. Every other field, shardCount included, counts as changing results.
 */
export const PERFORMANCE_ONLY_FIELDS: readonly RunConfigField[] = [
  'embedConcurrency', 'sweepConcurrency', 'embedHeartbeatTimeoutSeconds', 'activityHeartbeatTimeoutSeconds',
  'activityMaxAttempts', 'failedShardWaitMinutes', 'duckdbThreads', 'duckdbMemoryLimit',
];

/** The fields of a config (or section) that change results: what a step fingerprint holds. */
export function resultSettings<C extends object>(config: C): Partial<C> {
  return Object.fromEntries(Object.entries(config).filter(([field]) => !PERFORMANCE_ONLY_FIELDS.includes(field as RunConfigField))) as Partial<C>;
}

export interface FieldReference extends FieldMeta {
  field: RunConfigField;
  section: ConfigSectionName;
  description: string;
  default: unknown;
}

/** Every field with its section, type, default, accepted values and description, in schema order (docs/CONFIG.md). */
export function configReference(): FieldReference[] {
  return Object.entries(CONFIG_SECTIONS).flatMap(([section, schema]) =>
    Object.keys(schema.shape).map((field) => ({
      field: field as RunConfigField,
      section: section as ConfigSectionName,
      ...fieldMeta(field as RunConfigField),
      description: (schema.shape as Record<string, z.ZodType>)[field].description ?? '',
      default: DEFAULT_RUN_CONFIG[field as RunConfigField],
    })));
}

function fieldMeta(field: RunConfigField): FieldMeta {
  // Each field is `<kind>(...).default(...).describe(...)`; the kind's metadata sits inside the default.
  const schema = runConfigSchema.shape[field] as unknown as z.ZodDefault<z.ZodType>;
  return schema.unwrap().meta() as unknown as FieldMeta;
}

function checkCrossFieldRules(config: RunConfig, context: z.core.$RefinementCtx<RunConfig>): void {
  const badFields = new Set(context.issues.map((issue) => issue.path?.[0]));
  // Unknown fields do not stop the rules; a field that failed its own check does.
  for (const rule of CROSS_FIELD_RULES) {
    if (rule.fields.some((field) => badFields.has(field))) continue;
    const violation = rule.violation(config);
    if (violation) context.addIssue({ code: 'custom', path: [], message: `${rule.fields.join(', ')}: ${violation}` });
  }
}

function describeProblems(issues: z.core.$ZodIssue[], input: Record<string, unknown>): string[] {
  const lines: string[] = [];
  const reported = new Set<string>();
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      lines.push(`unknown field(s) ${issue.keys.join(', ')}; the accepted fields are: ${Object.keys(DEFAULT_RUN_CONFIG).join(', ')}`);
    } else if (issue.path.length === 0) {
      lines.push(issue.message);
    } else {
      // One line per field, however many of its checks failed: what it accepts, and what it got.
      const field = String(issue.path[0]);
      if (reported.has(field)) continue;
      reported.add(field);
      lines.push(`${field}: expected ${fieldMeta(field as RunConfigField).accepts}, got ${JSON.stringify(input[field])}`);
    }
  }
  return lines;
}
