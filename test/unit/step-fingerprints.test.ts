import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { cleanRawLogs } from '../../activities/clean-logs';
import { inspectDrop } from '../../activities/inspect-drop';
import { shardUsers } from '../../activities/shard-users';
import { resolveRunConfig, resultSettings, type RunConfig } from '../../common/run-config';
import { runFiles, runSteps } from '../../common/run-layout';
import { withRunDatabase } from '../../lib/runtime/run-database';
import { queryRows } from '../../lib/runtime/duckdb';
import { readStepMarker, runStepOnce, type StepDefinition } from '../../lib/runtime/run-dir';
import { copyOfSample, freshDataDir } from '../helpers/pipeline-harness';

let warnings: MockInstance;
beforeEach(() => {
  warnings = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterEach(() => warnings.mockRestore());

/** A step that writes `text` to `<runDir>/<step>.txt` and counts its runs. */
function textStep(runDir: string, step: string, madeFrom: unknown, upstream: string[] = []) {
  const file = path.join(runDir, `${step}.txt`);
  const definition: StepDefinition<{ file: string }> = { runDir, step, madeFrom, upstream, outputs: () => [{ file }] };
  return {
    runs: 0,
    async run(text: string) {
      return runStepOnce(definition, async () => {
        this.runs++;
        fs.writeFileSync(file, text);
        return { file };
      });
    },
    file,
  };
}

describe('step checkpoints keyed by what they were made from', () => {
  it('are reused for the same inputs, and computed again, with the reason, when a setting differs', async () => {
    const runDir = freshDataDir('fingerprint-settings');
    const first = textStep(runDir, 'a', { minEventsPerUser: 2 });
    await first.run('x');
    await first.run('x');
    expect(first.runs).toBe(1);
    const changed = textStep(runDir, 'a', { minEventsPerUser: 100 });
    await changed.run('y');
    expect(changed.runs).toBe(1);
    expect(warnings.mock.calls[0][0]).toBe(`step a of ${runDir}: its checkpoint is not reused (it was made from other inputs: minEventsPerUser: 2 -> 100); computing it again`);
  });

  it('leave settings that only change speed out of the fingerprint', () => {
    const config = resolveRunConfig({ minEventsPerUser: 3 });
    const faster: RunConfig = { ...config, duckdbThreads: 1, embedConcurrency: 9, activityMaxAttempts: 2, sweepConcurrency: 1 };
    expect(resultSettings(faster)).toEqual(resultSettings(config));
    expect(resultSettings({ ...config, shardCount: 7 })).not.toEqual(resultSettings(config));
  });

  it('compute the steps downstream again when an upstream step was computed again with other outputs, and only then', async () => {
    const runDir = freshDataDir('fingerprint-upstream');
    const upstream = textStep(runDir, 'up', { version: 1 });
    const downstream = textStep(runDir, 'down', {}, ['up']);
    await upstream.run('one');
    await downstream.run('derived');
    // The upstream marker lost and recomputed to the same bytes: the downstream result still holds.
    fs.rmSync(runFiles.stepMarker(runDir, 'up'));
    await upstream.run('one');
    await downstream.run('derived');
    expect([upstream.runs, downstream.runs]).toEqual([2, 1]);
    // Recomputed from other inputs with other bytes: the downstream step is computed again.
    await textStep(runDir, 'up', { version: 2 }).run('two');
    await downstream.run('derived');
    expect(downstream.runs).toBe(2);
    expect(warnings.mock.calls.at(-1)![0]).toContain('upstream step(s) up computed again since');
  });

  it('compute a step again when an output it recorded was deleted or truncated', async () => {
    const runDir = freshDataDir('fingerprint-damaged-output');
    const step = textStep(runDir, 'out', {});
    await step.run('full contents');
    fs.writeFileSync(step.file, 'full');
    await step.run('full contents');
    fs.rmSync(step.file);
    await step.run('full contents');
    expect(step.runs).toBe(3);
    expect(warnings.mock.calls[0][0]).toContain(`its outputs changed since: ${step.file} has 4 bytes, 13 recorded`);
    expect(warnings.mock.calls[1][0]).toContain(`its outputs changed since: ${step.file} is missing`);
  });
});

describe('the pipeline steps (issue 14 findings 2 and 4)', () => {
  async function cleanAndShard(runDir: string, file: string, config: RunConfig) {
    const inspected = await inspectDrop({ runDir, source: file, mappingFile: '' });
    const cleaned = await cleanRawLogs({ ...inspected, runDir, config });
    const sharded = await shardUsers({ runDir, config });
    return { cleaned, sharded };
  }

  it('a re-run with another minEventsPerUser cleans again and re-shards (it returned the old 815 users before)', async () => {
    const runDir = freshDataDir('fingerprint-rerun');
    const file = copyOfSample(runDir, 'drop.csv');
    const before = await cleanAndShard(runDir, file, resolveRunConfig());
    const after = await cleanAndShard(runDir, file, resolveRunConfig({ minEventsPerUser: 20 }));
    expect(after.cleaned.accounting.sequencedUsers).toBeLessThan(before.cleaned.accounting.sequencedUsers);
    const sharded = after.sharded.shards.reduce((sum, shard) => sum + shard.users, 0);
    expect(sharded).toBe(after.cleaned.accounting.sequencedUsers);
    // Back to the first settings: computed again, the same as the first time.
    const again = await cleanAndShard(runDir, file, resolveRunConfig());
    expect(again.cleaned.accounting).toEqual(before.cleaned.accounting);
  });

  it('a deleted cleaning checkpoint: cleaning runs again and so does sharding, whose sequences view went with the old database', async () => {
    const runDir = freshDataDir('fingerprint-deleted-marker');
    const file = copyOfSample(runDir, 'drop.csv');
    const config = resolveRunConfig();
    const first = await cleanAndShard(runDir, file, config);
    const shardMarker = await readStepMarker(runDir, runSteps.shard);
    fs.rmSync(runFiles.stepMarker(runDir, runSteps.clean));
    const second = await cleanAndShard(runDir, file, config);
    expect(second).toEqual(first);
    expect((await readStepMarker(runDir, runSteps.shard))!.finishedAt).not.toBe(shardMarker!.finishedAt);
    expect(warnings.mock.calls.some(([line]) => String(line).includes('run.duckdb sequences'))).toBe(true);
    const [{ users }] = await withRunDatabase(runDir, 'read-only', {}, ({ connection }) => queryRows(connection, 'SELECT count(*) AS users FROM run.sequences'));
    expect(Number(users)).toBe(first.cleaned.accounting.sequencedUsers);
  });
});
