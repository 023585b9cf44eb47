import type { CompareWithModelInput, CompareWithModelOutput, DriftSummary, SegmentIdentity } from '../common/contracts';
import { modelFiles } from '../common/model-layout';
import { runFiles, runSteps } from '../common/run-layout';
import { FITTED_ENCODERS, configSection, resultSettings } from '../common/run-config';
import { internalInvariantError } from '../common/errors';
import { writeJsonAtomic } from '../lib/runtime/atomic-write';
import { concatBlocks, readEmbeddingFile } from '../lib/runtime/embedding-file';
import { readLabelsFile } from '../lib/runtime/labels-file';
import { canonicalJson, runStepOnce } from '../lib/runtime/run-dir';
import { heartbeat } from '../lib/runtime/activity-progress';
import { readStoredConfig } from './preflight-run';
import { projectIntoModelSpace } from './segment-models/assign';
import { matchSegments, relabel, type MatchResult } from './segment-models/match-segments';
import { listModels, withRegistry } from './segment-models/registry';
import { persistedIds, readSegmentModel, type SegmentModel } from './segment-models/segment-model';
import { NOISE, type SegmentSnapshot } from './segment-models/snapshot';
import { labelCounts } from './segment-models/returning-users';
import { segmentTransitions, type SegmentTransitions } from './segment-models/transitions';
import type { Matrix } from './metrics/internal';

/** How many of the largest off-diagonal migration cells the registry keeps (the full matrix is in drift.json). */
const TOP_MIGRATIONS = 5;

/**
 * Compares a drop's segmentation with a registered model (docs/DRIFT.md, "In the pipeline"):
 *
 * - refit: the refit's labels are matched to the model's persisted ids (matchSegments, on the
 *   returning users' overlap and, when both can be put in one space, centroid proximity); an
 *   unmatched segment gets a fresh id above every id the pipeline ever used, so a retired id is
 *   never reused;
 * - both modes: the drift of the drop (relabelled to persisted ids) against the model's own users
 *   and labels (segmentTransitions), written whole to output/drift.json (assign mode:
 *   assigned/drift.json), summarised for the registry.
 *
 * The one space is the model's: the drop's encoder vectors are projected with the model's
 * standardization and PCA (never refitted), and the drop's segment centroids and spreads are
 * computed there. In assign mode that is the space the labels came from. A refit shares it only
 * when it used the model's encoder, one that is not fitted per run (item2vec and tfidf refit their
 * own space), with the same encoder settings; otherwise identity rests on overlap alone and the
 * summary says why (`centroidSpace`).
 *
 * A checkpointed step: a re-run returns the ids it gave the first time, so the published ids of a
 * drop never change.
 */
export async function compareWithModel(input: CompareWithModelInput): Promise<CompareWithModelOutput> {
  const { reason: _reason, ...baseline } = input.baseline;
  const step = {
    runDir: input.runDir,
    step: runSteps.compare(input.mode),
    madeFrom: { mode: input.mode, baseline, labelsPath: input.labelsPath, encoder: input.encoder },
    upstream: [...runSteps.embedAll(input.encoder, input.embeddingPaths.length), input.mode === 'assign' ? runSteps.assign : runSteps.evaluate],
    outputs: () => [{ file: runFiles.drift(input.runDir, input.mode) }],
  };
  return runStepOnce(step, () => compare(input));
}

