import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { workflowIdForDrop } from '../../common/ids';
import { modelFiles } from '../../common/model-layout';
import { runFiles } from '../../common/run-layout';
import type { RunConfig } from '../../common/run-config';
import type { DriftSummary } from '../../common/contracts';
import { dropRefFor } from '../../lib/runtime/drop-id';
import { openDuckDB, queryRows } from '../../lib/runtime/duckdb';
import { readLabelsFile } from '../../lib/runtime/labels-file';
import { writeSyntheticLog } from '../../lib/tooling/synthetic-events';
import { dropHistory, listModels, withRegistry } from '../../activities/segment-models/registry';
import { persistedIds, readSegmentModel } from '../../activities/segment-models/segment-model';
import { driftCommand, type DriftRow } from '../../scripts/client/drift';
import { segmentDataDrop } from '../../workflows';
import { withWorkers, type Harness } from '../helpers/pipeline-harness';
import { markCount } from '../helpers/svg-marks';

/** Four planted segments (lib/tooling/synthetic-events.ts): k is fixed so two refits can find the same partition. */
const CONFIG: Partial<RunConfig> = {
  encoders: ['behavior-stats'], algorithms: ['kmeans'], kMin: 4, kMax: 4, pcaComponents: 5, shardCount: 2, refitDriftThreshold: 0.3, refitShareShiftThreshold: 0.1,
};

async function segment({ client, taskQueues, dataDir }: Harness, file: string, config: Partial<RunConfig>) {
  const drop = dropRefFor(file);
  return client.workflow.execute(segmentDataDrop, {
    taskQueue: taskQueues.cpu, workflowId: workflowIdForDrop(drop.dropId), args: [{ drop, dataDir, taskQueues, config: { ...CONFIG, ...config } }],
  });
}

/**
 * A copy of `source` in which `tenths` users in ten (by position in the sorted user ids) pass
 * their events on in a rotation: the i-th chosen user gets the events of the (i+1)-th. The
 * same behaviors under other ids, so assigning them must give each chosen user the model's label
 * of the user whose events it now has: migration at a rate known exactly. Returns who got whose.
 */
function relabelledCopy(source: string, target: string, tenths: number): Map<string, string> {
  const lines = fs.readFileSync(source, 'utf8').trimEnd().split('\n');
  const users = [...new Set(lines.slice(1).map((line) => line.split(',')[8]))].sort();
  const chosen = users.filter((_, i) => i % 10 < tenths);
  const newIdOf = new Map(chosen.map((user, i) => [chosen[(i + 1) % chosen.length], user]));
  const rewritten = lines.slice(1).map((line) => {
    const fields = line.split(',');
    fields[8] = newIdOf.get(fields[8]) ?? fields[8];
    return fields.join(',');
  });
  fs.writeFileSync(target, [lines[0], ...rewritten].join('\n') + '\n');
  // user -> the user whose events it has now
  return new Map([...newIdOf].map(([from, to]) => [to, from]));
}

async function labelsByUser(file: string): Promise<Map<string, number>> {
  const { userIds, labels } = await readLabelsFile(file);
  return new Map(userIds.map((user, i) => [user, labels[i]]));
}

async function history(dataDir: string, pipeline: string) {
  return withRegistry(dataDir, (connection) => dropHistory(connection, pipeline));
}

async function driftJson(dataDir: string, pipeline: string): Promise<DriftRow[]> {
  const printed: string[] = [];
  const log = console.log;
  console.log = (line: string) => printed.push(line);
  try {
    expect(await driftCommand({ pipeline, dataDir, json: true })).toBe(0);
  } finally {
    console.log = log;
  }
  return JSON.parse(printed.join('\n')) as DriftRow[];
}

