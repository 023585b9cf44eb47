import { migrationMatrix, type MigrationMatrix } from './migration-matrix';
import { externalTransitions, type Transition, type TransitionThresholds } from './monic-transitions';
import { euclidean, labelCounts, returningUsers } from './returning-users';
import { NOISE, type SegmentSnapshot } from './snapshot';
import { twoProportionTest } from './two-proportion-test';

/**
 * Drift between two drops' segmentations: MONIC external transitions, the migration matrix of
 * returning users, population shift, centroid shift, spread change and one drift score.
 *
 * Both snapshots must label segments with persisted ids (a refit is relabelled with
 * matchSegments first; assign mode already uses the model's ids), because population, centroid
 * and spread changes compare a segment id with the same id. Transitions and the migration matrix
 * do not need that: they are computed from the users alone. docs/DRIFT.md defines every number.
 */
export interface TransitionsOptions extends TransitionThresholds {
  /** Mean distance to centroid per segment id (segmentSpreads), before and after; leave out to skip spread change. */
  spreads?: { previous: Map<number, number>; current: Map<number, number> };
}

export interface PopulationShift {
  /** A segment id, or -1 for noise. */
  segment: number;
  shareBefore: number;
  shareNow: number;
  /** Two-proportion z-test of shareNow against shareBefore (two-sided). */
  z: number;
  pValue: number;
}

export interface CentroidShift {
  segment: number;
  distance: number;
}

export interface SpreadChange {
  segment: number;
  before: number;
  now: number;
  /** now / before (1 = unchanged). */
  ratio: number;
}

export interface SegmentTransitions {
  returningUsers: number;
  transitions: Transition[];
  migration: MigrationMatrix;
  populationShift: PopulationShift[];
  centroidShift: CentroidShift[];
  spreadChange: SpreadChange[];
  /** Share of returning users (noise included) whose segment id changed. */
  migratedShare: number;
  /** Total variation distance between the two drops' segment shares (noise included). */
  shareShift: number;
  /** max(migratedShare, shareShift), in [0, 1]: 0 = same segments, same people, same sizes. */
  driftScore: number;
}

export function segmentTransitions(previous: SegmentSnapshot, current: SegmentSnapshot, options: TransitionsOptions = {}): SegmentTransitions {
  const returning = returningUsers(previous, current);
  const sizesBefore = labelCounts(previous.labels);
  const sizesNow = labelCounts(current.labels);
  const oldIds = segmentIdsOf(sizesBefore);
  const newIds = segmentIdsOf(sizesNow);

  const populationShift = [...new Set([...oldIds, ...newIds, NOISE])].map((segment) => {
    const before = sizesBefore.get(segment) ?? 0;
    const now = sizesNow.get(segment) ?? 0;
    return { segment, shareBefore: share(before, previous.labels.length), shareNow: share(now, current.labels.length), ...twoProportionTest(before, previous.labels.length, now, current.labels.length) };
  }).filter((shift) => shift.segment !== NOISE || shift.shareBefore > 0 || shift.shareNow > 0);

  const centroidShift = oldIds.flatMap((segment) => {
    const before = previous.centroids.get(segment);
    const now = current.centroids.get(segment);
    return before && now ? [{ segment, distance: euclidean(before, now) }] : [];
  });

  const spreadChange = options.spreads ? oldIds.flatMap((segment) => {
    const before = options.spreads!.previous.get(segment);
    const now = options.spreads!.current.get(segment);
    return before !== undefined && now !== undefined ? [{ segment, before, now, ratio: before > 0 ? now / before : 1 }] : [];
  }) : [];

  let moved = 0;
  for (let i = 0; i < returning.before.length; i++) if (returning.before[i] !== returning.after[i]) moved++;
  const migratedShare = returning.before.length > 0 ? moved / returning.before.length : 0;
  const shareShift = populationShift.reduce((sum, shift) => sum + Math.abs(shift.shareNow - shift.shareBefore), 0) / 2;

  return {
    returningUsers: returning.before.length,
    transitions: externalTransitions(returning, oldIds, newIds, options),
    migration: migrationMatrix(returning, oldIds, newIds),
    populationShift,
    centroidShift,
    spreadChange,
    migratedShare,
    shareShift,
    driftScore: Math.max(migratedShare, shareShift),
  };
}

function share(count: number, total: number): number {
  return total > 0 ? count / total : 0;
}

function segmentIdsOf(sizes: Map<number, number>): number[] {
  return [...sizes.keys()].filter((id) => id !== NOISE).sort((a, b) => a - b);
}
