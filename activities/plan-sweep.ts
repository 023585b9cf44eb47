import type { PlanSweepInput, PlanSweepOutput } from '../common/contracts';
import { algorithmNamed } from './clustering/algorithms';

/**
 * The sweep's candidates: for each encoder, each configured algorithm's parameter grid for the
 * run's number of segmented users, in the config's order (encoders, then algorithms).
 */
export async function planSweep(input: PlanSweepInput): Promise<PlanSweepOutput> {
  const { config, users } = input;
  const candidates = input.encoders.flatMap((encoder) => config.algorithms.flatMap((name) => {
    return algorithmNamed(name).grid(config, users).map((params) => ({ encoder, params }));
  }));
  return { candidates };
}
