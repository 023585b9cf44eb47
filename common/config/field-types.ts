import { z } from 'zod';

/**
 * The kinds of value a run config field takes. Each builder returns the zod schema and records,
 * as its metadata, the field's type and the values it accepts in words: the same text goes into
 * validation errors ("expected an integer in [1, 1024]") and into the docs/CONFIG.md table, so
 * the check and its description are written in one place. Pure: imported by workflows.
 */
export type FieldType = 'integer' | 'number' | 'string' | 'boolean' | 'list of strings' | 'list of integers' | 'list of numbers' | 'object';

export interface FieldMeta {
  /** A short type name for the docs table; the client's `--set` also parses a value by it. */
  type: FieldType;
  /** What the field accepts, as a phrase: "an integer in [1, 1024]", "one of 'chunk', 'truncate'". */
  accepts: string;
}

function withMeta<T extends z.ZodType>(schema: T, meta: FieldMeta): T {
  return schema.meta({ ...meta });
}

export function integer(min: number, max: number) {
  return withMeta(z.number().int().min(min).max(max), { type: 'integer', accepts: `an integer in [${min}, ${max}]` });
}

/** A number in an interval; `open` names the ends that are excluded. */
export function numberIn(min: number, max: number, open: { min?: boolean; max?: boolean } = {}) {
  let schema = open.min ? z.number().gt(min) : z.number().min(min);
  schema = open.max ? schema.lt(max) : schema.max(max);
  return withMeta(schema, { type: 'number', accepts: `a number in ${interval(min, max, open)}` });
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return withMeta(z.enum(values), { type: 'string', accepts: `one of ${quoted(values)}` });
}

/** A non-empty list of some of `values` (repeats allowed, as before the schema). */
export function someOf<const T extends readonly [string, ...string[]]>(values: T) {
  return withMeta(z.array(z.enum(values)).min(1), { type: 'list of strings', accepts: `a non-empty list of ${quoted(values)}` });
}

export function integerList(min: number, max: number) {
  return withMeta(z.array(z.number().int().min(min).max(max)).min(1), { type: 'list of integers', accepts: `a non-empty list of integers in [${min}, ${max}]` });
}

export function numberList(min: number, max: number, open: { min?: boolean; max?: boolean } = {}) {
  const element = open.min ? z.number().gt(min) : z.number().min(min);
  return withMeta(z.array(open.max ? element.lt(max) : element.max(max)).min(1), {
    type: 'list of numbers', accepts: `a non-empty list of numbers in ${interval(min, max, open)}`,
  });
}

export function ascendingPositiveList() {
  const schema = z.array(z.number().gt(0)).refine((values) => values.every((value, i) => i === 0 || value > values[i - 1]));
  return withMeta(schema, { type: 'list of numbers', accepts: 'an ascending list of positive numbers (may be empty)' });
}

export function weights() {
  return withMeta(z.record(z.string(), z.number().min(0)), { type: 'object', accepts: 'an object of name -> non-negative number' });
}

export function text(accepts = 'any string') {
  return withMeta(z.string(), { type: 'string', accepts });
}

export function matching(pattern: RegExp, accepts: string) {
  return withMeta(z.string().regex(pattern), { type: 'string', accepts });
}

export function flag() {
  return withMeta(z.boolean(), { type: 'boolean', accepts: 'true or false' });
}

/** '' or a UTC date / date-time as DuckDB reads it. */
export function timestampOrEmpty() {
  return matching(/^(\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?)?$/, "'' or a UTC date/time like 2019-10-01 or 2019-10-01T12:00");
}

export function quoted(values: readonly string[]): string {
  return values.map((value) => `'${value}'`).join(', ');
}

function interval(min: number, max: number, open: { min?: boolean; max?: boolean }): string {
  return `${open.min ? '(' : '['}${min}, ${max}${open.max ? ')' : ']'}`;
}
