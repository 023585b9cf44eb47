import fs from 'node:fs';
import path from 'node:path';
import { seededRandom } from '../../activities/clustering/random';
import { expectedMigrationRates, plannedTransitions, plantDrops, PLANTED_DRIFT, type DriftScenario } from './planted-drift';
import { openSyntheticLog, SYNTHETIC_SEGMENTS, type SegmentProfile } from './synthetic-events';

/**
 * Profiles that appear only in drifting drops: the half of loyal-buyers that splits off buys in
 * bulk at higher prices; deal-hunters are a new crowd of cheap, busy cart-fillers. Each reuses
 * the preferred categories (block) of a planted segment: bulk-buyers shop like the loyal buyers
 * they split from, deal-hunters take over the block of big-ticket, which disappears as they emerge.
 */
export const DRIFT_SEGMENTS: Array<SegmentProfile & { categoryBlock: number }> = [
  { name: 'bulk-buyers', share: 0, eventMix: [['view', 0.2], ['cart', 0.35], ['purchase', 0.35], ['remove_from_cart', 0.1]], activity: 2.5, priceLevel: 3, sessions: 6, categoryBlock: 2 },
  { name: 'deal-hunters', share: 0, eventMix: [['view', 0.45], ['cart', 0.3], ['purchase', 0.05], ['remove_from_cart', 0.2]], activity: 2, priceLevel: 0.3, sessions: 3, categoryBlock: 3 },
];

/** Every planted segment by name, with its integer label in the truth files (its index here). */
export const PLANTED_SEGMENTS = [...SYNTHETIC_SEGMENTS.map((profile, block) => ({ ...profile, categoryBlock: block })), ...DRIFT_SEGMENTS];

export interface SyntheticDropsOptions {
  usersPerDrop: number;
  seed: number;
  meanEvents?: number;
  scenario?: DriftScenario;
  /** Events of drop i start `i * dropDays` days after 2019-10-01 (default 21: each drop spans 20 days). */
  dropDays?: number;
}

/**
 * Writes drop-<i>.csv (REES46 format) for every drop of the scenario, drop-<i>.csv.labels.csv
 * (user_id, segment = index in PLANTED_SEGMENTS, segment_name), and planted-drift.json: the
 * scenario, and per drop its planned transitions and expected migration rates.
 */
export async function writeSyntheticDrops(outDir: string, options: SyntheticDropsOptions): Promise<{ files: string[]; events: number[] }> {
  const scenario = options.scenario ?? PLANTED_DRIFT;
  const dropDays = options.dropDays ?? 21;
  fs.mkdirSync(outDir, { recursive: true });
  const drops = plantDrops(scenario, { usersPerDrop: options.usersPerDrop, seed: options.seed });
  const files: string[] = [];
  const events: number[] = [];
  for (const [index, drop] of drops.entries()) {
    const file = path.join(outDir, `drop-${index}.csv`);
    const start = new Date(Date.UTC(2019, 9, 1) + index * dropDays * 86_400_000);
    const log = await openSyntheticLog(file, { meanEvents: options.meanEvents, start }, seededRandom(options.seed + 7919 * (index + 1)));
    const labels: string[] = ['user_id,segment,segment_name'];
    for (const [i, userId] of drop.userIds.entries()) {
      const label = PLANTED_SEGMENTS.findIndex((profile) => profile.name === drop.segments[i]);
      if (label < 0) throw new Error(`scenario names an unknown segment ${drop.segments[i]}`);
      await log.writeUser(userId, PLANTED_SEGMENTS[label], PLANTED_SEGMENTS[label].categoryBlock);
      labels.push(`${userId},${label},${drop.segments[i]}`);
    }
    events.push(await log.close());
    fs.writeFileSync(`${file}.labels.csv`, labels.join('\n') + '\n');
    files.push(file);
  }
  const truth = {
    scenario,
    drops: drops.map((drop, index) => ({
      file: path.basename(files[index]),
      users: drop.userIds.length,
      transitionsFromPrevious: index > 0 ? plannedTransitions(scenario, index) : [],
      expectedMigrationRates: index > 0 ? expectedMigrationRates(scenario, index) : {},
    })),
  };
  fs.writeFileSync(path.join(outDir, 'planted-drift.json'), JSON.stringify(truth, null, 2) + '\n');
  return { files, events };
}
