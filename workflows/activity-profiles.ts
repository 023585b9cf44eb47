import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { NON_RETRYABLE_ERROR_TYPES } from '../common/errors';
import type { TaskQueues } from '../common/task-queues';

/**
 * Named timeout/retry profiles, one typed stub set each. Heartbeat timeouts are what detect a
 * dead worker: workers heartbeat every second while any activity runs
 * (lib/runtime/activity-progress.ts livenessHeartbeats), so a killed worker's activities are
 * retried elsewhere after the heartbeat timeout, not after the hours of start-to-close.
 */
export interface ProfileSettings {
  maximumAttempts: number;
  embedHeartbeatTimeoutSeconds: number;
  /**
   * Absent in the config of a distributedKMeans child started before the field existed: its
   * activities then keep no heartbeat timeout, as recorded (segmentDataDrop resolves its config
   * with the default, so its own activities get one).
   */
  activityHeartbeatTimeoutSeconds?: number;
}

function retry(maximumAttempts: number): ActivityOptions['retry'] {
  return {
    maximumAttempts,
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '1m',
    nonRetryableErrorTypes: [...NON_RETRYABLE_ERROR_TYPES],
  };
}

export function activityProfiles(queues: TaskQueues, settings: ProfileSettings) {
  const attempts = settings.maximumAttempts;
  const heartbeatTimeout = settings.activityHeartbeatTimeoutSeconds ? `${settings.activityHeartbeatTimeoutSeconds}s` : undefined;
  return {
    /** Listing and inspecting inputs: quick; a timeout means something is wrong. */
    io: proxyActivities<Activities>({ taskQueue: queues.cpu, startToCloseTimeout: '5m', heartbeatTimeout, retry: retry(attempts) }),
    /** DuckDB cleaning and sharding: long, one statement at a time. */
    sql: proxyActivities<Activities>({ taskQueue: queues.cpu, startToCloseTimeout: '4h', heartbeatTimeout, retry: retry(attempts) }),
    embed: proxyActivities<Activities>({
      taskQueue: queues.embedding,
      startToCloseTimeout: '12h',
      heartbeatTimeout: `${settings.embedHeartbeatTimeoutSeconds}s`,
      retry: retry(attempts),
    }),
    cluster: proxyActivities<Activities>({ taskQueue: queues.cpu, startToCloseTimeout: '4h', heartbeatTimeout, retry: retry(attempts) }),
    evaluate: proxyActivities<Activities>({ taskQueue: queues.cpu, startToCloseTimeout: '4h', heartbeatTimeout, retry: retry(attempts) }),
  };
}
