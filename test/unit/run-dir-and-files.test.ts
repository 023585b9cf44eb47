import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { produceAtomically, writeFileAtomic } from '../../lib/runtime/atomic-write';
import { concatBlocks, readEmbeddingFile, writeEmbeddingFile } from '../../lib/runtime/embedding-file';
import { readLabelsFile, writeLabelsFile } from '../../lib/runtime/labels-file';
import { listStepMarkers, runStepOnce } from '../../lib/runtime/run-dir';
import { runFiles } from '../../common/run-layout';
import { freshDataDir } from '../helpers/pipeline-harness';

describe('atomic outputs and step checkpoints', () => {
  it('leave nothing behind when producing fails, and replace on success', async () => {
    const dir = freshDataDir('atomic');
    const target = path.join(dir, 'out', 'result.bin');
    await expect(produceAtomically(target, async (temporary) => {
      fs.writeFileSync(temporary, 'half');
      throw new Error('crash mid-write');
    })).rejects.toThrow('crash mid-write');
    expect(fs.readdirSync(path.dirname(target))).toEqual([]);
    await writeFileAtomic(target, 'first');
    await writeFileAtomic(target, 'second');
    expect(fs.readFileSync(target, 'utf8')).toBe('second');
    expect(fs.readdirSync(path.dirname(target))).toEqual(['result.bin']);
  });

  /** A step with no inputs and no output files: only its marker. */
  const plainStep = (runDir: string, step: string) => ({ runDir, step, madeFrom: {}, outputs: () => [] });

  it('run a step once and return its recorded output afterwards', async () => {
    const dir = freshDataDir('steps');
    let runs = 0;
    const step = async () => ({ value: ++runs });
    expect(await runStepOnce(plainStep(dir, 'demo'), step)).toEqual({ value: 1 });
    expect(await runStepOnce(plainStep(dir, 'demo'), step)).toEqual({ value: 1 });
    expect(runs).toBe(1);
    await expect(runStepOnce(plainStep(dir, 'broken'), async () => { throw new Error('no'); })).rejects.toThrow('no');
    expect(fs.existsSync(path.join(dir, 'steps', 'broken.json'))).toBe(false);
  });

  it('record how long a step\'s work took (the manifest and the report list it)', async () => {
    const dir = freshDataDir('steps-seconds');
    await runStepOnce(plainStep(dir, 'slow'), () => new Promise((resolve) => setTimeout(() => resolve({ value: 1 }), 200)));
    const [marker] = await listStepMarkers(dir);
    expect(marker.seconds).toBeGreaterThanOrEqual(0.19);
    expect(marker.seconds).toBeLessThan(5);
  });

  it('compute a step again once, naming the file, when its marker was damaged (truncated, or another step\'s)', async () => {
    const dir = freshDataDir('damaged-steps');
    let runs = 0;
    const step = async () => ({ value: ++runs });
    await runStepOnce(plainStep(dir, 'demo'), step);
    const marker = runFiles.stepMarker(dir, 'demo');
    const warnings = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      fs.writeFileSync(marker, fs.readFileSync(marker, 'utf8').slice(0, 20));
      expect(await runStepOnce(plainStep(dir, 'demo'), step)).toEqual({ value: 2 });
      expect(warnings.mock.calls[0][0]).toBe(`damaged checkpoint ${marker} (not a step marker): step demo is computed again`);
      // Repaired: the next call returns the recomputed output without computing it a third time.
      expect(await runStepOnce(plainStep(dir, 'demo'), step)).toEqual({ value: 2 });
      fs.copyFileSync(marker, runFiles.stepMarker(dir, 'other'));
      expect(await runStepOnce(plainStep(dir, 'other'), async () => ({ value: 0 }))).toEqual({ value: 0 });
      expect(warnings.mock.calls[1][0]).toContain('it names step "demo"');
      expect(warnings).toHaveBeenCalledTimes(2);
    } finally {
      warnings.mockRestore();
    }
    fs.writeFileSync(runFiles.stepMarker(dir, 'truncated'), '{"step": "trunc');
    expect((await listStepMarkers(dir)).map((found) => found.step).sort()).toEqual(['demo', 'other']);
  });
});

describe('Arrow files', () => {
  it('round-trip embeddings and labels exactly', async () => {
    const dir = freshDataDir('arrow');
    const block = { userIds: ['u1', '12345678901234567890', 'ü'], vectors: Float32Array.from([1, 2, 3, 4.5, -5, 6e-8]), dimensions: 2 };
    await writeEmbeddingFile(path.join(dir, 'e.arrow'), block);
    expect(await readEmbeddingFile(path.join(dir, 'e.arrow'))).toEqual(block);
    const labels = Int32Array.from([2, 0, 1]);
    await writeLabelsFile(path.join(dir, 'l.arrow'), block.userIds, labels);
    expect(await readLabelsFile(path.join(dir, 'l.arrow'))).toEqual({ userIds: block.userIds, labels });
  });

  it('concatenate blocks in order', () => {
    const merged = concatBlocks([
      { userIds: ['a'], vectors: Float32Array.from([1, 2]), dimensions: 2 },
      { userIds: ['b', 'c'], vectors: Float32Array.from([3, 4, 5, 6]), dimensions: 2 },
    ]);
    expect(merged).toEqual({ userIds: ['a', 'b', 'c'], vectors: Float32Array.from([1, 2, 3, 4, 5, 6]), dimensions: 2 });
  });
});
