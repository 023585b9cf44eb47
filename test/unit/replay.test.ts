import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { projectPath } from '../../lib/paths';

/**
 * Determinism: histories recorded from real runs (scripts/record-history.ts) must replay against
 * the current workflow code. A change that reorders commands fails here, not in production.
 */
const workflowIds = JSON.parse(fs.readFileSync(projectPath('test', 'fixtures', 'histories', 'workflow-ids.json'), 'utf8')) as Record<string, string>;

describe('workflow replay', () => {
  // Recorded by `npm run record-history`: segment-data-drop, the default run config; -sweep, every
  // algorithm and fitted encoder; distributed-kmeans, the sweep's child workflow; backfill-range.
  for (const name of ['segment-data-drop', 'segment-data-drop-sweep', 'distributed-kmeans', 'backfill-range']) {
    it(`replays the recorded ${name} history`, async () => {
      const json = JSON.parse(fs.readFileSync(projectPath('test', 'fixtures', 'histories', `${name}.json`), 'utf8'));
      const history = historyFromJSON(json);
      expect(history.events!.length).toBeGreaterThan(10);
      // The recorded id: child workflow ids derive from it.
      await Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') } }, history, workflowIds[name]);
    });
  }
});
