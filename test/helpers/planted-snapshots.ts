import type { SegmentSnapshot } from '../../activities/segment-models/snapshot';
import type { Transition } from '../../activities/segment-models/monic-transitions';
import type { PlantedDrop, PlantedTransition } from '../../lib/tooling/planted-drift';
import { PLANTED_SEGMENTS } from '../../lib/tooling/synthetic-drops';

const EVENT_TYPES = ['view', 'cart', 'remove_from_cart', 'purchase'];

/** Integer label of a planted segment (its index in PLANTED_SEGMENTS, as in the truth files). */
export function plantedLabel(name: string): number {
  return PLANTED_SEGMENTS.findIndex((profile) => profile.name === name);
}

/**
 * The planted truth of a drop as a snapshot: label = plantedLabel, or `labelOf(plantedLabel)` to
 * number the segments as another clustering run would; centroid = the profile's parameters
 * (activity, log price level, sessions, event mix), one vector space for every planted segment.
 */
export function plantedSnapshot(drop: PlantedDrop, labelOf: (planted: number) => number = (planted) => planted): SegmentSnapshot {
  const labels = Int32Array.from(drop.segments, (name) => labelOf(plantedLabel(name)));
  const centroids = new Map<number, Float64Array>();
  for (const name of new Set(drop.segments)) {
    const profile = PLANTED_SEGMENTS[plantedLabel(name)];
    const mix = EVENT_TYPES.map((type) => profile.eventMix.find(([event]) => event === type)?.[1] ?? 0);
    centroids.set(labelOf(plantedLabel(name)), Float64Array.from([profile.activity, Math.log(profile.priceLevel), profile.sessions, ...mix]));
  }
  return { userIds: drop.userIds, labels, centroids };
}

/** Transitions in planted names (segment ids translated by `nameOf`), order-free for comparison. */
export function namedTransitions(transitions: Transition[], nameOfBefore: (id: number) => string, nameOfNow: (id: number) => string): PlantedTransition[] {
  return sortTransitions(transitions.map(({ kind, from, to }) => ({ kind, from: from.map(nameOfBefore).sort(), to: to.map(nameOfNow).sort() })));
}

export function sortTransitions(transitions: PlantedTransition[]): PlantedTransition[] {
  const key = (t: PlantedTransition) => `${t.kind}:${t.from.join(',')}>${t.to.join(',')}`;
  return transitions.map((t) => ({ ...t, from: [...t.from].sort(), to: [...t.to].sort() })).sort((a, b) => key(a).localeCompare(key(b)));
}
