import fs from 'node:fs/promises';
import { writeJsonAtomic } from './atomic-write';
import { createHash } from 'node:crypto';
import { runFiles } from '../../common/run-layout';
import { damagedOutputs, recordOutputs, type OutputRecord, type OutputRef } from './step-outputs';

/**
 * A run directory holds every output of one data drop's pipeline plus one marker file per
 * finished step (`steps/<step>.json`, written atomically after the step's outputs). A marker is
 * the checkpoint: a retry or re-run finds it and returns the recorded output without redoing the
 * work. Markers are separate files, not one shared manifest, because shard steps finish
 * concurrently in different processes; `manifest.json` is assembled from them at publish time.
 *
 * A marker is only reused for the inputs it was made from: it records a fingerprint of the code
 * version, what the step read (`madeFrom`: the result-changing config fields and parameters) and
 * the seals of its upstream steps (their fingerprints and output digests), plus its own outputs
 * with their digests. A step whose fingerprint differs, or whose outputs were deleted or damaged
 * since, is computed again; its new seal then changes the fingerprint of every step downstream
 * that read it, so they are computed again too, and nothing returns results made from other inputs.
 */
export interface StepMarker<T> {
  step: string;
  finishedAt: string;
  /** How long the step's work took (absent for recorded steps and older checkpoints). */
  seconds?: number;
  fingerprint: string;
  madeFrom: unknown;
  /** The seal of each upstream step when this one ran: how `client repair` finds a step's dependents. */
  upstream: Record<string, string>;
  outputs: OutputRecord[];
  output: T;
}

/**
 * Part of every fingerprint: bump CHECKPOINT_FORMAT when a step computes something else from the
 * same inputs (a fixed bug, a changed file format), so older checkpoints are not reused.
 */
const CHECKPOINT_FORMAT = 3;
const CODE_VERSION = `${CHECKPOINT_FORMAT}`;

const markerPath = runFiles.stepMarker;

/** What one step is made from and what it writes. */
export interface StepDefinition<T> {
  runDir: string;
  step: string;
  /** What the result depends on besides upstream steps: result settings (resultSettings), parameters, input identities. */
  madeFrom: unknown;
  /** The steps whose outputs this one reads. */
  upstream?: string[];
  /** The files and run.duckdb tables the step wrote. */
  outputs: (output: T) => OutputRef[];
  /** Whether a recorded output still holds for reasons outside the run directory (e.g. its input files are unchanged). */
  stillValid?: (output: T) => Promise<boolean>;
}

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

/** What downstream steps are made from: this step's fingerprint and the digests of what it wrote. */
export function sealOf(marker: StepMarker<unknown>): string {
  return sha256(`${marker.fingerprint}\n${canonicalJson(marker.outputs ?? [])}`);
}

/** The fingerprint a step would have now, from its definition and its upstream markers as they are. */
export async function fingerprintStep(definition: Pick<StepDefinition<unknown>, 'runDir' | 'step' | 'madeFrom' | 'upstream'>) {
  const upstream: Record<string, string> = {};
  for (const name of definition.upstream ?? []) {
    const marker = await readStepMarker(definition.runDir, name);
    upstream[name] = marker ? sealOf(marker) : 'missing';
  }
  const fingerprint = sha256(canonicalJson({ code: CODE_VERSION, step: definition.step, madeFrom: definition.madeFrom, upstream }));
  return { fingerprint, upstream };
}

/**
 * Returns the recorded output of the step if it finished from the same inputs and its outputs
 * are intact; else runs it and records it (with its fingerprint and output digests).
 */
export async function runStepOnce<T>(definition: StepDefinition<T>, run: () => Promise<T>): Promise<T> {
  const { runDir, step } = definition;
  const { fingerprint, upstream } = await fingerprintStep(definition);
  const existing = await readStepMarker<T>(runDir, step);
  if (existing) {
    const stale = await whyNotReusable(existing, definition, { fingerprint, upstream });
    if (!stale) return existing.output;
    console.warn(`step ${step} of ${runDir}: its checkpoint is not reused (${stale}); computing it again`);
  }
  const started = performance.now();
  const output = await run();
  await writeMarkerFor(definition, { fingerprint, upstream }, output, (performance.now() - started) / 1000);
  return output;
}

