import fs from 'node:fs/promises';
import { listValue, type DuckDBConnection } from '@duckdb/node-api';
import { writeJsonAtomic } from '../../lib/runtime/atomic-write';
import type { DownstreamSummary, HoldoutPartLift, LiftEstimate, NextPurchaseSummary, RankingAtK } from '../../common/contracts';
import { loadSql, queryRows, runSqlFile } from '../../lib/runtime/duckdb';
import { kFoldCrossValidate } from '../metrics/next-purchase';
import { pairedBootstrap, scoreRankings, type RankedUser, type RankingScores } from '../metrics/ranking';

export interface DownstreamOptions {
  ks: number[];
  excludeSeen: boolean;
  bootstrapSamples: number;
  /** Folds of the next-purchase cross-validation. */
  folds: number;
  seed: number;
  /**
   * Where the baselines (global popularity, random) are cached for the run: they do not depend on
   * the segmentation, and at 10^5 users they are half of a candidate's scoring time.
   */
  baselineCache?: string;
  /** What the cached baselines were made from (the cleaning step's seal): a re-cleaned run does not reuse them. */
  baselineMadeFrom?: string;
  /**
   * Screening (successive halving): evaluate only this many validation users (a seeded sample, the
   * same for every candidate), report their lift as `validation`, and skip the test half and the
   * next-purchase model. Segment popularity still comes from every segmented user.
   */
  screenUsers?: number;
}

/** What a baseline contributes: its means, and the per-user values the paired bootstrap needs. */
interface BaselineScores {
  atK: Record<string, RankingAtK>;
  perUser10: { ndcg: number[]; hr: number[] } | null;
}

const baselinesInFlight = new Map<string, Promise<BaselineCache>>();

interface BaselineCache {
  key: string;
  popularity: BaselineScores;
  random: BaselineScores;
}

/**
 * "Segment -> recommend -> measure": recommends each user the most popular items of their
 * segment, and scores the top-K lists against their held-out items next to a global-popularity and
 * a random baseline (docs/EVALUATION.md). Expects `segments(user_id, segment)` and the run database
 * attached as `run`. Returns null when no segmented user has held-out items.
 */
