import { InvalidArgumentError, type Command } from 'commander';
import { readSegmentModel } from '../../activities/segment-models/segment-model';
import { dropHistory, listModels, promote, withRegistry, type DropRecord, type RegisteredModel } from '../../activities/segment-models/registry';
import { DATA_DIR_HELP, dataDirFrom } from './options';
import { runAction, withJsonOption } from './cli';

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

/** `models list|show|promote`: the registry's commands (no server needed). */
export function registerModelsCommand(program: Command): void {
  const models = program.command('models')
    .summary('list, show and promote segment models (no server needed)')
    .description('The segment model registry of a data directory (<data-dir>/models/registry.duckdb): the models each pipeline published, ' +
      'which one is current, and every drop it segmented (docs/OPERATIONS.md, "Segment models").');
  const action = (name: ModelsOptions['action']) => (pipeline: string | undefined, version: string | undefined, options: { dataDir?: string; json?: boolean }) =>
    runAction(options, () => modelsCommand({ action: name, pipeline, version: versionNumber(version), dataDir: dataDirFrom(options.dataDir), json: Boolean(options.json) }));
  withJsonOption(models.command('list').description('Every registered model (--json: an array of {pipeline, version, current, segments, ...}).')
    .argument('[pipeline]', 'only this pipeline').option('--data-dir <dir>', DATA_DIR_HELP))
    .action((pipeline: string | undefined, options: { dataDir?: string; json?: boolean }) => action('list')(pipeline, undefined, options));
  withJsonOption(models.command('show').description("One model (the pipeline's current one by default): provenance, assignment rule, segments, the pipeline's drop history.")
    .argument('<pipeline>', 'pipeline name (config pipelineName)').argument('[version]', 'model version').option('--data-dir <dir>', DATA_DIR_HELP))
    .action(action('show'));
  withJsonOption(models.command('promote').description('Make a version current (the only way back to an older one).')
    .argument('<pipeline>', 'pipeline name').argument('<version>', 'model version').option('--data-dir <dir>', DATA_DIR_HELP))
    .action(action('promote'));
}

function versionNumber(version: string | undefined): number | undefined {
  if (version === undefined) return undefined;
  if (!/^\d+$/.test(version)) throw new InvalidArgumentError(`the version is a number, got ${JSON.stringify(version)}`);
  return Number(version);
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