/** Records a step that always runs (e.g. the last activity of distributed k-means), so steps downstream can key on it. */
export async function recordStep<T>(definition: StepDefinition<T>, output: T): Promise<void> {
  await writeMarkerFor(definition, await fingerprintStep(definition), output);
}

async function writeMarkerFor<T>(definition: StepDefinition<T>, made: { fingerprint: string; upstream: Record<string, string> }, output: T, seconds?: number): Promise<void> {
  const outputs = await recordOutputs(definition.runDir, definition.outputs(output));
  await writeStepMarker(definition.runDir, {
    step: definition.step, finishedAt: new Date().toISOString(), ...(seconds === undefined ? {} : { seconds: Math.round(seconds * 1000) / 1000 }),
    ...made, madeFrom: definition.madeFrom, outputs, output,
  });
}

async function whyNotReusable<T>(
  marker: StepMarker<T>, definition: StepDefinition<T>, now: { fingerprint: string; upstream: Record<string, string> },
): Promise<string | undefined> {
  if (marker.fingerprint !== now.fingerprint) return `it was made from other inputs: ${describeDifference(marker, definition.madeFrom, now.upstream)}`;
  const damaged = await damagedOutputs(definition.runDir, marker.outputs);
  if (damaged.length > 0) return `its outputs changed since: ${damaged.join('; ')}`;
  if (definition.stillValid && !(await definition.stillValid(marker.output))) return 'its input files changed';
  return undefined;
}

/** Which recorded inputs differ (settings, parameters, upstream steps), for the operator. */
function describeDifference(marker: StepMarker<unknown>, madeFrom: unknown, upstream: Record<string, string>): string {
  if (marker.fingerprint === undefined) return 'it was written by an older version';
  const differences = changedFields(marker.madeFrom, madeFrom);
  const recomputed = Object.keys(upstream).filter((name) => marker.upstream?.[name] !== upstream[name]);
  const parts: string[] = [];
  if (differences.length > 0) parts.push(differences.slice(0, 8).join(', ') + (differences.length > 8 ? ', ...' : ''));
  if (recomputed.length > 0) parts.push(`upstream step(s) ${recomputed.slice(0, 4).join(', ')}${recomputed.length > 4 ? ', ...' : ''} computed again since`);
  return parts.join('; ') || 'the code version changed';
}

/** `a.b: old -> new` for each leaf that differs between two JSON values (objects compared key by key). */
export function changedFields(before: unknown, after: unknown, prefix = ''): string[] {
  const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => changedFields(before[key], after[key], prefix ? `${prefix}.${key}` : key));
  }
  return canonicalJson(before) === canonicalJson(after) ? [] : [`${prefix || 'inputs'}: ${JSON.stringify(before)} -> ${JSON.stringify(after)}`];
}

export async function writeStepMarker<T>(runDir: string, marker: StepMarker<T>): Promise<void> {
  await writeJsonAtomic(markerPath(runDir, marker.step), marker);
}

/** JSON with object keys sorted, so equal values always give the same text (and fingerprint). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    typeof item === 'object' && item !== null && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => a.localeCompare(b)))
      : item);
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The steps of a run that have a marker file (not the temporary files of markers being written). */
export async function markedStepNames(runDir: string): Promise<string[]> {
  try {
    const names = await fs.readdir(runFiles.stepsDir(runDir));
    return names.filter((name) => name.endsWith('.json') && !name.startsWith('.')).map((name) => name.slice(0, -'.json'.length)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

export async function listStepMarkers(runDir: string): Promise<Array<StepMarker<unknown>>> {
  const markers = await Promise.all(
    (await markedStepNames(runDir)).map(async (step) => parseMarker<unknown>(await fs.readFile(markerPath(runDir, step), 'utf8'))),
  );
  // A damaged marker is not a finished step (readStepMarker recomputes it).
  return markers.filter((marker): marker is StepMarker<unknown> => marker !== undefined);
}
