import fs from 'node:fs/promises';
import { runFiles, runSteps } from '../../common/run-layout';
import type { InspectDropOutput } from '../../common/contracts';
import { changedSince } from './file-identity';
import { markedStepNames, sealOf, type StepMarker } from './run-dir';
import { damagedOutputs, sha256File } from './step-outputs';

/**
 * What `client verify` finds for one step:
 *   ok        its outputs match their recorded digests and it was made from its upstream steps as they are;
 *   damaged   an output is missing or differs from its digest, or the marker itself does not parse;
 *   stale     it was made from upstream results (or input files) that are not there any more;
 *   outdated  it was written by an older version of the checkpoint format;
 *   missing   steps made from it recorded it, but it has no checkpoint now (deleted).
 */
export interface StepCheck {
  step: string;
  status: 'ok' | 'damaged' | 'stale' | 'outdated' | 'missing';
  problems: string[];
}

export interface RunCheck {
  runDir: string;
  steps: StepCheck[];
  ok: boolean;
}

/** Checks every checkpoint of a run directory and every output against its recorded digest (reads every byte). */
export async function verifyRun(runDir: string): Promise<RunCheck> {
  const markers = await readMarkers(runDir);
  if (markers.size === 0) throw new Error(`${runDir} has no finished steps (is it a run directory? expected ${runFiles.stepsDir(runDir)}/*.json)`);
  const steps: StepCheck[] = [];
  for (const [step, marker] of markers) {
    if (typeof marker === 'string') {
      steps.push({ step, status: 'damaged', problems: [marker] });
    } else if (marker.fingerprint === undefined) {
      steps.push({ step, status: 'outdated', problems: ['written by an older version: no fingerprint or output digests'] });
    } else {
      const damaged = await damagedOutputs(runDir, marker.outputs, { full: true });
      const stale = [...staleUpstream(marker, markers), ...(step === runSteps.inspect ? await changedInputs(marker as StepMarker<InspectDropOutput>) : [])];
      steps.push(damaged.length > 0 ? { step, status: 'damaged', problems: damaged }
        : stale.length > 0 ? { step, status: 'stale', problems: stale } : { step, status: 'ok', problems: [] });
    }
  }
  for (const step of [...new Set([...markers.values()].flatMap((marker) => typeof marker === 'string' ? [] : Object.keys(marker.upstream ?? {})))].sort()) {
    if (!markers.has(step)) steps.push({ step, status: 'missing', problems: [`${runFiles.stepMarker(runDir, step)} is gone; steps made from it are stale`] });
  }
  return { runDir, steps, ok: steps.every((check) => check.status === 'ok') };
}

/**
 * The steps `client repair` computes again: every step that is not ok, and every step made from
 * one of them (followed downstream through the upstream seals the markers record).
 */
export async function stepsToRecompute(check: RunCheck): Promise<string[]> {
  const markers = await readMarkers(check.runDir);
  const chosen = new Set(check.steps.filter((step) => step.status !== 'ok').map((step) => step.step));
  for (let grew = true; grew;) {
    grew = false;
    for (const [step, marker] of markers) {
      if (chosen.has(step) || typeof marker === 'string') continue;
      if (Object.keys(marker.upstream ?? {}).some((upstream) => chosen.has(upstream))) {
        chosen.add(step);
        grew = true;
      }
    }
  }
  return [...chosen].sort();
}

/** Every marker of the run, or the reason it cannot be read. */
async function readMarkers(runDir: string): Promise<Map<string, StepMarker<unknown> | string>> {
  const markers = new Map<string, StepMarker<unknown> | string>();
  for (const name of await markedStepNames(runDir)) markers.set(name, await readMarker(runDir, name));
  return markers;
}

/** Removes the markers of `steps`, so the next run of the drop computes them again. */
export async function forgetSteps(runDir: string, steps: string[]): Promise<void> {
  for (const step of steps) await fs.rm(runFiles.stepMarker(runDir, step), { force: true });
}

/** The upstream steps whose current seal differs from the one this step was made from. */
function staleUpstream(marker: StepMarker<unknown>, markers: Map<string, StepMarker<unknown> | string>): string[] {
  return Object.entries(marker.upstream ?? {}).flatMap(([name, seal]) => {
    const upstream = markers.get(name);
    if (upstream === undefined) return [`made from step ${name}, which has no checkpoint now`];
    if (typeof upstream === 'string' || sealOf(upstream) !== seal) return [`made from step ${name} as it was before it was computed again or damaged`];
    return [];
  });
}

/** The drop's files against their pinned identity and content digest. */
async function changedInputs(marker: StepMarker<InspectDropOutput>): Promise<string[]> {
  const changes = await changedSince(marker.output.pinned);
  for (const file of marker.output.pinned) {
    if (file.sha256 && !changes.some((line) => line.startsWith(file.path)) && (await sha256File(file.path)) !== file.sha256) {
      changes.push(`${file.path} differs from its recorded sha256`);
    }
  }
  return changes.map((change) => `input changed: ${change}`);
}

async function readMarker(runDir: string, step: string): Promise<StepMarker<unknown> | string> {
  const file = runFiles.stepMarker(runDir, step);
  try {
    const marker = JSON.parse(await fs.readFile(file, 'utf8')) as StepMarker<unknown>;
    if (marker?.step !== step || !('output' in marker)) return `${file} is not the marker of step ${step}`;
    return marker;
  } catch (error) {
    return `${file} cannot be read: ${(error as Error).message}`;
  }
}
