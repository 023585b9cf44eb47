/**
 * Error type names that must not be retried: bad input does not get better by waiting.
 * Activities throw ApplicationFailure with one of these types; retry policies list them.
 */
export const NON_RETRYABLE_ERROR_TYPES = ['BadInputError', 'RunConfigError'] as const;
export type NonRetryableErrorType = (typeof NON_RETRYABLE_ERROR_TYPES)[number];
