import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { dropRefFor } from '../../lib/drop-id';
import { startDrop } from '../../lib/pipeline-client';
import { freshDataDir, withWorkers } from '../helpers/pipeline-harness';

const REES46_HEADER = ',event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session';

describe('bad input fails fast, non-retryably, naming the file', () => {
  const inputs = freshDataDir('bad-inputs');
  const cases: Array<{ name: string; file: string; contents?: string; message: RegExp }> = [
    { name: 'missing path', file: 'does-not-exist.csv', message: /does-not-exist\.csv does not exist; expected a file, a directory or a glob/ },
    { name: 'empty file', file: 'empty.csv', contents: '', message: /empty\.csv is empty \(0 bytes\); expected an event log/ },
    { name: 'unknown format', file: 'unknown.csv', contents: 'a,b,c\n1,2,3\n', message: /unknown\.csv: unknown log format; first line is "a,b,c"\. Expected one of: rees46: CSV with columns event_time,event_type,product_id.* \| taobao: CSV without header: user_id,item_id,category_id,behavior_type,timestamp; or give a mapping file/ },
    { name: 'header only', file: 'header-only.csv', contents: `${REES46_HEADER}\n`, message: /header-only\.csv: no data rows/ },
    {
      name: 'every row rejected',
      file: 'all-rejected.csv',
      contents: `${REES46_HEADER}\n0,2019-10-01 00:00:00 UTC,teleport,1,2,,,1.0,7,s\n1,not a time,view,1,2,,,1.0,7,s\n`,
      message: /all-rejected\.csv: every one of 2 rows was rejected .*"unknown_event_type":1.*event type "teleport" is not in the format's vocabulary/,
    },
  ];

  for (const testCase of cases) {
    it(testCase.name, async () => {
      const file = path.join(inputs, testCase.file);
      if (testCase.contents !== undefined) fs.writeFileSync(file, testCase.contents);
      await withWorkers({ label: 'bad' }, async ({ client, taskQueues, dataDir }) => {
        const drop = dropRefFor(file);
        const { handle } = await startDrop(client, drop, { dataDir, taskQueues });
        const failure = await handle.result().then(() => undefined, (error: unknown) => error);
        expect(failure).toBeInstanceOf(WorkflowFailedError);
        const cause = (failure as WorkflowFailedError).cause;
        expect(cause).toBeInstanceOf(ApplicationFailure);
        expect((cause as ApplicationFailure).type).toBe('BadInputError');
        expect((cause as ApplicationFailure).nonRetryable).toBe(true);
        expect(cause!.message).toMatch(testCase.message);

        // No retry storm: every activity ran exactly once.
        const history = await handle.fetchHistory();
        const attempts = (history.events ?? []).flatMap((event) => event.activityTaskStartedEventAttributes?.attempt ?? []);
        expect(attempts.length).toBeGreaterThan(0);
        expect(attempts.every((attempt) => attempt === 1)).toBe(true);

        // Nothing half-written that looks like a result.
        const runDir = path.join(dataDir, 'runs', drop.dropId);
        for (const artifact of ['manifest.json', 'run.duckdb', 'output', 'steps/clean.json']) {
          expect(fs.existsSync(path.join(runDir, artifact))).toBe(false);
        }
        const leftovers = fs.existsSync(runDir) ? fs.readdirSync(runDir, { recursive: true }).map(String) : [];
        expect(leftovers.filter((name) => name.includes('.tmp-'))).toEqual([]);
      });
    });
  }
});
