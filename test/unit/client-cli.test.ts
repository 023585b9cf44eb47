import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectPath } from '../../lib/paths';
import { CLI_DOCS_PATH, clientCommands, withCurrentCliHelp } from '../../scripts/cli-docs';
import { freshDataDir } from '../helpers/pipeline-harness';
import { runClient } from '../helpers/run-client';

const SAMPLE = projectPath('data', 'sample', 'rees46-2019-oct-sample.csv');

// The client as a user runs it: a child process per call, its exit code, stdout and stderr.
describe('the client command line', () => {
  it('lists every command in --help, and every option of a command in its own --help', async () => {
    const commands = clientCommands();
    const top = await runClient(['--help']);
    expect(top.code).toBe(0);
    for (const name of ['run', 'status', 'report', 'backfill', 'retry-failed', 'schedule', 'validate', 'verify', 'repair', 'setup']) {
      expect(top.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    }
    expect(top.stdout).toContain('Exit codes:');
    // Four at a time: each call is a fresh process that loads the client.
    for (let first = 0; first < commands.length; first += 4) {
      await Promise.all(commands.slice(first, first + 4).map(async (command) => {
        const words = [];
        for (let at: typeof command | null = command; at?.parent; at = at.parent) words.unshift(at.name());
        const help = await runClient([...words, '--help']);
        expect(help.code, words.join(' ')).toBe(0);
        expect(help.stdout).toContain(`Usage: client ${words.join(' ')}`);
        for (const option of command.options) expect(help.stdout, `${words.join(' ')} ${option.long}`).toContain(option.long!);
        // Every command that does something (not the `schedule` group) takes --json.
        if (command.commands.length === 0) expect(help.stdout, words.join(' ')).toContain('--json');
      }));
    }
  });

  it('answers a typo with the nearest valid command or option, and exit code 2', async () => {
    const command = await runClient(['stauts']);
    expect(command.code).toBe(2);
    expect(command.stderr).toContain("unknown command 'stauts'");
    expect(command.stderr).toContain('Did you mean status?');
    const option = await runClient(['run', SAMPLE, '--recomput']);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain('Did you mean --recompute?');
    const missing = await runClient(['verify']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing required argument 'run'");
    const badSet = await runClient(['validate', SAMPLE, '--set', 'kMax']);
    expect(badSet.code).toBe(2);
    expect(badSet.stderr).toContain('expected key=value');
  });

  it('prints one parseable JSON object with --json, and a setting the schema refuses is exit code 3', async () => {
    const valid = await runClient(['validate', SAMPLE, '--json']);
    expect(valid.code).toBe(0);
    const accounting = JSON.parse(valid.stdout);
    expect(accounting.raw_rows).toBe(fs.readFileSync(SAMPLE, 'utf8').trimEnd().split('\n').length - 1);
    expect(accounting.cleaned_rows + accounting.quarantined_rows + accounting.duplicate_rows).toBe(accounting.raw_rows);

    const refused = await runClient(['validate', SAMPLE, '--set', 'minEventsPerUser=many', '--json']);
    expect(refused.code).toBe(3);
    expect(JSON.parse(refused.stdout)).toMatchObject({ exitCode: 3, error: expect.stringContaining('minEventsPerUser') });

    // A run directory whose pipeline has not published yet: steps/ but no manifest.json.
    const unfinishedRun = freshDataDir('cli-unfinished');
    fs.mkdirSync(path.join(unfinishedRun, 'steps'));
    const unfinished = await runClient(['report', unfinishedRun, '--json']);
    expect(unfinished.code).toBe(3);
    expect(JSON.parse(unfinished.stdout).error).toContain('no finished run');
  });

  it('says no server answered, with exit code 4', async () => {
    const result = await runClient(['status', '--json'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(result.code).toBe(4);
    expect(JSON.parse(result.stdout).error).toContain('cannot reach the Temporal server at 127.0.0.1:1');
  }, 60_000);

  it(`has every command's current help in ${CLI_DOCS_PATH} (npm run docs:cli)`, () => {
    const markdown = fs.readFileSync(projectPath(CLI_DOCS_PATH), 'utf8');
    expect(markdown).toBe(withCurrentCliHelp(markdown));
  });
});
