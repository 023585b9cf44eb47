/**
 * The clustering algorithms of the sweep. Adding one: a module in this folder declaring its typed
 * parameters, grid, fit and refit (see algorithm.ts), one line here, its name in the config's
 * `algorithms` values (common/config/sweep.ts; a test checks both lists agree), and its tests.
 */
import { internalInvariantError } from '../../../common/errors';
import type { SweepAlgorithm } from './algorithm';
import { averageAlgorithm, wardAlgorithm } from './hierarchical';
import { dbscanAlgorithm } from './dbscan';
import { distributedKMeansAlgorithm } from './distributed-kmeans';
import { hdbscanAlgorithm } from './hdbscan';
import { kmeansAlgorithm } from './kmeans';
import { miniBatchKMeansAlgorithm } from './minibatch-kmeans';
import { spectralAlgorithm } from './spectral';

export const ALGORITHMS = [
  kmeansAlgorithm,
  miniBatchKMeansAlgorithm,
  distributedKMeansAlgorithm,
  wardAlgorithm,
  averageAlgorithm,
  dbscanAlgorithm,
  hdbscanAlgorithm,
  spectralAlgorithm,
] as const;

/** Every algorithm's parameters: a union discriminated by `algorithm`. */
export type AlgorithmParams = ReturnType<(typeof ALGORITHMS)[number]['grid']>[number];

export function algorithmNamed(name: string): SweepAlgorithm<AlgorithmParams> {
  const algorithm = ALGORITHMS.find((candidate) => candidate.name === name);
  // The config schema accepts only registered names (test/unit/algorithm-registry.test.ts keeps the two lists equal).
  if (!algorithm) throw internalInvariantError(`no clustering algorithm named ${JSON.stringify(name)}; known: ${ALGORITHMS.map((known) => known.name).join(', ')}`);
  return algorithm as unknown as SweepAlgorithm<AlgorithmParams>;
}

/** The algorithm of a candidate's parameters, typed for them. */
export function algorithmFor<P extends AlgorithmParams>(params: P): SweepAlgorithm<P> {
  return algorithmNamed(params.algorithm) as unknown as SweepAlgorithm<P>;
}

export type { SweepAlgorithm, FitResult } from './algorithm';
