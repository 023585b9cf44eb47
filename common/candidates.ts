/**
 * Sweep candidates: an encoder and one algorithm's typed parameters. The record written to files
 * (CandidateRef: encoder, algorithm, parameter label, k), the directory key and the seed all derive
 * from the typed parameters here, so no one parses a parameter string back. Pure code: workflows
 * import it. The parameter types themselves are declared by each algorithm's module
 * (activities/clustering/algorithms/).
 */
import type { AlgorithmParams } from '../activities/clustering/algorithms';
import type { CandidateRef } from './contracts';
import type { EncoderName } from './run-config';
import { deriveSeed } from './seed';

export type { AlgorithmParams };

export interface SweepCandidate {
  encoder: EncoderName;
  params: AlgorithmParams;
}

/** "k=5", "q=0.75,min_samples=10": every parameter but the algorithm, in declaration order. */
export function paramsLabel(params: AlgorithmParams): string {
  return Object.entries(params)
    .filter(([name]) => name !== 'algorithm')
    .map(([name, value]) => `${name}=${value}`)
    .join(',');
}

/** The candidate as leaderboards, score files and centroids.json record it. */
export function candidateRef(candidate: SweepCandidate): CandidateRef {
  const { params } = candidate;
  return { encoder: candidate.encoder, algorithm: params.algorithm, params: paramsLabel(params), k: 'k' in params ? params.k : 0 };
}

function asRef(candidate: CandidateRef | SweepCandidate): CandidateRef {
  return typeof candidate.params === 'string' ? candidate as CandidateRef : candidateRef(candidate as SweepCandidate);
}

/** A candidate's directory name under clusters/ (and its step names): file-safe, unique per candidate. */
export function candidateKey(candidate: CandidateRef | SweepCandidate): string {
  const ref = asRef(candidate);
  return `${ref.encoder}--${ref.algorithm}-${ref.params.replace(/[^A-Za-z0-9.]+/g, '')}`;
}

/** Whether two references name the same candidate (encoder, algorithm and parameters). */
export function sameCandidate(a: CandidateRef | SweepCandidate, b: CandidateRef | SweepCandidate): boolean {
  return candidateKey(a) === candidateKey(b);
}

/** A candidate's clustering seed: from the run's seed base and the candidate, so a retry gives the same labels. */
export function candidateSeed(seedBase: string, candidate: SweepCandidate): number {
  return deriveSeed(seedBase, candidate.encoder, candidate.params.algorithm, paramsLabel(candidate.params));
}
