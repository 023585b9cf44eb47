import path from 'node:path';
import type { CandidateRef, ClusterCandidateInput, ClusterCandidateOutput } from '../common/contracts';
import { writeJsonAtomic } from '../lib/atomic-write';
import { writeLabelsFile } from '../lib/labels-file';
import { runStepOnce } from '../lib/run-dir';
import { heartbeat } from '../lib/activity-progress';
import { kmeans } from './clustering/kmeans';
import { loadEmbeddingMatrix } from './embedding-matrix';

export function candidateKey(candidate: CandidateRef): string {
  return `${candidate.encoder}--${candidate.algorithm}-${candidate.params.replace(/[^A-Za-z0-9.]+/g, '')}`;
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
    if (matrix.n < input.candidate.k) {
      throw new Error(`cannot cluster ${matrix.n} users into k=${input.candidate.k} segments`);
    }
    const result = await kmeans(matrix.data, matrix.n, matrix.d, {
      k: input.candidate.k,
      seed: input.seed,
      nInit: input.config.kmeansInit,
      maxIterations: input.config.kmeansMaxIterations,
    });
    const directory = path.join(input.runDir, 'clusters', key);
    const labelsPath = path.join(directory, 'labels.arrow');
    await writeLabelsFile(labelsPath, userIds, result.labels);
    await writeJsonAtomic(path.join(directory, 'centroids.json'), {
      candidate: input.candidate,
      dimensions: matrix.d,
      pca: pca ? { components: pca.components, explainedVarianceRatio: Array.from(pca.explainedVarianceRatio) } : null,
      centroids: Array.from({ length: input.candidate.k }, (_, c) => Array.from(result.centers.subarray(c * matrix.d, (c + 1) * matrix.d))),
    });
    return {
      candidate: input.candidate,
      labelsPath,
      inertia: result.inertia,
      iterations: result.iterations,
      seconds: (performance.now() - started) / 1000,
    };
  });
}
