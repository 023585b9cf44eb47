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
describe('workflow replay', () => {
  // segment-data-drop: behavior-stats only; -transformer: the default run; -fitted: item2vec +
  // tfidf (the fit stage). All three re-recorded when preflightRun became the first activity.
  for (const name of ['segment-data-drop', 'segment-data-drop-transformer', 'segment-data-drop-fitted', 'backfill-range']) {
    it(`replays the recorded ${name} history`, async () => {
      const json = JSON.parse(fs.readFileSync(projectPath('test', 'fixtures', 'histories', `${name}.json`), 'utf8'));
      const history = historyFromJSON(json);
      expect(history.events!.length).toBeGreaterThan(10);
      await Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') } }, history, `${name}-replay`);
    });
  }
});
