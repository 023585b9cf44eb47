import path from 'node:path';
import type { RunConfig } from '../../common/run-config';
import { resolveRunConfig } from '../../common/run-config';
import { defaultDataDir } from '../../lib/paths';

/** Options every pipeline-starting command shares: --data-dir, --set key=value (run config). */
export const PIPELINE_OPTIONS = {
  'data-dir': { type: 'string' as const },
  set: { type: 'string' as const, multiple: true as const },
  'task-queue-prefix': { type: 'string' as const },
};

export function dataDirFrom(value: string | undefined): string {
  return path.resolve(value ?? defaultDataDir());
}

/** `--set kMax=12 --set encoders='["behavior-stats"]'`: values are JSON, else strings. Validated now, not in the worker. */
export function configFrom(pairs: string[] | undefined): Partial<RunConfig> {
  const overrides: Record<string, unknown> = {};
  for (const pair of pairs ?? []) {
    const equals = pair.indexOf('=');
    if (equals < 1) throw new Error(`--set expects key=value, got ${JSON.stringify(pair)}`);
    const raw = pair.slice(equals + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // a bare string such as 4GB
    }
    overrides[pair.slice(0, equals)] = value;
  }
  resolveRunConfig(overrides as Partial<RunConfig>);
  return overrides as Partial<RunConfig>;
}

export function taskQueuesFrom(prefix: string | undefined) {
  return prefix ? { cpu: `${prefix}-cpu`, embedding: `${prefix}-embedding` } : undefined;
}
