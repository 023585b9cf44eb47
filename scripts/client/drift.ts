import type { Command } from 'commander';
import type { DriftSummary } from '../../common/contracts';
import { dropHistory, withRegistry, type DropRecord } from '../../activities/segment-models/registry';
import { DATA_DIR_HELP, dataDirFrom } from './options';
import { runAction, withJsonOption } from './cli';

export interface DriftOptions {
  pipeline: string;
  dataDir: string;
  json: boolean;
}

/** One drop of `client drift --json`. */
export interface DriftRow {
  sequence: number;
  dropId: string;
  recordedAt: string;
  mode: DropRecord['mode'];
  modelVersion: number;
  reason: string;
  /** null: nothing to compare with (the pipeline's first refit, or a drop recorded before drift existed). */
  drift: DriftSummary | null;
}

/**
 * drift <pipeline> [--json]: the pipeline's drops in order, each with its mode, model version, drift
 * score, MONIC transitions and largest migrations, from the model registry (no Temporal needed).
 * The full comparison of a drop is its run's output/drift.json (`drift.file`).
 */
export async function driftCommand(options: DriftOptions): Promise<number> {
  const history = await withRegistry(options.dataDir, (connection) => dropHistory(connection, options.pipeline));
  const rows: DriftRow[] = history.map((drop) => ({
    sequence: drop.sequence, dropId: drop.dropId, recordedAt: drop.recordedAt, mode: drop.mode, modelVersion: drop.modelVersion, reason: drop.reason,
    drift: (drop.drift as DriftSummary | null) ?? null,
  }));
  if (options.json) console.log(JSON.stringify(rows));
  else if (rows.length === 0) console.log(`pipeline ${options.pipeline} has no recorded drops`);
  else for (const row of rows) console.log(describeDrop(row));
  return 0;
}

/** `drift <pipeline>`: the pipeline's drift per drop, from the registry (no server needed). */
export function registerDriftCommand(program: Command): void {
  const command = program.command('drift')
    .summary("a pipeline's drops with their drift, no server needed")
    .description("The pipeline's drops in order (docs/DRIFT.md): each one's mode (refit or assign), model version, drift score, " +
      'MONIC transitions (survived, split, absorbed, disappeared, emerged) and largest migrations between segments, from the ' +
      'model registry of the data directory (--json: an array of drops).')
    .argument('<pipeline>', 'pipeline name (config pipelineName)')
    .option('--data-dir <dir>', DATA_DIR_HELP);
  withJsonOption(command).action((pipeline: string, options: { dataDir?: string; json?: boolean }) =>
    runAction(options, () => driftCommand({ pipeline, dataDir: dataDirFrom(options.dataDir), json: Boolean(options.json) })));
}

export function describeDrop(row: DriftRow): string {
  const head = `${String(row.sequence).padStart(4)}  ${row.recordedAt}  ${row.dropId}  ${row.mode.padEnd(6)} v${row.modelVersion}`;
  const lines = [`${head}: ${row.reason}`];
  const { drift } = row;
  if (!drift) {
    lines.push('      drift: none (nothing to compare with)');
    return lines.join('\n');
  }
  const counts = Object.entries(drift.transitionCounts).filter(([, count]) => count > 0).map(([kind, count]) => `${count} ${kind}`).join(', ');
  lines.push(`      driftScore ${drift.driftScore.toFixed(3)} (migrated ${drift.migratedShare.toFixed(3)} of ${drift.returningUsers} returning users, share shift ${drift.shareShift.toFixed(3)}) against v${drift.comparedWith.version}`);
  lines.push(`      transitions: ${counts || 'none'}${describeChanges(drift)}`);
  if (drift.topMigrations.length > 0) {
    lines.push(`      largest migrations: ${drift.topMigrations.map((cell) => `${segmentName(cell.from)} -> ${segmentName(cell.to)} ${cell.users} users (${(cell.rate * 100).toFixed(1)}%)`).join(', ')}`);
  }
  if (drift.triggeredBy) {
    const { rule, value, threshold, version } = drift.triggeredBy;
    lines.push(`      refitted: the assignment into v${version} reached ${rule} (${value} >= ${threshold})`);
  }
  return lines.join('\n');
}

/** The transitions other than survival, by persisted ids: what changed. */
function describeChanges(drift: DriftSummary): string {
  const changes = drift.transitions.filter((transition) => transition.kind !== 'survived').map((transition) => {
    const from = transition.from.join('+');
    const to = transition.to.join('+');
    if (transition.kind === 'disappeared') return `${from} disappeared`;
    if (transition.kind === 'emerged') return `${to} emerged`;
    return `${from} ${transition.kind} -> ${to}`;
  });
  return changes.length > 0 ? ` (${changes.join('; ')})` : '';
}

function segmentName(id: number): string {
  return id === -1 ? 'noise' : String(id);
}
