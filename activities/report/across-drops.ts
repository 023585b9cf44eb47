import fs from 'node:fs/promises';
import type { DriftSummary, SegmentIdentity } from '../../common/contracts';
import type { MigrationMatrix } from '../segment-models/migration-matrix';
import type { Transition } from '../segment-models/monic-transitions';
import { dropHistory, listModels, withRegistry, type DropRecord } from '../segment-models/registry';
import { persistedIds, readSegmentModel } from '../segment-models/segment-model';
import { NOISE } from '../segment-models/snapshot';

/**
 * What the report's "Across drops" section shows (docs/DRIFT.md, "In the report"): this drop's
 * drift against its model, and the sizes of the pipeline's segments (persisted ids) over its drops.
 */
export interface AcrossDrops {
  pipeline: string;
  summary: Pick<DriftSummary, 'mode' | 'comparedWith' | 'returningUsers' | 'driftScore' | 'migratedShare' | 'shareShift' | 'centroidSpace' | 'triggeredBy'>;
  /** Each persisted id's name: the latest any model or this drop gave it. */
  names: Array<{ id: number; name: string }>;
  /** Users per persisted id (noise left out) per drop of the pipeline, in drop order, this drop last. */
  sizes: Array<{ sequence: number; dropId: string; id: number; users: number }>;
  /** Drops whose sizes are not known (assigned before drift recorded sizes): left out of `sizes`. */
  dropsWithoutSizes: number;
  transitions: Transition[];
  migration: MigrationMatrix;
}

/** The part of drift.json (activities/compare-with-model.ts) the report reads. */
interface DriftFile {
  summary: DriftSummary;
  segmentIds: SegmentIdentity[];
  transitions: Transition[];
  migration: MigrationMatrix;
}

/**
 * Reads this drop's drift.json and the pipeline's history from the registry. The drop itself is
 * registered after publish, so it is taken from drift.json; if it was registered already (a drop
 * published again), only the drops before it count, so the chart never shows a later drop.
 */
export async function loadAcrossDrops(input: { dropId: string; driftPath: string; dataDir: string; triggeredBy?: DriftSummary['triggeredBy'] }): Promise<AcrossDrops> {
  const drift = JSON.parse(await fs.readFile(input.driftPath, 'utf8')) as DriftFile;
  const { summary } = drift;
  const pipeline = summary.comparedWith.pipeline;
  const { history, models } = await withRegistry(input.dataDir, async (connection) => ({
    history: await dropHistory(connection, pipeline),
    models: await listModels(connection, pipeline),
  }));
  const own = history.find((record) => record.dropId === input.dropId);
  const earlier = history.filter((record) => record.dropId !== input.dropId && (!own || record.sequence < own.sequence));

  const names = new Map<number, string>();
  const modelSizes = new Map<number, Array<{ id: number; users: number }>>();
  for (const registered of models) {
    const model = await readSegmentModel(registered.modelDir);
    const ids = persistedIds(model);
    for (const segment of model.segments) names.set(ids.get(segment.segment)!, segment.name);
    modelSizes.set(registered.version, model.segments.map((segment) => ({ id: ids.get(segment.segment)!, users: segment.users })));
  }
  for (const identity of drift.segmentIds) names.set(identity.id, identity.name);

  const sizesOf = (record: DropRecord) => (record.drift as DriftSummary | null)?.segmentSizes
    // A refit's own model holds its sizes (a first refit has no drift).
    ?? (record.mode === 'refit' ? modelSizes.get(record.modelVersion) : undefined);
  const drops = [
    ...earlier.map((record) => ({ sequence: record.sequence, dropId: record.dropId, sizes: sizesOf(record) })),
    { sequence: own?.sequence ?? (earlier.at(-1)?.sequence ?? 0) + 1, dropId: input.dropId, sizes: summary.segmentSizes },
  ];
  return {
    pipeline,
    summary: {
      mode: summary.mode, comparedWith: summary.comparedWith, returningUsers: summary.returningUsers, driftScore: summary.driftScore,
      migratedShare: summary.migratedShare, shareShift: summary.shareShift, centroidSpace: summary.centroidSpace,
      ...(input.triggeredBy ?? summary.triggeredBy ? { triggeredBy: input.triggeredBy ?? summary.triggeredBy } : {}),
    },
    names: [...names].map(([id, name]) => ({ id, name })).sort((a, b) => a.id - b.id),
    sizes: drops.flatMap((drop) => (drop.sizes ?? [])
      .filter((size) => size.id !== NOISE)
      .map((size) => ({ sequence: drop.sequence, dropId: drop.dropId, id: size.id, users: size.users }))),
    dropsWithoutSizes: drops.filter((drop) => !drop.sizes).length,
    transitions: drift.transitions,
    migration: drift.migration,
  };
}
