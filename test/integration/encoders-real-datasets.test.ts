import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEmbeddingFile } from '../../lib/runtime/embedding-file';
import { dropRefFor } from '../../lib/runtime/drop-id';
import { projectPath } from '../../lib/paths';
import { startDrop } from '../../lib/client/pipeline-client';
import { readStepMarker } from '../../lib/runtime/run-dir';
import { withWorkers } from '../helpers/pipeline-harness';

const DATASETS = path.resolve(projectPath(), '..', 'shared', 'datasets');

/**
 * Every encoder on every real e-commerce dataset, through the real workflow. Users are sampled
 * (a stable hash of the id) so the transformer, ~8 users/s on two CPU cores, keeps the test short.
 */
const cases = [
  { name: 'rees46-cosmetics-sample', sampleUsersFraction: 0.04 },
  { name: 'taobao-userbehavior-2h', sampleUsersFraction: 0.006 },
  { name: 'taobao-userbehavior-long', sampleUsersFraction: 0.3 },
];
const ENCODERS = ['transformer', 'item2vec', 'tfidf', 'behavior-stats'];

describe('every encoder on every real dataset in ../shared/datasets', () => {
  for (const dataset of cases) {
    it(dataset.name, async () => {
      await withWorkers({ label: `encoders-${dataset.name}` }, async ({ client, taskQueues, dataDir }) => {
        // A private copy: the drop id (and so the workflow id) derives from the path.
        const source = path.join(dataDir, 'inputs', dataset.name);
        fs.mkdirSync(source, { recursive: true });
        for (const file of fs.readdirSync(path.join(DATASETS, dataset.name)).filter((name) => name.endsWith('.csv'))) {
          fs.copyFileSync(path.join(DATASETS, dataset.name, file), path.join(source, file));
        }
        const config = {
          encoders: ENCODERS, sampleUsersFraction: dataset.sampleUsersFraction, maxSequenceLength: 20,
          shardCount: 2, embedBatchSize: 100, kMin: 2, kMax: 4, item2vecMinCount: 1, tfidfComponents: 16,
        } as const;
        const run = await startDrop(client, dropRefFor(source), { dataDir, config: config as never, taskQueues });
        const output = await run.handle.result();
        const users = output.accounting.sequencedUsers;
        expect(users).toBeGreaterThan(50);

        const manifest = JSON.parse(fs.readFileSync(path.join(output.runDir, 'manifest.json'), 'utf8'));
        expect(Object.keys(manifest.encoders).sort()).toEqual([...ENCODERS].sort());
        expect(manifest.encoders.transformer.dimensions).toBe(384);
        expect(manifest.encoders.transformer.stats.users).toBe(users);
        expect(manifest.encoders.transformer.stats.tokens).toBeGreaterThan(users * 3);
        expect(manifest.encoders.item2vec).toMatchObject({ dimensions: 64, stats: { users, users_without_vector: 0 } });
        expect(manifest.encoders.item2vec.fit.withVector).toBeGreaterThan(10);
        expect(manifest.encoders.tfidf.dimensions).toBe(16);
        expect(manifest.encoders.tfidf.fit.terms).toBeGreaterThan(16);
        expect(manifest.encoders['behavior-stats'].dimensions).toBe(19);
        expect(manifest.config.encoders).toEqual(ENCODERS);

        // Fitted once per run, before the shards: one step marker each.
        for (const encoder of ['item2vec', 'tfidf']) expect(await readStepMarker(output.runDir, `fit-${encoder}`)).toBeDefined();

        for (const encoder of ENCODERS) {
          let rows = 0;
          for (const file of fs.readdirSync(path.join(output.runDir, 'embeddings', encoder)).filter((name) => name.endsWith('.arrow'))) {
            const block = await readEmbeddingFile(path.join(output.runDir, 'embeddings', encoder, file));
            rows += block.userIds.length;
            expect(block.vectors.every(Number.isFinite)).toBe(true);
            if (encoder === 'behavior-stats') continue;
            // The learned and pretrained encoders write unit vectors.
            for (let row = 0; row < block.userIds.length; row++) {
              const norm = Math.hypot(...block.vectors.subarray(row * block.dimensions, (row + 1) * block.dimensions));
              expect(norm).toBeCloseTo(1, 4);
            }
          }
          expect(rows).toBe(users);
        }
        const leaderboard = JSON.parse(fs.readFileSync(output.leaderboardPath, 'utf8')) as { rows: Array<{ candidate: { encoder: string } }> };
        expect(new Set(leaderboard.rows.map((row) => row.candidate.encoder))).toEqual(new Set(ENCODERS));
      });
    });
  }
});
