import fs from 'node:fs/promises';
import path from 'node:path';
import { writeJsonAtomic } from './atomic-write';
import { runFiles } from '../../common/run-layout';

/**
 * A run directory holds every output of one data drop's pipeline plus one marker file per
 * finished step (`steps/<step>.json`, written atomically after the step's outputs). A marker is
 * the checkpoint: a retry or re-run finds it and returns the recorded output without redoing the
 * work. Markers are separate files, not one shared manifest, because shard steps finish
 * concurrently in different processes; `manifest.json` is assembled from them at publish time.
 */
export interface StepMarker<T> {
  step: string;
  finishedAt: string;
  output: T;
}

const markerPath = runFiles.stepMarker;

export async function readStepMarker<T>(runDir: string, step: string): Promise<StepMarker<T> | undefined> {
  try {
    return JSON.parse(await fs.readFile(markerPath(runDir, step), 'utf8')) as StepMarker<T>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export async function writeStepMarker<T>(runDir: string, step: string, output: T): Promise<void> {
  const marker: StepMarker<T> = { step, finishedAt: new Date().toISOString(), output };
  await writeJsonAtomic(markerPath(runDir, step), marker);
}

/** Returns the recorded output of `step` if it already finished, else runs it and records it. */
export async function runStepOnce<T>(runDir: string, step: string, run: () => Promise<T>): Promise<T> {
  const existing = await readStepMarker<T>(runDir, step);
  if (existing) return existing.output;
  const output = await run();
  await writeStepMarker(runDir, step, output);
  return output;
}

export async function listStepMarkers(runDir: string): Promise<Array<StepMarker<unknown>>> {
  let names: string[];
  try {
    names = await fs.readdir(runFiles.stepsDir(runDir));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const markers = await Promise.all(
    names.filter((name) => name.endsWith('.json') && !name.startsWith('.')).sort()
      .map(async (name) => JSON.parse(await fs.readFile(path.join(runFiles.stepsDir(runDir), name), 'utf8')) as StepMarker<unknown>),
  );
  return markers;
}
