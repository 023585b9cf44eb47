import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelFiles } from '../../common/model-layout';
import {
  currentModel, dropHistory, dropsUsing, listModels, promote, registerAssignment, registerRefit, withRegistry, type NewModel,
} from '../../activities/segment-models/registry';

function staged(dataDir: string, dropId: string, pipeline = 'shop'): NewModel {
  const stagingDir = modelFiles.stagingDir(dataDir, pipeline, dropId);
  fs.mkdirSync(stagingDir, { recursive: true });
  fs.writeFileSync(modelFiles.model(stagingDir), JSON.stringify({ dropId }));
  return { dataDir, pipeline, dropId, stagingDir, encoder: 'behavior-stats', algorithm: 'kmeans', params: 'k=3', segments: 3, configHash: 'abc' };
}

describe('model registry', () => {
  it('versions grow, a drop registers once, current moves only by check-and-set or promote', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'registry-'));
    await withRegistry(dataDir, async (connection) => {
      const first = await registerRefit(connection, staged(dataDir, 'd1'), { reason: 'no current model', basedOn: null, drift: null });
      expect(first).toMatchObject({ recordedBefore: false, madeCurrent: true, record: { mode: 'refit', modelVersion: 1, sequence: 1 } });
      expect(fs.existsSync(modelFiles.model(modelFiles.versionDir(dataDir, 'shop', 1)))).toBe(true);
      // The same drop again (a retried activity): nothing new, the staging copy removed.
      const again = await registerRefit(connection, staged(dataDir, 'd1'), { reason: 'no current model', basedOn: null, drift: null });
      expect(again).toMatchObject({ recordedBefore: true, record: { modelVersion: 1 } });
      expect(fs.existsSync(modelFiles.stagingDir(dataDir, 'shop', 'd1'))).toBe(false);
      expect(await listModels(connection)).toHaveLength(1);

      await registerAssignment(connection, { dropId: 'd2', pipeline: 'shop', modelVersion: 1, reason: 'current model v1', drift: { driftScore: 0.1 } });
      expect((await registerAssignment(connection, { dropId: 'd2', pipeline: 'shop', modelVersion: 1, reason: 'x', drift: null })).recordedBefore).toBe(true);
      expect(await dropsUsing(connection, 'shop', 1)).toBe(2);

      // Two refits that both saw v1: the first becomes current, the second is registered but not made current.
      const a = await registerRefit(connection, staged(dataDir, 'd3'), { reason: 'every 2 drops', basedOn: 1, drift: null });
      const b = await registerRefit(connection, staged(dataDir, 'd4'), { reason: 'every 2 drops', basedOn: 1, drift: null });
      expect([a.record.modelVersion, a.madeCurrent, b.record.modelVersion, b.madeCurrent]).toEqual([2, true, 3, false]);
      expect(b.record.reason).toMatch(/not made current: the current model moved from v1 to v2/);
      expect((await currentModel(connection, 'shop'))?.version).toBe(2);
      await promote(connection, 'shop', 3);
      expect((await currentModel(connection, 'shop'))?.version).toBe(3);
      await expect(promote(connection, 'shop', 9)).rejects.toThrow(/no model version 9/);

      const history = await dropHistory(connection, 'shop');
      expect(history.map((row) => [row.dropId, row.sequence, row.mode, row.modelVersion])).toEqual([
        ['d1', 1, 'refit', 1], ['d2', 2, 'assign', 1], ['d3', 3, 'refit', 2], ['d4', 4, 'refit', 3],
      ]);
      expect(history[1].drift).toEqual({ driftScore: 0.1 });
    });
  });

  it('concurrent users of one registry in one process take turns', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'registry-'));
    await withRegistry(dataDir, (connection) => registerRefit(connection, staged(dataDir, 'd0'), { reason: 'first', basedOn: null, drift: null }));
    await Promise.all(Array.from({ length: 8 }, (_, i) => withRegistry(dataDir, (connection) =>
      registerAssignment(connection, { dropId: `a${i}`, pipeline: 'shop', modelVersion: 1, reason: 'current', drift: null }))));
    const history = await withRegistry(dataDir, (connection) => dropHistory(connection, 'shop'));
    expect(history.map((row) => row.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
