import type { ColumnStats, ShardPartialSums } from '../common/distributed-kmeans';
import { candidateRef, type SweepCandidate } from '../common/candidates';
import type { ClusterCandidateOutput } from '../common/contracts';
import { cannotCluster } from '../common/errors';
import { writeJsonAtomic } from '../lib/runtime/atomic-write';
import { readEmbeddingFile, writeEmbeddingFile } from '../lib/runtime/embedding-file';
import { readLabelsFile, writeLabelsFile } from '../lib/runtime/labels-file';
import { jsBackend } from './clustering/distance-backend';
import { kmeansPlusPlus } from './clustering/kmeans';
import { sampleIndices, seededRandom } from './clustering/random';
import { runFiles, runSteps } from '../common/run-layout';
import { recordStep } from '../lib/runtime/run-dir';

/**
 * The shard side of distributed k-means (workflows/distributed-kmeans.ts drives the iterations):
 * every activity reads one shard's embedding file where it lies and returns k x d numbers at most;
 * samples and labels go to files in the run directory.
 */
export interface Standardization { mean: number[]; scale: number[] }

async function shardVectors(embeddingPath: string, standardization?: Standardization | null) {
  const block = await readEmbeddingFile(embeddingPath);
  if (standardization) {
    const { vectors, dimensions: d } = block;
    for (let i = 0; i < block.userIds.length; i++) {
      for (let j = 0; j < d; j++) vectors[i * d + j] = (vectors[i * d + j] - standardization.mean[j]) * standardization.scale[j];
    }
  }
  return block;
}

export async function shardColumnStats(input: { embeddingPath: string }): Promise<ColumnStats> {
  const { vectors, dimensions: d, userIds } = await readEmbeddingFile(input.embeddingPath);
  const sums = new Array<number>(d).fill(0);
  const sumsOfSquares = new Array<number>(d).fill(0);
  for (let i = 0; i < userIds.length; i++) {
    for (let j = 0; j < d; j++) {
      const value = vectors[i * d + j];
      sums[j] += value;
      sumsOfSquares[j] += value * value;
    }
  }
  return { n: userIds.length, sums, sumsOfSquares };
}

/** A seeded sample of a shard's (standardized) vectors, written to `samplePath` for the initialisation. */
export async function shardSample(input: { embeddingPath: string; count: number; seed: number; samplePath: string; standardization?: Standardization | null }): Promise<{ samplePath: string; rows: number }> {
  const block = await shardVectors(input.embeddingPath, input.standardization);
  const chosen = sampleIndices(block.userIds.length, Math.min(input.count, block.userIds.length), seededRandom(input.seed));
  const d = block.dimensions;
  const vectors = new Float32Array(chosen.length * d);
  chosen.forEach((row, i) => vectors.set(block.vectors.subarray(row * d, (row + 1) * d), i * d));
  await writeEmbeddingFile(input.samplePath, { userIds: Array.from(chosen, (row) => block.userIds[row]), vectors, dimensions: d });
  return { samplePath: input.samplePath, rows: chosen.length };
}

/**
 * Greedy k-means++ (as scikit-learn) on the union of the shards' samples, `seedings` times; the
 * seeding with the lowest inertia on the sample is kept (the distributed stand-in for n_init).
 */
export async function kmeansInitFromSamples(input: { samplePaths: string[]; k: number; seed: number; seedings?: number }): Promise<{ centers: number[] }> {
  const blocks = await Promise.all(input.samplePaths.map((file) => readEmbeddingFile(file)));
  const d = blocks[0].dimensions;
  const n = blocks.reduce((total, block) => total + block.userIds.length, 0);
  if (n < input.k) throw cannotCluster(n, input.k);
  const data = new Float32Array(n * d);
  let offset = 0;
  for (const block of blocks) {
    data.set(block.vectors, offset);
    offset += block.vectors.length;
  }
  const backend = jsBackend(data, n, d);
  const random = seededRandom(input.seed);
  try {
    let best: { centers: Float64Array; inertia: number } | undefined;
    for (let seeding = 0; seeding < (input.seedings ?? 1); seeding++) {
      const centers = await kmeansPlusPlus(data, n, d, input.k, random, backend);
      const inertia = (await backend.nearest(centers, input.k)).distances.reduce((sum, value) => sum + value, 0);
      if (!best || inertia < best.inertia) best = { centers, inertia };
    }
    return { centers: Array.from(best!.centers) };
  } finally {
    await backend.dispose();
  }
}

