import fs from 'node:fs';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import type { RunConfig } from '../../common/run-config';
import { runFiles, runSteps } from '../../common/run-layout';
import { startDrop } from '../../lib/client/pipeline-client';
import { dropRefFor } from '../../lib/runtime/drop-id';
import { verifyRun } from '../../lib/runtime/verify-run';
import { repairCommand } from '../../scripts/client/repair';
import { verifyCommand } from '../../scripts/client/verify';
import { copyOfSample, withWorkers } from '../helpers/pipeline-harness';

const CONFIG: Partial<RunConfig> = { encoders: ['behavior-stats'], algorithms: ['kmeans'], shardCount: 2, kMin: 2, kMax: 4, seed: '1' };

const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

let log: MockInstance;
beforeEach(() => {
  log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => log.mockRestore());
const printed = () => log.mock.calls.map((call) => String(call[0])).join('\n');

describe('a finished run, checked and repaired (issue 14 finding 4)', () => {
  it('verify names every damaged or stale checkpoint; repair recomputes exactly those and their dependents, to the same results', async () => {
    await withWorkers({ label: 'repair' }, async ({ client, taskQueues, dataDir }) => {
      const drop = dropRefFor(copyOfSample(dataDir, 'repair.csv'));
      const { handle } = await startDrop(client, drop, { dataDir, taskQueues, config: CONFIG });
      const { runDir } = await handle.result();
      expect((await verifyRun(runDir)).ok).toBe(true);
      expect(await verifyCommand(runDir)).toBe(0);
      const key = 'behavior-stats--kmeans-k3';
      const labels = runFiles.labelsFile(runDir, key);
      const labelsDigest = sha256(labels);
      const segmentsDigest = sha256(runFiles.segments(runDir));
      const untouched = fs.statSync(runFiles.stepMarker(runDir, runSteps.score('behavior-stats--kmeans-k2'))).mtimeMs;

      // The operator's findings: a truncated embedding file, a truncated step marker, a deleted
      // step marker, a truncated report.
      const embedding = runFiles.embeddingFile(runDir, 'behavior-stats', 1);
      fs.truncateSync(embedding, 100);
      fs.writeFileSync(runFiles.stepMarker(runDir, runSteps.score(key)), '{"step": "sco');
      fs.rmSync(runFiles.stepMarker(runDir, runSteps.clean));
      fs.truncateSync(runFiles.report(runDir), 10);

      const check = await verifyRun(runDir);
      const status = Object.fromEntries(check.steps.map((step) => [step.step, step.status]));
      expect(check.ok).toBe(false);
      expect(status[runSteps.embed('behavior-stats', 1)]).toBe('damaged');
      expect(status[runSteps.score(key)]).toBe('damaged');
      expect(status[runSteps.shard]).toBe('stale');
      expect(status[runSteps.publish]).toBe('damaged');
      expect(status[runSteps.clean]).toBe('missing');
      expect(check.steps.find((step) => step.step === runSteps.embed('behavior-stats', 1))!.problems[0]).toMatch(new RegExp(`^${embedding} has 100 bytes, \\d+ recorded$`));
      expect(await verifyCommand(runDir)).toBe(1);

      expect(await repairCommand(client, runDir)).toBe(0);
      expect(printed()).toMatch(/computing again: .*embed-behavior-stats-shard-0001.*publish.*score-behavior-stats--kmeans-k3.*shard/);
      expect((await verifyRun(runDir)).ok).toBe(true);
      expect(sha256(labels)).toBe(labelsDigest);
      expect(sha256(runFiles.segments(runDir))).toBe(segmentsDigest);
      expect(fs.readFileSync(runFiles.report(runDir), 'utf8')).toContain('</html>');
      // The shard was recomputed, so everything made from it was too; nothing outside was rerun twice.
      expect(fs.statSync(runFiles.stepMarker(runDir, runSteps.score('behavior-stats--kmeans-k2'))).mtimeMs).toBeGreaterThan(untouched);
    });
  });
});

describe('a finished drop triggered again (issue 14 findings 2 and 3)', () => {
  it('with other settings or changed files is refused, saying what changed and how to recompute; --recompute computes it from them', async () => {
    await withWorkers({ label: 'retrigger' }, async ({ client, taskQueues, dataDir }) => {
      const file = copyOfSample(dataDir, 'retrigger.csv');
      const drop = dropRefFor(file);
      const first = await (await startDrop(client, drop, { dataDir, taskQueues, config: CONFIG })).handle.result();
      // Unchanged: the finished run is the answer.
      expect((await startDrop(client, drop, { dataDir, taskQueues, config: CONFIG })).started).toBe(false);

      const stricter = { ...CONFIG, minEventsPerUser: 20 };
      await expect(startDrop(client, drop, { dataDir, taskQueues, config: stricter })).rejects.toThrow(
        `already finished, from other inputs than these (minEventsPerUser: 2 -> 20), so its results do not answer this trigger and it was not run again. ` +
          'To compute it again in place (steps whose inputs did not change are reused; the outputs are replaced), ' +
          `run the same command with --recompute added (npm run client -- run ${drop.source} --recompute [--set ...])`,
      );
      const recomputed = await (await startDrop(client, drop, { dataDir, taskQueues, config: stricter, recompute: true })).handle.result();
      expect(recomputed.accounting.sequencedUsers).toBeLessThan(first.accounting.sequencedUsers);
      expect(recomputed.accounting.rawRows).toBe(first.accounting.rawRows);

      const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
      fs.appendFileSync(file, `${lines.slice(1, 201).join('\n')}\n`);
      await expect(startDrop(client, drop, { dataDir, taskQueues, config: stricter })).rejects.toThrow(new RegExp(`${file} went from \\d+ to \\d+ bytes`));
      const grown = await (await startDrop(client, drop, { dataDir, taskQueues, config: stricter, recompute: true })).handle.result();
      expect(grown.accounting.rawRows).toBe(first.accounting.rawRows + 200);
      expect((await verifyRun(grown.runDir)).ok).toBe(true);
    });
  });
});
