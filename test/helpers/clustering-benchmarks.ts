import { adjustedRandIndex } from '../../activities/metrics/external';
import type { Matrix } from '../../activities/metrics/internal';
import { loadLabelledSet, SHARED_BENCHMARKS } from '../../lib/tooling/labelled-sets';

/** ../shared/datasets/clustering-benchmarks (see its SOURCE.md): battery/name.data.gz + .labels0.gz. */
export const BENCHMARKS = SHARED_BENCHMARKS;

/**
 * A labelled benchmark ("sipu/s1") as the sweep sees its data (standardized columns, float32), and
 * the ARI of a labelling against its reference partition, leaving out the points the suite marks
 * as noise (label 0), as the fixture scripts in scripts/python do.
 */
export function labelledBenchmark(name: string): { matrix: Matrix; truth: number[]; ari: (labels: ArrayLike<number>) => number } {
  const { matrix, truth } = loadLabelledSet(BENCHMARKS, name);
  const kept = truth.flatMap((label, i) => (label > 0 ? [i] : []));
  return { matrix, truth, ari: (labels) => adjustedRandIndex(kept.map((i) => truth[i]), kept.map((i) => labels[i])) };
}