/** Nearest centre of every user of a shard (the same kernel as in-process k-means's reference backend). */
async function nearestCenters(vectors: Float32Array, n: number, d: number, centers: number[], k: number) {
  return jsBackend(vectors, n, d).nearest(Float64Array.from(centers), k);
}

/** One shard's part of a Lloyd iteration: per-centre sums and counts for the given centres. */
export async function kmeansPartialSums(input: { embeddingPath: string; centers: number[]; k: number; standardization?: Standardization | null }): Promise<ShardPartialSums> {
  const { vectors, dimensions: d, userIds } = await shardVectors(input.embeddingPath, input.standardization);
  const { labels, distances } = await nearestCenters(vectors, userIds.length, d, input.centers, input.k);
  const sums = new Array<number>(input.k * d).fill(0);
  const counts = new Array<number>(input.k).fill(0);
  let inertia = 0;
  for (let i = 0; i < userIds.length; i++) {
    const center = labels[i];
    counts[center]++;
    inertia += distances[i];
    for (let j = 0; j < d; j++) sums[center * d + j] += vectors[i * d + j];
  }
  return { sums, counts, inertia };
}

/** Final assignment of one shard's users to the converged centres (labels file per shard). */
export async function kmeansAssignShard(input: { embeddingPath: string; centers: number[]; k: number; labelsPath: string; standardization?: Standardization | null }): Promise<{ labelsPath: string; inertia: number }> {
  const { vectors, dimensions: d, userIds } = await shardVectors(input.embeddingPath, input.standardization);
  const { labels, distances } = await nearestCenters(vectors, userIds.length, d, input.centers, input.k);
  await writeLabelsFile(input.labelsPath, userIds, labels);
  return { labelsPath: input.labelsPath, inertia: distances.reduce((sum, distance) => sum + distance, 0) };
}

/** Concatenates the shards' labels (shard order, as the evaluation loads embeddings) into the candidate's labels file. */
export async function mergeShardLabels(input: {
  runDir: string; candidate: SweepCandidate; candidateKey: string; shardLabelPaths: string[]; centers: number[]; dimensions: number;
  inertia: number; iterations: number; seconds: number;
}): Promise<ClusterCandidateOutput> {
  const userIds: string[] = [];
  const parts: Int32Array[] = [];
  for (const file of input.shardLabelPaths) {
    const part = await readLabelsFile(file);
    userIds.push(...part.userIds);
    parts.push(part.labels);
  }
  const labels = new Int32Array(userIds.length);
  let offset = 0;
  for (const part of parts) {
    labels.set(part, offset);
    offset += part.length;
  }
  const labelsPath = runFiles.labelsFile(input.runDir, input.candidateKey);
  await writeLabelsFile(labelsPath, userIds, labels);
  const k = input.centers.length / input.dimensions;
  await writeJsonAtomic(runFiles.centroidsFile(input.runDir, input.candidateKey), {
    candidate: candidateRef(input.candidate),
    dimensions: input.dimensions,
    distributed: { shards: input.shardLabelPaths.length, iterations: input.iterations },
    centroids: Array.from({ length: k }, (_, c) => input.centers.slice(c * input.dimensions, (c + 1) * input.dimensions)),
  });
  const output = { candidate: input.candidate, labelsPath, inertia: input.inertia, iterations: input.iterations, clusters: k, seconds: input.seconds };
  // The same checkpoint record as clusterCandidate's, so scoring keys on what it read.
  await recordStep({
    runDir: input.runDir,
    step: runSteps.cluster(input.candidateKey),
    madeFrom: { candidate: input.candidate, centers: input.centers, iterations: input.iterations },
    upstream: input.shardLabelPaths.length > 0 ? runSteps.embedAll(input.candidate.encoder, input.shardLabelPaths.length) : [],
    outputs: () => [{ file: labelsPath }, { file: runFiles.centroidsFile(input.runDir, input.candidateKey) }],
  }, output);
  return output;
}
