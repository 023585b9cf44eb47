import type { Command } from 'commander';
import { validateDrop } from '../../activities/ingest/validate-drop';
import { EXIT, collectSetPair, outputFor, runAction, withJsonOption } from './cli';
import { configFrom } from './options';

export interface ValidateOptions {
  set?: string[];
  json?: boolean;
}

export function registerValidateCommand(program: Command): void {
  const command = program.command('validate')
    .summary('ingestion and cleaning only, no server needed')
    .description('Read and clean a drop without Temporal and print its row accounting. Exit 0 when the drop is usable, 3 when ' +
      'it is not (the error names the file and what was expected).')
    .argument('<drop>', 'a file, a directory of part files, or a glob')
    .option('--set <key=value>', 'a run config field that changes ingestion or cleaning (e.g. mappingFile, minEventsPerUser), repeatable', collectSetPair);
  withJsonOption(command).action((drop: string, options: ValidateOptions) => runAction(options, () => validateCommand(drop, options)));
}

export async function validateCommand(source: string, options: ValidateOptions): Promise<number> {
  const out = outputFor(options);
  const { format, files, accounting } = await validateDrop(source, configFrom(options.set));
  const report = {
    source,
    format,
    files,
    raw_rows: accounting.rawRows,
    cleaned_rows: accounting.cleanedRows,
    quarantined_rows: accounting.quarantinedRows,
    duplicate_rows: accounting.duplicateRows,
    quarantine_by_reason: accounting.quarantineByReason,
    users: accounting.users,
    sequenced_users: accounting.sequencedUsers,
    holdout_events: accounting.holdoutEvents,
    holdout_users: accounting.holdoutUsers,
  };
  out.result(report);
  out.say(`${format}: ${files.length} file(s)`);
  out.say(`rows: ${report.raw_rows} raw = ${report.cleaned_rows} cleaned + ${report.quarantined_rows} quarantined + ${report.duplicate_rows} duplicates`);
  for (const [reason, count] of Object.entries(report.quarantine_by_reason)) out.say(`  quarantined ${reason}: ${count}`);
  out.say(`users: ${report.users}; with a sequence: ${report.sequenced_users}; holdout: ${report.holdout_events} events of ${report.holdout_users} users`);
  return EXIT.ok;
}
