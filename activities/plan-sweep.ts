import type { PlanSweepInput, PlanSweepOutput } from '../common/contracts';
import { cannotCluster } from '../common/errors';
import { algorithmNamed } from './clustering/algorithms';

/**
 * The sweep's candidates: for each encoder, each configured algorithm's parameter grid for the
 * run's number of segmented users, in the config's order (encoders, then algorithms). Fails
 * (RunConfigError) when an algorithm gets no candidate at all.
 */
export async function planSweep(input: PlanSweepInput): Promise<PlanSweepOutput> {
  const { config, users } = input;
  const grids = config.algorithms.map((name) => algorithmNamed(name).grid(config, users));
  // Only a k-based grid can be empty: fewer users than kMin.
  if (grids.some((grid) => grid.length === 0)) throw cannotCluster(users, config.kMin);
  const candidates = input.encoders.flatMap((encoder) => grids.flatMap((grid) => grid.map((params) => ({ encoder, params }))));
  return { candidates };
}
