import { describe, expect, it } from 'vitest';
import { resolveRunConfig } from '../../common/run-config';
import { configFrom, parseSetValue } from '../../scripts/client/options';

// `--set field=value` as users type it: each value read by its field's type in the schema.
describe('--set values', () => {
  it('reads a list as a,b (trimmed) or as a JSON array', () => {
    expect(parseSetValue('encoders', 'behavior-stats, item2vec')).toEqual(['behavior-stats', 'item2vec']);
    expect(parseSetValue('encoders', '["tfidf","item2vec"]')).toEqual(['tfidf', 'item2vec']);
    expect(parseSetValue('encoders', 'tfidf')).toEqual(['tfidf']);
    expect(parseSetValue('downstreamKs', '5,10')).toEqual([5, 10]);
    expect(parseSetValue('dbscanEpsQuantiles', '[0.5, 0.9]')).toEqual([0.5, 0.9]);
    expect(parseSetValue('transformerPriceBands', '')).toEqual([]);
  });

  it('keeps a string field as typed, even when it looks like a number or JSON', () => {
    expect(parseSetValue('seed', '7')).toBe('7');
    expect(parseSetValue('seed', '"7"')).toBe('"7"');
    expect(parseSetValue('duckdbMemoryLimit', '4GB')).toBe('4GB');
    expect(parseSetValue('transformerEventSeparator', ' | ')).toBe(' | ');
  });

  it('parses numbers, booleans and JSON objects', () => {
    expect(parseSetValue('kMax', '12')).toBe(12);
    expect(parseSetValue('sampleUsersFraction', '.5')).toBe(0.5);
    expect(parseSetValue('downstreamExcludeSeen', 'false')).toBe(false);
    expect(parseSetValue('downstreamExcludeSeen', 'true')).toBe(true);
    expect(parseSetValue('item2vecEventWeights', '{"purchase":3,"view":1}')).toEqual({ purchase: 3, view: 1 });
  });

  it('passes what does not parse on as text, so the schema says what the field accepts', () => {
    expect(parseSetValue('kMax', 'twelve')).toBe('twelve');
    expect(() => configFrom(['kMax=twelve'])).toThrow('kMax: expected an integer in [2, 1000], got "twelve"');
    expect(() => configFrom(['downstreamExcludeSeen=yes'])).toThrow('downstreamExcludeSeen: expected true or false, got "yes"');
    expect(() => configFrom(['encoders=tfidf,word2vec'])).toThrow(/encoders: expected a non-empty list of .*, got \["tfidf","word2vec"\]/);
  });

  it('gives the schema\'s unknown-field error for a field it does not know', () => {
    expect(() => configFrom(['kMaxx=12'])).toThrow(/unknown field\(s\) kMaxx; the accepted fields are: .*kMax/);
  });

  it('resolves the plain forms through resolveRunConfig', () => {
    const overrides = configFrom(['encoders=behavior-stats,item2vec', 'seed=7', 'kMax=12', 'downstreamKs=5,10']);
    expect(overrides).toEqual({ encoders: ['behavior-stats', 'item2vec'], seed: '7', kMax: 12, downstreamKs: [5, 10] });
    const config = resolveRunConfig(overrides);
    expect(config.encoders).toEqual(['behavior-stats', 'item2vec']);
    expect(config.seed).toBe('7');
    expect(config.kMax).toBe(12);
  });
});
