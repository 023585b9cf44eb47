import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { workflowIdForDrop } from '../../common/ids';
import type { RunConfig } from '../../common/run-config';
import { dropRefFor } from '../../lib/runtime/drop-id';
import { projectPath } from '../../lib/paths';
import { scheduleCommand } from '../../scripts/client/schedule';
import { backfillRange, scanInbox } from '../../workflows';
import { waitFor } from '../helpers/child-worker';
import { withWorkers } from '../helpers/pipeline-harness';

const SAMPLE_LINES = fs.readFileSync(projectPath('data', 'sample', 'rees46-2019-oct-sample.csv'), 'utf8').trimEnd().split('\n');

/** Writes the sample's header plus a slice of its rows, so each drop is different real data. */
function writeSlice(file: string, from: number, to: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, [SAMPLE_LINES[0], ...SAMPLE_LINES.slice(1 + from, 1 + to)].join('\n') + '\n');
}

const CONFIG: Partial<RunConfig> = { encoders: ['behavior-stats'], shardCount: 2, kMin: 2, kMax: 3 };

describe('scheduled inbox scans and backfills', () => {
  it('a schedule scans the inbox and starts one pipeline per new drop, once', async () => {
    await withWorkers({ label: 'schedule' }, async ({ client, taskQueues, dataDir }) => {
      const inbox = path.join(dataDir, 'inbox');
      writeSlice(path.join(inbox, 'drop-a.csv'), 0, 2500);
      writeSlice(path.join(inbox, 'drop-b.csv'), 2500, 5000);
      const prefix = taskQueues.cpu.replace(/-cpu$/, '');
      const scheduleId = `scan-${prefix}`;
      const common = { id: scheduleId, dataDir, taskQueuePrefix: prefix, set: Object.entries(CONFIG).map(([k, v]) => `${k}=${JSON.stringify(v)}`) };
      expect(await scheduleCommand(client, 'create', { ...common, inbox, every: '1h' })).toBe(0);
      try {
        expect(await scheduleCommand(client, 'trigger', common)).toBe(0);
        const dropIds = ['drop-a.csv', 'drop-b.csv'].map((name) => dropRefFor(path.join(inbox, name)).dropId);
        await waitFor(async () => {
          const description = await client.schedule.getHandle(scheduleId).describe();
          return description.info.recentActions.length > 0;
        }, 30_000, 'the scheduled scan');
        const outputs = await Promise.all(dropIds.map(async (dropId) => {
          await waitFor(async () => client.workflow.getHandle(workflowIdForDrop(dropId)).describe().then(() => true, () => false), 30_000, dropId);
          return client.workflow.getHandle(workflowIdForDrop(dropId)).result();
        }));
        expect(outputs.map((output) => output.accounting.rawRows)).toEqual([2500, 2500]);

        // A second scan finds nothing new.
        const rescan = await client.workflow.execute(scanInbox, {
          taskQueue: taskQueues.cpu, workflowId: `${scheduleId}-rescan`, args: [{ inboxDir: inbox, dataDir, taskQueues, config: CONFIG }],
        });
        expect(rescan).toEqual({ started: [], alreadyStarted: [] });

        expect(await scheduleCommand(client, 'pause', common)).toBe(0);
        expect((await client.schedule.getHandle(scheduleId).describe()).state.paused).toBe(true);
      } finally {
        await scheduleCommand(client, 'delete', common);
      }
    });
  });

  it('a backfill runs one drop per day partition in range, and skips days already done', async () => {
    await withWorkers({ label: 'backfill' }, async ({ client, taskQueues, dataDir }) => {
      const root = path.join(dataDir, 'tree');
      writeSlice(path.join(root, '2019-10-01', 'events.csv'), 0, 1700);
      writeSlice(path.join(root, 'date=2019-10-02', 'events.csv'), 1700, 3400);
      writeSlice(path.join(root, '2019-10-09', 'events.csv'), 3400, 5000); // outside the range
      const input = { root, from: '2019-10-01', to: '2019-10-03', concurrency: 2, dataDir, taskQueues, config: CONFIG };
      const first = await client.workflow.execute(backfillRange, { taskQueue: taskQueues.cpu, workflowId: `backfill-${taskQueues.cpu}`, args: [input] });
      expect(first.days.map((day) => [day.day, day.outcome])).toEqual([['2019-10-01', 'done'], ['2019-10-02', 'done']]);
      const again = await client.workflow.execute(backfillRange, { taskQueue: taskQueues.cpu, workflowId: `backfill-again-${taskQueues.cpu}`, args: [input] });
      expect(again.days.map((day) => day.outcome)).toEqual(['already-started', 'already-started']);
      expect(fs.existsSync(path.join(dataDir, 'runs', first.days[0].dropId, 'output', 'report.html'))).toBe(true);
    });
  });
});
