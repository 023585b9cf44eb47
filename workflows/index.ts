// Every export of this module becomes a workflow type (or a signal/query definition): export
// only workflows, their signals/queries and input types.
export { segmentDataDrop, progressQuery, retryFailedShardsSignal } from './segment-data-drop';
export { backfillRange, type BackfillRangeInput, type BackfillRangeOutput } from './backfill-range';
export { scanInbox, type ScanInboxInput, type ScanInboxOutput } from './scan-inbox';
export { distributedKMeans, type DistributedKMeansInput } from './distributed-kmeans';
