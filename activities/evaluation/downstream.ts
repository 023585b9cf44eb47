import fs from 'node:fs/promises';
import { listValue, type DuckDBConnection } from '@duckdb/node-api';
import { writeJsonAtomic } from '../../lib/runtime/atomic-write';
import type { DownstreamSummary, HoldoutPartLift, LiftEstimate, NextPurchaseSummary, RankingAtK } from '../../common/contracts';
import { loadSql, queryRows, runSqlFile } from '../../lib/runtime/duckdb';
import { crossValidateSegments } from '../metrics/next-purchase';
import { pairedBootstraps, scoreHitRanks, type RankingScores, type UserHits } from '../metrics/ranking';
import { useDownstreamInputs } from './downstream-inputs';

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
  /** Where the segmentation-independent inputs (seen items, catalogue, holdout) are cached for the run (with baselineMadeFrom). */
  inputsCache?: string;
  /** What the cached baselines and inputs were made from (the cleaning step's seal): a re-cleaned run does not reuse them. */
  baselineMadeFrom?: string;
  /**
   * Screening (successive halving): evaluate only this many validation users (a seeded sample, the
   * same for every candidate), report their lift as `validation`, and skip the test half and the
   * next-purchase model. Segment popularity still comes from every segmented user.
   */
  screenUsers?: number;
  /**
   * Full evaluation: above this many evaluated users, only a seeded sample of this many (the same for
   * every candidate, whatever its segments; the screens' users are among them) is evaluated.
   * Segment popularity still comes from every segmented user.
   */
  maxUsers?: number;
  /** Users per batch of the random baseline (default 100,000): its draws, 3 k_max + 10 per user, stay a few million rows. */
  randomBatchUsers?: number;
}

/** What a baseline contributes: its means, and the per-user values the paired bootstrap needs. */
interface BaselineScores {
  atK: Record<string, RankingAtK>;
  perUser10: { ndcg: number[]; hr: number[] } | null;
}

