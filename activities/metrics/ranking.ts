import { seededRandom } from '../clustering/random';
import { poissonVariate } from './poisson';

/**
 * Full-ranking top-K recommendation metrics with RecBole's definitions
 * (https://recbole.io/docs/user_guide/evaluation_support.html): every metric except coverage is
 * computed per user and then averaged over users. Checked against an independent NumPy
 * implementation of RecBole's formulas in test/unit/ranking-metrics.test.ts.
 *
 * Items are integer indices in [0, catalogueSize). Definitions, per user and cut-off K:
 * - hr        1 if any relevant item is in the top K, else 0
 * - mrr       1 / rank of the first relevant item in the top K, else 0
 * - ndcg      DCG / IDCG with binary relevance, DCG = sum over hits of 1 / log2(rank + 1) and
 *             IDCG the DCG of min(|relevant|, K) hits at ranks 1, 2, ...
 * - precision hits / K. The denominator stays K when a list is shorter than K (small
 *             catalogue), as in RecBole, so precision@K is comparable across users.
 * - recall    hits / |relevant|
 * - coverage  distinct items in the evaluated users' top K / catalogueSize (one number)
 *
 * Users with no relevant items are skipped, for coverage too: recall is undefined for them and
 * RecBole never ranks for such users. `userIndex` says which input users the per-user rows are.
 * A list with a repeated item, or an item outside the catalogue, is an error (a recommender bug
 * that would otherwise count one hit twice).
 */

export interface RankedUser {
  /** Item indices, best first, without duplicates. Only the first max(ks) are read. */
  recommended: ArrayLike<number>;
  /** Held-out relevant items (duplicates in an array count once). */
  relevant: ReadonlySet<number> | ArrayLike<number>;
}

export interface RankingMetrics {
  hr: number;
  mrr: number;
  ndcg: number;
  precision: number;
  recall: number;
  coverage: number;
}

/** One value per evaluated user (row i belongs to input user `userIndex[i]`). */
export interface PerUserRankingMetrics {
  hr: Float64Array;
  mrr: Float64Array;
  ndcg: Float64Array;
  precision: Float64Array;
  recall: Float64Array;
}

export interface RankingScores {
  ks: number[];
  /** Means over evaluated users (coverage: over the whole catalogue), keyed by K. */
  atK: Record<number, RankingMetrics>;
  perUser: Record<number, PerUserRankingMetrics>;
  /** Input positions of the evaluated users, in order. */
  userIndex: Int32Array;
  evaluatedUsers: number;
  skippedUsers: number;
}

export class RankingInputError extends Error {
  override name = 'RankingInputError';
}

function isSet(relevant: RankedUser['relevant']): relevant is ReadonlySet<number> {
  return typeof (relevant as ReadonlySet<number>).has === 'function';
}

