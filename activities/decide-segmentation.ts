import type { DecideSegmentationInput, DriftSummary, ModelAssignment, SegmentationDecision } from '../common/contracts';
import { runConfigError } from '../common/errors';
import { readSegmentModel } from './segment-models/segment-model';
import { currentModel, dropRecord, dropsUsing, listModels, withRegistry } from './segment-models/registry';

/**
 * Refit or assign, for one drop of a pipeline (config `mode`, docs/ARCHITECTURE.md "Segment
 * models"): 'refit' and 'assign' are taken as asked ('assign' fails without a current model);
 * 'auto' assigns into the current model unless the pipeline has none or `refitEveryDrops` drops
 * have used it (a drift past `refitDriftThreshold` switches an assigned drop to a refit later, in
 * the workflow, once its drift is measured). A drop the registry already recorded gets its recorded decision back, so a
 * re-triggered drop does what it did the first time. Not a run-directory checkpoint: the registry
 * is the state it reads, and the workflow history keeps the answer for replays.
 */
export async function decideSegmentation(input: DecideSegmentationInput): Promise<SegmentationDecision> {
  const pipeline = input.config.pipelineName;
  return withRegistry(input.dataDir, async (connection) => {
    const recorded = await dropRecord(connection, input.dropId);
    if (recorded) {
      // The recorded reason as it was (`recorded` says it is a replay): the run's published outputs stay the same.
      const { reason } = recorded;
      const models = await listModels(connection, recorded.pipeline);
      if (recorded.mode === 'refit') {
        // basedOn no longer matters (registering a recorded drop returns its record); the baseline is
        // the model it was compared with, so its identity step finds its checkpoint and the ids stay.
        const comparedWith = (recorded.drift as DriftSummary | null)?.comparedWith?.version;
        const baseline = models.find((candidate) => candidate.version === comparedWith);
        return { pipeline: recorded.pipeline, mode: 'refit', reason, basedOn: null, ...(baseline ? { baseline: baselineOf(baseline, reason) } : {}), recorded: true };
      }
      const model = models.find((candidate) => candidate.version === recorded.modelVersion)!;
      return { pipeline: recorded.pipeline, mode: 'assign', reason, basedOn: recorded.modelVersion, model: await assignmentTo(model, reason), recorded: true };
    }
    const current = await currentModel(connection, pipeline);
    const refit = (reason: string): SegmentationDecision => ({
      pipeline, mode: 'refit', reason, basedOn: current?.version ?? null, ...(current ? { baseline: baselineOf(current, reason) } : {}), recorded: false,
    });
    if (input.config.mode === 'refit') return refit("config mode 'refit'");
    if (!current) {
      if (input.config.mode === 'assign') {
        throw runConfigError(`mode 'assign': pipeline ${JSON.stringify(pipeline)} has no current segment model; run a drop with mode 'refit' or 'auto' first, or promote one ('client models promote')`);
      }
      return refit(`pipeline ${pipeline} has no current model`);
    }
    if (input.config.mode === 'auto') {
      const used = await dropsUsing(connection, pipeline, current.version);
      if (input.config.refitEveryDrops > 0 && used >= input.config.refitEveryDrops) {
        return refit(`refitEveryDrops ${input.config.refitEveryDrops} reached: ${used} drops used v${current.version}`);
      }
    }
    const reason = input.config.mode === 'assign' ? `config mode 'assign': current model v${current.version}` : `current model v${current.version}`;
    return { pipeline, mode: 'assign', reason, basedOn: current.version, model: await assignmentTo(current, reason), recorded: false };
  });
}

function baselineOf(model: { pipeline: string; version: number; modelDir: string }, reason: string): ModelAssignment {
  return { pipeline: model.pipeline, version: model.version, modelDir: model.modelDir, reason };
}

async function assignmentTo(model: { pipeline: string; version: number; modelDir: string }, reason: string): Promise<NonNullable<SegmentationDecision['model']>> {
  const stored = await readSegmentModel(model.modelDir);
  return {
    pipeline: model.pipeline, version: model.version, modelDir: model.modelDir, reason,
    encoder: stored.encoder.name, encoderSettings: stored.encoder.settings,
  };
}
