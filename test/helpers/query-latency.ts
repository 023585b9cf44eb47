import type { WorkflowHandle } from '@temporalio/client';
import { progressQuery, type segmentDataDrop } from '../../workflows';

export interface QueryLatencies {
  /**
   * Each drop's first answered query, in ms: Temporal answers it only once the workflow's first
   * task is done, which on a fresh worker includes evaluating the workflow bundle.
   */
  firstAnswerMs: number[];
  /** Every later answered query's latency in ms, all drops together. */
  answeredMs: number[];
  /** Queries that failed (e.g. DEADLINE_EXCEEDED: query timed out), with the time they took. */
  failures: Array<{ workflowId: string; ms: number; error: string }>;
}

/**
 * Asks each drop for its progress every `intervalMs`, as `client status` would, one query in
 * flight per drop, until its result is in; `stop()` waits for the queries in flight.
 */
export function pollProgressQueries(handles: Array<WorkflowHandle<typeof segmentDataDrop>>, intervalMs = 500) {
  const latencies: QueryLatencies = { firstAnswerMs: [], answeredMs: [], failures: [] };
  let stopped = false;
  const pollOne = async (handle: WorkflowHandle<typeof segmentDataDrop>) => {
    let finished = false;
    let answered = false;
    handle.result().then(() => (finished = true), () => (finished = true));
    while (!stopped && !finished) {
      const started = performance.now();
      try {
        await handle.query(progressQuery);
        (answered ? latencies.answeredMs : latencies.firstAnswerMs).push(performance.now() - started);
        answered = true;
      } catch (error) {
        // A query that raced the workflow's completion is not a latency sample.
        if (!finished) latencies.failures.push({ workflowId: handle.workflowId, ms: performance.now() - started, error: (error as Error).message });
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  };
  const polling = Promise.all(handles.map(pollOne));
  return {
    async stop(): Promise<QueryLatencies> {
      stopped = true;
      await polling;
      return latencies;
    },
  };
}

export function percentile(values: number[], share: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)];
}