export function scoreRankings(users: readonly RankedUser[], ks: readonly number[], catalogueSize: number): RankingScores {
  if (!Number.isInteger(catalogueSize) || catalogueSize < 1) throw new RankingInputError(`catalogueSize must be a positive integer, got ${catalogueSize}`);
  if (ks.length === 0) throw new RankingInputError('ks is empty: give at least one cut-off K');
  const cutoffs = [...new Set(ks)].sort((a, b) => a - b);
  for (const k of cutoffs) if (!Number.isInteger(k) || k < 1) throw new RankingInputError(`every K must be a positive integer, got ${k}`);
  const maxK = cutoffs[cutoffs.length - 1];

  const { discount, idcg } = rankDiscounts(maxK);

  // Per-item stamps instead of per-user sets (no allocation per user): relevantStamp[item] ===
  // stamp marks a relevant item of the current user, seenStamp catches a duplicate in a list,
  // and firstRank (best rank anywhere) gives coverage for every K from one array.
  const relevantStamp = new Int32Array(catalogueSize);
  const seenStamp = new Int32Array(catalogueSize);
  const firstRank = new Int32Array(catalogueSize).fill(maxK);

  const userIndex = new Int32Array(users.length);
  const columns = cutoffs.map(() => ({
    hr: new Float64Array(users.length),
    mrr: new Float64Array(users.length),
    ndcg: new Float64Array(users.length),
    precision: new Float64Array(users.length),
    recall: new Float64Array(users.length),
  }));

  const checkItem = (item: number, u: number, what: string) => {
    if (!(item >= 0 && item < catalogueSize && Number.isInteger(item))) {
      throw new RankingInputError(`user ${u}: ${what} item ${item} is not an index in [0, ${catalogueSize})`);
    }
  };

  let evaluated = 0;
  for (let u = 0; u < users.length; u++) {
    const stamp = u + 1;
    const { recommended, relevant } = users[u];
    let relevantCount = 0;
    if (isSet(relevant)) {
      for (const item of relevant) {
        checkItem(item, u, 'relevant');
        relevantStamp[item] = stamp;
      }
      relevantCount = relevant.size;
    } else {
      for (let i = 0; i < relevant.length; i++) {
        const item = relevant[i];
        checkItem(item, u, 'relevant');
        if (relevantStamp[item] !== stamp) relevantCount++;
        relevantStamp[item] = stamp;
      }
    }
    if (relevantCount === 0) continue;

    const row = evaluated++;
    userIndex[row] = u;
    const length = Math.min(recommended.length, maxK);
    const idealDcgCap = Math.min(relevantCount, maxK);
    let hits = 0;
    let firstHit = -1;
    let dcg = 0;
    let next = 0; // index into cutoffs of the next K to close
    for (let r = 0; r <= length; r++) {
      // Close every K that ends before rank r (all of them once the list runs out).
      while (next < cutoffs.length && (cutoffs[next] <= r || r === length)) {
        const k = cutoffs[next];
        const column = columns[next];
        column.hr[row] = hits > 0 ? 1 : 0;
        column.mrr[row] = firstHit >= 0 ? 1 / (firstHit + 1) : 0;
        column.ndcg[row] = dcg / idcg[Math.min(idealDcgCap, k)];
        column.precision[row] = hits / k;
        column.recall[row] = hits / relevantCount;
        next++;
      }
      if (r === length) break;
      const item = recommended[r];
      checkItem(item, u, 'recommended');
      if (seenStamp[item] === stamp) throw new RankingInputError(`user ${u}: item ${item} is recommended twice`);
      seenStamp[item] = stamp;
      if (r < firstRank[item]) firstRank[item] = r;
      if (relevantStamp[item] === stamp) {
        hits++;
        dcg += discount[r];
        if (firstHit < 0) firstHit = r;
      }
    }
  }

  const coverageCounts = new Float64Array(cutoffs.length);
  for (let item = 0; item < catalogueSize; item++) {
    for (let c = 0; c < cutoffs.length; c++) if (firstRank[item] < cutoffs[c]) coverageCounts[c]++;
  }

  const atK: Record<number, RankingMetrics> = {};
  const perUser: Record<number, PerUserRankingMetrics> = {};
  cutoffs.forEach((k, c) => {
    const column = columns[c];
    const trimmed: PerUserRankingMetrics = {
      hr: column.hr.subarray(0, evaluated),
      mrr: column.mrr.subarray(0, evaluated),
      ndcg: column.ndcg.subarray(0, evaluated),
      precision: column.precision.subarray(0, evaluated),
      recall: column.recall.subarray(0, evaluated),
    };
    perUser[k] = trimmed;
    atK[k] = {
      hr: mean(trimmed.hr),
      mrr: mean(trimmed.mrr),
      ndcg: mean(trimmed.ndcg),
      precision: mean(trimmed.precision),
      recall: mean(trimmed.recall),
      coverage: coverageCounts[c] / catalogueSize,
    };
  });
  return {
    ks: cutoffs,
    atK,
    perUser,
    userIndex: userIndex.subarray(0, evaluated),
    evaluatedUsers: evaluated,
    skippedUsers: users.length - evaluated,
  };
}

