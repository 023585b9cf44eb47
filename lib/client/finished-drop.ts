import fs from 'node:fs/promises';
import type { InspectDropOutput } from '../../common/contracts';
import { resolveRunConfig, resultSettings, type RunConfig } from '../../common/run-config';
import { runFiles, runSteps } from '../../common/run-layout';
import { changedSince } from '../runtime/file-identity';
import { changedFields, readStepMarker } from '../runtime/run-dir';

/**
 * Why the finished run in `runDir` is not the result of triggering its drop now with `config`:
 * the result settings it was computed with, and its input files as pinned at inspection, against
 * these ([] when it is; also when the run directory is not visible from here, e.g. a client
 * on another machine than the workers: then nothing can be said).
 */
export async function finishedRunDiffers(runDir: string, config: Partial<RunConfig> | undefined): Promise<string[]> {
  const stored = await fs.readFile(runFiles.config(runDir), 'utf8').then((text) => JSON.parse(text) as RunConfig, () => undefined);
  const inspected = await readStepMarker<InspectDropOutput>(runDir, runSteps.inspect).catch(() => undefined);
  const differences: string[] = [];
  if (stored) differences.push(...changedFields(resultSettings(resolveRunConfig(stored)), resultSettings(resolveRunConfig(config ?? {}))));
  if (inspected) differences.push(...await changedSince(inspected.output.pinned));
  return differences;
}
