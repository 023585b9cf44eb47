import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';

/**
 * Custom search attributes (registered by the dev server from temporal-config/dev-server.json,
 * or by `npm run client -- setup` on a real cluster). Ops filter the Temporal UI with them, e.g.
 * `DataDrop = "2019-oct-1a2b3c4d5e"` or `PipelineStage = "awaiting-retry"`.
 */
export const DATA_DROP = defineSearchAttributeKey('DataDrop', SearchAttributeType.KEYWORD);
export const PIPELINE_STAGE = defineSearchAttributeKey('PipelineStage', SearchAttributeType.KEYWORD);
