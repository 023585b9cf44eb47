import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanInto } from '../../activities/clean-logs';
import { inspectDrop } from '../../activities/inspect-drop';
import { resolveRunConfig } from '../../common/run-config';
import { writeSyntheticLog, SYNTHETIC_SEGMENTS } from '../../lib/tooling/synthetic-events';
import { query } from '../helpers/duckdb-query';
import { freshDataDir } from '../helpers/pipeline-harness';

const REES46 = path.resolve('..', 'shared', 'datasets', 'rees46-cosmetics-sample');

async function eventMix(source: string, dir: string): Promise<Record<string, number>> {
  const inspected = await inspectDrop({ runDir: dir, source, mappingFile: '' });
  const database = path.join(dir, `${path.basename(source)}.duckdb`);
  await cleanInto(database, { runDir: dir, files: inspected.files, pinned: inspected.pinned, format: inspected.format, delimiter: inspected.delimiter, config: resolveRunConfig({ botMaxEventsPerMinute: 0, botMaxViewsPerSession: 0 }) });
  const rows = await query(`ATTACH '${database}' AS run (READ_ONLY); SELECT event_type, count(*) / sum(count(*)) OVER () AS share FROM run.events_clean GROUP BY event_type`);
  return Object.fromEntries(rows.map((row) => [String(row.event_type), Number(row.share)]));
}

describe('synthetic generator', () => {
  it('is calibrated to the real REES46 event mix and plants known segments', async () => {
    const dir = freshDataDir('synthetic');
    const file = path.join(dir, 'synthetic.csv');
    const { events, labels } = await writeSyntheticLog(file, { users: 4000, seed: 3 });
    expect(labels.size).toBe(4000);
    const shares = SYNTHETIC_SEGMENTS.map((_, segment) => [...labels.values()].filter((label) => label === segment).length / 4000);
    SYNTHETIC_SEGMENTS.forEach((profile, segment) => expect(Math.abs(shares[segment] - profile.share)).toBeLessThan(0.03));

    const synthetic = await eventMix(file, dir);
    const real = await eventMix(REES46, dir);
    for (const type of ['view', 'cart', 'remove_from_cart', 'purchase']) {
      expect(Math.abs(synthetic[type] - real[type]), `${type}: synthetic ${synthetic[type]} vs real ${real[type]}`).toBeLessThan(0.06);
    }
    // Heavy-tailed activity like the real logs: most users have few events, a few have many.
    const perUser = await query(`SELECT quantile_cont(n, 0.5) AS median, quantile_cont(n, 0.9) AS p90 FROM (SELECT count(*) AS n FROM read_csv('${file}') GROUP BY user_id)`);
    expect(perUser[0].median as number).toBeLessThanOrEqual(8);
    expect((perUser[0].p90 as number) / (perUser[0].median as number)).toBeGreaterThan(2.5);
    expect(events).toBeGreaterThan(4000 * 4);
  });
});
