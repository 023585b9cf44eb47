import fs from 'node:fs/promises';
import path from 'node:path';
import type {
  AssignSegmentsInput, AssignSegmentsOutput, InstallModelEncoderInput, InstallModelEncoderOutput,
} from '../common/contracts';
import { modelFiles } from '../common/model-layout';
import { runFiles, runSteps } from '../common/run-layout';
import { writeJsonAtomic } from '../lib/runtime/atomic-write';
import { concatBlocks, readEmbeddingFile } from '../lib/runtime/embedding-file';
import { writeLabelsFile } from '../lib/runtime/labels-file';
import { runStepOnce } from '../lib/runtime/run-dir';
import { heartbeat } from '../lib/runtime/activity-progress';
import { assignToModel, projectIntoModelSpace } from './segment-models/assign';
import { readSegmentModel } from './segment-models/segment-model';

/**
 * Assign mode, in place of the fit step: copies the model's fitted encoder files (item2vec, tfidf)
 * into the run directory where embedShard reads them, under the fit step's name, so the drop is
 * embedded with the model's encoder, never a refitted one.
 */
export async function installModelEncoder(input: InstallModelEncoderInput): Promise<InstallModelEncoderOutput> {
  const target = runFiles.encoderModelDir(input.runDir, input.encoder);
  const model = await readSegmentModel(input.modelDir);
  const files = model.encoder.artifacts.map((name) => path.join(target, name));
  const step = {
    runDir: input.runDir,
    step: runSteps.installEncoder(input.encoder),
    madeFrom: { encoder: input.encoder, modelDir: input.modelDir, provenance: model.provenance.dropId },
    outputs: () => files.map((file) => ({ file })),
  };
  return runStepOnce(step, async () => {
    await fs.mkdir(target, { recursive: true });
    for (const name of model.encoder.artifacts) {
      const destination = path.join(target, name);
      await fs.copyFile(path.join(modelFiles.encoderDir(input.modelDir), name), `${destination}.tmp`);
      await fs.rename(`${destination}.tmp`, destination);
    }
    return { encoder: input.encoder, modelDir: target, files };
  });
}

/**
 * Assign mode: places every embedded user of the drop into the model (its space, its rule) and
 * writes assigned/labels.arrow, a summary and an empty leaderboard naming the model.
 */
export async function assignSegments(input: AssignSegmentsInput): Promise<AssignSegmentsOutput> {
  const model = await readSegmentModel(input.assignment.modelDir);
  const step = {
    runDir: input.runDir,
    step: runSteps.assign,
    madeFrom: { assignment: { ...input.assignment, reason: undefined }, model: model.provenance },
    upstream: runSteps.embedAll(model.encoder.name, input.embeddingPaths.length),
    outputs: () => [runFiles.assignedLabels, runFiles.assignmentSummary, runFiles.assignedLeaderboard].map((file) => ({ file: file(input.runDir) })),
  };
  return runStepOnce(step, async () => {
    const merged = concatBlocks(await Promise.all(input.embeddingPaths.map((file) => readEmbeddingFile(file))));
    heartbeat('loaded');
    const matrix = await projectIntoModelSpace(model, merged.vectors, merged.userIds.length, merged.dimensions);
    const labels = await assignToModel(model, input.assignment.modelDir, matrix);
    const sizes = model.centroids.map(() => 0);
    let noiseUsers = 0;
    for (const label of labels) {
      if (label < 0) noiseUsers++;
      else sizes[label]++;
    }
    const labelsPath = runFiles.assignedLabels(input.runDir);
    await writeLabelsFile(labelsPath, merged.userIds, labels);
    const { pipeline, version } = input.assignment;
    const selectionReason = `assigned into segment model ${pipeline} v${version} (fitted on drop ${model.provenance.dropId}; ${describeRule(model)}); ${input.assignment.reason}`;
    await writeJsonAtomic(runFiles.assignmentSummary(input.runDir), { ...input.assignment, users: labels.length, noiseUsers, sizes, rule: model.assignment });
    const leaderboardPath = runFiles.assignedLeaderboard(input.runDir);
    await writeJsonAtomic(leaderboardPath, { selectionRule: `none: assign mode (segment model ${pipeline} v${version})`, evidence: null, rows: [] });
    return { labelsPath, leaderboardPath, chosen: model.provenance.candidate, selectionReason, users: labels.length, noiseUsers, sizes };
  });
}

function describeRule(model: Awaited<ReturnType<typeof readSegmentModel>>): string {
  const rule = model.assignment;
  if (rule.kind === 'nearest-core-point') return `nearest of ${rule.corePoints} core points within eps ${rule.eps.toPrecision(4)}, else noise`;
  return rule.exact ? 'nearest centroid' : 'nearest centroid, an approximation for this algorithm';
}