const baselinesInFlight = new Map<string, Promise<BaselineCache>>();
/** Samples of the evaluated users (keepUserSample), by inputs cache, seal, size, kind and seed; null: everyone. */
const userSamples = new Map<string, Promise<UserSample | null>>();

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
  await useDownstreamInputs(connection, options.inputsCache && options.baselineMadeFrom ? { dir: options.inputsCache, madeFrom: options.baselineMadeFrom } : undefined);
  await runSqlFile(connection, 'evaluation/prepare_downstream.sql');
  const sharedAs = options.inputsCache && options.baselineMadeFrom ? `${options.inputsCache}|${options.baselineMadeFrom}` : undefined;
  let sampledFrom: number | undefined;
  if (options.screenUsers !== undefined) await keepUserSample(connection, { size: options.screenUsers, validationOnly: true }, options.seed, sharedAs);
  else if (options.maxUsers !== undefined) sampledFrom = await keepUserSample(connection, { size: options.maxUsers, validationOnly: false }, options.seed, sharedAs);
  const catalogue = Number((await queryRows(connection, 'SELECT count(*) AS n FROM catalogue'))[0].n);
  // The items a list or a held-out item can name (held-out items outside the training catalogue
  // can never be recommended, but they count): coverage is rescaled to the catalogue below, as before.
  const items = Number((await queryRows(connection,
    'SELECT count(*) AS n FROM (SELECT item_id FROM catalogue UNION SELECT item_id FROM relevant SEMI JOIN eval_users USING (user_id))'))[0].n);

  const kMax = Math.max(...options.ks);
  let users: EvaluatedUsers | undefined;
  const score = async (recommender: Recommender, params: Record<string, boolean | number>): Promise<RankingScores> => {
    const hits = await rankingHits(connection, recommender, { k_max: kMax, exclude_seen: options.excludeSeen, ...params }, options.randomBatchUsers ?? 100_000);
    users ??= hits.users;
    return scoreHitRanks(hits.perUser, options.ks, hits.itemsAtBestRank, items);
  };
  const segment = await score('segment-popularity', {});
  if (!users || users.userIds.length === 0) return null;
  const evaluated: EvaluatedUsers = users;
  const coverageScale = items / catalogue;
  const asBaseline = (scores: RankingScores): BaselineScores => ({
    atK: atK(scores, coverageScale),
    perUser10: scores.perUser[10] ? { ndcg: Array.from(scores.perUser[10].ndcg), hr: Array.from(scores.perUser[10].hr) } : null,
  });
  // Same users, same recipe, same seed: the cache is only valid for exactly these.
  const key = JSON.stringify({ users: evaluated.userIds.length, first: evaluated.userIds[0], last: evaluated.userIds[evaluated.userIds.length - 1], ks: options.ks, excludeSeen: options.excludeSeen, seed: options.seed, madeFrom: options.baselineMadeFrom ?? null });
  const computeBaselines = async (): Promise<BaselineCache> => {
    const computed = {
      key,
      popularity: asBaseline(await score('global-popularity', {})),
      random: asBaseline(await score('random', { seed: options.seed })),
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
    ...(sampledFrom === undefined ? {} : { sampledFrom }),
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
    [summary.lift.ndcg10, summary.lift.hr10] = lifts([[perUser.ndcg, perUser.baselineNdcg], [perUser.hr, perUser.baselineHr]], options);
    if (options.screenUsers !== undefined) {
      // Every screened user is a validation user.
      summary.validation = { users: evaluated.userIds.length, ndcg10: summary.lift.ndcg10, hr10: summary.lift.hr10 };
      return { summary };
    }
    const part = holdoutParts(evaluated.userIds, options.seed);
    const partLift = (wanted: number): HoldoutPartLift => {
      const indices = part.flatMap((value, i) => (value === wanted ? [i] : []));
      const pick = (values: Float64Array) => Float64Array.from(indices, (i) => values[i]);
      if (indices.length < 2) return { users: indices.length };
      const [ndcg10, hr10] = lifts([[pick(perUser.ndcg), pick(perUser.baselineNdcg)], [pick(perUser.hr), pick(perUser.baselineHr)]], options);
      return { users: indices.length, ndcg10, hr10 };
    };
    summary.validation = partLift(VALIDATION);
    summary.test = partLift(TEST);
  }
  summary.nextPurchase = nextPurchase(evaluated.segments, evaluated.buys, options);
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
  const result = crossValidateSegments(segments, buys, { folds: options.folds, seed: options.seed });
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
 * Shrinks eval_users to a seeded sample of at most `size` users (all of them when there are no
 * more): the first in the order of a second seeded hash of the user id, so the same users for
 * every candidate, whatever its segments, and a screen's users (validation users only) are among
 * the first users of the full evaluation's sample.
 */
async function keepUserSample(connection: DuckDBConnection, sample: { size: number; validationOnly: boolean }, seed: number, sharedAs?: string): Promise<number | undefined> {
  const pick = async (): Promise<UserSample | null> => {
    const userIds = (await connection.runAndReadAll('SELECT user_id FROM eval_users ORDER BY user_id')).getColumnsJS()[0].map(String);
    const part = holdoutParts(userIds, seed);
    const eligible = sample.validationOnly ? userIds.filter((_, i) => part[i] === VALIDATION) : userIds;
    if (!sample.validationOnly && eligible.length <= sample.size) return null;
    const hashes = eligible.map((userId) => userHash(userId, seed + 1));
    const order = Array.from(eligible.keys()).sort((a, b) => hashes[a] - hashes[b] || eligible[a].localeCompare(eligible[b]));
    return { ids: order.slice(0, sample.size).map((i) => eligible[i]), from: userIds.length };
  };
  // eval_users holds every segmented user (noise too) with held-out items, whatever the labels, so
  // the sample is the same for every candidate of a run: picked once per process (1.4 s at 10^6 users).
  let kept: Promise<UserSample | null>;
  if (sharedAs === undefined) kept = pick();
  else {
    const key = `${sharedAs}|${sample.size}|${sample.validationOnly}|${seed}`;
    kept = userSamples.get(key) ?? pick();
    userSamples.set(key, kept);
    kept.catch(() => userSamples.delete(key));
  }
  const picked = await kept;
  if (picked === null) return undefined;
  await connection.run('CREATE OR REPLACE TEMP TABLE eval_users AS SELECT * FROM eval_users WHERE user_id IN (SELECT unnest($ids::VARCHAR[]))',
    { ids: listValue(picked.ids) });
  return picked.from;
}

/** A sample of the evaluated users, and how many users it was drawn from (all, before any sample). */
interface UserSample {
  ids: string[];
  from: number;
}

/** The evaluated users in user_id order: what the holdout split and the next-purchase model read. */
interface EvaluatedUsers {
  userIds: string[];
  segments: number[];
  buys: number[];
}

/**
 * Fills `hits(user_id, rank)` and `best_ranks(item_id, best)` for one recommender: popularity (of
 * the user's segment, or global) by set operations (popular_hits.sql); the random baseline by
 * drawing its lists (recommend_random.sql) for batches of users at a time, so memory stays bounded
 * at any number of users.
 */
async function recommend(connection: DuckDBConnection, recommender: Recommender, params: Record<string, boolean | number>, batchUsers: number): Promise<void> {
  if (recommender !== 'random') {
    await runSqlFile(connection, 'evaluation/popular_hits.sql', { ...params, global: recommender === 'global-popularity' });
    return;
  }
  await connection.run('CREATE OR REPLACE TEMP TABLE hits (user_id VARCHAR, rank BIGINT)');
  await connection.run('CREATE OR REPLACE TEMP TABLE batch_best (item_id VARCHAR, best BIGINT)');
  await connection.run('CREATE OR REPLACE TEMP TABLE batches AS SELECT user_id, (row_number() OVER (ORDER BY user_id) - 1) // $size AS batch FROM eval_users', { size: batchUsers });
  const batches = Number((await queryRows(connection, 'SELECT coalesce(max(batch) + 1, 0) AS n FROM batches'))[0].n);
  for (let batch = 0; batch < batches; batch++) {
    await connection.run('CREATE OR REPLACE TEMP TABLE batch_users AS SELECT u.* FROM eval_users AS u SEMI JOIN (SELECT user_id FROM batches WHERE batch = $batch) USING (user_id)', { batch });
    await connection.run(`CREATE OR REPLACE TEMP TABLE recs AS ${loadSql('evaluation/recommend_random.sql').trim().replace(/;$/, '')}`, params);
    await connection.run('INSERT INTO hits SELECT user_id, rank FROM recs SEMI JOIN relevant USING (user_id, item_id)');
    await connection.run('INSERT INTO batch_best SELECT item_id, min(rank) FROM recs GROUP BY item_id');
  }
  await connection.run('CREATE OR REPLACE TEMP TABLE best_ranks AS SELECT item_id, min(best) AS best FROM batch_best GROUP BY item_id');
  for (const table of ['recs', 'batch_users', 'batch_best', 'batches']) await connection.run(`DROP TABLE IF EXISTS ${table}`);
}

type Recommender = 'segment-popularity' | 'global-popularity' | 'random';

/**
 * Runs one recommender and reads back only what the metrics need (ranking_hits.sql): per user the
 * relevant count and hit ranks, and per rank how many items are best placed there. At 10^6 users
 * the lists would be 2*10^7 rows; they never reach JavaScript.
 */
async function rankingHits(connection: DuckDBConnection, recommender: Recommender, params: Record<string, boolean | number>, randomBatchUsers: number) {
  await recommend(connection, recommender, params, randomBatchUsers);
  const [userIds, segments, buys, relevantCounts, hitRanks] = (await connection.runAndReadAll(loadSql('evaluation/ranking_hits.sql'))).getColumnsJS();
  const perUser: UserHits[] = relevantCounts.map((count, i) => ({
    relevantCount: Number(count),
    hitRanks: Int32Array.from(hitRanks[i] as number[], (rank) => Number(rank) - 1),
  }));
  const itemsAtBestRank = new Float64Array(Number(params.k_max));
  for (const row of await queryRows(connection, 'SELECT best, count(*) AS items FROM best_ranks GROUP BY best')) {
    itemsAtBestRank[Number(row.best) - 1] = Number(row.items);
  }
  for (const table of ['hits', 'best_ranks']) await connection.run(`DROP TABLE ${table}`);
  return {
    perUser,
    itemsAtBestRank,
    users: { userIds: userIds.map(String), segments: segments.map(Number), buys: buys.map((value) => (value ? 1 : 0)) } satisfies EvaluatedUsers,
  };
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

/** The lift of each (segment, baseline) pair of the same users; one bootstrap draw serves them all (same values as one at a time). */
function lifts(pairs: Array<[Float64Array, Float64Array]>, options: DownstreamOptions): LiftEstimate[] {
  return pairedBootstraps(pairs, { seed: options.seed, samples: options.bootstrapSamples, confidence: 0.95 }).map((result) => (
    { value: result.lift, ciLow: result.liftCiLow, ciHigh: result.liftCiHigh, segment: result.meanA, baseline: result.meanB }));
}
