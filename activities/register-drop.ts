import fs from 'node:fs/promises';
import type { RegisterDropInput, RegisterDropOutput } from '../common/contracts';
import { internalInvariantError } from '../common/errors';
import { modelFiles } from '../common/model-layout';
import { runFiles } from '../common/run-layout';
import { readSegmentModel } from './segment-models/segment-model';
import { currentModel, registerAssignment, registerRefit, withRegistry, type Registration } from './segment-models/registry';

/**
 * Records a drop in the model registry, last in its workflow: a refit registers the model package
 * its publish step wrote (copied next to the registry, so deleting the run directory loses
 * nothing) as the pipeline's next version, its persisted segment ids as publish wrote them
 * (compareWithModel's matching); an assigned drop records the version it used. Both store the
 * drop's drift summary (`drift`). One
 * transaction per drop, idempotent (registry.ts): a retried activity or a re-triggered drop returns
 * the recorded row and registers nothing twice.
 */
export async function registerDrop(input: RegisterDropInput): Promise<RegisterDropOutput> {
  const { decision } = input;
  const registration = decision.mode === 'assign'
    ? await withRegistry(input.dataDir, (connection) => registerAssignment(connection, {
      dropId: input.dropId, pipeline: decision.pipeline, modelVersion: decision.model!.version, reason: decision.reason, drift: input.drift,
    }))
    : await registerRefitOf(input);
  const current = await withRegistry(input.dataDir, (connection) => currentModel(connection, registration.record.pipeline));
  return {
    pipeline: registration.record.pipeline,
    mode: registration.record.mode,
    modelVersion: registration.record.modelVersion,
    reason: registration.record.reason,
    current: current?.version === registration.record.modelVersion,
    recordedBefore: registration.recordedBefore,
  };
}

async function registerRefitOf(input: RegisterDropInput): Promise<Registration> {
  const { decision } = input;
  const packageDir = runFiles.segmentModelDir(input.runDir);
  const model = await readSegmentModel(packageDir).catch((error: Error) => {
    throw internalInvariantError(`the refit of drop ${input.dropId} has no segment model package at ${packageDir} (${error.message})`);
  });
  const stagingDir = modelFiles.stagingDir(input.dataDir, decision.pipeline, input.dropId);
  await fs.rm(stagingDir, { recursive: true, force: true });
  await fs.cp(packageDir, stagingDir, { recursive: true });
  return withRegistry(input.dataDir, (connection) => registerRefit(connection, {
    dataDir: input.dataDir,
    pipeline: decision.pipeline,
    dropId: input.dropId,
    stagingDir,
    encoder: model.encoder.name,
    algorithm: model.provenance.candidate.algorithm,
    params: model.provenance.candidate.params,
    segments: model.segments.length,
    configHash: model.provenance.configHash,
  }, { reason: decision.reason, basedOn: decision.basedOn, drift: input.drift }));
}
