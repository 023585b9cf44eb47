import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WorkflowIdReusePolicy } from '@temporalio/client';
import { workflowIdForDrop } from '../../common/ids';
import { modelFiles } from '../../common/model-layout';
import { runFiles } from '../../common/run-layout';
import type { RunConfig } from '../../common/run-config';
import type { DriftSummary } from '../../common/contracts';
import { dropRefFor } from '../../lib/runtime/drop-id';
import { readLabelsFile } from '../../lib/runtime/labels-file';
import { writeSyntheticLog } from '../../lib/tooling/synthetic-events';
import { dropHistory, listModels, withRegistry } from '../../activities/segment-models/registry';
import { modelsCommand } from '../../scripts/client/models';
import { segmentDataDrop } from '../../workflows';
import { withWorkers, type Harness } from '../helpers/pipeline-harness';

const CONFIG: Partial<RunConfig> = {
  encoders: ['behavior-stats'], algorithms: ['kmeans'], kMin: 3, kMax: 4, pcaComponents: 5, shardCount: 2,
  pipelineName: 'shop', refitEveryDrops: 3,
};

async function segment({ client, taskQueues, dataDir }: Harness, file: string, again = false) {
  const drop = dropRefFor(file);
  return client.workflow.execute(segmentDataDrop, {
    taskQueue: taskQueues.cpu,
    workflowId: workflowIdForDrop(drop.dropId),
    args: [{ drop, dataDir, taskQueues, config: CONFIG }],
    ...(again ? { workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE } : {}),
  });
}

/** `client models list --json` as printed. */
async function modelsListJson(dataDir: string): Promise<Array<Record<string, unknown>>> {
  const printed: string[] = [];
  const log = console.log;
  console.log = (line: string) => printed.push(line);
  try {
    expect(await modelsCommand({ action: 'list', dataDir, json: true })).toBe(0);
  } finally {
    console.log = log;
  }
  return JSON.parse(printed.join('\n')) as Array<Record<string, unknown>>;
}

describe('segment models across drops', () => {
  it('refits, assigns into the current model with its own labels, records each drop once, refits every N drops', async () => {
    await withWorkers({ label: 'models' }, async (harness) => {
      const { dataDir } = harness;
      const first = path.join(dataDir, 'inputs', 'day-1.csv');
      fs.mkdirSync(path.dirname(first), { recursive: true });
      await writeSyntheticLog(first, { users: 600, seed: 11 });
      // The same events under other names: the same users, so assigning them must give the model's labels back.
      const copies = ['day-2.csv', 'day-3.csv', 'day-4.csv'].map((name) => path.join(dataDir, 'inputs', name));
      for (const copy of copies) fs.copyFileSync(first, copy);

      const refit = await segment(harness, first);
      expect(refit.segmentation).toMatchObject({ pipeline: 'shop', mode: 'refit', modelVersion: 1, current: true, reason: 'pipeline shop has no current model' });
      const modelDir = modelFiles.versionDir(dataDir, 'shop', 1);
      expect(fs.existsSync(modelFiles.model(modelDir))).toBe(true);
      expect(await modelsListJson(dataDir)).toEqual([expect.objectContaining({ pipeline: 'shop', version: 1, current: true, segments: expect.any(Number) })]);

      const assigned = await segment(harness, copies[0]);
      expect(assigned.segmentation).toMatchObject({ mode: 'assign', modelVersion: 1, reason: 'current model v1' });
      expect(assigned.chosen).toEqual(refit.chosen);
      const own = await readLabelsFile(modelFiles.labels(modelDir));
      const placed = await readLabelsFile(runFiles.assignedLabels(assigned.runDir));
      const byUser = new Map(placed.userIds.map((user, i) => [user, placed.labels[i]]));
      expect(placed.userIds.length).toBe(own.userIds.length);
      const differing = own.userIds.filter((user, i) => byUser.get(user) !== own.labels[i]);
      expect(differing).toEqual([]);
      expect(fs.existsSync(assigned.reportPath)).toBe(true);

      // Re-triggered: the recorded decision again, nothing registered twice.
      const retriggered = await segment(harness, copies[0], true);
      expect(retriggered.segmentation).toMatchObject({ mode: 'assign', modelVersion: 1, reason: 'current model v1', recordedBefore: true });
      expect(assigned.segmentation?.recordedBefore).toBe(false);

      expect((await segment(harness, copies[1])).segmentation).toMatchObject({ mode: 'assign', modelVersion: 1 });
      // Three drops have used v1 (its refit and two assignments): refitEveryDrops 3 refits the next one.
      const fourth = await segment(harness, copies[2]);
      expect(fourth.segmentation).toMatchObject({ mode: 'refit', modelVersion: 2, current: true });
      expect(fourth.segmentation?.reason).toMatch(/refitEveryDrops 3 reached: 3 drops used v1/);
      // The refit of an already-recorded drop registers nothing either.
      expect((await segment(harness, copies[2], true)).segmentation).toMatchObject({ mode: 'refit', modelVersion: 2, recordedBefore: true });

      const history = await withRegistry(dataDir, (connection) => dropHistory(connection, 'shop'));
      expect(history.map((drop) => [drop.sequence, drop.mode, drop.modelVersion])).toEqual([[1, 'refit', 1], [2, 'assign', 1], [3, 'assign', 1], [4, 'refit', 2]]);
      // Drift: none for the first refit; the assigned copies are the model's own users and labels; the refit is compared with v1.
      expect(history.map((drop) => drop.drift === null ? null : [(drop.drift as DriftSummary).mode, (drop.drift as DriftSummary).comparedWith.version])).toEqual([null, ['assign', 1], ['assign', 1], ['refit', 1]]);
      expect((history[1].drift as DriftSummary).driftScore).toBe(0);
      const models = await withRegistry(dataDir, (connection) => listModels(connection, 'shop'));
      expect(models.map((model) => [model.version, model.current])).toEqual([[1, false], [2, true]]);
    });
  }, 600_000);
});
