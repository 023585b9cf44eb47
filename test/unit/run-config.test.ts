import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CONFIG_SECTIONS, CROSS_FIELD_RULES, DEFAULT_RUN_CONFIG, RunConfigError, configSection, resolveRunConfig, type RunConfig,
} from '../../common/run-config';
import { deriveSeed } from '../../common/seed';
import { projectPath } from '../../lib/paths';
import { CONFIG_DOCS_PATH, renderConfigDocs } from '../../scripts/config-docs';

/** The defaults as they were before the schema (common/run-config.ts of f4932cd): a run must not change, but for CHANGED_SINCE_THE_SCHEMA. */
const DEFAULTS_BEFORE_THE_SCHEMA = {
  shardCount: 4, embedConcurrency: 4, embedBatchSize: 2000, encoders: ['transformer', 'behavior-stats'], algorithms: ['kmeans'],
  kMin: 2, kMax: 8, kmeansInit: 4, kmeansMaxIterations: 300, sweepConcurrency: 4, minibatchSize: 1024, hierarchicalSampleSize: 10_000,
  dbscanEpsQuantiles: [0.5, 0.75, 0.9], dbscanMinSamples: [10], hdbscanMinClusterShares: [0.01, 0.05], hdbscanMinSamples: 10,
  hdbscanSampleSize: 5000, pcaComponents: 0, silhouetteExactUpTo: 20_000, silhouetteSampleSize: 5000, minEventsPerUser: 2,
  maxSequenceLength: 50, sessionGapMinutes: 30, embedHeartbeatTimeoutSeconds: 120, activityMaxAttempts: 5, failedShardWaitMinutes: 60,
  mappingFile: '', timeWindowStart: '', timeWindowEnd: '', botMaxEventsPerMinute: 120, botMaxViewsPerSession: 2000, sampleUsersFraction: 1,
  holdoutMode: 'last_n', holdoutLastN: 1, holdoutCutoff: '', sequenceBucketEvents: 3_000_000, transformerModelDir: '',
  transformerPrecision: 'float32',
  transformerEventTemplate: '{gap}{action} {category} {brand} {title} {query} {price}', transformerEventSeparator: '; ',
  transformerOrder: 'newest-last', transformerPriceBands: [10, 50, 200, 1000], transformerLongTexts: 'chunk', transformerMaxChunks: 4,
  transformerBatchSize: 64, transformerBatchTokens: 1024, item2vecDimensions: 64, item2vecWindow: 5, item2vecNegatives: 5, item2vecEpochs: 5,
  item2vecMinCount: 2, item2vecEventWeights: { purchase: 4, cart: 2, fav: 1.5, view: 1, click: 1, search: 0.5, remove_from_cart: 0.5 },
  item2vecRecencyHalfLife: 20, tfidfMaxFeatures: 20_000, tfidfMinDf: 2, tfidfComponents: 64, tfidfFitUsers: 200_000, stabilitySeedRuns: 3,
  stabilitySubsampleRuns: 3, stabilitySubsampleShare: 0.8, stabilityMaxUsers: 10_000, downstreamKs: [5, 10, 20], downstreamExcludeSeen: true,
  bootstrapSamples: 1000, nextPurchaseFolds: 5, selectionRule: 'stable-lift', selectionMinStability: 0.85, seed: '', truthLabelsFile: '',
  duckdbThreads: 0, duckdbMemoryLimit: '4GB',
};

