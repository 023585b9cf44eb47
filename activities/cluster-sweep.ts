import type { ClusterCandidateInput, ClusterCandidateOutput } from '../common/contracts';
import { candidateKey, candidateRef } from '../common/candidates';
import { cannotCluster } from '../common/errors';
import { writeJsonAtomic } from '../lib/runtime/atomic-write';
import { writeLabelsFile } from '../lib/runtime/labels-file';
import { runStepOnce } from '../lib/runtime/run-dir';
import { heartbeat } from '../lib/runtime/activity-progress';
import { algorithmFor } from './clustering/algorithms';
import { centroids } from './metrics/internal';
import { withSharedEmbeddingMatrix } from './evaluation/shared-embedding-matrix';
import { runFiles, runSteps } from '../common/run-layout';
import { resultSettings } from '../common/run-config';

/**
 * One sweep candidate: clusters an encoder's embeddings with one algorithm and parameter set,
 * seeded from the run id, and writes labels and centroids under clusters/<candidate>/.
 */
export async function clusterCandidate(input: ClusterCandidateInput): Promise<ClusterCandidateOutput> {
  const key = candidateKey(input.candidate);
  const step = {
    runDir: input.runDir,
    step: runSteps.cluster(key),
    madeFrom: { candidate: input.candidate, seed: input.seed, config: resultSettings(input.config) },
    upstream: runSteps.embedAll(input.candidate.encoder, input.embeddingPaths.length),
    outputs: () => [{ file: runFiles.labelsFile(input.runDir, key) }, { file: runFiles.centroidsFile(input.runDir, key) }],
  };
  // Candidates of one encoder clustered (and screened) at once in this process share one loaded
  // matrix: at 10^6 users a load costs 1.5 s, in each of ~60 candidates. No algorithm writes to it.
  return runStepOnce(step, () => withSharedEmbeddingMatrix(input.embeddingPaths, input.candidate.encoder, input.config.pcaComponents, async ({ userIds, matrix, pca }) => {
    const started = performance.now();
    const { params } = input.candidate;
    heartbeat('loaded');
    if ('k' in params && matrix.n < params.k) {
      throw cannotCluster(matrix.n, params.k);
    }
    const result = await algorithmFor(params).fit(matrix, params, { config: input.config, seed: input.seed });
    const labelsPath = runFiles.labelsFile(input.runDir, key);
    await writeLabelsFile(labelsPath, userIds, result.labels);
    const found = centroids(matrix, result.labels);
    await writeJsonAtomic(runFiles.centroidsFile(input.runDir, key), {
      candidate: candidateRef(input.candidate),
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
  }));
}
