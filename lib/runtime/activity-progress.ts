import { Context } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';

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

/** The details each running activity heartbeated last: the liveness heartbeat repeats them. */
const lastDetails = new WeakMap<Context, unknown>();

export function heartbeat(details?: unknown): void {
  const context = currentContext();
  if (!context) return;
  lastDetails.set(context, details);
  context.heartbeat(details);
}

/**
 * Heartbeats every `intervalMs` while any activity runs (during a DuckDB statement, a native
 * kernel on the thread pool, an onnxruntime call; long synchronous loops await yieldToEventLoop
 * between their steps so the timer can fire), so a worker that dies is noticed
 * within the heartbeat timeout and its activities are retried elsewhere, while a slow but live one
 * is never. It repeats the activity's last details (or, before the first, the previous attempt's),
 * so resume offsets are never overwritten. The Temporal SDK throttles what reaches the server.
 */
export function livenessHeartbeats(intervalMs = 1000): (context: Context) => { inbound: ActivityInboundCallsInterceptor } {
  return (context) => ({
    inbound: {
      async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
        const beat = () => context.heartbeat(lastDetails.has(context) ? lastDetails.get(context) : context.info.heartbeatDetails);
        const timer = setInterval(beat, intervalMs);
        try {
          return await next(input);
        } finally {
          clearInterval(timer);
        }
      },
    },
  });
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

/**
 * Lets the event loop turn (timers, the liveness heartbeat, workflow tasks of the same process):
 * awaited between the steps of long synchronous computations, such as Lloyd iterations whose
 * native kernel is synchronous. Awaiting a resolved promise alone would not let timers run.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * For tight loops that cannot afford a yield per step: `const due = yieldWhenDue();` then
 * `await due()` as often as convenient; it yields only when `everyMs` passed since the last yield,
 * so heartbeats keep flowing through long synchronous passes (PCA over a million users) at no
 * measurable cost.
 */
export function yieldWhenDue(everyMs = 100): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < everyMs) return;
    await yieldToEventLoop();
    last = performance.now();
  };
}
