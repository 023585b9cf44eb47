import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { detectFormat, readFirstLine } from '../../activities/ingest/detect';
import { resolveDropFiles } from '../../activities/inspect-drop';
import { dropRefFor } from '../../lib/runtime/drop-id';
import { projectPath } from '../../lib/paths';
import { freshDataDir } from '../helpers/pipeline-harness';

const DATASETS = path.resolve(projectPath(), '..', 'shared', 'datasets');

describe('format detection', () => {
  it('recognizes the real datasets by their first line', async () => {
    const formatOf = (line: string) => detectFormat(line)?.mapping.name;
    expect(formatOf((await readFirstLine(path.join(DATASETS, 'rees46-cosmetics-sample', '2019-nov.csv')))!)).toBe('rees46');
    expect(formatOf((await readFirstLine(path.join(DATASETS, 'taobao-userbehavior-2h', 'UserBehavior.csv')))!)).toBe('taobao');
    expect(formatOf('timestamp,visitorid,event,itemid,transactionid')).toBe('retailrocket');
    expect(detectFormat('timestamp;visitorid;event;itemid;transactionid')).toMatchObject({ delimiter: ';' });
    expect(detectFormat('1\t2\t3\tbuy\t1511658000')).toMatchObject({ delimiter: '\t' });
    expect(formatOf('user,item,when')).toBeUndefined();
    expect(formatOf('1,2,3,teleport,4')).toBeUndefined();
  });

  it('reads the first line of gzip files and CRLF files', async () => {
    const dir = freshDataDir('formats');
    const gz = path.join(dir, 'events.csv.gz');
    fs.writeFileSync(gz, zlib.gzipSync('1,2,3,pv,1511658000\r\n4,5,6,buy,1511658001\r\n'));
    expect(await readFirstLine(gz)).toBe('1,2,3,pv,1511658000');
    const empty = path.join(dir, 'empty.csv');
    fs.writeFileSync(empty, '');
    expect(await readFirstLine(empty)).toBeUndefined();
  });
});

describe('drops', () => {
  it('derive stable ids from the absolute path, readable and distinct', () => {
    const a = dropRefFor('/data/inbox/2019-10-01/events.csv.gz');
    expect(a).toEqual(dropRefFor('/data/inbox/2019-10-01/../2019-10-01/events.csv.gz'));
    expect(a.dropId).toMatch(/^events-[0-9a-f]{10}$/);
    expect(dropRefFor('/data/other/events.csv.gz').dropId).not.toBe(a.dropId);
  });

  it('resolve a directory to its data files, sorted, skipping hidden ones', async () => {
    const dir = freshDataDir('drop-dir');
    for (const name of ['b.csv', 'a.csv.gz', '.partial.csv', 'notes.md']) fs.writeFileSync(path.join(dir, name), 'x');
    expect((await resolveDropFiles(dir)).map((file) => path.basename(file))).toEqual(['a.csv.gz', 'b.csv']);
    expect((await resolveDropFiles(path.join(dir, '*.csv'))).map((file) => path.basename(file))).toEqual(['b.csv']);
    await expect(resolveDropFiles(path.join(dir, '*.parquet'))).rejects.toThrow(/matches no files/);
  });
});
