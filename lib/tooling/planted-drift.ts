import { seededRandom } from '../../activities/clustering/random';
import { pick } from './synthetic-events';

/**
 * A sequence of drops with planted segment dynamics: which planted segment every user is in, drop
 * by drop, with returning users, churn, splits, emergence and random migration at a known rate.
 * Pure (no files): lib/tooling/synthetic-drops.ts writes event logs from it, and tests can give
 * each planted segment vectors of their own.
 */
export interface DriftDropPlan {
  /** Shares of this drop's new users per planted segment name. */
  newUsers: Record<string, number>;
  /**
   * Where the previous drop's returning users of each segment go (weights per segment name). A
   * segment not listed churns: none of its users return. Ignored for the first drop.
   */
  successors?: Record<string, Record<string, number>>;
}

export interface DriftScenario {
  drops: DriftDropPlan[];
  /** Share of a (non-churning) segment's users who come back in the next drop. */
  returnRate: number;
  /** Share of returning users who, instead of their planned successor, move to another segment of the drop at random. */
  migrationRate: number;
}

/**
 * The scenario of the drift tests (segment names from lib/tooling/synthetic-events.ts):
 *   drop 0 -> 1: window-shoppers and cart-abandoners survive, loyal-buyers split in halves
 *                (loyal-buyers, bulk-buyers), big-ticket disappears (its users churn),
 *                deal-hunters emerge (new users only);
 *   drop 1 -> 2: every segment survives.
 * 20% of returning users migrate at random, so a split half keeps 0.5 * 0.8 + 0.05 = 0.425 of its
 * parent's returning users: no majority (MONIC's split, not survival), far above tauSplit 0.2.
 */
export const PLANTED_DRIFT: DriftScenario = {
  returnRate: 0.7,
  migrationRate: 0.2,
  drops: [
    { newUsers: { 'window-shoppers': 0.3, 'cart-abandoners': 0.25, 'loyal-buyers': 0.25, 'big-ticket': 0.2 } },
    {
      newUsers: { 'window-shoppers': 0.3, 'cart-abandoners': 0.25, 'loyal-buyers': 0.15, 'bulk-buyers': 0.15, 'deal-hunters': 0.15 },
      successors: {
        'window-shoppers': { 'window-shoppers': 1 },
        'cart-abandoners': { 'cart-abandoners': 1 },
        'loyal-buyers': { 'loyal-buyers': 0.5, 'bulk-buyers': 0.5 },
      },
    },
    {
      newUsers: { 'window-shoppers': 0.3, 'cart-abandoners': 0.25, 'loyal-buyers': 0.15, 'bulk-buyers': 0.15, 'deal-hunters': 0.15 },
      successors: Object.fromEntries(['window-shoppers', 'cart-abandoners', 'loyal-buyers', 'bulk-buyers', 'deal-hunters'].map((name) => [name, { [name]: 1 }])),
    },
  ],
};

export interface PlantedDrop {
  userIds: string[];
  /** Planted segment name per user (same order). */
  segments: string[];
}

/** The planted truth of every drop of `scenario`: users and their planted segments. */
export function plantDrops(scenario: DriftScenario, options: { usersPerDrop: number; seed: number }): PlantedDrop[] {
  const random = seededRandom(options.seed);
  const drops: PlantedDrop[] = [];
  let nextUser = 0;
  scenario.drops.forEach((plan, index) => {
    const drop: PlantedDrop = { userIds: [], segments: [] };
    const active = activeSegments(plan);
    const previous = index > 0 ? drops[index - 1] : undefined;
    previous?.userIds.forEach((userId, i) => {
      const successors = plan.successors?.[previous.segments[i]];
      if (!successors || random() >= scenario.returnRate) return;
      let segment = pick(Object.entries(successors), random);
      if (random() < scenario.migrationRate) {
        const others = active.filter((name) => name !== segment);
        segment = others[Math.floor(random() * others.length)];
      }
      drop.userIds.push(userId);
      drop.segments.push(segment);
    });
    const newUsers = Object.entries(plan.newUsers);
    while (drop.userIds.length < options.usersPerDrop) {
      drop.userIds.push(String(600_000_000 + nextUser++));
      drop.segments.push(pick(newUsers, random));
    }
    drops.push(drop);
  });
  return drops;
}

/** Every segment a drop has: its new users' segments and its returning users' planned successors. */
export function activeSegments(plan: DriftDropPlan): string[] {
  const names = new Set(Object.keys(plan.newUsers));
  for (const targets of Object.values(plan.successors ?? {})) for (const name of Object.keys(targets)) names.add(name);
  return [...names];
}

/**
 * Expected migration rates of returning users into drop `index` (from -> to -> rate): the planned
 * successor with probability 1 - migrationRate, any other segment of the drop otherwise.
 */
export function expectedMigrationRates(scenario: DriftScenario, index: number): Record<string, Record<string, number>> {
  const plan = scenario.drops[index];
  const active = activeSegments(plan);
  const m = scenario.migrationRate;
  return Object.fromEntries(Object.entries(plan.successors ?? {}).map(([from, targets]) => {
    const weightSum = Object.values(targets).reduce((sum, weight) => sum + weight, 0);
    const rates = Object.fromEntries(active.map((to) => [to, Object.entries(targets).reduce(
      (sum, [planned, weight]) => sum + (weight / weightSum) * (planned === to ? 1 - m : m / (active.length - 1)), 0)]));
    return [from, rates];
  }));
}

export interface PlantedTransition {
  kind: 'survived' | 'absorbed' | 'split' | 'disappeared' | 'emerged';
  from: string[];
  to: string[];
}

/**
 * The transitions into drop `index` as the plan declares them (not as data shows them): one
 * successor is survival (absorption when several segments share it), several are a split, none
 * is disappearance, and a segment of the drop that nobody leads to emerged.
 */
export function plannedTransitions(scenario: DriftScenario, index: number): PlantedTransition[] {
  const plan = scenario.drops[index];
  const before = activeSegments(scenario.drops[index - 1]);
  const successors = plan.successors ?? {};
  const leadInto = new Map<string, string[]>();
  const transitions: PlantedTransition[] = [];
  for (const from of before) {
    const targets = Object.keys(successors[from] ?? {});
    if (targets.length === 0) transitions.push({ kind: 'disappeared', from: [from], to: [] });
    else if (targets.length > 1) transitions.push({ kind: 'split', from: [from], to: targets });
    else leadInto.set(targets[0], [...(leadInto.get(targets[0]) ?? []), from]);
  }
  for (const [to, from] of leadInto) transitions.push({ kind: from.length === 1 ? 'survived' : 'absorbed', from, to: [to] });
  const reached = new Set(Object.values(successors).flatMap((targets) => Object.keys(targets)));
  for (const name of activeSegments(plan)) if (!reached.has(name)) transitions.push({ kind: 'emerged', from: [], to: [name] });
  return transitions;
}