async function compare(input: CompareWithModelInput): Promise<CompareWithModelOutput> {
  const model = await readSegmentModel(input.baseline.modelDir);
  const idOfLabel = persistedIds(model);
  const own = await readLabelsFile(modelFiles.labels(input.baseline.modelDir));
  const previous: SegmentSnapshot = {
    userIds: own.userIds,
    labels: own.labels.map((label) => (label === NOISE ? NOISE : idOfLabel.get(label)!)),
    centroids: new Map(model.centroids.map((center, label) => [idOfLabel.get(label)!, Float64Array.from(center)])),
  };
  const drop = await readLabelsFile(input.labelsPath);
  const dropSpace = await dropInModelSpace(input, model);
  heartbeat('projected');
  const space = 'problem' in dropSpace ? undefined : dropSpace;
  const measured = space && centroidsAndSpreads(space, drop.userIds, drop.labels);
  const snapshot: SegmentSnapshot = { userIds: drop.userIds, labels: drop.labels, centroids: measured?.centroids ?? new Map() };

  let current: SegmentSnapshot;
  let spreads: Map<number, number> | undefined;
  let match: MatchResult | undefined;
  let segmentIds: SegmentIdentity[];
  if (input.mode === 'assign') {
    // Assigned labels are the model's labels: its ids and names are theirs.
    current = relabel(snapshot, idOfLabel);
    spreads = measured && rekey(measured.spreads, idOfLabel);
    segmentIds = model.segments.map((segment) => ({ segment: segment.segment, id: idOfLabel.get(segment.segment)!, name: segment.name }));
  } else {
    const nextId = await nextFreshId(input.dataDir, input.baseline.pipeline);
    // Without one space the centroid term would only lower every similarity alike: overlap decides alone.
    match = matchSegments(previous, snapshot, { nextId, ...(space ? {} : { centroidWeight: 0 }) });
    current = relabel(snapshot, match.idOf);
    spreads = measured && rekey(measured.spreads, match.idOf);
    segmentIds = identities(snapshot, match, model);
  }
  const previousSpreads = new Map(model.segments.flatMap((segment) => (segment.spread === undefined ? [] : [[idOfLabel.get(segment.segment)!, segment.spread] as const])));
  const drift = segmentTransitions(previous, current, spreads && previousSpreads.size > 0 ? { spreads: { previous: previousSpreads, current: spreads } } : {});

  const driftPath = runFiles.drift(input.runDir, input.mode);
  const summary = summarise(input, model, drift, current, 'problem' in dropSpace ? `none: ${dropSpace.problem}` : 'model space', driftPath, match);
  await writeJsonAtomic(driftPath, { summary, segmentIds, matching: match ? { matches: match.matches, fresh: match.fresh } : null, ...drift });
  return { driftPath, summary, segmentIds };
}

type DropSpace = { userIds: string[]; matrix: Matrix } | { problem: string };

/** The drop's users (embedding order) in the model's space, or why a refit's vectors do not live there. */
async function dropInModelSpace(input: CompareWithModelInput, model: SegmentModel): Promise<DropSpace> {
  const problem = input.mode === 'refit' ? await sharedSpaceProblem(input, model) : '';
  if (problem) return { problem };
  const merged = concatBlocks(await Promise.all(input.embeddingPaths.map((file) => readEmbeddingFile(file))));
  if (merged.dimensions !== model.space.inputDimensions) {
    const message = `${merged.dimensions}-dimensional vectors, the model was fitted on ${model.space.inputDimensions}`;
    if (input.mode === 'refit') return { problem: message };
    throw internalInvariantError(`assigned drop ${input.runDir}: ${message}`);
  }
  return { userIds: merged.userIds, matrix: await projectIntoModelSpace(model, merged.vectors, merged.userIds.length, merged.dimensions) };
}

/** Why a refit's vectors cannot be projected into the model's space, or '' when they can. */
async function sharedSpaceProblem(input: CompareWithModelInput, model: SegmentModel): Promise<string> {
  if (input.encoder !== model.encoder.name) return `the refit chose ${input.encoder}, the model ${model.encoder.name}`;
  if (FITTED_ENCODERS.includes(input.encoder)) return `${input.encoder} is fitted per run: the refit's vectors are another space`;
  const settings = resultSettings(configSection(await readStoredConfig(input.runDir), 'encoders'));
  if (canonicalJson(settings) !== canonicalJson(model.encoder.settings)) return 'the refit embedded with other encoder settings than the model';
  return '';
}

