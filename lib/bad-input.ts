/** Kept for its callers: bad input is one kind of the error taxonomy in common/errors.ts. */
export { badInput } from '../common/errors';
