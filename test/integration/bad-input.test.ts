import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { dropRefFor } from '../../lib/runtime/drop-id';
import { startDrop } from '../../lib/client/pipeline-client';
import { copyOfSample, freshDataDir, withWorkers } from '../helpers/pipeline-harness';

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

describe('a bad run config fails before any heavy work, non-retryably, listing every problem', () => {
  const inputs = freshDataDir('bad-config');
  const cases: Array<{ name: string; config: (dir: string) => Record<string, unknown>; type: string; activities: string[]; lines: RegExp[] }> = [
    {
      name: 'files the config names are missing or broken (preflight)',
      config: (dir) => {
        fs.writeFileSync(path.join(dir, 'broken-mapping.json'), '{"name": ');
        fs.writeFileSync(path.join(dir, 'truth.csv'), 'user_id,group\n1,a\n');
        fs.mkdirSync(path.join(dir, 'model'), { recursive: true });
        return {
          encoders: ['transformer', 'behavior-stats'], mappingFile: path.join(dir, 'broken-mapping.json'), truthLabelsFile: path.join(dir, 'truth.csv'),
          transformerModelDir: path.join(dir, 'model'), pcaComponents: 19,
        };
      },
      type: 'BadInputError',
      activities: ['preflightRun'],
      lines: [
        /^the run config names files or settings that cannot work \(4\):$/,
        /^ {2}mappingFile: mapping file .*broken-mapping\.json cannot be read as JSON/,
        /^ {2}truthLabelsFile: truthLabelsFile .*truth\.csv has columns user_id, group; expected user_id and label/,
        /^ {2}transformerModelDir: model directory .*model lacks model\.onnx/,
        /^ {2}pcaComponents: 19 must be below the dimensions of every encoder of the run, but behavior-stats has 19 \(fixed\)/,
      ],
    },
    {
      name: 'a missing mapping file (preflight)',
      config: (dir) => ({ encoders: ['behavior-stats'], mappingFile: path.join(dir, 'no-such-mapping.json') }),
      type: 'BadInputError',
      activities: ['preflightRun'],
      lines: [/cannot work \(1\):$/, /^ {2}mappingFile: mapping file .*no-such-mapping\.json does not exist; give a JSON format mapping/],
    },
    {
      name: 'PCA wider than an encoder (preflight)',
      config: () => ({ encoders: ['behavior-stats'], pcaComponents: 20 }),
      type: 'RunConfigError',
      activities: ['preflightRun'],
      lines: [/cannot work \(1\):$/, /^ {2}pcaComponents: 20 must be below the dimensions of every encoder of the run, but behavior-stats has 19/],
    },
    {
      name: 'bad fields and a broken rule between fields (the workflow, before any activity)',
      config: () => ({ encoders: ['behavior-stats'], kMax: 0, sweepConcurrency: 'four', holdoutMode: 'none' }),
      type: 'RunConfigError',
      activities: [],
      lines: [
        /^invalid run config \(3 problems\):$/,
        /^ {2}kMax: expected an integer in \[2, 1000\], got 0$/,
        /^ {2}sweepConcurrency: expected an integer in \[1, 256\], got "four"$/,
        /^ {2}selectionRule, holdoutMode: selectionRule 'stable-lift' ranks candidates by their recommendations on held-out events/,
      ],
    },
  ];

  for (const testCase of cases) {
    it(testCase.name, async () => {
      const dir = fs.mkdtempSync(path.join(inputs, 'case-'));
      const config = testCase.config(dir);
      await withWorkers({ label: 'bad-config' }, async ({ client, taskQueues, dataDir }) => {
        const drop = dropRefFor(copyOfSample(dir));
        const started = Date.now();
        const { handle } = await startDrop(client, drop, { dataDir, taskQueues, config });
        const failure = await handle.result().then(() => undefined, (error: unknown) => error);
        const seconds = (Date.now() - started) / 1000;
        expect(failure).toBeInstanceOf(WorkflowFailedError);
        const cause = (failure as WorkflowFailedError).cause as ApplicationFailure;
        expect(cause).toBeInstanceOf(ApplicationFailure);
        expect(cause.type).toBe(testCase.type);
        expect(cause.nonRetryable).toBe(true);
        const lines = cause.message.split('\n');
        expect(lines).toHaveLength(testCase.lines.length);
        testCase.lines.forEach((line, i) => expect(lines[i]).toMatch(line));
        // Within seconds: no retries (5 attempts with backoff would take 15 s), nothing heavy ran.
        expect(seconds).toBeLessThan(15);

        const history = await handle.fetchHistory();
        const scheduled = (history.events ?? []).flatMap((event) => event.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
        expect(scheduled).toEqual(testCase.activities);
        const attempts = (history.events ?? []).flatMap((event) => event.activityTaskStartedEventAttributes?.attempt ?? []);
        expect(attempts.every((attempt) => attempt === 1)).toBe(true);

        // The config was stored for the record; nothing else was produced.
        const runDir = path.join(dataDir, 'runs', drop.dropId);
        const files = fs.existsSync(runDir) ? fs.readdirSync(runDir) : [];
        expect(files).toEqual(testCase.activities.length > 0 ? ['config.json'] : []);
      });
    });
  }
});