/** Fields added since, with their defaults (each one a new knob; none changes what a run produces). */
const ADDED_SINCE_THE_SCHEMA = {
  activityHeartbeatTimeoutSeconds: 60, spectralSampleSize: 2000, spectralNeighbors: 10,
  // Segment models: which pipeline a drop belongs to and how it is segmented (the default assigns once a model exists).
  pipelineName: 'default', mode: 'auto', refitEveryDrops: 0, refitDriftThreshold: 0.75, refitShareShiftThreshold: 0.1,
  // Issue 16: item2vec trained on a bounded sample (drops of more users than this train on a sample now).
  item2vecFitUsers: 50_000,
  // Issue 16: the transformer's embedding cache across drops (a cached vector is the one stored for the same text and model).
  transformerCache: true,
  // Issue 16: k-means restarts on a sample above 50,000 users, one Lloyd run on every user from the best of them.
  kmeansSeedingUsers: 50_000,
  // Issue 16: above 200,000 users with held-out events a full score evaluates a seeded sample of them.
  downstreamMaxUsers: 200_000,
};
/** Defaults changed on purpose since, with why: these do change what a default run produces. */
const CHANGED_SINCE_THE_SCHEMA = {
  // Issue 15: a sweep wide enough for real segmentations, made affordable by successive halving (docs/EVALUATION.md).
  kMax: 20, fullyScoredShare: 0.25, fullyScoredMin: 4, screenUsers: 2000,
  // Issue 16: the TF-IDF fit took 83 s of a 100k-user run and would take ~190 s at 1M with 200,000; 50,000 bounds it as item2vec's.
  tfidfFitUsers: 50_000,
};
const DEFAULTS = { ...DEFAULTS_BEFORE_THE_SCHEMA, ...ADDED_SINCE_THE_SCHEMA, ...CHANGED_SINCE_THE_SCHEMA };

/** The integer ranges as they were before the schema: [field, min, max]. */
const INTEGER_RANGES_BEFORE_THE_SCHEMA: Array<[keyof RunConfig, number, number]> = [
  ['shardCount', 1, 1024], ['embedConcurrency', 1, 256], ['embedBatchSize', 1, 1_000_000], ['kMin', 2, 1000], ['kMax', 2, 1000],
  ['kmeansInit', 1, 100], ['kmeansMaxIterations', 1, 100_000], ['sweepConcurrency', 1, 256], ['hierarchicalSampleSize', 10, 30_000],
  ['hdbscanMinSamples', 1, 1000], ['hdbscanSampleSize', 100, 30_000], ['minibatchSize', 16, 1_000_000], ['pcaComponents', 0, 4096],
  ['silhouetteExactUpTo', 2, 1_000_000], ['silhouetteSampleSize', 100, 1_000_000], ['minEventsPerUser', 1, 1_000_000],
  ['maxSequenceLength', 1, 100_000], ['sessionGapMinutes', 1, 100_000], ['embedHeartbeatTimeoutSeconds', 1, 86_400],
  ['activityMaxAttempts', 1, 100], ['failedShardWaitMinutes', 0, 525_600], ['duckdbThreads', 0, 1024], ['botMaxEventsPerMinute', 0, 1_000_000],
  ['botMaxViewsPerSession', 0, 1_000_000_000], ['holdoutLastN', 1, 100_000], ['sequenceBucketEvents', 1, 1_000_000_000],
  ['transformerMaxChunks', 1, 1000], ['transformerBatchSize', 1, 4096], ['transformerBatchTokens', 0, 10_000_000], ['item2vecDimensions', 2, 1024],
  ['item2vecWindow', 1, 100], ['item2vecNegatives', 1, 100], ['item2vecEpochs', 1, 1000], ['item2vecMinCount', 1, 1_000_000],
  ['item2vecRecencyHalfLife', 0, 1_000_000], ['tfidfMaxFeatures', 10, 10_000_000], ['tfidfMinDf', 1, 1_000_000], ['tfidfComponents', 1, 1024],
  ['tfidfFitUsers', 100, 100_000_000], ['stabilitySeedRuns', 0, 100], ['stabilitySubsampleRuns', 0, 100], ['stabilityMaxUsers', 100, 10_000_000],
  ['bootstrapSamples', 100, 100_000], ['nextPurchaseFolds', 2, 20],
];

/** The problem lines of a rejected config ([] when it is accepted). */
function problemsOf(overrides: Record<string, unknown>): string[] {
  try {
    resolveRunConfig(overrides as Partial<RunConfig>);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(RunConfigError);
    return (error as Error).message.split('\n').slice(1).map((line) => line.trim());
  }
}

/** Field problems name the field first; cross-field problems name all their fields. */
const aboutField = (field: string) => (line: string) => line.split(': ')[0].split(', ').includes(field);

