import fs from 'node:fs/promises';
import { ApplicationFailure } from '@temporalio/common';
import type { PreflightRunInput, PreflightRunOutput } from '../common/contracts';
import { resolveRunConfig, type EncoderName, type RunConfig, type RunConfigField } from '../common/run-config';
import { writeJsonAtomic } from '../lib/runtime/atomic-write';
import { runFiles } from '../common/run-layout';
import { badInput, modelError, runConfigError } from '../common/errors';
import { openDuckDB } from '../lib/runtime/duckdb';
import { defaultModelDir } from '../lib/runtime/models/default-model';
import { checkPrecisionFile, readModelConfig } from '../lib/runtime/models/model-config';
import { BEHAVIOR_STATS_FEATURES } from './encoders/behavior-stats';
import { readTruthLabels } from './evaluation/external';
import { readMappingFile } from './ingest/mapping';

/** A problem preflight found: a file the config names is missing or broken, or a setting does not fit the files. */
interface Problem {
  field: RunConfigField;
  kind: 'file' | 'model' | 'config';
  message: string;
}

/**
 * First step of a run, before any heavy work: stores the resolved config in the run directory
 * (config.json; publish records it in the manifest from there; a re-run with other settings
 * replaces it, and the steps' fingerprints decide what is computed again) and checks every file
 * the config names and what depends on them (the mapping file, the truth labels, the transformer
 * model, PCA against every encoder's dimensions). All problems end the run at once, in one
 * non-retryable error (common/errors.ts): BadInputError when a file is missing or broken, else
 * ModelError when the transformer model is, else RunConfigError.
 */
export async function preflightRun(input: PreflightRunInput): Promise<PreflightRunOutput> {
  const configPath = runFiles.config(input.runDir);
  await writeJsonAtomic(configPath, input.config);
  const problems = await findProblems(input.config);
  if (problems.length > 0) {
    const message = `the run config names files or settings that cannot work (${problems.length}):\n` +
      problems.map((problem) => `  ${problem.field}: ${problem.message}`).join('\n');
    throw problems.some((problem) => problem.kind === 'file') ? badInput(message)
      : problems.some((problem) => problem.kind === 'model') ? modelError(message) : runConfigError(message);
  }
  return { configPath };
}

/** The run's resolved config as preflight stored it. */
export async function readStoredConfig(runDir: string): Promise<RunConfig> {
  const file = runFiles.config(runDir);
  return resolveRunConfig(JSON.parse(await fs.readFile(file, 'utf8')) as Partial<RunConfig>);
}

async function findProblems(config: RunConfig): Promise<Problem[]> {
  const model = await checkTransformerModel(config);
  return [
    ...await checkMappingFile(config),
    ...await checkTruthLabels(config),
    ...model.problems,
    ...checkPcaComponents(config, model.dimensions),
  ];
}

async function checkMappingFile(config: RunConfig): Promise<Problem[]> {
  const file = config.mappingFile;
  if (!file) return [];
  const fix = "give a JSON format mapping (docs/DATA-CONTRACTS.md, \"Generic schema\"), or '' to detect the known formats";
  try {
    await fs.access(file);
  } catch {
    return [{ field: 'mappingFile', kind: 'file', message: `mapping file ${file} does not exist; ${fix}` }];
  }
  try {
    readMappingFile(file);
    return [];
  } catch (error) {
    return [{ field: 'mappingFile', kind: 'file', message: `${(error as Error).message}; ${fix}` }];
  }
}

async function checkTruthLabels(config: RunConfig): Promise<Problem[]> {
  const file = config.truthLabelsFile;
  if (!file) return [];
  const fix = "give a CSV or Parquet file with user_id and label columns, or '' for no external metrics";
  const database = await openDuckDB(':memory:');
  try {
    await readTruthLabels(database.connection, file);
    return [];
  } catch (error) {
    const known = error instanceof ApplicationFailure && error.type === 'BadInputError';
    const message = known ? (error as Error).message : `truthLabelsFile ${file} cannot be read: ${(error as Error).message}`;
    return [{ field: 'truthLabelsFile', kind: 'file', message: `${message}; ${fix}` }];
  } finally {
    database.close();
  }
}

/**
 * The transformer's model directory, when the run embeds with it: readable, and its width (for
 * PCA). The default model is the embedding workers' own (they provision it when they start, and
 * this activity may run on a machine without one): only its width is read, when it is here.
 */
async function checkTransformerModel(config: RunConfig): Promise<{ problems: Problem[]; dimensions?: number }> {
  if (!config.encoders.includes('transformer')) return { problems: [] };
  if (!config.transformerModelDir) {
    const dimensions = await readModelConfig(defaultModelDir()).then((model) => model.dimensions, () => undefined);
    return { problems: [], dimensions };
  }
  const dir = config.transformerModelDir;
  let dimensions: number;
  try {
    dimensions = (await readModelConfig(dir)).dimensions;
  } catch (error) {
    const exists = await fs.stat(dir).then(() => true, () => false);
    // readModelConfig's own message names the file and the fix.
    const message = exists ? (error as Error).message
        : `${dir} does not exist; point transformerModelDir at a model directory (model.onnx, tokenizer.json, model-config.json or config.json; ` +
          "docs/ENCODERS.md), or '' for the default model";
    return { problems: [{ field: 'transformerModelDir', kind: 'model', message }] };
  }
  try {
    await checkPrecisionFile(dir, config.transformerPrecision);
  } catch (error) {
    return { problems: [{ field: 'transformerPrecision', kind: 'model', message: (error as Error).message }], dimensions };
  }
  return { problems: [], dimensions };
}

/** PCA keeps fewer components than the encoder has dimensions, for every encoder of the run. */
function checkPcaComponents(config: RunConfig, transformerDimensions: number | undefined): Problem[] {
  if (config.pcaComponents === 0) return [];
  const widths: Record<EncoderName, { dimensions?: number; from: string }> = {
    'behavior-stats': { dimensions: BEHAVIOR_STATS_FEATURES.length, from: 'fixed' },
    item2vec: { dimensions: config.item2vecDimensions, from: 'item2vecDimensions' },
    tfidf: { dimensions: config.tfidfComponents, from: 'tfidfComponents' },
    transformer: { dimensions: transformerDimensions, from: "the model's hidden size" },
  };
  const tooNarrow = config.encoders
    .map((encoder) => ({ encoder, ...widths[encoder] }))
    .filter((width): width is { encoder: EncoderName; dimensions: number; from: string } =>
      width.dimensions !== undefined && config.pcaComponents >= width.dimensions);
  if (tooNarrow.length === 0) return [];
  const narrowest = Math.min(...tooNarrow.map((width) => width.dimensions));
  const listing = tooNarrow.map((width) => `${width.encoder} has ${width.dimensions} (${width.from})`).join(', ');
  return [{
    field: 'pcaComponents',
    kind: 'config',
    message: `${config.pcaComponents} must be below the dimensions of every encoder of the run, but ${listing}; ` +
      `set pcaComponents below ${narrowest}, or 0 for no PCA`,
  }];
}
