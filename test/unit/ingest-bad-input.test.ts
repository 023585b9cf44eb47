import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { validateDrop } from '../../activities/ingest/validate-drop';
import { freshDataDir } from '../helpers/pipeline-harness';
import { REES46_HEADER } from '../helpers/rees46-fixture';

const row = (i: number, user = '7', price = '1.00') => `${i},2019-10-01 00:00:0${i % 10} UTC,view,${100 + i},2,,brand,${price},${user},s`;

/** Every bad input ends in a BadInputError naming the file and what was expected, or in reasoned quarantine. */
async function failure(source: string): Promise<ApplicationFailure> {
  const error = await validateDrop(source).then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(ApplicationFailure);
  expect((error as ApplicationFailure).type).toBe('BadInputError');
  return error as ApplicationFailure;
}

describe('bad input at ingestion', () => {
  const dir = freshDataDir('ingest-bad');
  const write = (name: string, contents: string | Buffer) => {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, contents);
    return file;
  };

  it('malformed lines are quarantined with their line number', async () => {
    const file = write('malformed.csv', [REES46_HEADER, row(1), '2,2019-10-01 00:00:02 UTC,view', row(3), row(4, '7', '1.00') + ',extra'].join('\n') + '\n');
    const { accounting } = await validateDrop(file);
    expect(accounting.quarantineByReason).toEqual({ malformed_line: 2 });
    expect(accounting.rawRows).toBe(4);
    expect(accounting.cleanedRows).toBe(2);
  });

  it('a wrong delimiter in the data rows rejects every row, and says so', async () => {
    const file = write('semicolons.csv', [REES46_HEADER, row(1).replaceAll(',', ';'), row(2).replaceAll(',', ';')].join('\n') + '\n');
    expect((await failure(file)).message).toMatch(/semicolons\.csv: every one of 2 rows was rejected \(\{"malformed_line":2\}\), e\.g\. .*semicolons\.csv row 2: Expected Number of Columns: 10 Found: 1/);
  });

  it('a file delimited throughout by semicolons is recognized', async () => {
    const file = write('all-semicolons.csv', [REES46_HEADER, row(1), row(2)].map((line) => line.replaceAll(',', ';')).join('\n') + '\n');
    expect((await validateDrop(file)).accounting.cleanedRows).toBe(2);
  });

  it('non-UTF-8 bytes quarantine the line as invalid_utf8', async () => {
    const file = write('latin1.csv', Buffer.concat([Buffer.from(`${REES46_HEADER}\n${row(1)}\n`), Buffer.from('2,2019-10-01 00:00:02 UTC,view,1,2,,caf\xe9,1.0,7,s\n', 'latin1'), Buffer.from(`${row(3)}\n`)]));
    const { accounting } = await validateDrop(file);
    expect(accounting.quarantineByReason).toEqual({ invalid_utf8: 1 });
    expect(accounting.cleanedRows).toBe(2);
  });

  it('a truncated gzip file fails instead of being read up to the cut', async () => {
    const full = zlib.gzipSync([REES46_HEADER, ...Array.from({ length: 3000 }, (_, i) => row(i, String(i % 40)))].join('\n') + '\n');
    const file = write('cut.csv.gz', full.subarray(0, Math.floor(full.length / 2)));
    expect((await failure(file)).message).toMatch(/cut\.csv\.gz: the gzip stream is truncated or corrupt \(unexpected end of file\)/);
    const whole = write('whole.csv.gz', full);
    expect((await validateDrop(whole)).accounting.rawRows).toBe(3000);
  });

  it('a column of the wrong type quarantines the rows with the value found', async () => {
    const file = write('prices.csv', [REES46_HEADER, row(1), row(2, '7', 'cheap'), row(3, '7', '-4')].join('\n') + '\n');
    const { accounting } = await validateDrop(file);
    expect(accounting.quarantineByReason).toEqual({ bad_price: 1, non_positive_price: 1 });
  });

  it('empty, header-only, all-rejected and missing files fail, naming the file', async () => {
    expect((await failure(write('empty.csv', ''))).message).toMatch(/empty\.csv is empty \(0 bytes\); expected an event log: rees46: CSV with columns/);
    expect((await failure(write('header.csv', `${REES46_HEADER}\n`))).message).toMatch(/header\.csv: no data rows \(header only\?\)/);
    expect((await failure(write('rejected.csv', [REES46_HEADER, row(1, '')].join('\n') + '\n'))).message)
      .toMatch(/rejected\.csv: every one of 1 rows was rejected \(\{"missing_user_id":1\}\), e\.g\. .*rejected\.csv row 1: user id is empty/);
    expect((await failure(path.join(dir, 'nowhere.csv'))).message).toMatch(/drop path .*nowhere\.csv does not exist; expected a file, a directory or a glob/);
  });

  it('a directory mixing formats fails, listing each file and its format', async () => {
    write('mixed/a.csv', [REES46_HEADER, row(1)].join('\n') + '\n');
    write('mixed/b.csv', '1,2,3,pv,1511658000\n');
    expect((await failure(path.join(dir, 'mixed'))).message).toMatch(/mixes log formats \(.*a\.csv: rees46, delimiter ","; .*b\.csv: taobao, delimiter ","\)/);
  });
});