export async function downstreamValue(connection: DuckDBConnection, options: DownstreamOptions): Promise<{ summary: DownstreamSummary } | null> {
  await runSqlFile(connection, 'evaluation/prepare_downstream.sql');
  let users = await queryRows(connection, 'SELECT user_id, segment, buys FROM eval_users ORDER BY user_id');
  if (options.screenUsers !== undefined) users = await keepScreenSample(connection, users, options.screenUsers, options.seed);
  if (users.length === 0) return null;
  const catalogue = Number((await queryRows(connection, 'SELECT count(*) AS n FROM catalogue'))[0].n);
  const itemIndex = new Map<string, number>();
  const indexOf = (item: string) => {
    let index = itemIndex.get(item);
    if (index === undefined) itemIndex.set(item, (index = itemIndex.size));
    return index;
  };
  // Catalogue items first, so indices < catalogue are exactly the recommendable items.
  for (const row of await queryRows(connection, 'SELECT item_id FROM catalogue ORDER BY item_index')) indexOf(String(row.item_id));
  const position = new Map(users.map((row, i) => [String(row.user_id), i]));
  const relevant: Array<Set<number>> = users.map(() => new Set());
  for (const row of await queryRows(connection, 'SELECT user_id, item_id FROM relevant')) {
    const at = position.get(String(row.user_id));
    // A held-out item outside the training catalogue can never be recommended, but it still counts (recall's denominator).
    if (at !== undefined) relevant[at].add(indexOf(String(row.item_id)));
  }

  const kMax = Math.max(...options.ks);
  const score = async (sqlFile: string, params: Record<string, boolean | number>): Promise<RankingScores> => {
    const lists: number[][] = users.map(() => []);
    const rows = await connection.runAndReadAll(loadSql(sqlFile), { k_max: kMax, exclude_seen: options.excludeSeen, ...params });
    const columns = rows.getColumnsJS();
    for (let r = 0; r < rows.currentRowCount; r++) lists[position.get(String(columns[0][r]))!].push(indexOf(String(columns[1][r])));
    const ranked: RankedUser[] = lists.map((recommended, i) => ({ recommended, relevant: relevant[i] }));
    // Indices run past the catalogue for held-out items never seen in training; coverage is
    // rescaled to the recommendable catalogue below.
    return scoreRankings(ranked, options.ks, itemIndex.size);
  };
  const segment = await score('evaluation/recommend_popular.sql', { global: false });
  const coverageScale = itemIndex.size / catalogue;
  const asBaseline = (scores: RankingScores): BaselineScores => ({
    atK: atK(scores, coverageScale),
    perUser10: scores.perUser[10] ? { ndcg: Array.from(scores.perUser[10].ndcg), hr: Array.from(scores.perUser[10].hr) } : null,
  });
  // Same users, same recipe, same seed: the cache is only valid for exactly these.
  const key = JSON.stringify({ users: users.length, first: users[0].user_id, last: users[users.length - 1].user_id, ks: options.ks, excludeSeen: options.excludeSeen, seed: options.seed, madeFrom: options.baselineMadeFrom ?? null });
  const computeBaselines = async (): Promise<BaselineCache> => {
    const computed = {
      key,
      popularity: asBaseline(await score('evaluation/recommend_popular.sql', { global: true })),
      random: asBaseline(await score('evaluation/recommend_random.sql', { seed: options.seed })),
    };
    if (options.baselineCache) await writeJsonAtomic(options.baselineCache, computed);
    return computed;
  };
  let baselines = options.baselineCache ? await readBaselineCache(options.baselineCache, key) : undefined;
  if (!baselines) {
    // Candidates scored at the same time in one worker share one computation.
    const inflightKey = `${options.baselineCache ?? ''}|${key}`;
    let pending = baselinesInFlight.get(inflightKey);
    if (!pending) {
      pending = computeBaselines().finally(() => baselinesInFlight.delete(inflightKey));
      baselinesInFlight.set(inflightKey, pending);
    }
    baselines = await pending;
  }

  const summary: DownstreamSummary = {
    users: segment.evaluatedUsers,
    catalogue,
    ks: options.ks,
    segment: atK(segment, coverageScale),
    popularity: baselines.popularity.atK,
    random: baselines.random.atK,
    lift: {},
  };
  const baseline10 = baselines.popularity.perUser10;
  if (segment.perUser[10] && baseline10) {
    const perUser = { ndcg: segment.perUser[10].ndcg, hr: segment.perUser[10].hr, baselineNdcg: Float64Array.from(baseline10.ndcg), baselineHr: Float64Array.from(baseline10.hr) };
    summary.lift.ndcg10 = lift(perUser.ndcg, perUser.baselineNdcg, options);
    summary.lift.hr10 = lift(perUser.hr, perUser.baselineHr, options);
    if (options.screenUsers !== undefined) {
      // Every screened user is a validation user.
      summary.validation = { users: users.length, ndcg10: summary.lift.ndcg10, hr10: summary.lift.hr10 };
      return { summary };
    }
    const part = holdoutParts(users.map((row) => String(row.user_id)), options.seed);
    const partLift = (wanted: number): HoldoutPartLift => {
      const indices = part.flatMap((value, i) => (value === wanted ? [i] : []));
      const pick = (values: Float64Array) => Float64Array.from(indices, (i) => values[i]);
      if (indices.length < 2) return { users: indices.length };
      return {
        users: indices.length,
        ndcg10: lift(pick(perUser.ndcg), pick(perUser.baselineNdcg), options),
        hr10: lift(pick(perUser.hr), pick(perUser.baselineHr), options),
      };
    };
    summary.validation = partLift(VALIDATION);
    summary.test = partLift(TEST);
  }
  summary.nextPurchase = nextPurchase(users.map((row) => Number(row.segment)), users.map((row) => (row.buys ? 1 : 0)), options);
  return { summary };
}

