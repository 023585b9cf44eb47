import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDirFor } from '../../common/run-layout';
import { dropRefFor } from '../../lib/runtime/drop-id';
import { NAMESPACE, copyOfSample, withWorkers } from '../helpers/pipeline-harness';
import { runClient } from '../helpers/run-client';

// A small run, so the test spends its time on the client rather than the clustering.
const SETTINGS = ['--set', 'encoders=behavior-stats', '--set', 'shardCount=2', '--set', 'kMin=2', '--set', 'kMax=4'];

describe('the client against a real run', () => {
  it('runs a drop with plain progress lines, then reports, shows and verifies it, also as JSON', async () => {
    await withWorkers({ label: 'client-cli' }, async ({ taskQueues, dataDir, address }) => {
      const env = { TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: NAMESPACE };
      const source = copyOfSample(dataDir);
      const drop = dropRefFor(source);
      const prefix = taskQueues.cpu.replace(/-cpu$/, '');
      const common = ['--data-dir', dataDir, '--task-queue-prefix', prefix, ...SETTINGS];

      // Not a terminal here, so progress comes as plain lines, stamped with the elapsed time.
      const run = await runClient(['run', source, ...common], env);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain(`started: segment-${drop.dropId}`);
      expect(run.stdout).toMatch(/^\[\d+s\] stage=cluster .*candidates \d+\/\d+/m);

      // The same drop again: nothing new starts, and --json gives one object with the outcome.
      const again = await runClient(['run', source, ...common, '--json'], env);
      expect(again.code).toBe(0);
      const rerun = JSON.parse(again.stdout);
      expect(rerun).toMatchObject({ workflowId: `segment-${drop.dropId}`, started: false, outcome: 'completed' });
      const output = rerun.output;

      const runDir = runDirFor(dataDir, drop.dropId);
      const report = await runClient(['report', runDir], env);
      expect(report.code, report.stderr).toBe(0);
      expect(report.stdout).toContain(`report: ${output.reportPath}`);
      expect(report.stdout).toContain(`chosen: ${output.chosen.encoder} / ${output.chosen.algorithm} ${output.chosen.params}`);
      expect(report.stdout).toMatch(/^evidence: (clear|weak|insufficient)\. /m);
      expect(report.stdout).toMatch(/NDCG@10 lift over popularity: validation users .*; test users /);
      expect(report.stdout).toContain(`segments (${output.chosen.k}):`);

      // The run named by its drop path this time, as JSON: every segmented user in one segment.
      const summary = JSON.parse((await runClient(['report', source, '--data-dir', dataDir, '--json'], env)).stdout);
      expect(summary.reportPath).toBe(output.reportPath);
      expect(summary.segments).toHaveLength(output.chosen.k);
      expect(summary.segments.reduce((sum: number, segment: { users: number }) => sum + segment.users, 0)).toBe(output.accounting.sequencedUsers);
      expect(path.dirname(summary.reportPath)).toBe(path.join(runDir, 'output'));

      const status = await runClient(['status', source, '--json'], env);
      expect(status.code).toBe(0);
      expect(JSON.parse(status.stdout)).toMatchObject({ status: 'COMPLETED', output: { reportPath: output.reportPath } });

      const verify = await runClient(['verify', runDir, '--json'], env);
      expect(verify.code).toBe(0);
      expect(JSON.parse(verify.stdout).ok).toBe(true);
    });
  });
});