/** Each label's centroid and mean distance to it, over the users of `labels` found in `space`. */
function centroidsAndSpreads(space: { userIds: string[]; matrix: Matrix }, userIds: string[], labels: Int32Array) {
  const { data, d } = space.matrix;
  const row = new Map(space.userIds.map((userId, i) => [userId, i]));
  const rows = userIds.map((userId) => row.get(userId));
  const sums = new Map<number, { total: Float64Array; members: number }>();
  rows.forEach((r, i) => {
    if (r === undefined || labels[i] === NOISE) return;
    const entry = sums.get(labels[i]) ?? { total: new Float64Array(d), members: 0 };
    for (let j = 0; j < d; j++) entry.total[j] += data[r * d + j];
    entry.members++;
    sums.set(labels[i], entry);
  });
  const centroids = new Map([...sums].map(([label, { total, members }]) => [label, total.map((value) => value / members)]));
  const distances = new Map<number, { total: number; members: number }>();
  rows.forEach((r, i) => {
    const centroid = centroids.get(labels[i]);
    if (r === undefined || !centroid) return;
    let sum = 0;
    for (let j = 0; j < d; j++) sum += (data[r * d + j] - centroid[j]) ** 2;
    const entry = distances.get(labels[i]) ?? { total: 0, members: 0 };
    entry.total += Math.sqrt(sum);
    entry.members++;
    distances.set(labels[i], entry);
  });
  return { centroids, spreads: new Map([...distances].map(([label, { total, members }]) => [label, total / members])) };
}

function rekey(values: Map<number, number>, idOf: Map<number, number>): Map<number, number> {
  return new Map([...values].map(([label, value]) => [idOf.get(label) ?? label, value]));
}

/** One above every segment id any registered model of the pipeline has used: retired ids are never given again. */
async function nextFreshId(dataDir: string, pipeline: string): Promise<number> {
  const models = await withRegistry(dataDir, (connection) => listModels(connection, pipeline));
  let largest = -1;
  for (const registered of models) {
    for (const id of persistedIds(await readSegmentModel(registered.modelDir)).values()) largest = Math.max(largest, id);
  }
  return largest + 1;
}

/** A matched segment keeps the model's name; a fresh one is named after its id. */
function identities(refit: SegmentSnapshot, match: MatchResult, model: SegmentModel): SegmentIdentity[] {
  const nameOf = new Map(model.segments.map((segment) => [segment.id ?? segment.segment, segment.name]));
  const labels = [...new Set(refit.labels)].filter((label) => label !== NOISE).sort((a, b) => a - b);
  return labels.map((segment) => {
    const id = match.idOf.get(segment)!;
    return { segment, id, name: nameOf.get(id) ?? `segment ${id}` };
  });
}

function summarise(
  input: CompareWithModelInput, model: SegmentModel, drift: SegmentTransitions, current: SegmentSnapshot, centroidSpace: string, file: string, match: MatchResult | undefined,
): DriftSummary {
  const transitionCounts: Record<string, number> = { survived: 0, absorbed: 0, split: 0, disappeared: 0, emerged: 0 };
  for (const transition of drift.transitions) transitionCounts[transition.kind]++;
  const { rows, columns, counts, rates } = drift.migration;
  const cells = rows.flatMap((from, r) => columns.flatMap((to, c) => (from !== to && counts[r][c] > 0 ? [{ from, to, users: counts[r][c], rate: round(rates[r][c]) }] : [])));
  return {
    mode: input.mode,
    comparedWith: { pipeline: input.baseline.pipeline, version: input.baseline.version, dropId: model.provenance.dropId },
    returningUsers: drift.returningUsers,
    segmentSizes: [...labelCounts(current.labels)].map(([id, users]) => ({ id, users })).sort((a, b) => b.users - a.users || a.id - b.id),
    driftScore: round(drift.driftScore),
    migratedShare: round(drift.migratedShare),
    shareShift: round(drift.shareShift),
    transitionCounts,
    transitions: drift.transitions.map(({ kind, from, to }) => ({ kind, from, to })),
    topMigrations: cells.sort((a, b) => b.users - a.users || a.from - b.from || a.to - b.to).slice(0, TOP_MIGRATIONS),
    centroidSpace,
    ...(match ? { freshIds: match.fresh.map((label) => match.idOf.get(label)!) } : {}),
    file,
  };
}

function round(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}
