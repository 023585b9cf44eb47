import { Context } from '@temporalio/activity';

/**
 * Heartbeats and resume details when running as a Temporal activity; no-ops when the same stage
 * function is called directly (benchmarks, scripts).
 */
function currentContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

export function heartbeat(details?: unknown): void {
  currentContext()?.heartbeat(details);
}

export function lastHeartbeatDetails<T>(): T | undefined {
  return currentContext()?.info.heartbeatDetails as T | undefined;
}

export function attemptNumber(): number {
  return currentContext()?.info.attempt ?? 1;
}

/** Throws the cancellation reason if the activity was cancelled (checked between batches). */
export function throwIfCancelled(): void {
  const context = currentContext();
  if (context?.cancellationSignal.aborted) throw context.cancellationSignal.reason;
}