/** One user's side of a top-K list, as ranking_hits.sql returns it. */
export interface UserHits {
  /** Distinct held-out relevant items (> 0). */
  relevantCount: number;
  /** 0-based ranks of the recommended items that are relevant, ascending, all below max(ks). */
  hitRanks: ArrayLike<number>;
}

/**
 * scoreRankings's metrics from what they depend on, so a recommender's lists can stay in the
 * database (activities/evaluation/downstream.ts): each user's relevant count and hit ranks, and
 * for coverage how many catalogue items have each best rank (`itemsAtBestRank[r]`: items whose
 * highest place in any list is rank r, 0-based). Every user is evaluated. The sums run in the same
 * order as scoreRankings's, so the values are the same to the last bit (test/unit/downstream-scale.test.ts).
 */
export function scoreHitRanks(users: readonly UserHits[], ks: readonly number[], itemsAtBestRank: ArrayLike<number>, catalogueSize: number): RankingScores {
  const cutoffs = [...new Set(ks)].sort((a, b) => a - b);
  const maxK = cutoffs[cutoffs.length - 1];
  const { discount, idcg } = rankDiscounts(maxK);
  const n = users.length;
  const atK: Record<number, RankingMetrics> = {};
  const perUser: Record<number, PerUserRankingMetrics> = {};
  for (const k of cutoffs) {
    const column = { hr: new Float64Array(n), mrr: new Float64Array(n), ndcg: new Float64Array(n), precision: new Float64Array(n), recall: new Float64Array(n) };
    for (let u = 0; u < n; u++) {
      const { relevantCount, hitRanks } = users[u];
      let hits = 0;
      let dcg = 0;
      for (let h = 0; h < hitRanks.length && hitRanks[h] < k; h++) {
        hits++;
        dcg += discount[hitRanks[h]];
      }
      column.hr[u] = hits > 0 ? 1 : 0;
      column.mrr[u] = hits > 0 ? 1 / (hitRanks[0] + 1) : 0;
      column.ndcg[u] = dcg / idcg[Math.min(relevantCount, maxK, k)];
      column.precision[u] = hits / k;
      column.recall[u] = hits / relevantCount;
    }
    let covered = 0;
    for (let r = 0; r < Math.min(k, itemsAtBestRank.length); r++) covered += itemsAtBestRank[r];
    perUser[k] = column;
    atK[k] = {
      hr: mean(column.hr), mrr: mean(column.mrr), ndcg: mean(column.ndcg), precision: mean(column.precision), recall: mean(column.recall),
      coverage: covered / catalogueSize,
    };
  }
  return { ks: cutoffs, atK, perUser, userIndex: Int32Array.from({ length: n }, (_, i) => i), evaluatedUsers: n, skippedUsers: 0 };
}

/** Mean of the values; NaN for none. */
export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return values.length === 0 ? Number.NaN : sum / values.length;
}

export interface PairedBootstrapOptions {
  /** Random seed for the resampled user indices: the same seed gives the same interval. */
  seed: number;
  /** Number of bootstrap resamples (default 1000). */
  samples?: number;
  /** Two-sided level of the percentile intervals (default 0.95). */
  confidence?: number;
  /** From this many users on, Poisson resamples over distinct values (default POISSON_BOOTSTRAP_FROM). */
  poissonFrom?: number;
}

/**
 * From this many users on, pairedBootstraps resamples by Poisson weights: the multinomial draw of n
 * users costs samples x n random numbers (about 14 s for two metric pairs of 754,095 users and
 * 1,000 resamples), the Poisson one samples x distinct values (a few hundred: ranks and hit counts).
 */
export const POISSON_BOOTSTRAP_FROM = 50_000;

export interface PairedBootstrapResult {
  n: number;
  samples: number;
  confidence: number;
  meanA: number;
  meanB: number;
  /** meanA - meanB, with the percentile interval of the resampled differences. */
  difference: number;
  ciLow: number;
  ciHigh: number;
  /** meanA / meanB - 1 and its percentile interval; null when meanB is 0. */
  lift: number | null;
  liftCiLow: number | null;
  liftCiHigh: number | null;
}