/**
 * Next-purchase prediction from the segment alone: logistic regression on the segment one-hot,
 * stratified k-fold cross-validation, against an intercept-only model. Null when the held-out
 * users are all buyers or all non-buyers, or too few of either class for the folds.
 */
export function nextPurchase(segments: number[], buys: number[], options: Pick<DownstreamOptions, 'folds' | 'seed'>): NextPurchaseSummary | null {
  const buyers = buys.reduce((sum, value) => sum + value, 0);
  if (Math.min(buyers, buys.length - buyers) < options.folds) return null;
  // One column per distinct segment (noise, -1, is a segment of its own here).
  const columns = new Map([...new Set(segments)].sort((a, b) => a - b).map((segment, column) => [segment, column]));
  const k = columns.size;
  const features = { data: new Float64Array(segments.length * k), n: segments.length, d: k };
  segments.forEach((segment, i) => (features.data[i * k + columns.get(segment)!] = 1));
  const result = kFoldCrossValidate(features, buys, { folds: options.folds, seed: options.seed, stratified: true });
  return {
    users: buys.length,
    buyers,
    folds: options.folds,
    segment: { auc: result.auc, f1: result.f1 },
    baseline: { auc: result.baseline.auc, f1: result.baseline.f1 },
  };
}

async function readBaselineCache(file: string, key: string): Promise<BaselineCache | undefined> {
  try {
    const cached = JSON.parse(await fs.readFile(file, 'utf8')) as BaselineCache;
    return cached.key === key ? cached : undefined;
  } catch {
    return undefined; // not written yet (or by an interrupted writer: atomic writes make that a missing file)
  }
}

function atK(scores: RankingScores, coverageScale: number): Record<string, RankingAtK> {
  return Object.fromEntries(scores.ks.map((k) => [String(k), { ...scores.atK[k], coverage: scores.atK[k].coverage * coverageScale }]));
}

const VALIDATION = 0;
const TEST = 1;

/**
 * The screen's users: validation users only, at most `size` of them, picked by a second seeded
 * hash (so the same users for every candidate, whatever its segments); eval_users shrinks to them.
 */
async function keepScreenSample(connection: DuckDBConnection, users: Array<Record<string, unknown>>, size: number, seed: number): Promise<Array<Record<string, unknown>>> {
  const part = holdoutParts(users.map((row) => String(row.user_id)), seed);
  const validation = users.filter((_, i) => part[i] === VALIDATION);
  const kept = new Set(validation.map((row) => String(row.user_id)).sort((a, b) => userHash(a, seed + 1) - userHash(b, seed + 1) || a.localeCompare(b)).slice(0, size));
  const sample = validation.filter((row) => kept.has(String(row.user_id)));
  await connection.run('CREATE OR REPLACE TEMP TABLE eval_users AS SELECT * FROM eval_users WHERE user_id IN (SELECT unnest($ids::VARCHAR[]))',
    { ids: listValue(sample.map((row) => String(row.user_id))) });
  return sample;
}

/**
 * Splits the evaluated users into validation and test halves by a seeded 32-bit FNV-1a hash of
 * the user id: the same split for every candidate of a run (they share the evaluation seed), and
 * a user's half does not depend on which other users are evaluated.
 */
export function holdoutParts(userIds: string[], seed: number): number[] {
  // The top bit: FNV-1a's low bits mix worst.
  return userIds.map((userId) => (userHash(userId, seed) >>> 31 === 0 ? VALIDATION : TEST));
}

function userHash(userId: string, seed: number): number {
  let hash = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < userId.length; i++) {
    hash ^= userId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

function lift(segment: Float64Array, baseline: Float64Array, options: DownstreamOptions): LiftEstimate {
  const result = pairedBootstrap(segment, baseline, { seed: options.seed, samples: options.bootstrapSamples, confidence: 0.95 });
  return { value: result.lift, ciLow: result.liftCiLow, ciHigh: result.liftCiHigh, segment: result.meanA, baseline: result.meanB };
}
