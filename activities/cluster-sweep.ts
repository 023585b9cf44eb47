import path from 'node:path';
import type { ClusterCandidateInput, ClusterCandidateOutput } from '../common/contracts';
import { cannotCluster } from '../common/errors';
import { candidateKey } from '../common/ids';
import { writeJsonAtomic } from '../lib/atomic-write';
import { writeLabelsFile } from '../lib/labels-file';
import { runStepOnce } from '../lib/run-dir';
import { heartbeat } from '../lib/activity-progress';
import { dbscan } from './clustering/dbscan';
import { epsFromKDistance } from './clustering/eps-from-k-distance';
import { hdbscanSampled } from './clustering/hdbscan-sampled';
import { hierarchical } from './clustering/hierarchical';
import { kmeans } from './clustering/kmeans';
import { miniBatchKMeans } from './clustering/minibatch-kmeans';
import { centroids, inertia, type Matrix } from './metrics/internal';
import { loadEmbeddingMatrix } from './embedding-matrix';

/** Shared with the workflows (distributed k-means writes into the same directory). */
export { candidateKey } from '../common/ids';

interface AlgorithmResult {
  labels: Int32Array;
  inertia: number;
  iterations: number;
  /** Written to centroids.json: what the algorithm decided (e.g. DBSCAN's eps). */
  details: Record<string, unknown>;
}

async function runAlgorithm(input: ClusterCandidateInput, matrix: Matrix): Promise<AlgorithmResult> {
  const { candidate, config, seed } = input;
  switch (candidate.algorithm) {
    case 'kmeans': {
      const result = await kmeans(matrix.data, matrix.n, matrix.d, { k: candidate.k, seed, nInit: config.kmeansInit, maxIterations: config.kmeansMaxIterations });
      return { labels: result.labels, inertia: result.inertia, iterations: result.iterations, details: {} };
    }
    case 'distributed-kmeans':
      throw new Error('distributed-kmeans candidates run as the distributedKMeans child workflow, not in clusterCandidate');
    case 'minibatch-kmeans': {
      const result = await miniBatchKMeans(matrix.data, matrix.n, matrix.d, { k: candidate.k, seed, batchSize: config.minibatchSize });
      return { labels: result.labels, inertia: result.inertia, iterations: result.steps, details: { batchSize: config.minibatchSize, steps: result.steps } };
    }
    case 'ward':
    case 'average': {
      const labels = await hierarchical(matrix.data, matrix.n, matrix.d, { k: candidate.k, linkage: candidate.algorithm, sampleSize: config.hierarchicalSampleSize, seed });
      return { labels, inertia: inertia(matrix, labels), iterations: 0, details: { linkage: candidate.algorithm, sampleSize: Math.min(matrix.n, config.hierarchicalSampleSize) } };
    }
    case 'dbscan': {
      const { quantile, minSamples } = parseDbscanParams(candidate.params);
      const eps = await epsFromKDistance(matrix.data, matrix.n, matrix.d, minSamples, quantile, seed);
      const result = await dbscan(matrix.data, matrix.n, matrix.d, eps, minSamples);
      return { labels: result.labels, inertia: NaN, iterations: 0, details: { eps, minSamples, quantile, clusters: result.clusters } };
    }
    case 'hdbscan': {
      const settings = hdbscanSettings(candidate.params, matrix.n, config);
      const result = await hdbscanSampled(matrix.data, matrix.n, matrix.d, { ...settings, seed });
      return { labels: result.labels, inertia: NaN, iterations: 0, details: { ...settings, sampled: result.sampled, clusters: result.clusters } };
    }
  }
}

/** "min_cluster_share=0.05" (see sweepCandidates) -> HDBSCAN's settings for n users. */
export function hdbscanSettings(params: string, n: number, config: { hdbscanMinSamples: number; hdbscanSampleSize: number }) {
  const match = /^min_cluster_share=([0-9.e-]+)$/.exec(params);
  if (!match) throw new Error(`HDBSCAN candidate params ${JSON.stringify(params)}; expected min_cluster_share=<share of users>`);
  const clustered = Math.min(n, config.hdbscanSampleSize);
  const minClusterSize = Math.max(2, Math.round(Number(match[1]) * clustered));
  return { minClusterSize, minSamples: Math.min(config.hdbscanMinSamples, minClusterSize, clustered), sampleSize: config.hdbscanSampleSize };
}

/** "q=0.75,min_samples=10" (see sweepCandidates). */
export function parseDbscanParams(params: string): { quantile: number; minSamples: number } {
  const match = /^q=([0-9.]+),min_samples=(\d+)$/.exec(params);
  if (!match) throw new Error(`DBSCAN candidate params ${JSON.stringify(params)}; expected q=<quantile>,min_samples=<n>`);
  return { quantile: Number(match[1]), minSamples: Number(match[2]) };
}

/**
 * One sweep candidate: clusters an encoder's embeddings with one algorithm and parameter set,
 * seeded from the run id, and writes labels and centroids under clusters/<candidate>/.
 */
export async function clusterCandidate(input: ClusterCandidateInput): Promise<ClusterCandidateOutput> {
  const key = candidateKey(input.candidate);
  return runStepOnce(input.runDir, `cluster-${key}`, async () => {
    const started = performance.now();
    const { userIds, matrix, pca } = await loadEmbeddingMatrix(input.embeddingPaths, input.candidate.encoder, input.config.pcaComponents);
    heartbeat('loaded');
    if (input.candidate.k > 0 && matrix.n < input.candidate.k) {
      throw cannotCluster(matrix.n, input.candidate.k);
    }
    const result = await runAlgorithm(input, matrix);
    const directory = path.join(input.runDir, 'clusters', key);
    const labelsPath = path.join(directory, 'labels.arrow');
    await writeLabelsFile(labelsPath, userIds, result.labels);
    const found = centroids(matrix, result.labels);
    await writeJsonAtomic(path.join(directory, 'centroids.json'), {
      candidate: input.candidate,
      dimensions: matrix.d,
      ...result.details,
      pca: pca ? { components: pca.components, explainedVarianceRatio: Array.from(pca.explainedVarianceRatio) } : null,
      centroids: Array.from({ length: found.k }, (_, c) => Array.from(found.centers.subarray(c * matrix.d, (c + 1) * matrix.d))),
    });
    return {
      candidate: input.candidate,
      labelsPath,
      inertia: result.inertia,
      iterations: result.iterations,
      clusters: found.k,
      seconds: (performance.now() - started) / 1000,
    };
  });
}
