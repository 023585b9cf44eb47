import { parseArgs } from 'node:util';
import { readSegmentModel } from '../../activities/segment-models/segment-model';
import { dropHistory, listModels, promote, withRegistry, type DropRecord, type RegisteredModel } from '../../activities/segment-models/registry';
import { dataDirFrom } from './options';

export interface ModelsOptions {
  action: 'list' | 'show' | 'promote';
  /** list: only this pipeline (all when absent); show and promote: required. */
  pipeline?: string;
  /** show: this version (the current one when absent); promote: required. */
  version?: number;
  dataDir: string;
  json: boolean;
}

/**
 * models list|show|promote: the model registry (<dataDir>/models/registry.duckdb). No Temporal needed.
 *   list [pipeline] [--json]            every registered model; --json: an array of {pipeline, version, current, segments, ...}
 *   show <pipeline> [version] [--json]  one model (the current one by default): provenance, assignment rule, segments, the pipeline's drop history
 *   promote <pipeline> <version>        make a version current (the only way back to an older one)
 */
export async function modelsCommand(options: ModelsOptions): Promise<number> {
  switch (options.action) {
    case 'list': {
      const models = await withRegistry(options.dataDir, (connection) => listModels(connection, options.pipeline));
      if (options.json) console.log(JSON.stringify(models));
      else if (models.length === 0) console.log('no segment models registered yet');
      else for (const model of models) console.log(describeModel(model));
      return 0;
    }
    case 'show': {
      const pipeline = required(options.pipeline, 'show <pipeline> [version]');
      const { models, history } = await withRegistry(options.dataDir, async (connection) => ({
        models: await listModels(connection, pipeline), history: await dropHistory(connection, pipeline),
      }));
      const model = models.find((candidate) => (options.version === undefined ? candidate.current : candidate.version === options.version));
      if (!model) throw new Error(`pipeline ${pipeline} has no ${options.version === undefined ? 'current model' : `model version ${options.version}`}`);
      const stored = await readSegmentModel(model.modelDir);
      const detail = { ...model, provenance: stored.provenance, assignment: stored.assignment, space: { dimensions: stored.space.dimensions, pca: stored.space.pca?.components ?? 0 }, segmentSizes: stored.segments, history };
      if (options.json) console.log(JSON.stringify([detail]));
      else printDetail(detail, history);
      return 0;
    }
    case 'promote': {
      const pipeline = required(options.pipeline, 'promote <pipeline> <version>');
      const version = required(options.version, 'promote <pipeline> <version>');
      const model = await withRegistry(options.dataDir, (connection) => promote(connection, pipeline, version));
      console.log(options.json ? JSON.stringify([model]) : `current: ${describeModel(model)}`);
      return 0;
    }
  }
}

/** `models <action> [pipeline] [version] [--data-dir D] [--json]` as client.ts receives it. */
export function modelsOptionsFrom(args: string[]): ModelsOptions {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { 'data-dir': { type: 'string' }, json: { type: 'boolean' } } });
  const [action, pipeline, version] = positionals;
  if (action !== 'list' && action !== 'show' && action !== 'promote') throw new Error('usage: models list [pipeline] | show <pipeline> [version] | promote <pipeline> <version>  [--data-dir D] [--json]');
  if (version !== undefined && !/^\d+$/.test(version)) throw new Error(`models ${action}: the version is a number, got ${JSON.stringify(version)}`);
  return { action, pipeline, version: version === undefined ? undefined : Number(version), dataDir: dataDirFrom(values['data-dir']), json: values.json ?? false };
}

function describeModel(model: RegisteredModel): string {
  return `${model.pipeline} v${model.version}${model.current ? ' (current)' : ''}: ${model.encoder} / ${model.algorithm} ${model.params}, ${model.segments} segments, from drop ${model.dropId} at ${model.createdAt}`;
}

function printDetail(detail: RegisteredModel & { provenance: { selectionReason: string }; assignment: unknown; segmentSizes: Array<{ segment: number; users: number }> }, history: DropRecord[]): void {
  console.log(describeModel(detail));
  console.log(`  directory: ${detail.modelDir}`);
  console.log(`  chosen because: ${detail.provenance.selectionReason}`);
  console.log(`  assignment rule: ${JSON.stringify(detail.assignment)}`);
  console.log(`  segments: ${detail.segmentSizes.map((segment) => `${segment.segment}: ${segment.users} users`).join(', ')}`);
  console.log('  drops of the pipeline:');
  for (const drop of history) console.log(`    ${String(drop.sequence).padStart(4)}  ${drop.recordedAt}  ${drop.mode.padEnd(6)}  v${drop.modelVersion}  ${drop.dropId}: ${drop.reason}`);
}

function required<T>(value: T | undefined, usage: string): T {
  if (value === undefined) throw new Error(`usage: models ${usage}`);
  return value;
}
