import { labelCounts, pairCounts, type ReturningUsers } from './returning-users';
import { NOISE } from './snapshot';

/**
 * External cluster transitions between two drops, after MONIC (Spiliopoulou, Ntoutsi, Theodoridis,
 * Schult: "MONIC - Modeling and Monitoring Cluster Transitions", KDD 2006), on returning users:
 *
 *   overlap(X, Y) = |returning members of old X now in new Y| / |returning members of X|
 *   match(X)      = the Y of highest overlap, if it is at least tauMatch
 *   survived      X -> Y   Y = match(X) and no other old segment matches Y
 *   absorbed      {X1..Xm} -> Y   Y = match(Xi) for several old segments
 *   split         X -> {Y1..Yp}   no match(X), every overlap(X, Yi) >= tauSplit, their sum >= tauMatch
 *   disappeared   X   none of the above (also: none of X's users returned)
 *   emerged       Y   no old segment survived, was absorbed or split into Y
 *
 * Noise (-1) is not a segment: users moving to noise lower their old segment's overlaps.
 * MONIC's ageing weights are not used: a drop is one snapshot, every member counts once.
 */
export interface TransitionThresholds {
  /** Least overlap for a match (default 0.5: a majority of the returning members). */
  tauMatch?: number;
  /** Least overlap of each part of a split (default 0.2). */
  tauSplit?: number;
}

export const TRANSITION_DEFAULTS = { tauMatch: 0.5, tauSplit: 0.2 } as const;

export type TransitionKind = 'survived' | 'absorbed' | 'split' | 'disappeared' | 'emerged';

export interface Transition {
  kind: TransitionKind;
  /** Old segment ids (empty for emerged). */
  from: number[];
  /** New segment ids (empty for disappeared). */
  to: number[];
  /** overlap(X, Y) for each from x to pair, row-major (from the old segment's side). */
  overlaps: number[];
}

export function externalTransitions(
  returning: ReturningUsers, oldIds: number[], newIds: number[], thresholds: TransitionThresholds = {},
): Transition[] {
  const { tauMatch, tauSplit } = { ...TRANSITION_DEFAULTS, ...thresholds };
  const counts = pairCounts(returning);
  const sizes = labelCounts(returning.before);
  const overlap = (x: number, y: number) => (counts.get(x)?.get(y) ?? 0) / (sizes.get(x) ?? 1);

  const matchedInto = new Map<number, number[]>();
  const unmatched: number[] = [];
  for (const x of oldIds) {
    let best = NOISE;
    for (const y of newIds) if (best === NOISE || overlap(x, y) > overlap(x, best)) best = y;
    if (best !== NOISE && overlap(x, best) >= tauMatch) matchedInto.set(best, [...(matchedInto.get(best) ?? []), x]);
    else unmatched.push(x);
  }

  const transitions: Transition[] = [];
  const reached = new Set<number>();
  for (const [y, xs] of matchedInto) {
    transitions.push({ kind: xs.length === 1 ? 'survived' : 'absorbed', from: xs, to: [y], overlaps: xs.map((x) => overlap(x, y)) });
    reached.add(y);
  }
  for (const x of unmatched) {
    const parts = newIds.filter((y) => overlap(x, y) >= tauSplit);
    const total = parts.reduce((sum, y) => sum + overlap(x, y), 0);
    if (parts.length >= 2 && total >= tauMatch) {
      transitions.push({ kind: 'split', from: [x], to: parts, overlaps: parts.map((y) => overlap(x, y)) });
      parts.forEach((y) => reached.add(y));
    } else {
      transitions.push({ kind: 'disappeared', from: [x], to: [], overlaps: [] });
    }
  }
  for (const y of newIds) if (!reached.has(y)) transitions.push({ kind: 'emerged', from: [], to: [y], overlaps: [] });
  return transitions.sort(byKindThenIds);
}

const KIND_ORDER: TransitionKind[] = ['survived', 'absorbed', 'split', 'disappeared', 'emerged'];

function byKindThenIds(a: Transition, b: Transition): number {
  const kind = KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind);
  if (kind !== 0) return kind;
  const first = (t: Transition) => (t.from.length > 0 ? t.from[0] : t.to[0]);
  return first(a) - first(b);
}
