import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanRawLogs } from '../../activities/clean-logs';
import { inspectDrop } from '../../activities/inspect-drop';
import { resolveRunConfig } from '../../common/run-config';
import { projectPath } from '../../lib/paths';
import { copyOfSample, freshDataDir } from '../helpers/pipeline-harness';

const SAMPLE = projectPath('data', 'sample', 'rees46-2019-oct-sample.csv');
const TAOBAO = path.resolve(projectPath(), '..', 'shared', 'datasets', 'taobao-userbehavior-2h', 'UserBehavior.csv');

describe('a drop pinned at inspection', () => {
  it('refuses to clean files that changed since they were inspected (rows appended), naming the file and the change', async () => {
    const runDir = freshDataDir('pinned-append');
    const file = copyOfSample(runDir, 'drop.csv');
    const inspected = await inspectDrop({ runDir, source: file, mappingFile: '' });
    const before = fs.statSync(file).size;
    const lines = fs.readFileSync(SAMPLE, 'utf8').trimEnd().split('\n');
    fs.appendFileSync(file, `${lines.slice(1, 101).join('\n')}\n`);
    const failure = await cleanRawLogs({ ...inspected, runDir, config: resolveRunConfig() }).then(() => undefined, (error: unknown) => error);
    expect(failure).toMatchObject({ type: 'BadInputError', nonRetryable: true });
    expect((failure as Error).message).toMatch(new RegExp(
      `^the drop changed since it was inspected \\(${file} went from ${before} to ${fs.statSync(file).size} bytes\\); a drop must be complete before it is triggered`,
    ));
  });

  it('inspects a drop again when its files changed since the recorded inspection (no stale format guess)', async () => {
    const runDir = freshDataDir('pinned-reinspect');
    const file = copyOfSample(runDir, 'drop.csv');
    const first = await inspectDrop({ runDir, source: file, mappingFile: '' });
    expect(first.format).toBe('rees46');
    expect(await inspectDrop({ runDir, source: file, mappingFile: '' })).toEqual(first);
    // Replaced by a log of another format, as the operator did.
    fs.writeFileSync(file, `${fs.readFileSync(TAOBAO, 'utf8').split('\n').slice(0, 200).join('\n')}\n`);
    const again = await inspectDrop({ runDir, source: file, mappingFile: '' });
    expect(again.format).toBe('taobao');
    expect(again.pinned).toEqual([{
      path: file, size: fs.statSync(file).size, mtimeMs: fs.statSync(file).mtimeMs,
      sha256: createHash('sha256').update(fs.readFileSync(file)).digest('hex'),
    }]);
  });
});
