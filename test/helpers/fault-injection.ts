import type { Context } from '@temporalio/activity';
import type { WorkerOptions } from '@temporalio/worker';

/**
 * Activity interceptors that count calls and inject failures, around the real activities.
 * `shouldFail(activityType, args, callNumber)` decides per call; a thrown error is retryable
 * unless the test throws something else.
 */
export interface CallLog {
  calls: Array<{ activityType: string; args: unknown[]; attempt: number }>;
  count(activityType: string, predicate?: (args: unknown[]) => boolean): number;
}

export function faultInjection(shouldFail: (activityType: string, args: unknown[], callNumber: number) => string | undefined): {
  interceptors: WorkerOptions['interceptors'];
  log: CallLog;
} {
  const log: CallLog = {
    calls: [],
    count(activityType, predicate = () => true) {
      return this.calls.filter((call) => call.activityType === activityType && predicate(call.args)).length;
    },
  };
  const interceptors: WorkerOptions['interceptors'] = {
    activity: [
      (context: Context) => ({
        inbound: {
          async execute(input, next) {
            const { activityType, attempt } = context.info;
            log.calls.push({ activityType, args: [...input.args], attempt });
            const failure = shouldFail(activityType, [...input.args], log.count(activityType));
            if (failure) throw new Error(failure);
            return next(input);
          },
        },
      }),
    ],
  };
  return { interceptors, log };
}
