import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { preflightRun, readStoredConfig } from '../../activities/preflight-run';
import { runFiles } from '../../common/run-layout';
import { resolveRunConfig, type RunConfig } from '../../common/run-config';
import { freshDataDir } from '../helpers/pipeline-harness';

/**
 * Preflight checks every file the config names, and PCA against every encoder's dimensions,
 * before any heavy work: all problems in one non-retryable error, each naming field, file and fix.
 */
describe('preflightRun', () => {
  const dir = freshDataDir('preflight');
  const file = (name: string, contents: string) => {
    const target = path.join(dir, name);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, contents);
    return target;
  };
  /** A model directory preflight can read (it never loads the weights): 8 dimensions. */
  const smallModel = () => {
    file('small-model/model.onnx', '');
    file('small-model/tokenizer.json', '{}');
    file('small-model/model-config.json', JSON.stringify({ name: 'small', maxTokens: 16, dimensions: 8, pooling: 'mean', outputName: 'last_hidden_state', usesTokenTypeIds: false }));
    return path.join(dir, 'small-model');
  };
  const goodMapping = () => file('mapping.json', JSON.stringify({
    name: 'shop-export',
    reader: { kind: 'csv' },
    columns: { user_id: 'visitor', item_id: 'sku', event_type: 'action', event_time: 'at' },
    eventTime: { unit: 's' },
    eventTypes: { pv: 'view' },
  }));

  /** Runs preflight in a fresh run directory; returns its failure (or undefined) and the run directory. */
  async function preflight(overrides: Partial<RunConfig>) {
    const runDir = path.join(dir, 'runs', `run-${Math.random().toString(36).slice(2, 8)}`);
    const config = resolveRunConfig(overrides);
    const failure = await preflightRun({ runDir, config }).then(() => undefined, (error: unknown) => error as ApplicationFailure);
    return { failure, runDir, config };
  }

  const previousCacheDir = process.env.BSEG_CACHE_DIR;
  afterEach(() => {
    if (previousCacheDir === undefined) delete process.env.BSEG_CACHE_DIR;
    else process.env.BSEG_CACHE_DIR = previousCacheDir;
  });

  it('stores the resolved config once in the run directory and passes good files', async () => {
    const truth = file('truth.csv', 'user_id,label\nu1,a\nu2,b\n');
    const { failure, runDir, config } = await preflight({
      encoders: ['transformer', 'tfidf'], transformerModelDir: smallModel(), mappingFile: goodMapping(), truthLabelsFile: truth, pcaComponents: 4,
    });
    expect(failure).toBeUndefined();
    expect(JSON.parse(fs.readFileSync(runFiles.config(runDir), 'utf8'))).toEqual(config);
    expect(await readStoredConfig(runDir)).toEqual(config);
    expect(fs.readdirSync(runDir)).toEqual(['config.json']);
  });

  it('lists every missing file in one non-retryable BadInputError', async () => {
    const { failure, runDir } = await preflight({
      encoders: ['transformer', 'behavior-stats'],
      mappingFile: path.join(dir, 'no-such-mapping.json'),
      truthLabelsFile: path.join(dir, 'no-such-labels.csv'),
      transformerModelDir: path.join(dir, 'no-such-model'),
    });
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure!.type).toBe('BadInputError');
    expect(failure!.nonRetryable).toBe(true);
    expect(failure!.message.split('\n')).toEqual([
      'the run config names files or settings that cannot work (3):',
      `  mappingFile: mapping file ${dir}/no-such-mapping.json does not exist; give a JSON format mapping (docs/DATA-CONTRACTS.md, "Generic schema"), or '' to detect the known formats`,
      `  truthLabelsFile: truthLabelsFile ${dir}/no-such-labels.csv does not exist; give a CSV or Parquet file with user_id and label columns, or '' for no external metrics`,
      `  transformerModelDir: ${dir}/no-such-model does not exist; point transformerModelDir at a model directory (model.onnx, tokenizer.json, ` +
        "model-config.json or config.json; docs/ENCODERS.md), or '' for the default model",
    ]);
    // The config is stored even so: the failed run's directory says what it was asked to do.
    expect(fs.existsSync(runFiles.config(runDir))).toBe(true);
  });

  it('lists every broken file and a PCA that does not fit, in one error', async () => {
    fs.mkdirSync(path.join(dir, 'model-without-onnx'), { recursive: true });
    file('model-without-onnx/tokenizer.json', '{}');
    const { failure } = await preflight({
      encoders: ['transformer', 'behavior-stats', 'item2vec'],
      mappingFile: file('broken-mapping.json', '{"name": "x", '),
      truthLabelsFile: file('truth-without-label.csv', 'user_id,group\nu1,a\n'),
      transformerModelDir: path.join(dir, 'model-without-onnx'),
      pcaComponents: 32,
      item2vecDimensions: 16,
    });
    expect(failure!.type).toBe('BadInputError');
    const lines = failure!.message.split('\n');
    expect(lines[0]).toBe('the run config names files or settings that cannot work (4):');
    expect(lines[1]).toMatch(/^ {2}mappingFile: mapping file .*broken-mapping\.json cannot be read as JSON: .*; give a JSON format mapping/);
    expect(lines[2]).toMatch(/^ {2}truthLabelsFile: truthLabelsFile .*truth-without-label\.csv has columns user_id, group; expected user_id and label \(or segment\); give a CSV/);
    expect(lines[3]).toMatch(/^ {2}transformerModelDir: model directory .*model-without-onnx lacks model\.onnx: set the run config field transformerModelDir to a directory with model\.onnx/);
    // The transformer's width is unknown here (its directory is broken), so PCA is checked against the others.
    expect(lines[4]).toBe('  pcaComponents: 32 must be below the dimensions of every encoder of the run, but behavior-stats has 19 (fixed), ' +
      'item2vec has 16 (item2vecDimensions); set pcaComponents below 16, or 0 for no PCA');
  });

  it('a mapping that parses but is not a mapping names the mapping field', async () => {
    const { failure } = await preflight({ encoders: ['behavior-stats'], mappingFile: file('not-a-mapping.json', '{"name": "x"}') });
    expect(failure!.message).toMatch(/mappingFile: mapping file .*not-a-mapping\.json: mapping field "reader\.kind" must be one of csv, jsonl, parquet, got undefined/);
  });

  it('PCA wider than an encoder alone is a RunConfigError; the transformer width comes from its model', async () => {
    const { failure } = await preflight({ encoders: ['transformer', 'tfidf'], transformerModelDir: smallModel(), tfidfComponents: 6, pcaComponents: 8 });
    expect(failure!.type).toBe('RunConfigError');
    expect(failure!.nonRetryable).toBe(true);
    expect(failure!.message).toBe('the run config names files or settings that cannot work (1):\n' +
      "  pcaComponents: 8 must be below the dimensions of every encoder of the run, but transformer has 8 (the model's hidden size), " +
      'tfidf has 6 (tfidfComponents); set pcaComponents below 6, or 0 for no PCA');
  });

  it('stores the settings of each run of a directory, a re-run with other ones included (step fingerprints decide what is recomputed)', async () => {
    const runDir = path.join(dir, 'runs', 'rerun');
    const first = resolveRunConfig({ encoders: ['behavior-stats'] });
    await preflightRun({ runDir, config: first });
    expect(await readStoredConfig(runDir)).toEqual(first);
    const second = resolveRunConfig({ encoders: ['behavior-stats'], minEventsPerUser: 100 });
    await preflightRun({ runDir, config: second });
    expect(await readStoredConfig(runDir)).toEqual(second);
  });

  it('an empty transformerModelDir directory is a ModelError at once (issue 14: it was retried 5 times per shard)', async () => {
    const empty = path.join(dir, 'empty-model');
    fs.mkdirSync(empty, { recursive: true });
    const { failure } = await preflight({ encoders: ['transformer'], transformerModelDir: empty });
    expect(failure).toMatchObject({ type: 'ModelError', nonRetryable: true });
    expect(failure!.message).toMatch(/transformerModelDir: model directory .*empty-model lacks model\.onnx: set the run config field transformerModelDir/);
  });

  it('transformerPrecision int8 with a model directory without model-int8.onnx is a ModelError naming the file, before any heavy work', async () => {
    const { failure } = await preflight({ encoders: ['transformer'], transformerModelDir: smallModel(), transformerPrecision: 'int8' });
    expect(failure).toMatchObject({ type: 'ModelError', nonRetryable: true });
    expect(failure!.message).toMatch(/transformerPrecision: model directory .*small-model lacks model-int8\.onnx, which transformerPrecision 'int8' runs/);
  });

  it('leaves the default model to the embedding workers: a machine without it passes (they provision it when they start)', async () => {
    process.env.BSEG_CACHE_DIR = path.join(dir, 'empty-cache');
    const { failure } = await preflight({ encoders: ['transformer', 'behavior-stats'] });
    expect(failure).toBeUndefined();
    // Its width is unknown here, so PCA is checked against the encoders this machine can see.
    const { failure: pca } = await preflight({ encoders: ['transformer', 'behavior-stats'], pcaComponents: 30 });
    expect(pca!.message).toContain('behavior-stats has 19 (fixed)');
    expect(pca!.message).not.toContain('transformer has');
  });

  it('does not look for a model when the run has no transformer', async () => {
    process.env.BSEG_CACHE_DIR = path.join(dir, 'empty-cache');
    expect((await preflight({ encoders: ['behavior-stats'] })).failure).toBeUndefined();
  });
});