describe('drift and identity across drops', () => {
  it('measures assign-mode migration exactly, refits only past refitDriftThreshold or refitShareShiftThreshold, keeps ids across a refit with another seed, and records concurrent drops once each', async () => {
    await withWorkers({ label: 'drift' }, async (harness) => {
      const { dataDir } = harness;
      const inputs = path.join(dataDir, 'inputs');
      fs.mkdirSync(inputs, { recursive: true });
      const day1 = path.join(inputs, 'day-1.csv');
      await writeSyntheticLog(day1, { users: 600, seed: 11 });
      const copy = (name: string) => {
        fs.copyFileSync(day1, path.join(inputs, name));
        return path.join(inputs, name);
      };

      // --- the policy, on pipeline "shop" ---
      const first = await segment(harness, day1, { pipelineName: 'shop' });
      expect(first.segmentation).toMatchObject({ mode: 'refit', modelVersion: 1 });
      const modelDir = modelFiles.versionDir(dataDir, 'shop', 1);
      const own = await labelsByUser(modelFiles.labels(modelDir));

      // A drop without drift: the same users and events.
      const same = await segment(harness, copy('day-2.csv'), { pipelineName: 'shop' });
      expect(same.segmentation).toMatchObject({ mode: 'assign', modelVersion: 1 });

      // Light migration: one user in ten takes the next chosen user's events.
      const light = path.join(inputs, 'day-3.csv');
      const sourceOf = relabelledCopy(day1, light, 1);
      const lightRun = await segment(harness, light, { pipelineName: 'shop' });
      expect(lightRun.segmentation).toMatchObject({ mode: 'assign', modelVersion: 1 });
      const placed = await labelsByUser(runFiles.assignedLabels(lightRun.runDir));
      // k-means' own rule: each user gets the model's label of whoever's events it has now.
      const expected = new Map([...own.keys()].flatMap((user) => {
        const source = sourceOf.get(user) ?? user;
        return own.has(source) ? [[user, own.get(source)!] as const] : [];
      }));
      expect(new Map([...placed].filter(([user]) => expected.has(user)))).toEqual(expected);
      const returning = [...placed.keys()].filter((user) => own.has(user));
      const moved = returning.filter((user) => placed.get(user) !== own.get(user));
      const cells = new Map<string, number>();
      for (const user of moved) cells.set(`${own.get(user)}->${placed.get(user)}`, (cells.get(`${own.get(user)}->${placed.get(user)}`) ?? 0) + 1);
      expect(moved.length).toBeGreaterThan(20);

      // --- heavy migration: nine users in ten rotate; the assignment's drift passes 0.3 and the drop is refitted ---
      const heavy = path.join(inputs, 'day-4.csv');
      relabelledCopy(day1, heavy, 9);
      const heavyRun = await segment(harness, heavy, { pipelineName: 'shop' });
      expect(heavyRun.segmentation).toMatchObject({ mode: 'refit', modelVersion: 2, current: true });
      expect(heavyRun.segmentation?.reason).toMatch(/^driftScore 0\.\d+ of the drop assigned into v1 reached refitDriftThreshold 0\.3 /);

      const shop = await history(dataDir, 'shop');
      expect(shop.map((drop) => [drop.sequence, drop.mode, drop.modelVersion])).toEqual([[1, 'refit', 1], [2, 'assign', 1], [3, 'assign', 1], [4, 'refit', 2]]);
      const drifts = shop.map((drop) => drop.drift as DriftSummary | null);
      expect(drifts[0]).toBeNull();
      expect(drifts[1]).toMatchObject({ mode: 'assign', driftScore: 0, migratedShare: 0, returningUsers: own.size, topMigrations: [] });
      // The same users in the same segments: the drop's sizes are the model's.
      const ownSizes = new Map<number, number>();
      for (const label of own.values()) ownSizes.set(label, (ownSizes.get(label) ?? 0) + 1);
      expect(new Map(drifts[1]!.segmentSizes!.map((size) => [size.id, size.users]))).toEqual(ownSizes);
      expect(drifts[1]!.transitionCounts).toMatchObject({ survived: 4, split: 0, absorbed: 0, disappeared: 0, emerged: 0 });
      // The light drop's migration, exactly as planted.
      expect(drifts[2]!.returningUsers).toBe(returning.length);
      expect(drifts[2]!.migratedShare).toBeCloseTo(moved.length / returning.length, 4);
      expect(drifts[2]!.driftScore).toBeLessThan(0.3);
      const largest = [...cells.values()].sort((a, b) => b - a).slice(0, 5);
      expect(drifts[2]!.topMigrations.map((cell) => cell.users)).toEqual(largest);
      for (const cell of drifts[2]!.topMigrations) expect(cells.get(`${cell.from}->${cell.to}`)).toBe(cell.users);
      // The heavy drop: the refit is compared with v1, and says which assignment triggered it.
      expect(drifts[3]).toMatchObject({ mode: 'refit', comparedWith: { pipeline: 'shop', version: 1 }, triggeredBy: { rule: 'refitDriftThreshold', threshold: 0.3, version: 1 } });
      expect(drifts[3]!.triggeredBy!.value).toBeGreaterThanOrEqual(0.3);
      expect(drifts[3]!.file).toBe(runFiles.drift(heavyRun.runDir, 'refit'));
      expect(fs.existsSync(runFiles.drift(heavyRun.runDir, 'assign'))).toBe(true);
      const full = JSON.parse(fs.readFileSync(runFiles.drift(lightRun.runDir, 'assign'), 'utf8')) as { migration: { rows: number[]; columns: number[]; counts: number[][] } };
      const { rows, columns, counts } = full.migration;
      const matrixTotal = counts.flat().reduce((sum, count) => sum + count, 0);
      expect(matrixTotal).toBe(returning.length);
      expect(rows.flatMap((from, r) => columns.map((to, c) => (from !== to ? counts[r][c] : 0))).reduce((sum, count) => sum + count, 0)).toBe(moved.length);
      // The reports show it across drops: the first has nothing to compare with; the light drop's has
      // one line per persisted id over drops 1-3, one heatmap cell per migration matrix entry.
      expect(fs.readFileSync(first.reportPath, 'utf8')).not.toContain('Across drops');
      const lightHtml = fs.readFileSync(lightRun.reportPath, 'utf8');
      expect(lightHtml).toContain('<h2>Across drops</h2>');
      expect(markCount(lightHtml, 'sizes-over-drops', 'segment_size_lines')).toBe(new Set(own.values()).size);
      expect(markCount(lightHtml, 'sizes-over-drops', 'segment_size_points')).toBe(3 * new Set(own.values()).size);
      expect(markCount(lightHtml, 'migration', 'migration_cells')).toBe(rows.length * columns.length);
      expect(lightHtml).toContain(`${returning.length.toLocaleString('en-US')} returning users`);
      // The refit's report: drops 1-4, and the refit's transitions against v1.
      const heavyDrift = JSON.parse(fs.readFileSync(runFiles.drift(heavyRun.runDir, 'refit'), 'utf8')) as { migration: { rows: number[]; columns: number[] }; transitions: unknown[] };
      const heavyHtml = fs.readFileSync(heavyRun.reportPath, 'utf8');
      const idsOverDrops = new Set([...own.values(), ...drifts[3]!.segmentSizes!.map((size) => size.id)].filter((id) => id >= 0));
      expect(markCount(heavyHtml, 'sizes-over-drops', 'segment_size_lines')).toBe(idsOverDrops.size);
      expect(markCount(heavyHtml, 'migration', 'migration_cells')).toBe(heavyDrift.migration.rows.length * heavyDrift.migration.columns.length);
      expect(heavyHtml.match(/<table class="transitions">.*?<\/table>/s)![0].match(/<tr><td/g)).toHaveLength(heavyDrift.transitions.length);
      expect(heavyHtml).toContain('It was first assigned into v1, whose drift score');
      // client drift --json prints the same rows.
      expect((await driftJson(dataDir, 'shop')).map((row) => [row.mode, row.modelVersion, row.drift?.driftScore ?? null])).toEqual(
        shop.map((drop) => [drop.mode, drop.modelVersion, (drop.drift as DriftSummary | null)?.driftScore ?? null]),
      );

      // --- population shift without migration: one segment's users are gone, nobody moves ---
      await segment(harness, copy('shares-1.csv'), { pipelineName: 'shares' });
      const sharesModel = await labelsByUser(modelFiles.labels(modelFiles.versionDir(dataDir, 'shares', 1)));
      const sizes = new Map<number, number>();
      for (const label of sharesModel.values()) sizes.set(label, (sizes.get(label) ?? 0) + 1);
      // A segment holding 10-30% of the users: its loss shifts shares past 0.1 but the driftScore stays under 0.3.
      const [gone, goneSize] = [...sizes].find(([, size]) => size / sharesModel.size >= 0.1 && size / sharesModel.size < 0.3)!;
      const without = path.join(inputs, 'shares-2.csv');
      const kept = fs.readFileSync(day1, 'utf8').trimEnd().split('\n').filter((line, i) => i === 0 || sharesModel.get(line.split(',')[8]) !== gone);
      fs.writeFileSync(without, kept.join('\n') + '\n');
      const shifted = await segment(harness, without, { pipelineName: 'shares' });
      expect(shifted.segmentation).toMatchObject({ mode: 'refit', modelVersion: 2 });
      expect(shifted.segmentation?.reason).toMatch(/^share shift 0\.\d+ of the drop assigned into v1 reached refitShareShiftThreshold 0\.1 /);
      const sharesDrift = (await history(dataDir, 'shares'))[1].drift as DriftSummary;
      expect(sharesDrift.triggeredBy).toMatchObject({ rule: 'refitShareShiftThreshold', threshold: 0.1, version: 1 });
      expect(sharesDrift.triggeredBy!.value).toBeCloseTo(goneSize / sharesModel.size, 3);

      // --- identity: the same drop refitted with another seed keeps every persisted id on the same users ---
      const a = await segment(harness, copy('ids-1.csv'), { pipelineName: 'ids', seed: 'first' });
      const b = await segment(harness, copy('ids-2.csv'), { pipelineName: 'ids', seed: 'second', mode: 'refit' });
      expect([a.segmentation?.modelVersion, b.segmentation?.modelVersion]).toEqual([1, 2]);
      const membersById = async (version: number) => {
        const dir = modelFiles.versionDir(dataDir, 'ids', version);
        const ids = persistedIds(await readSegmentModel(dir));
        const { userIds, labels } = await readLabelsFile(modelFiles.labels(dir));
        const members = new Map<number, string[]>();
        userIds.forEach((user, i) => members.set(ids.get(labels[i])!, [...(members.get(ids.get(labels[i])!) ?? []), user]));
        return members;
      };
      const before = await membersById(1);
      const after = await membersById(2);
      expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
      // k-means from another seed may move a few boundary users; every id keeps (nearly all) its users.
      const idBefore = new Map([...before].flatMap(([id, users]) => users.map((user) => [user, id] as const)));
      const idAfter = new Map([...after].flatMap(([id, users]) => users.map((user) => [user, id] as const)));
      const changed = [...idBefore].filter(([user, id]) => idAfter.get(user) !== id).length;
      console.log(`identity across seeds: ${changed} of ${idBefore.size} users changed persisted id`);
      for (const [id, users] of before) {
        const kept = users.filter((user) => idAfter.get(user) === id).length;
        expect(kept / users.length).toBeGreaterThan(0.9);
      }
      const refitDrift = (await history(dataDir, 'ids'))[1].drift as DriftSummary;
      expect(refitDrift).toMatchObject({ mode: 'refit', centroidSpace: 'model space', freshIds: [], transitionCounts: { survived: 4, split: 0, absorbed: 0, disappeared: 0, emerged: 0 } });
      expect(refitDrift.migratedShare).toBeCloseTo(changed / idBefore.size, 4);
      // segments.parquet: the run's own label and the persisted id, as registered with v2.
      const database = await openDuckDB(':memory:');
      try {
        const published = await queryRows(database.connection, `SELECT user_id, segment, segment_id FROM read_parquet('${b.segmentsPath}')`);
        expect(published.length).toBe(idAfter.size);
        for (const row of published) expect(Number(row.segment_id)).toBe(idAfter.get(String(row.user_id)));
      } finally {
        database.close();
      }

      // --- concurrency: an assignment and two refits of one pipeline at once ---
      await segment(harness, copy('race-0.csv'), { pipelineName: 'race' });
      const racing = await Promise.all([
        segment(harness, copy('race-1.csv'), { pipelineName: 'race' }),
        segment(harness, copy('race-2.csv'), { pipelineName: 'race', mode: 'refit' }),
        segment(harness, copy('race-3.csv'), { pipelineName: 'race', mode: 'refit' }),
      ]);
      expect(racing.map((run) => run.segmentation?.mode)).toEqual(['assign', 'refit', 'refit']);
      const race = await history(dataDir, 'race');
      expect(race.map((drop) => drop.sequence)).toEqual([1, 2, 3, 4]);
      expect(new Set(race.map((drop) => drop.dropId)).size).toBe(4);
      expect(race.filter((drop) => drop.mode === 'refit').map((drop) => drop.modelVersion).sort()).toEqual([1, 2, 3]);
      const models = await withRegistry(dataDir, (connection) => listModels(connection, 'race'));
      expect(models.map((model) => model.version)).toEqual([1, 2, 3]);
      // Both refits were decided against v1: the first to register became current, the other says why it did not.
      const refits = racing.slice(1).map((run) => run.segmentation!);
      expect(refits.filter((run) => run.current)).toHaveLength(1);
      expect(refits.find((run) => !run.current)?.reason).toMatch(/not made current: the current model moved from v1 to v[23]/);
      expect(models.find((model) => model.current)?.version).toBe(refits.find((run) => run.current)?.modelVersion);
      for (const drop of race.slice(1)) expect((drop.drift as DriftSummary).comparedWith.version).toBe(1);
    });
  }, 900_000);
});
