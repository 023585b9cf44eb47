import { parseArgs } from 'node:util';
import { validateDrop } from '../../activities/ingest/validate-drop';
import { configFrom } from './options';

/**
 * validate <path|dir|glob> [--json] [--set key=value]...: ingestion and cleaning only, no Temporal
 * needed; prints the row accounting (one JSON object with --json). Exit 0 when the drop is
 * usable, 1 when it is not (the error names the file and what was expected).
 */
export async function validateCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' }, set: { type: 'string', multiple: true } } });
  if (positionals.length !== 1) throw new Error('usage: validate <path|dir|glob> [--json] [--set key=value]...');
  const { format, files, accounting } = await validateDrop(positionals[0], configFrom(values.set));
  const report = {
    source: positionals[0],
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
  if (values.json) {
    console.log(JSON.stringify(report));
  } else {
    console.log(`${format}: ${files.length} file(s)`);
    console.log(`rows: ${report.raw_rows} raw = ${report.cleaned_rows} cleaned + ${report.quarantined_rows} quarantined + ${report.duplicate_rows} duplicates`);
    for (const [reason, count] of Object.entries(report.quarantine_by_reason)) console.log(`  quarantined ${reason}: ${count}`);
    console.log(`users: ${report.users}; with a sequence: ${report.sequenced_users}; holdout: ${report.holdout_events} events of ${report.holdout_users} users`);
  }
  return 0;
}
