import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../activities/ingest/detect';
import { projectPath } from '../../lib/paths';
import { freshDataDir } from '../helpers/pipeline-harness';

const DEMO = projectPath('data', 'demo', 'rees46-cosmetics-demo.csv.gz');
const SOURCE = path.resolve(projectPath(), '..', 'shared', 'datasets', 'rees46-cosmetics-sample', '2019-oct.csv');

describe('the demo log npm start segments', () => {
  it('is a REES46 log of the users with at least 3 events, each one segmented and evaluated', () => {
    const [header, ...lines] = zlib.gunzipSync(fs.readFileSync(DEMO)).toString('utf8').trimEnd().split('\n');
    expect(detectFormat(header)?.mapping.name).toMatch(/rees46/i);
    const perUser = new Map<string, number>();
    for (const line of lines) perUser.set(line.split(',')[8], (perUser.get(line.split(',')[8]) ?? 0) + 1);
    expect(lines.length).toBe(19_823);
    expect(perUser.size).toBe(1_240);
    expect(Math.min(...perUser.values())).toBe(3);
  });

  it('is rebuilt byte for byte by npm run make-demo-sample (from ../shared, as CI has it)', () => {
    expect(fs.existsSync(SOURCE), `${SOURCE} is missing: the tests read ../shared/datasets (docs/OPERATIONS.md)`).toBe(true);
    const rebuilt = path.join(freshDataDir('demo-log'), 'demo.csv.gz');
    execFileSync('npx', ['tsx', projectPath('scripts', 'make-demo-sample.ts'), '--out', rebuilt], { stdio: 'pipe' });
    expect(fs.readFileSync(rebuilt).equals(fs.readFileSync(DEMO))).toBe(true);
  });
});
