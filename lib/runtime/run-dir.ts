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

/**
 * The marker of `step`, or undefined when the step has not finished. Markers are written
 * atomically, so one that does not parse was damaged afterwards (a disk, a person): it is
 * reported, naming the file, and treated as absent, so the step is computed again once, never
 * retried as it is.
 */
export async function readStepMarker<T>(runDir: string, step: string): Promise<StepMarker<T> | undefined> {
  const file = markerPath(runDir, step);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const marker = parseMarker<T>(text);
  if (marker?.step === step) return marker;
  console.warn(`damaged checkpoint ${file} (${marker ? `it names step ${JSON.stringify(marker.step)}` : 'not a step marker'}): step ${step} is computed again`);
  return undefined;
}

function parseMarker<T>(text: string): StepMarker<T> | undefined {
  try {
    const marker = JSON.parse(text) as StepMarker<T>;
    return marker && typeof marker === 'object' && 'output' in marker ? marker : undefined;
  } catch {
    return undefined;
  }
}

export async function writeStepMarker<T>(runDir: string, step: string, output: T): Promise<void> {
  const marker: StepMarker<T> = { step, finishedAt: new Date().toISOString(), output };
  await writeJsonAtomic(markerPath(runDir, step), marker);
}

/** Returns the recorded output of `step` if it already finished, else runs it and records it. */
export async function runStepOnce<T>(
  runDir: string,
  step: string,
  run: () => Promise<T>,
  /** Whether a recorded output still holds (e.g. its input files are unchanged); when not, the step runs again. */
  stillValid: (output: T) => Promise<boolean> = async () => true,
): Promise<T> {
  const existing = await readStepMarker<T>(runDir, step);
  if (existing && await stillValid(existing.output)) return existing.output;
  const output = await run();
  await writeStepMarker(runDir, step, output);
  return output;
}

/** The marker files of a run's steps (not the temporary files of markers being written). */
async function markerFileNames(runDir: string): Promise<string[]> {
  try {
    const names = await fs.readdir(runFiles.stepsDir(runDir));
    return names.filter((name) => name.endsWith('.json') && !name.startsWith('.')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Whether any step of the run has finished (without reading the markers). */
export async function hasFinishedSteps(runDir: string): Promise<boolean> {
  return (await markerFileNames(runDir)).length > 0;
}

export async function listStepMarkers(runDir: string): Promise<Array<StepMarker<unknown>>> {
  const markers = await Promise.all(
    (await markerFileNames(runDir))
      .map(async (name) => parseMarker<unknown>(await fs.readFile(path.join(runFiles.stepsDir(runDir), name), 'utf8'))),
  );
  // A damaged marker is not a finished step (readStepMarker recomputes it).
  return markers.filter((marker): marker is StepMarker<unknown> => marker !== undefined);
}
