import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure } from '@temporalio/common';

/**
 * The failures that retrying cannot fix. The same inputs fail the same way on every attempt and
 * every worker, so these are never retried and end the run at once with their message, which
 * names the input (file, field, shard) and the fix. Everything else (I/O hiccups, a worker that
 * died, a full disk) is a plain error: it is retried, and a shard that still fails waits for
 * `retryFailedShards`. Activities throw the failures made below; Temporal types any other thrown
 * error by its class name, so common/run-config.ts's RunConfigError counts as that kind too.
 * Pure code (workflows import it).
 */
export const NON_RETRYABLE_ERROR_TYPES = [
  /** The drop's data, or a file the run names (mapping, truth labels), cannot be used: fix the input. */
  'BadInputError',
  /** The run's settings cannot work, alone or with this drop (e.g. k above the number of users): fix the config. */
  'RunConfigError',
  /** The transformer model directory (or the default model in the cache) is missing or broken: fix or provision the model. */
  'ModelError',
  /** A step ran out of memory under its limit: raise the limit the message names, or run fewer activities at once. */
  'ResourceLimitError',
  /** A check that holds unless the code has a bug (rows lost in the accounting, a hash collision): report it. */
  'InternalInvariantError',
] as const;

/** One kind of the taxonomy; the list above is the one every retry policy names (workflows/activity-profiles.ts). */
export type ErrorKind = (typeof NON_RETRYABLE_ERROR_TYPES)[number];

export function isErrorKind(type: string | undefined | null): type is ErrorKind {
  return (NON_RETRYABLE_ERROR_TYPES as readonly (string | undefined | null)[]).includes(type);
}

function failure(type: ErrorKind, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true });
}

export function badInput(message: string): ApplicationFailure {
  return failure('BadInputError', message);
}

export function runConfigError(message: string): ApplicationFailure {
  return failure('RunConfigError', message);
}

export function modelError(message: string): ApplicationFailure {
  return failure('ModelError', message);
}

export function resourceLimitError(message: string): ApplicationFailure {
  return failure('ResourceLimitError', message);
}

export function internalInvariantError(message: string): ApplicationFailure {
  return failure('InternalInvariantError', `${message}. This is a bug: please report it with this message and the input`);
}

/** The one message for k above the users, whichever engine (or the workflow) finds it. */
export function cannotCluster(users: number, k: number): ApplicationFailure {
  return runConfigError(
    `cannot cluster ${users} users into k=${k} segments: set kMin (and kMax) to at most ${users}, or give the run ` +
      'more users (a larger drop, a higher sampleUsersFraction, a lower minEventsPerUser)',
  );
}

/**
 * The taxonomy failure behind `error`: the error itself, or what an activity or child workflow
 * failed with, however deeply wrapped. Undefined for anything retryable.
 */
export function taxonomyFailureIn(error: unknown): ApplicationFailure | undefined {
  let current = error;
  for (;;) {
    if (current instanceof ApplicationFailure) return isErrorKind(current.type) ? current : undefined;
    if (!(current instanceof ActivityFailure || current instanceof ChildWorkflowFailure)) return undefined;
    current = current.cause;
  }
}

/**
 * A taxonomy failure from anywhere below becomes the workflow's own failure, with the original
 * message and type (the UI and `client status` show it without unwrapping); anything else is
 * returned unchanged.
 */
export function surfaceTaxonomyFailure(error: unknown): unknown {
  const found = taxonomyFailureIn(error);
  return found ? failure(found.type as ErrorKind, found.message) : error;
}
