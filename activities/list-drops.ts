import fs from 'node:fs/promises';
import path from 'node:path';
import type { ListDayPartitionsInput, ListDayPartitionsOutput, ListDropsInput, ListDropsOutput } from '../common/contracts';
import { badInput } from '../common/errors';
import { pathExists } from '../lib/runtime/atomic-write';
import { dropRefFor } from '../lib/runtime/drop-id';
import { runDirFor, runFiles } from '../common/run-layout';

/**
 * New drops in an inbox directory: every visible file or directory whose run has not been
 * published yet (no manifest.json). The scheduled scan starts one pipeline per drop; workflow ids
 * derived from the drop make a second scan of the same drop a no-op even before it is published.
 */
export async function listNewDrops(input: ListDropsInput): Promise<ListDropsOutput> {
  const entries = await fs.readdir(input.inboxDir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw badInput(`inbox directory ${input.inboxDir} does not exist`);
    throw error;
  });
  const drops = [];
  for (const entry of entries.filter((candidate) => !candidate.name.startsWith('.')).sort((a, b) => a.name.localeCompare(b.name))) {
    const drop = dropRefFor(path.join(input.inboxDir, entry.name));
    if (!(await pathExists(runFiles.manifest(runDirFor(input.dataDir, drop.dropId))))) drops.push(drop);
  }
  return { drops };
}

const DAY_PARTITION = /^(?:(?:date|dt|day)=)?(\d{4}-\d{2}-\d{2})$/;

/** Day partitions (`2019-10-01/`, `date=2019-10-01/`, `dt=...`) of an input tree within [from, to]. */
export async function listDayPartitions(input: ListDayPartitionsInput): Promise<ListDayPartitionsOutput> {
  for (const [field, value] of [['from', input.from], ['to', input.to]] as const) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw badInput(`backfill --${field} must be a date YYYY-MM-DD, got ${JSON.stringify(value)}`);
  }
  const entries = await fs.readdir(input.root, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw badInput(`backfill input tree ${input.root} does not exist`);
    throw error;
  });
  const partitions = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => ({ entry, day: DAY_PARTITION.exec(entry.name)?.[1] }))
    .filter((item): item is { entry: typeof item.entry; day: string } => item.day !== undefined && item.day >= input.from && item.day <= input.to)
    .sort((a, b) => a.day.localeCompare(b.day))
    .map(({ entry, day }) => ({ day, drop: dropRefFor(path.join(input.root, entry.name)) }));
  if (partitions.length === 0) {
    throw badInput(`backfill: no day partitions (YYYY-MM-DD, date=YYYY-MM-DD or dt=YYYY-MM-DD) in ${input.root} between ${input.from} and ${input.to}`);
  }
  return { partitions };
}
