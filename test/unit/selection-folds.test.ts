import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { INTERNAL_RULE_THRESHOLDS } from '../../common/internal-rule-thresholds';
import { listLabelledSets, SHARED_BENCHMARKS } from '../../lib/tooling/labelled-sets';
import { readFolds, run } from '../../bench/selection';
import { cacheFolder, scoredSet, type ScoredSet } from '../../bench/selection-sweep';
import { crossValidate, RegretTable } from '../../bench/selection-tuning';

/** The five sets with the fewest points: a run on them takes seconds (and is cached under bench/out). */
const SMALL_SETS = ['other/iris5', 'uci/wine', 'wut/x1', 'wut/x3', 'wut/z1'];

describe('the selection benchmark\'s folds', () => {
  it('put every labelled set of the shared folder in exactly one fold', () => {
    const folds = readFolds();
    expect(folds).toHaveLength(5);
    const assigned = folds.flat();
    expect(new Set(assigned).size).toBe(assigned.length);
    expect([...assigned].sort()).toEqual(listLabelledSets(SHARED_BENCHMARKS));
    expect(assigned).toHaveLength(68);
    // Stratified: no fold is more than one set larger than another.
    const sizes = folds.map((fold) => fold.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  it('tune each fold\'s thresholds on the other folds only: a held-out set\'s scores cannot change them', async () => {
    const sets: ScoredSet[] = [];
    for (const name of SMALL_SETS) sets.push(await scoredSet(SHARED_BENCHMARKS, name));
    const folds = readFolds();
    const table = new RegretTable(sets);
    const results = crossValidate(table, folds);
    expect(results.flatMap((result) => result.heldOut).sort()).toEqual(SMALL_SETS);
    for (const result of results) {
      const others = new Set(folds.filter((_, f) => f !== result.fold - 1).flat());
      expect(result.tunedOn.every((name) => others.has(name) && !result.heldOut.includes(name))).toBe(true);
      expect(result.tunedOn.length + result.heldOut.length).toBe(SMALL_SETS.length);
      expect(table.tune(result.tunedOn).thresholds).toEqual(result.thresholds);
      // Wreck the held-out sets' truth (every ARI NaN): tuning on the other sets gives the same
      // thresholds, while tuning that read a wrecked set would fail outright.
      const wrecked = new RegretTable(sets.map((set) => (result.heldOut.includes(set.name)
        ? { ...set, candidates: set.candidates.map((row) => ({ ...row, ari: NaN })) }
        : set)));
      expect(wrecked.tune(result.tunedOn).thresholds).toEqual(result.thresholds);
      expect(() => wrecked.tune([...result.tunedOn, ...result.heldOut])).toThrow(/no thresholds have a finite mean regret/);
    }
  });

  it('runs as `npm run bench -- selection --limit 5`, and applies the shipped thresholds as they are with --datasets', async () => {
    const folded = await run(['--limit', '5']);
    expect(folded).toMatchObject({ datasets: 5, mean_regret: expect.any(Number), worst_regret: expect.any(Number) });
    const heldOut = (folded.folds as Array<{ held_out: string[] }>).flatMap((fold) => fold.held_out);
    expect(heldOut.sort()).toEqual(SMALL_SETS);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'selection-bench-'));
    for (const name of ['wut/x1', 'wut/z1']) {
      fs.mkdirSync(path.join(dir, path.dirname(name)), { recursive: true });
      for (const suffix of ['.data.gz', '.labels0.gz']) fs.copyFileSync(path.join(SHARED_BENCHMARKS, `${name}${suffix}`), path.join(dir, `${name}${suffix}`));
    }
    const shipped = await run(['--datasets', dir]);
    expect(shipped).toMatchObject({ datasets: 2, thresholds: INTERNAL_RULE_THRESHOLDS });
    expect(shipped.worst_regret as number).toBeGreaterThanOrEqual(shipped.mean_regret as number);
    fs.rmSync(dir, { recursive: true });
    fs.rmSync(cacheFolder(dir), { recursive: true });
  });
});
