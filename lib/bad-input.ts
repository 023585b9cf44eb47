import { ApplicationFailure } from '@temporalio/common';

/**
 * Bad input does not get better by retrying: the failure is non-retryable, typed BadInputError
 * (listed in common/errors.ts) and its message names the file/field and what was expected.
 */
export function badInput(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: 'BadInputError', message, nonRetryable: true });
}
