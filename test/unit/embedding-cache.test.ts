import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createActivities } from '../../activities';
import { embeddingCacheKey, textHash } from '../../activities/encoders/transformer/cache-key';
import { openEmbeddingCache, type CachedVector } from '../../activities/encoders/transformer/embedding-cache';
import { loadModel, type LoadedModel } from '../../activities/encoders/transformer/session';
import type { EmbedShardOutput, ShardRef } from '../../common/contracts';
import { configSection, resolveRunConfig, type RunConfig } from '../../common/run-config';
import { cacheFiles, dataDirOfRun, runDirFor } from '../../common/run-layout';
import { openDuckDB } from '../../lib/runtime/duckdb';
import { readEmbeddingFile } from '../../lib/runtime/embedding-file';
import { provisionDefaultModel } from '../../lib/runtime/models/default-model';
import { projectPath } from '../../lib/paths';
import { freshDataDir } from '../helpers/pipeline-harness';

const SOURCE = projectPath('data', 'sample', 'rees46-2019-oct-sample.csv');
/** Four shards, of which only shard 0 (about 100 users, three batches) is embedded: a few seconds cold. */
const BASE = { encoders: ['transformer' as const], shardCount: 4, embedBatchSize: 40 };

const activities = createActivities();
let model: LoadedModel;
beforeAll(async () => {
  model = await loadModel(await provisionDefaultModel(), { device: 'cpu', threads: 0 });
});

/** Cleans and shards the sample as drop `dropId` of `dataDir`, then embeds its shard 0 with the transformer. */
async function embedDrop(dataDir: string, dropId: string, overrides: Partial<RunConfig> = {}): Promise<{ output: EmbedShardOutput; shard: ShardRef }> {
  const config = resolveRunConfig({ ...BASE, ...overrides });
  const runDir = runDirFor(dataDir, dropId);
  const inspected = await activities.inspectDrop({ runDir, source: SOURCE, mappingFile: '' });
  await activities.cleanRawLogs({ runDir, files: inspected.files, pinned: inspected.pinned, format: inspected.format, delimiter: inspected.delimiter, config: configSection(config, 'ingest', 'runtime') });
  const { shards } = await activities.shardUsers({ runDir, config: configSection(config, 'runtime') });
  const output = await activities.embedShard({ runDir, shard: shards[0], encoder: 'transformer', config: configSection(config, 'encoders', 'runtime') });
  return { output, shard: shards[0] };
}

const bytesOf = (vectors: Float32Array) => Buffer.from(vectors.buffer, vectors.byteOffset, vectors.byteLength);
const cacheDirs = (dataDir: string) => fs.readdirSync(path.join(dataDir, 'cache', 'embeddings'));
const partsIn = (dir: string) => fs.readdirSync(dir).filter((name) => /^part-.*\.parquet$/.test(name)).map((name) => path.join(dir, name));

describe('the transformer embedding cache across drops', () => {
  it('serves a warm drop from the cache bit for bit, misses for other text settings, and rebuilds a damaged part with a warning', async () => {
    const dataDir = freshDataDir('embedding-cache');
    const cold = await embedDrop(dataDir, 'drop-1');
    const users = cold.shard.users;
    expect(users).toBeGreaterThan(60);
    expect(cold.output.encoderStats.cache_hits).toBe(0);
    expect(cold.output.encoderStats.tokens).toBeGreaterThan(0);
    const coldVectors = await readEmbeddingFile(cold.output.path);

    const warm = await embedDrop(dataDir, 'drop-2');
    expect(warm.output.encoderStats.cache_hits).toBe(users);
    expect(warm.output.encoderStats.tokens).toBe(0); // onnxruntime never ran
    // The shard's stats do not depend on where the vectors came from.
    expect(warm.output.encoderStats.chunked_users).toBe(cold.output.encoderStats.chunked_users);
    const warmVectors = await readEmbeddingFile(warm.output.path);
    expect(warmVectors.userIds).toEqual(coldVectors.userIds);
    expect(bytesOf(warmVectors.vectors).equals(bytesOf(coldVectors.vectors))).toBe(true);

    // Another text setting is another model id: nothing is shared.
    const otherText = await embedDrop(dataDir, 'drop-3', { transformerEventSeparator: ' | ' });
    expect(otherText.output.encoderStats.cache_hits).toBe(0);
    expect(cacheDirs(dataDir)).toHaveLength(2);

    // A damaged part (say, truncated by a full disk) is dropped with a warning and its texts embedded again.
    const { modelId } = await embeddingCacheKey(model, resolveRunConfig(BASE));
    const dir = cacheFiles.embeddingCacheDir(dataDir, modelId);
    const damaged = partsIn(dir)[0];
    expect(fs.statSync(damaged).size).toBeGreaterThan(100);
    fs.truncateSync(damaged, 100);
    const warnings = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    let rebuilt: EmbedShardOutput;
    try {
      rebuilt = (await embedDrop(dataDir, 'drop-4')).output;
      expect(warnings.mock.calls.map((call) => String(call[0])).filter((line) => line.includes('damaged embedding cache part'))).toEqual([
        expect.stringContaining(`damaged embedding cache part ${damaged} (`),
      ]);
    } finally {
      warnings.mockRestore();
    }
    expect(fs.existsSync(damaged)).toBe(false);
    expect(rebuilt.encoderStats.cache_hits).toBeLessThan(users);
    // The re-embedded users may sit in other onnxruntime batches than the first time (last-bit noise), nothing more.
    const rebuiltVectors = (await readEmbeddingFile(rebuilt.path)).vectors;
    expect(Math.max(...rebuiltVectors.map((value, i) => Math.abs(value - coldVectors.vectors[i])))).toBeLessThan(1e-5);
    const again = await embedDrop(dataDir, 'drop-5');
    expect(again.output.encoderStats.cache_hits).toBe(users);
  }, 240_000);

  it('can be turned off: every user is embedded and nothing is written', async () => {
    const dataDir = freshDataDir('embedding-cache-off');
    const { output } = await embedDrop(dataDir, 'drop-1', { transformerCache: false, shardCount: 16 });
    expect(output.encoderStats.cache_hits).toBeUndefined();
    expect(output.encoderStats.tokens).toBeGreaterThan(0);
    expect(fs.existsSync(path.join(dataDir, 'cache'))).toBe(false);
  }, 120_000);
});

