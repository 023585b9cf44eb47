/**
 * scale-pieces: the per-user pieces a 10^6-user run spends its time on, each against the code it
 * replaced, in the same process on the same data (so the ratios hold on a machine whose speed
 * drifts between runs). Reads a finished `npm run bench -- scale` run:
 *   npm run bench -- scale-pieces [--run bench/out/scale-1000000] [--users 50000]
 * Pieces (reference -> ours): TF-IDF documents (event structs read into JavaScript -> the
 * tfidf_document macro); item2vec's inputs (event structs -> three lists); a screen's silhouette
 * (2,000 users against everyone -> against a 50,000-user reference sample); a full score's
 * silhouettes (Euclidean + cosine -> Euclidean); the next-purchase cross-validation (per-user
 * one-hot -> counts per segment); a full score's downstream evaluation (every user with held-out
 * events -> downstreamMaxUsers, baselines cached in both). Last line:
 * {"name":"scale-pieces","users","pieces":{piece:{"ours_s","reference_s","speedup"}}}.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadEmbeddingMatrix } from '../activities/clustering/embedding-matrix';
import { documentTokens } from '../activities/encoders/tfidf/documents';
import { readShardSequences } from '../activities/encoders/shard-sequences';
import { downstreamValue, type DownstreamOptions } from '../activities/evaluation/downstream';
import { createSegmentsTable } from '../activities/evaluation/segments-table';
import { downstreamOptions } from '../activities/score-candidate';
import type { ScoreCandidateInput } from '../common/contracts';
import { crossValidateSegments, kFoldCrossValidate } from '../activities/metrics/next-purchase';
import { estimateSilhouette, estimateSilhouetteOnReference } from '../activities/metrics/silhouette';
import { resolveRunConfig } from '../common/run-config';
import { projectPath } from '../lib/paths';
import { loadSql, openDuckDB, queryRows } from '../lib/runtime/duckdb';
import { readLabelsFile } from '../lib/runtime/labels-file';
import { withRunDatabase } from '../lib/runtime/run-database';
import { referenceEventDocument } from '../test/helpers/tfidf-document-reference';
import { round } from './helpers';

interface Piece {
  ours_s: number;
  reference_s: number;
  speedup: number;
}

async function timed<T>(body: () => Promise<T>): Promise<number> {
  const started = performance.now();
  await body();
  return (performance.now() - started) / 1000;
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({ args, options: { run: { type: 'string', default: projectPath('bench', 'out', 'scale-1000000') }, users: { type: 'string', default: '50000' } } });
  const runsDir = path.join(values.run, 'runs');
  const runDir = path.join(runsDir, fs.readdirSync(runsDir)[0]);
  const config = resolveRunConfig(JSON.parse(fs.readFileSync(path.join(runDir, 'config.json'), 'utf8')));
  const seed = Number(JSON.parse(fs.readFileSync(path.join(runDir, 'steps', fs.readdirSync(path.join(runDir, 'steps')).find((name) => name.startsWith('score-'))!), 'utf8')).madeFrom.seed);
  const pieces: Record<string, Piece> = {};
  const record = (name: string, reference: number, ours: number) => {
    pieces[name] = { ours_s: round(ours), reference_s: round(reference), speedup: round(reference / ours) };
    console.log(`${name}: reference ${reference.toFixed(2)} s, ours ${ours.toFixed(2)} s, ${(reference / ours).toFixed(2)}x`);
  };

  // Encoders' inputs, on the first shard's first --users users.
  const users = Number(values.users);
  const shard = path.join(runDir, 'shards', 'shard-0000.parquet');
  const memory = await openDuckDB(':memory:');
  try {
    const range = { shard_path: shard, from_row: 0, to_row: users };
    record('tfidf-documents',
      await timed(async () => (await readShardSequences(memory.connection, shard, 0, users)).map((user) => referenceEventDocument(user.events))),
      await timed(async () => (await memory.connection.runAndReadAll(loadSql('encoders/tfidf_documents.sql'), range)).getColumnsJS()[1].map((document) => documentTokens(document as string | null))));
    record('item2vec-inputs',
      await timed(async () => (await readShardSequences(memory.connection, shard, 0, users)).map((user) => [...user.events].sort((a, b) => Number(a.position) - Number(b.position)))),
      await timed(async () => (await memory.connection.runAndReadAll(loadSql('encoders/item2vec_events.sql'), range)).getColumnsJS()));
  } finally {
    memory.close();
  }

  // One candidate's scoring pieces: item2vec, k-means k=10.
  const key = 'item2vec--kmeans-k10';
  const embeddingDir = path.join(runDir, 'embeddings', 'item2vec');
  const paths = fs.readdirSync(embeddingDir).filter((name) => name.endsWith('.arrow')).sort().map((name) => path.join(embeddingDir, name));
  const { userIds, matrix } = await loadEmbeddingMatrix(paths, 'item2vec', config.pcaComponents);
  const { labels } = await readLabelsFile(path.join(runDir, 'clusters', key, 'labels.arrow'));
  record('screen-silhouette',
    await timed(() => estimateSilhouette(matrix, labels, { sampleSize: config.screenUsers, seed })),
    await timed(() => estimateSilhouetteOnReference(matrix, labels, { sampleSize: config.screenUsers, seed, referenceUsers: 50_000 })));
  const sampled = { sampleSize: config.silhouetteSampleSize, seed };
  record('score-silhouettes',
    await timed(async () => [await estimateSilhouette(matrix, labels, sampled), await estimateSilhouette(matrix, labels, { ...sampled, metric: 'cosine' })]),
    await timed(() => estimateSilhouette(matrix, labels, sampled)));

  await withRunDatabase(runDir, 'read-only', {}, async ({ connection }) => {
    await createSegmentsTable(connection, userIds, labels);
    const facts = await queryRows(connection, `SELECT s.segment, f.buys FROM segments AS s JOIN read_parquet('${path.join(runDir, 'evaluation', 'downstream-inputs', 'user_facts.parquet')}') AS f USING (user_id) ORDER BY user_id`);
    const segments = facts.map((row) => Number(row.segment));
    const buys = facts.map((row) => (row.buys ? 1 : 0));
    const columns = [...new Set(segments)].sort((a, b) => a - b);
    record('next-purchase',
      await timed(async () => {
        const oneHot = { data: new Float64Array(segments.length * columns.length), n: segments.length, d: columns.length };
        segments.forEach((segment, i) => (oneHot.data[i * columns.length + columns.indexOf(segment)] = 1));
        return kFoldCrossValidate(oneHot, buys, { folds: config.nextPurchaseFolds, seed, stratified: true });
      }),
      await timed(async () => crossValidateSegments(segments, buys, { folds: config.nextPurchaseFolds, seed })));
    // The run's own settings and cached inputs; baselines cached beside the run's, not over them.
    const options: DownstreamOptions = { ...await downstreamOptions({ runDir, config, seed } as unknown as ScoreCandidateInput), baselineCache: path.join(runDir, 'evaluation', 'bench-baselines.json') };
    const everyone = { ...options, baselineCache: path.join(runDir, 'evaluation', 'bench-baselines-all.json') };
    const sample = { ...options, maxUsers: config.downstreamMaxUsers };
    // The first call of each computes and caches its baselines, as the run's first candidate does.
    await downstreamValue(connection, everyone);
    await downstreamValue(connection, sample);
    record('downstream', await timed(() => downstreamValue(connection, everyone)), await timed(() => downstreamValue(connection, sample)));
  });
  return { users: matrix.n, pieces };
}
