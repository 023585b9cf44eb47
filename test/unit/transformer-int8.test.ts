import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { embedTexts, type TextEmbeddingOptions } from '../../activities/encoders/transformer/embed-texts';
import { loadModel } from '../../activities/encoders/transformer/session';
import { resolveRunConfig, resultSettings } from '../../common/run-config';
import { isIntact, provisionDefaultModel } from '../../lib/runtime/models/default-model';
import { MODEL_FILES } from '../../lib/runtime/models/model-config';
import { onnxNodeTypes } from '../../lib/runtime/models/onnx-proto';
import { projectPath } from '../../lib/paths';

/**
 * The int8 variant of the default model (issue 16): written by our provisioning from the same
 * weights, really quantized, close to float32 on real users, and selected by transformerPrecision.
 * Its speed is a benchmark (npm run bench -- embed-int8), not a test.
 */
const texts = (JSON.parse(await fs.readFile(projectPath('test/fixtures/transformer/texts.json'), 'utf8')) as { rows: Array<{ text: string }> })
  .rows.map((row) => row.text);
const CHUNK: TextEmbeddingOptions = { longTexts: 'chunk', maxChunks: 8, batchSize: 8, batchTokens: 0, newestAt: 'end' };
const count = (types: string[], type: string) => types.filter((t) => t === type).length;

let modelDir: string;
beforeAll(async () => {
  modelDir = await provisionDefaultModel();
});

describe('int8 default model', () => {
  it('is provisioned beside model.onnx with its checksum recorded, and much smaller', async () => {
    const config = JSON.parse(await fs.readFile(path.join(modelDir, MODEL_FILES.config), 'utf8')) as { source: Record<string, string> };
    expect(config.source.onnxInt8Sha256).toMatch(/^[0-9a-f]{64}$/);
    const floatSize = (await fs.stat(path.join(modelDir, MODEL_FILES.onnx))).size;
    const int8Size = (await fs.stat(path.join(modelDir, MODEL_FILES.onnxInt8))).size;
    // The linear layers' weights shrink 4x; the word embeddings (47 MB) stay float.
    expect(int8Size).toBeLessThan(floatSize * 0.7);
  });

  it('quantizes every linear layer (6 layers x 6) and keeps the attention score MatMuls float', async () => {
    const int8 = onnxNodeTypes(await fs.readFile(path.join(modelDir, MODEL_FILES.onnxInt8)));
    expect(count(int8, 'MatMulInteger')).toBe(36);
    expect(count(int8, 'DynamicQuantizeLinear')).toBe(24); // query, key and value share one per layer
    expect(count(int8, 'MatMul')).toBe(12);
    const float = onnxNodeTypes(await fs.readFile(path.join(modelDir, MODEL_FILES.onnx)));
    expect(count(float, 'MatMulInteger')).toBe(0);
    expect(count(float, 'MatMul')).toBe(48);
  });

  it("is fused by onnxruntime's optimizer into its int8 kernels (no MatMulInteger left)", async () => {
    const optimized = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'int8-optimized-')), 'optimized.onnx');
    await ort.InferenceSession.create(path.join(modelDir, MODEL_FILES.onnxInt8), { graphOptimizationLevel: 'all', optimizedModelFilePath: optimized });
    const types = onnxNodeTypes(await fs.readFile(optimized));
    expect(count(types, 'MatMulInteger')).toBe(0);
    expect(count(types, 'DynamicQuantizeMatMul') + count(types, 'MatMulIntegerToFloat')).toBe(36);
  });

  it('embeds real users within cosine 0.99 (mean) of float32, none below 0.97', async () => {
    const float = await embedTexts(texts, await loadModel(modelDir, { device: 'cpu', threads: 0 }), CHUNK);
    const int8 = await embedTexts(texts, await loadModel(modelDir, { device: 'cpu', threads: 0 }, console.warn, 'int8'), CHUNK);
    expect(int8.tokens).toBe(float.tokens);
    const cosines = texts.map((_, u) => {
      let dot = 0;
      for (let d = 0; d < 384; d++) dot += float.vectors[u * 384 + d] * int8.vectors[u * 384 + d];
      return dot;
    });
    const mean = cosines.reduce((sum, value) => sum + value, 0) / cosines.length;
    expect(mean).toBeGreaterThanOrEqual(0.99);
    expect(Math.min(...cosines)).toBeGreaterThan(0.97);
    expect(mean).toBeLessThan(0.99999); // really another model, not model.onnx loaded twice
  });

  it('a directory provisioned before the int8 variant (no model-int8.onnx, no checksum) is not intact: it is provisioned again', async () => {
    expect(await isIntact(modelDir)).toBe(true);
    const old = await fs.mkdtemp(path.join(os.tmpdir(), 'old-model-'));
    const config = JSON.parse(await fs.readFile(path.join(modelDir, MODEL_FILES.config), 'utf8')) as { source: Record<string, string> };
    delete config.source.onnxInt8Sha256;
    await fs.writeFile(path.join(old, MODEL_FILES.config), JSON.stringify(config));
    await fs.symlink(path.join(modelDir, MODEL_FILES.onnx), path.join(old, MODEL_FILES.onnx));
    expect(await isIntact(old)).toBe(false);
  });
});

describe('transformerPrecision', () => {
  it('changes the result settings (a step embedded at one precision is not reused for the other)', () => {
    const config = resolveRunConfig();
    expect(config.transformerPrecision).toBe('float32');
    expect(resultSettings({ ...config, transformerPrecision: 'int8' })).not.toEqual(resultSettings(config));
  });

  it('int8 with a model directory that has only model.onnx: a ModelError naming model-int8.onnx and the field', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'float-only-model-'));
    for (const file of [MODEL_FILES.onnx, MODEL_FILES.tokenizer, MODEL_FILES.config]) await fs.symlink(path.join(modelDir, file), path.join(dir, file));
    await expect(loadModel(dir, { device: 'cpu', threads: 1 }, console.warn, 'int8'))
      .rejects.toThrow(/lacks model-int8\.onnx, which transformerPrecision 'int8' runs: set transformerPrecision to 'float32'/);
  });
});