/**
 * Paired percentile bootstrap of a per-user metric for two systems scored on the same users
 * (a[i] and b[i] belong to the same user): each resample draws n users with replacement and
 * uses the same draw for both systems, so the user-to-user spread cancels out of the
 * difference. A resample whose meanB is 0 has lift +Infinity (0 when meanA is 0 as well).
 * Cost: samples x n draws; memory: 2 bytes per user plus the resampled statistics (from
 * POISSON_BOOTSTRAP_FROM users on, samples x distinct values: see poissonResamples).
 */
export function pairedBootstrap(a: Float64Array, b: Float64Array, options: PairedBootstrapOptions): PairedBootstrapResult {
  return pairedBootstraps([[a, b]], options)[0];
}

/**
 * pairedBootstrap of several metric pairs of the same users at once: every resample draws the users
 * once and sums every pair over that draw, so below `poissonFrom` users each result is exactly
 * pairedBootstrap(a, b) with the same seed (the draws depend only on the seed and the number of
 * users), at the cost of one draw for all of them. From `poissonFrom` users on, Poisson resamples
 * (poissonResamples), shared by the pairs in the same way.
 */
export function pairedBootstraps(pairs: ReadonlyArray<readonly [Float64Array, Float64Array]>, options: PairedBootstrapOptions): PairedBootstrapResult[] {
  const n = pairs[0][0].length;
  for (const [a, b] of pairs) {
    if (a.length !== n || b.length !== n) throw new RangeError(`pairedBootstrap: ${a.length} values for system A but ${b.length} for system B`);
  }
  if (n === 0) throw new RangeError('pairedBootstrap: no users to resample');
  const samples = options.samples ?? 1000;
  const confidence = options.confidence ?? 0.95;
  if (!Number.isInteger(samples) || samples < 1) throw new RangeError(`pairedBootstrap: samples must be a positive integer, got ${samples}`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`pairedBootstrap: confidence must be in (0, 1), got ${confidence}`);

  const random = seededRandom(options.seed);
  const differences = pairs.map(() => new Float64Array(samples));
  const lifts = pairs.map(() => new Float64Array(samples));
  if (n >= (options.poissonFrom ?? POISSON_BOOTSTRAP_FROM)) {
    poissonResamples(pairs, random, differences, lifts);
  } else {
    multinomialResamples(pairs, random, differences, lifts);
  }
  const tail = (1 - confidence) / 2;
  return pairs.map(([a, b], p) => {
    const meanA = mean(a);
    const meanB = mean(b);
    differences[p].sort();
    lifts[p].sort();
    const hasLift = meanB !== 0;
    return {
      n,
      samples,
      confidence,
      meanA,
      meanB,
      difference: meanA - meanB,
      ciLow: quantileOfSorted(differences[p], tail),
      ciHigh: quantileOfSorted(differences[p], 1 - tail),
      lift: hasLift ? meanA / meanB - 1 : null,
      liftCiLow: hasLift ? quantileOfSorted(lifts[p], tail) : null,
      liftCiHigh: hasLift ? quantileOfSorted(lifts[p], 1 - tail) : null,
    };
  });
}

type Pairs = ReadonlyArray<readonly [Float64Array, Float64Array]>;

/** A resample's statistics from its sums: the mean difference and the lift (+Infinity when B sums to 0 and A does not). */
function record(differences: Float64Array[], lifts: Float64Array[], p: number, s: number, sumA: number, sumB: number, users: number): void {
  differences[p][s] = (sumA - sumB) / users;
  lifts[p][s] = sumB !== 0 ? sumA / sumB - 1 : sumA === 0 ? 0 : Number.POSITIVE_INFINITY;
}

