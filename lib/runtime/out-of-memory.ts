import type { Context } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import { resourceLimitError } from '../../common/errors';

/** DuckDB's allocation failure under its memory_limit. */
const DUCKDB_OUT_OF_MEMORY = /Out of Memory Error/i;
/** V8's catchable allocation failures (a heap that is truly full kills the process instead). */
const JS_OUT_OF_MEMORY = /Array buffer allocation failed|Invalid typed array length|Invalid array length|Invalid string length/i;

/** The settings an activity's input may carry in `config` that bound its memory. */
interface MemorySettings {
  duckdbMemoryLimit?: string;
  sweepConcurrency?: number;
  embedConcurrency?: number;
}

/**
 * An out-of-memory error of `step` as the non-retryable failure that names the limit to raise (the
 * same input runs out of the same memory on every attempt); any other error unchanged.
 */
export function outOfMemoryFailure(error: unknown, step: string, config: MemorySettings = {}): unknown {
  const message = error instanceof Error ? error.message : String(error);
  const concurrency = [
    config.sweepConcurrency !== undefined ? `sweepConcurrency (${config.sweepConcurrency})` : 'sweepConcurrency',
    config.embedConcurrency !== undefined ? `embedConcurrency (${config.embedConcurrency})` : 'embedConcurrency',
    "the worker's concurrent activities (maxConcurrentActivities)",
  ].join(', ');
  if (DUCKDB_OUT_OF_MEMORY.test(message)) {
    // Only DuckDB's first line: its advice (SET threads, SET memory_limit) is about settings we make from the config.
    const first = message.split('\n')[0];
    const limit = config.duckdbMemoryLimit ? ` (${config.duckdbMemoryLimit})` : '';
    return resourceLimitError(
      `${step} ran out of DuckDB memory: ${first}. duckdbMemoryLimit${limit} is what one worker's activities may use together, ` +
        `split between those of a step that run at once; raise duckdbMemoryLimit, or lower ${concurrency}`,
    );
  }
  if (JS_OUT_OF_MEMORY.test(message)) {
    return resourceLimitError(
      `${step} ran out of JavaScript memory: ${message}. Give the worker more heap (NODE_OPTIONS=--max-old-space-size=<MiB>), ` +
        `or lower ${concurrency}`,
    );
  }
  return error;
}

/** Every activity's out-of-memory error becomes a non-retryable ResourceLimitError (outOfMemoryFailure). */
export function outOfMemoryFailures(): (context: Context) => { inbound: ActivityInboundCallsInterceptor } {
  return (context) => ({
    inbound: {
      async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
        try {
          return await next(input);
        } catch (error) {
          const config = (input.args[0] as { config?: MemorySettings } | undefined)?.config;
          throw outOfMemoryFailure(error, context.info.activityType, config);
        }
      },
    },
  });
}
