import type { EvaluationConfig, SweepConfig } from '../../../common/run-config';
import type { Refit } from '../../evaluation/stability';
import type { Matrix } from '../../metrics/internal';

export interface FitResult {
  labels: Int32Array;
  inertia: number;
  iterations: number;
  /** Written to the candidate's centroids.json: what the fit decided (e.g. DBSCAN's eps); refits read it back. */
  details: Record<string, unknown>;
}

/**
 * One clustering algorithm of the sweep: the parameters it sweeps, its fit, and how stability
 * refits it. `P` is its typed parameter set (with `algorithm` as the discriminant); a candidate's
 * label, key and seed derive from it (common/candidates.ts).
 */
export interface SweepAlgorithm<P extends { algorithm: string }> {
  name: P['algorithm'];
  /**
   * Its segments are compact, convex groups by construction (centroid partitions; ward's
   * within-variance criterion). When every candidate is such, the selection rule ranks them by the
   * Euclidean silhouette alone, the index made for them (activities/evaluation/selection.ts).
   */
  convexSegments: boolean;
  /** The candidates' parameters for a run with `users` users to segment. */
  grid(config: SweepConfig, users: number): P[];
  fit(matrix: Matrix, params: P, context: { config: SweepConfig; seed: number }): Promise<FitResult>;
  /**
   * The refit that stability compares the labels with (`details`: what the fit recorded), and
   * whether it depends on its seed (only then are seed refits run).
   */
  refit(params: P, context: { config: SweepConfig & EvaluationConfig; details: Record<string, unknown> }): { fit: Refit; seeded: boolean };
}

/** Every k of the configured range that `users` users (and `limit`, for sampled algorithms) allow. */
export function kGrid<A extends string>(algorithm: A, config: SweepConfig, users: number, limit = users): Array<{ algorithm: A; k: number }> {
  const grid: Array<{ algorithm: A; k: number }> = [];
  for (let k = config.kMin; k <= Math.min(config.kMax, users, limit); k++) grid.push({ algorithm, k });
  return grid;
}
