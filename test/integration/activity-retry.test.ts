import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dropRefFor } from '../../lib/runtime/drop-id';
import { startDrop } from '../../lib/client/pipeline-client';
import { faultInjection } from '../helpers/fault-injection';
import { copyOfSample, withWorkers } from '../helpers/pipeline-harness';

describe('activity retry', () => {
  it('retries an activity that fails once and the run still completes', async () => {
    const { interceptors, log } = faultInjection((activityType, _args, callNumber) =>
      activityType === 'cleanRawLogs' && callNumber === 1 ? 'injected transient failure (disk hiccup)' : undefined);
    await withWorkers({ interceptors, label: 'retry' }, async ({ client, taskQueues, dataDir }) => {
      const { handle } = await startDrop(client, dropRefFor(copyOfSample(dataDir)), {
        dataDir, taskQueues, config: { encoders: ['behavior-stats'], shardCount: 2, kMin: 2, kMax: 3, pcaComponents: 4 },
      });
      const output = await handle.result();
      expect(log.count('cleanRawLogs')).toBe(2);
      expect(log.calls.filter((call) => call.activityType === 'cleanRawLogs').map((call) => call.attempt)).toEqual([1, 2]);
      expect(log.count('inspectDrop')).toBe(1);
      expect(output.accounting.cleanedRows).toBeGreaterThan(0);
      // The optional PCA pre-step ran: 4 components, explained variance in decreasing order.
      const centroids = JSON.parse(fs.readFileSync(path.join(output.runDir, 'clusters', 'behavior-stats--kmeans-k2', 'centroids.json'), 'utf8'));
      expect(centroids.dimensions).toBe(4);
      const ratios = centroids.pca.explainedVarianceRatio as number[];
      expect(ratios).toHaveLength(4);
      expect([...ratios].sort((a, b) => b - a)).toEqual(ratios);
      expect(ratios.reduce((a, b) => a + b, 0)).toBeLessThan(1);
    });
  });
});