describe('the cache storage', () => {
  it('merges many parts into one before a lookup, keeps every vector bit for bit, and survives a garbage part', async () => {
    const dir = path.join(freshDataDir('cache-parts'), 'model');
    const database = await openDuckDB(':memory:');
    const warnings: string[] = [];
    try {
      const cache = await openEmbeddingCache({ dir, dimensions: 3, connection: database.connection, warn: (line) => warnings.push(line), describe: { test: true } });
      const written = new Map<string, CachedVector>();
      for (let i = 0; i < 40; i++) {
        // Values whose bits a float64 round trip would change: the cache must not touch them.
        const entry = { vector: new Float32Array([i + 0.1, -Math.PI * i, 1e-38 / (i + 1)]), chunked: i % 2 === 0, truncated: i % 5 === 0 };
        written.set(textHash(`text ${i}`), entry);
        await cache.add(new Map([[textHash(`text ${i}`), entry]]));
      }
      expect(partsIn(dir)).toHaveLength(40);
      fs.writeFileSync(path.join(dir, 'part-zz-garbage.parquet'), 'PAR1 not really');
      const found = await cache.lookup([...written.keys(), textHash('never embedded')]);
      expect(found.size).toBe(40);
      for (const [hash, entry] of written) {
        expect(Buffer.from(found.get(hash)!.vector.buffer).equals(Buffer.from(entry.vector.buffer))).toBe(true);
        expect([found.get(hash)!.chunked, found.get(hash)!.truncated]).toEqual([entry.chunked, entry.truncated]);
      }
      // The compaction could not read the garbage part, so it kept all 41; the lookup then dropped it and read the 40.
      expect(warnings.filter((line) => line.includes('damaged embedding cache part'))).toHaveLength(1);
      expect(partsIn(dir)).toHaveLength(40);
      expect((await cache.lookup(written.keys())).size).toBe(40);
      expect(partsIn(dir)).toHaveLength(1);
      expect(JSON.parse(fs.readFileSync(path.join(dir, 'key.json'), 'utf8'))).toEqual({ test: true });
    } finally {
      database.close();
    }
  });
});

describe('the cache key', () => {
  it('changes with the model file and every text setting, not with batching or the model directory', async () => {
    const config = resolveRunConfig(BASE);
    const key = async (overrides: Partial<RunConfig> & Record<string, unknown>, loaded: LoadedModel = model) =>
      (await embeddingCacheKey(loaded, { ...config, ...overrides })).modelId;
    const base = await key({});
    expect(base).toMatch(/^[0-9a-f]{32}$/);
    expect(await key({ transformerBatchSize: 7, transformerBatchTokens: 0, transformerCache: false, transformerModelDir: '/elsewhere' })).toBe(base);
    for (const changed of [
      { transformerEventTemplate: '{action} {category}' }, { transformerEventSeparator: '. ' }, { transformerOrder: 'newest-first' as const },
      { transformerPriceBands: [5, 50] }, { transformerLongTexts: 'truncate' as const }, { transformerMaxChunks: 2 },
      // The precision: another model file (and every transformer setting added later is in the key until declared harmless).
      { transformerPrecision: 'int8' as const },
    ]) expect(await key(changed), JSON.stringify(changed)).not.toBe(base);

    // Another model.onnx (same directory otherwise): another id.
    const copy = path.join(freshDataDir('model-copy'), 'model');
    fs.mkdirSync(copy);
    for (const name of ['tokenizer.json', 'model-config.json']) fs.copyFileSync(path.join(model.dir, name), path.join(copy, name));
    fs.writeFileSync(path.join(copy, 'model.onnx'), 'not the same weights');
    expect(await key({}, { ...model, dir: copy, onnxPath: path.join(copy, 'model.onnx') })).not.toBe(base);
  });

  it('lives under the data directory of the run, or in a run directory outside <dataDir>/runs', () => {
    expect(dataDirOfRun('/data/runs/drop-7')).toBe('/data');
    expect(dataDirOfRun('/data/runs/drop-7/')).toBe('/data');
    expect(dataDirOfRun('/tmp/scratch-run')).toBe('/tmp/scratch-run');
    expect(cacheFiles.embeddingCacheDir('/data/', 'abc')).toBe('/data/cache/embeddings/abc');
  });
});