describe('run config', () => {
  it('has the same defaults as before the schema', () => {
    expect(DEFAULT_RUN_CONFIG).toEqual(DEFAULTS);
    expect(resolveRunConfig()).toEqual(DEFAULTS);
  });

  it('merges overrides over the defaults, without sharing the default lists', () => {
    expect(resolveRunConfig({ kMax: 12, shardCount: 8 })).toEqual({ ...DEFAULTS, kMax: 12, shardCount: 8 });
    resolveRunConfig().downstreamKs.push(50);
    expect(resolveRunConfig().downstreamKs).toEqual([5, 10, 20]);
  });

  it.each(INTEGER_RANGES_BEFORE_THE_SCHEMA)('accepts %s in the same integer range as before: [%d, %d]', (field, min, max) => {
    // kMin's largest value needs a kMax as large.
    const companion = field === 'kMin' ? { kMax: max } : {};
    expect(problemsOf({ [field]: min, ...companion }).filter(aboutField(field))).toEqual([]);
    expect(problemsOf({ [field]: max, ...companion }).filter(aboutField(field))).toEqual([]);
    for (const bad of [min - 1, max + 1, min + 0.5, String(min)]) {
      expect(problemsOf({ [field]: bad })).toEqual([`${field}: expected an integer in [${min}, ${max}], got ${JSON.stringify(bad)}`]);
    }
  });

  it.each([
    [{ sampleUsersFraction: 0 }, "sampleUsersFraction: expected a number in (0, 1], got 0"],
    [{ stabilitySubsampleShare: 1 }, 'stabilitySubsampleShare: expected a number in (0, 1), got 1'],
    [{ selectionMinStability: -1.5 }, 'selectionMinStability: expected a number in [-1, 1], got -1.5'],
    [{ encoders: ['bert'] }, "encoders: expected a non-empty list of 'transformer', 'item2vec', 'tfidf', 'behavior-stats', got [\"bert\"]"],
    [{ algorithms: [] }, "algorithms: expected a non-empty list of 'kmeans', 'minibatch-kmeans', 'distributed-kmeans', 'ward', 'average', 'dbscan', 'hdbscan', 'spectral', got []"],
    [{ holdoutMode: 'all' }, "holdoutMode: expected one of 'none', 'last_n', 'time', 'last_purchase', got \"all\""],
    [{ timeWindowStart: '10/01/2019' }, "timeWindowStart: expected '' or a UTC date/time like 2019-10-01 or 2019-10-01T12:00, got \"10/01/2019\""],
    [{ transformerPriceBands: [50, 10] }, 'transformerPriceBands: expected an ascending list of positive numbers (may be empty), got [50,10]'],
    [{ transformerEventTemplate: 'no placeholder' }, 'transformerEventTemplate: expected a template with at least one {placeholder}, got "no placeholder"'],
    [{ item2vecEventWeights: { view: -1 } }, 'item2vecEventWeights: expected an object of name -> non-negative number, got {"view":-1}'],
    [{ downstreamKs: [10, 0] }, 'downstreamKs: expected a non-empty list of integers in [1, 1000], got [10,0]'],
    [{ dbscanEpsQuantiles: [1] }, 'dbscanEpsQuantiles: expected a non-empty list of numbers in (0, 1), got [1]'],
    [{ dbscanMinSamples: [1] }, 'dbscanMinSamples: expected a non-empty list of integers in [2, 1000], got [1]'],
    [{ hdbscanMinClusterShares: [0.6] }, 'hdbscanMinClusterShares: expected a non-empty list of numbers in (0, 0.5], got [0.6]'],
    [{ downstreamExcludeSeen: 'yes' }, 'downstreamExcludeSeen: expected true or false, got "yes"'],
    [{ seed: 42 }, "seed: expected a string (e.g. '42'), or '' for the drop id, got 42"],
    [{ duckdbMemoryLimit: 'lots' }, "duckdbMemoryLimit: expected a size like '4GB' (KB, MB, GB, TB, KiB, MiB, GiB, TiB), got \"lots\""],
  ])('rejects %j, naming the field, what it accepts and what it got', (overrides, line) => {
    expect(problemsOf(overrides)).toEqual([line]);
  });

  it('accepts what the old checks accepted at their edges', () => {
    for (const overrides of [
      { sampleUsersFraction: 1 }, { stabilitySubsampleShare: 0.01 }, { selectionMinStability: -1 }, { transformerPriceBands: [] },
      { timeWindowStart: '2019-10-01', timeWindowEnd: '2019-10-01 12:00:30' }, { holdoutMode: 'time', holdoutCutoff: '2019-10-01T12:00' },
      { item2vecEventWeights: {} }, { hdbscanMinClusterShares: [0.5] }, { duckdbMemoryLimit: '512 MiB' }, { encoders: ['tfidf', 'tfidf'] },
      { transformerEventSeparator: '' }, { seed: '42' }, { mappingFile: 'x.json', truthLabelsFile: 'labels.csv', transformerModelDir: '/m' },
    ]) expect(problemsOf(overrides), JSON.stringify(overrides)).toEqual([]);
  });

  it('reports every bad field, unknown field and broken rule in one error', () => {
    const problems = problemsOf({ shardCount: 0, encoders: ['bert'], selectionRule: 'best', shards: 4, kMin: 6, kMax: 3, holdoutMode: 'none' });
    expect(problems).toEqual([
      "encoders: expected a non-empty list of 'transformer', 'item2vec', 'tfidf', 'behavior-stats', got [\"bert\"]",
      "selectionRule: expected one of 'stable-lift', 'stable-silhouette', 'pareto', 'silhouette', got \"best\"",
      'shardCount: expected an integer in [1, 1024], got 0',
      expect.stringMatching(/^unknown field\(s\) shards; the accepted fields are: mappingFile, .*shardCount, .*duckdbMemoryLimit, .*refitShareShiftThreshold$/),
      'kMin, kMax: kMax (3) must be >= kMin (6)',
      // Not the rule between selectionRule and holdoutMode: selectionRule is already reported.
    ]);
  });

  it('starts the message with how many problems there are', () => {
    expect(() => resolveRunConfig({ kMin: 0, kMax: 0 })).toThrowError(/^invalid run config \(2 problems\):\n {2}kMin: .*\n {2}kMax: /);
  });

  it.each([
    [{ kMin: 6, kMax: 3 }, ['kMin, kMax: kMax (3) must be >= kMin (6)']],
    [{ timeWindowStart: '2019-10-02', timeWindowEnd: '2019-10-01' }, ['timeWindowStart, timeWindowEnd: timeWindowStart (2019-10-02) must be before timeWindowEnd (2019-10-01)']],
    [{ holdoutMode: 'time' }, ["holdoutMode, holdoutCutoff: holdoutMode 'time' needs holdoutCutoff (a UTC date/time such as 2019-10-25)"]],
    [{ downstreamKs: [5, 20] }, [
      "selectionRule, downstreamKs: selectionRule 'stable-lift' ranks candidates by the NDCG@10 lift, but downstreamKs [5,20] lacks 10; " +
        "add 10, or choose selectionRule 'stable-silhouette', 'pareto', 'silhouette'",
    ]],
    [{ holdoutMode: 'none' }, [
      "selectionRule, holdoutMode: selectionRule 'stable-lift' ranks candidates by their recommendations on held-out events, but holdoutMode 'none' " +
        "holds out nothing; set holdoutMode to one of 'last_n', 'time', 'last_purchase', or choose selectionRule 'stable-silhouette', 'pareto', 'silhouette'",
    ]],
    [{ stabilitySeedRuns: 0, stabilitySubsampleRuns: 0 }, [
      "selectionRule, stabilitySeedRuns, stabilitySubsampleRuns: selectionRule 'stable-lift' passes over unstable candidates, but stabilitySeedRuns " +
        "and stabilitySubsampleRuns are both 0 (nothing would be measured); set one of them above 0, or choose selectionRule 'pareto', 'silhouette'",
    ]],
    [{ selectionRule: 'stable-silhouette', stabilitySeedRuns: 0, stabilitySubsampleRuns: 0 }, [expect.stringContaining("selectionRule 'stable-silhouette' passes over unstable candidates")]],
    [{ algorithms: ['kmeans', 'distributed-kmeans'], pcaComponents: 8 }, [
      "algorithms, pcaComponents: algorithm 'distributed-kmeans' clusters the encoder space itself, but pcaComponents is 8; set pcaComponents to 0 or use 'kmeans'",
    ]],
    [{ algorithms: ['spectral'], kMin: 150, kMax: 150, spectralSampleSize: 100 }, [
      "algorithms, spectralSampleSize, kMin: algorithm 'spectral' builds its graph on spectralSampleSize (100) users, " +
        'which cannot make kMin (150) segments; raise spectralSampleSize to at least 150 or lower kMin',
    ]],
  ])('checks the rule between fields broken by %j', (overrides, lines) => {
    expect(problemsOf(overrides)).toEqual(lines);
  });

  it('accepts each rule between fields when it holds', () => {
    for (const overrides of [
      { kMin: 5, kMax: 5 }, { holdoutMode: 'time', holdoutCutoff: '2019-10-25' }, { downstreamKs: [10] },
      { holdoutMode: 'none', selectionRule: 'stable-silhouette' }, { downstreamKs: [5], selectionRule: 'pareto' },
      { stabilitySeedRuns: 0, stabilitySubsampleRuns: 0, selectionRule: 'silhouette' }, { stabilitySeedRuns: 0 },
      { algorithms: ['distributed-kmeans'] }, { algorithms: ['kmeans'], pcaComponents: 8 },
      { algorithms: ['ward'], kMin: 10, kMax: 12, hierarchicalSampleSize: 10 }, { algorithms: ['spectral'], kMin: 100, kMax: 100, spectralSampleSize: 100 },
    ]) expect(problemsOf(overrides), JSON.stringify(overrides)).toEqual([]);
    expect(CROSS_FIELD_RULES).toHaveLength(9);
  });

  it('splits the fields into sections, each field in exactly one', () => {
    const sectionFields = Object.values(CONFIG_SECTIONS).flatMap((section) => Object.keys(section.shape));
    expect(new Set(sectionFields).size).toBe(sectionFields.length);
    expect(sectionFields.sort()).toEqual(Object.keys(DEFAULTS).sort());
  });

  it('picks the fields of the sections an activity reads', () => {
    const config = resolveRunConfig({ kMax: 5, shardCount: 2 });
    const sweep = configSection(config, 'sweep');
    expect(Object.keys(sweep).sort()).toEqual(Object.keys(CONFIG_SECTIONS.sweep.shape).sort());
    expect(sweep.kMax).toBe(5);
    expect('shardCount' in sweep).toBe(false);
    const clean = configSection(config, 'ingest', 'runtime');
    expect(clean).toEqual(Object.fromEntries(
      [...Object.keys(CONFIG_SECTIONS.ingest.shape), ...Object.keys(CONFIG_SECTIONS.runtime.shape)].map((field) => [field, config[field as keyof RunConfig]]),
    ));
    expect(clean.shardCount).toBe(2);
    // The smaller payload is the point: the clean step does not carry the encoder and sweep settings.
    expect(JSON.stringify(clean).length).toBeLessThan(JSON.stringify(config).length / 2);
  });

  it('documents every field in docs/CONFIG.md, generated from the schema (npm run docs:config)', () => {
    const docs = fs.readFileSync(projectPath(CONFIG_DOCS_PATH), 'utf8');
    expect(docs, 'docs/CONFIG.md is out of date: run npm run docs:config').toBe(renderConfigDocs());
    for (const field of Object.keys(DEFAULTS)) expect(docs).toContain(`| \`${field}\` |`);
    expect(docs).toContain("| `selectionRule` | string | `\"stable-lift\"` | one of 'stable-lift', 'stable-silhouette', 'pareto', 'silhouette' |");
  });

  it('derives stable, distinct seeds from the run identity', () => {
    expect(deriveSeed('drop-1', 'k=3')).toBe(deriveSeed('drop-1', 'k=3'));
    expect(deriveSeed('drop-1', 'k=3')).not.toBe(deriveSeed('drop-1', 'k=4'));
    expect(deriveSeed('ab', 'c')).not.toBe(deriveSeed('a', 'bc'));
    // Pinned: a change here would silently change every clustering of every re-run.
    expect(deriveSeed('drop-1', 'behavior-stats', 'kmeans', 'k=3')).toMatchInlineSnapshot(`3226153354`);
  });

  it('refuses ward or average with a sample smaller than kMin (they would get no candidate)', () => {
    expect(problemsOf({ algorithms: ['kmeans', 'ward'], kMin: 20, kMax: 25, hierarchicalSampleSize: 10 })).toEqual([
      "algorithms, hierarchicalSampleSize, kMin: algorithms 'ward' and 'average' cluster at most hierarchicalSampleSize (10) users exactly, " +
        'which cannot make kMin (20) segments; raise hierarchicalSampleSize to at least 20 or lower kMin',
    ]);
    expect(problemsOf({ algorithms: ['kmeans'], kMin: 20, kMax: 25, hierarchicalSampleSize: 10 })).toEqual([]);
  });
});
