import type { SegmentModel } from './segment-model';

/**
 * IDENTITY HOOK: the persisted segment id of each label of a refit, keyed by the label the
 * clustering gave. For now every label keeps its own number (identity), so a refit's "segment 2"
 * is not yet the previous model's "segment 2". The matching module (match-segments.ts: optimal
 * one-to-one matching on returning users' overlap and centroid distance against `previous`, fresh
 * ids for unmatched segments) replaces the body; registerDrop stores the ids in the registered
 * model.json (`segments[].id`).
 */
export function persistedSegmentIds(model: SegmentModel, _previous: { modelDir: string; model: SegmentModel } | undefined): Map<number, number> {
  return new Map(model.segments.map((segment) => [segment.segment, segment.segment]));
}
