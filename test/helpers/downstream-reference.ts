/**
 * The downstream evaluation as it was before issue 16 (every recommender's top-K lists read into
 * JavaScript and scored by scoreRankings, the segmentation-independent tables rebuilt per
 * candidate): the reference test/unit/downstream-scale.test.ts holds the current one to.
 */
import { listValue, type DuckDBConnection } from '@duckdb/node-api';
import type { DownstreamSummary, HoldoutPartLift, LiftEstimate, RankingAtK } from '../../common/contracts';
import { loadSql, queryRows, runSqlText } from '../../lib/runtime/duckdb';
import { holdoutParts, nextPurchase, type DownstreamOptions } from '../../activities/evaluation/downstream';
import { pairedBootstrap, scoreRankings, type RankedUser, type RankingScores } from '../../activities/metrics/ranking';

interface BaselineScores {
  atK: Record<string, RankingAtK>;
  perUser10: { ndcg: number[]; hr: number[] } | null;
}

interface BaselineCache {
  key: string;
  popularity: BaselineScores;
  random: BaselineScores;
}

const VALIDATION = 0;
const TEST = 1;

function userHash(userId: string, seed: number): number {
  let hash = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < userId.length; i++) {
    hash ^= userId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

const OLD_PREPARE_DOWNSTREAM = `
-- Downstream evaluation inputs, shared by every recommender of one candidate.
-- Training interactions are the users' sequences (what the segmentation saw); relevant items are
-- the temporal holdout (docs/EVALUATION.md, "Downstream value").
-- Needs: the run database attached as \`run\` (run.sequences, run.holdout_events) and
-- segments(user_id, segment) filled with the candidate's labels.
-- Creates: seen, catalogue, relevant, eval_users (temporary; recommend_*.sql read them).
CREATE OR REPLACE TEMP TABLE seen AS
SELECT DISTINCT user_id, e.item_id AS item_id
FROM (SELECT user_id, unnest(events) AS e FROM run.sequences)
WHERE e.item_id IS NOT NULL;

CREATE OR REPLACE TEMP TABLE catalogue AS
SELECT item_id, row_number() OVER (ORDER BY item_id) - 1 AS item_index
FROM (SELECT DISTINCT item_id FROM seen);

-- Users that can be scored: segmented, with at least one held-out item.
CREATE OR REPLACE TEMP TABLE relevant AS
SELECT DISTINCT h.user_id, h.item_id
FROM run.holdout_events AS h
JOIN segments USING (user_id)
WHERE h.item_id IS NOT NULL;

CREATE OR REPLACE TEMP TABLE eval_users AS
SELECT s.user_id, s.segment,
       coalesce((SELECT count(*) FROM seen WHERE seen.user_id = s.user_id), 0) AS n_seen,
       EXISTS (SELECT 1 FROM run.holdout_events h WHERE h.user_id = s.user_id AND h.event_type = 'purchase') AS buys
FROM segments AS s
WHERE s.user_id IN (SELECT user_id FROM relevant);
`;

export async function referenceDownstreamValue(connection: DuckDBConnection, options: DownstreamOptions): Promise<{ summary: DownstreamSummary } | null> {
  await runSqlText(connection, OLD_PREPARE_DOWNSTREAM, {});
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
  // The random lists' SQL now draws for one batch of users at a time; here the batch is everyone.
  await connection.run('CREATE OR REPLACE TEMP VIEW batch_users AS SELECT * FROM eval_users');
  const score = async (sqlFile: string, params: Record<string, boolean | number>): Promise<RankingScores> => {
    const lists: number[][] = users.map(() => []);
    const rows = await connection.runAndReadAll(`SELECT * FROM (${loadSql(sqlFile).trim().replace(/;$/, '')}) ORDER BY user_id, rank`, { k_max: kMax, exclude_seen: options.excludeSeen, ...params });
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
    return computed;
  };
  const baselines = await computeBaselines();

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

async function keepScreenSample(connection: DuckDBConnection, users: Array<Record<string, unknown>>, size: number, seed: number): Promise<Array<Record<string, unknown>>> {
  const part = holdoutParts(users.map((row) => String(row.user_id)), seed);
  const validation = users.filter((_, i) => part[i] === VALIDATION);
  const kept = new Set(validation.map((row) => String(row.user_id)).sort((a, b) => userHash(a, seed + 1) - userHash(b, seed + 1) || a.localeCompare(b)).slice(0, size));
  const sample = validation.filter((row) => kept.has(String(row.user_id)));
  await connection.run('CREATE OR REPLACE TEMP TABLE eval_users AS SELECT * FROM eval_users WHERE user_id IN (SELECT unnest($ids::VARCHAR[]))',
    { ids: listValue(sample.map((row) => String(row.user_id))) });
  return sample;
}

function atK(scores: RankingScores, coverageScale: number): Record<string, RankingAtK> {
  return Object.fromEntries(scores.ks.map((k) => [String(k), { ...scores.atK[k], coverage: scores.atK[k].coverage * coverageScale }]));
}

function lift(segment: Float64Array, baseline: Float64Array, options: DownstreamOptions): LiftEstimate {
  const result = pairedBootstrap(segment, baseline, { seed: options.seed, samples: options.bootstrapSamples, confidence: 0.95 });
  return { value: result.lift, ciLow: result.liftCiLow, ciHigh: result.liftCiHigh, segment: result.meanA, baseline: result.meanB };
}