/** Each resample draws n users with replacement (the classic bootstrap). */
function multinomialResamples(pairs: Pairs, random: () => number, differences: Float64Array[], lifts: Float64Array[]): void {
  const n = pairs[0][0].length;
  const samples = differences[0].length;
  // Count how often each user is drawn, then sum in one sequential pass: at 10^6 users this is
  // ~3x faster than reading a[j], b[j] at random (a 2 MB count array stays in cache).
  const counts = new Uint16Array(n);
  // Users with a = b = 0 (most of them: no hit from either system) add exactly 0 to both sums, so
  // each sum runs over the others only, in the same order: the same values, several times faster.
  const nonZero = pairs.map(([a, b]) => {
    const users: number[] = [];
    for (let j = 0; j < n; j++) if (a[j] !== 0 || b[j] !== 0) users.push(j);
    return Int32Array.from(users);
  });
  for (let s = 0; s < samples; s++) {
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const j = Math.floor(random() * n);
      if (++counts[j] === 0) throw new RangeError('pairedBootstrap: a user was drawn 65536 times in one resample');
    }
    pairs.forEach(([a, b], p) => {
      let sumA = 0;
      let sumB = 0;
      for (const j of nonZero[p]) {
        const count = counts[j];
        if (count !== 0) {
          sumA += count * a[j];
          sumB += count * b[j];
        }
      }
      record(differences, lifts, p, s, sumA, sumB, n);
    });
  }
}

/**
 * The Poisson bootstrap (Hanley and MacGibbon 2006; Chamandy et al. 2012, "Estimating uncertainty
 * for massive data streams"): each user gets an independent Poisson(1) weight instead of a
 * multinomial count, which for large n is the same resampling distribution. Users with the same
 * values in every pair are interchangeable, so a group of m of them gets one Poisson(m) weight: a
 * resample costs one variate per distinct value tuple, whatever n is.
 */
function poissonResamples(pairs: Pairs, random: () => number, differences: Float64Array[], lifts: Float64Array[]): void {
  const n = pairs[0][0].length;
  const samples = differences[0].length;
  const groups = new Map<string, number>();
  const sizes: number[] = [];
  const values: number[][] = [];
  for (let j = 0; j < n; j++) {
    const tuple = pairs.flatMap(([a, b]) => [a[j], b[j]]);
    const key = tuple.join(',');
    let group = groups.get(key);
    if (group === undefined) {
      group = sizes.length;
      groups.set(key, group);
      sizes.push(0);
      values.push(tuple);
    }
    sizes[group]++;
  }
  const sumsA = new Float64Array(pairs.length);
  const sumsB = new Float64Array(pairs.length);
  for (let s = 0; s < samples; s++) {
    sumsA.fill(0);
    sumsB.fill(0);
    let users = 0;
    for (let g = 0; g < sizes.length; g++) {
      const weight = poissonVariate(sizes[g], random);
      if (weight === 0) continue;
      users += weight;
      for (let p = 0; p < pairs.length; p++) {
        sumsA[p] += weight * values[g][2 * p];
        sumsB[p] += weight * values[g][2 * p + 1];
      }
    }
    for (let p = 0; p < pairs.length; p++) record(differences, lifts, p, s, sumsA[p], sumsB[p], Math.max(1, users));
  }
}

/** Quantile q of ascending values with linear interpolation (NumPy's default percentile). */
export function quantileOfSorted(sorted: ArrayLike<number>, q: number): number {
  const position = q * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  const fraction = position - below;
  const low = sorted[below];
  const high = sorted[above];
  // Infinite neighbours (lift resamples with meanB = 0) would give NaN from the formula.
  return fraction === 0 || low === high ? low : low + (high - low) * fraction;
}

/** discount[r] = 1/log2(r + 2) for 0-based rank r; idcg[m] = DCG of m hits at the top. */
function rankDiscounts(maxK: number): { discount: Float64Array; idcg: Float64Array } {
  const discount = new Float64Array(maxK);
  const idcg = new Float64Array(maxK + 1);
  for (let r = 0; r < maxK; r++) {
    discount[r] = 1 / Math.log2(r + 2);
    idcg[r + 1] = idcg[r] + discount[r];
  }
  return { discount, idcg };
}
