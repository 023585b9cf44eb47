import type { CandidateMetrics, ScoreCandidateInput, ScreenCandidateOutput } from '../common/contracts';
import { writeJsonAtomic } from '../lib/runtime/atomic-write';
import { runFiles, runSteps } from '../common/run-layout';
import { resultSettings } from '../common/run-config';
import { readLabelsFile } from '../lib/runtime/labels-file';
import { heartbeat } from '../lib/runtime/activity-progress';
import { runStepOnce } from '../lib/runtime/run-dir';
import { candidateKey, candidateRef } from '../common/candidates';
import { INTERNAL_RULE_THRESHOLDS } from '../common/internal-rule-thresholds';
import { algorithmFor } from './clustering/algorithms';
import { downstreamValue } from './evaluation/downstream';
import { withSharedEmbeddingMatrix } from './evaluation/shared-embedding-matrix';
import { stability, stabilityScore } from './evaluation/stability';
import { utility } from './evaluation/stable-lift';
import { densityWeightFor, structureScore } from './evaluation/selection';
import { clusterSizeDistribution, noiseFraction } from './metrics/cluster-shape';
import { centroids, type Matrix } from './metrics/internal';
import { sampledDensitySilhouette } from './metrics/density-silhouette';
import { estimateSilhouetteOnReference } from './metrics/silhouette';
import { CANDIDATE_METRICS_VERSION, clusteringDetails, downstreamOptions, withCandidateSegments } from './score-candidate';

/** Paired-bootstrap resamples of a screen's lift interval: it ranks candidates, it is not reported. */
const SCREEN_BOOTSTRAP_SAMPLES = 200;
/**
 * A screen's silhouette scores its sampled users against a seeded sample of this many users (or
 * screenUsers, if more) instead of every user: at 10^6 users it costs 4 s otherwise, in each of
 * the sweep's ~60 screens. Full scoring measures against every user.
 */
const SCREEN_SILHOUETTE_REFERENCE_USERS = 50_000;

/**
 * The cheap first rung of the sweep's successive halving (docs/EVALUATION.md, "Successive
 * halving"): the same quantities the selection rule weighs, estimated on samples of
 * `screenUsers` users: one stability refit with another seed (or on a subsample, for
 * deterministic algorithms), the NDCG@10 lift over popularity on sampled validation users, the
 * noise share, and a sampled silhouette and the density silhouette for the internal rule. The workflow scores fully only the
 * candidates these rank best; the test half of the users plays no part here either.
 */
export async function screenCandidate(input: ScoreCandidateInput): Promise<ScreenCandidateOutput> {
  const key = candidateKey(input.clustering.candidate);
  const step = {
    runDir: input.runDir,
    step: runSteps.screen(key),
    madeFrom: { candidate: input.clustering.candidate, seed: input.seed, config: resultSettings(input.config), metrics: CANDIDATE_METRICS_VERSION },
    upstream: [runSteps.clean, runSteps.shard, runSteps.cluster(key), ...runSteps.embedAll(input.clustering.candidate.encoder, input.embeddingPaths.length)],
    outputs: () => [{ file: runFiles.candidateScreen(input.runDir, key) }],
  };
  return runStepOnce(step, async () => {
    const metrics = await computeScreenMetrics(input);
    const screenPath = runFiles.candidateScreen(input.runDir, key);
    await writeJsonAtomic(screenPath, metrics);
    const rankedOn = utility(metrics);
    return { candidate: input.clustering.candidate, screenPath, utility: Number.isFinite(rankedOn) ? rankedOn : null, internalScore: internalScore(metrics, input.config.algorithms) };
  });
}

/**
 * The internal rule as one number, without its cliffs: its structure score (silhouette blended
 * with the density silhouette, selection.ts) less the shortfall of stability
 * below its threshold and the excess of noise above its limit. Ranks candidates when no screen has
 * held-out evidence (the rule then falls back on the internal rule too).
 */
export function internalScore(metrics: CandidateMetrics, sweptAlgorithms: string[]): number | null {
  if (!Number.isFinite(metrics.silhouette)) return null;
  const { minStability, maxNoiseFraction } = INTERNAL_RULE_THRESHOLDS;
  const stable = stabilityScore(metrics.stability) ?? 1;
  const noise = metrics.shape?.noiseFraction ?? 0;
  // The weight the rule will use for this sweep (it cannot see the other screens from here).
  const weight = Number.isFinite(metrics.densitySilhouette ?? NaN) ? densityWeightFor(sweptAlgorithms) : 0;
  return structureScore(metrics, weight) - Math.max(0, minStability - stable) - Math.max(0, noise - maxNoiseFraction);
}

async function computeScreenMetrics(input: ScoreCandidateInput): Promise<CandidateMetrics> {
  const { encoder } = input.clustering.candidate;
  return withSharedEmbeddingMatrix(input.embeddingPaths, encoder, input.config.pcaComponents, (loaded) => screenOn(input, loaded.userIds, loaded.matrix));
}

async function screenOn(input: ScoreCandidateInput, userIds: string[], matrix: Matrix): Promise<CandidateMetrics> {
  const started = performance.now();
  const { config, clustering } = input;
  const { params } = clustering.candidate;
  const { labels } = await readLabelsFile(clustering.labelsPath);
  const clusterSizes = Array.from(centroids(matrix, labels).sizes).filter((size) => size > 0);
  const clustered = clusterSizes.reduce((sum, size) => sum + size, 0);
  const silhouette = clusterSizes.length >= 2
    ? await estimateSilhouetteOnReference(matrix, labels, {
      sampleSize: Math.min(clustered, config.screenUsers),
      seed: input.seed,
      referenceUsers: Math.max(SCREEN_SILHOUETTE_REFERENCE_USERS, config.screenUsers),
    })
    : null;
  // The same sample and seed as full scoring: the screen's value is the full score's.
  const density = clusterSizes.length >= 2 ? await sampledDensitySilhouette(matrix, labels, input.seed) : NaN;
  heartbeat('internal');
  const refit = algorithmFor(params).refit(params, { config, details: await clusteringDetails(input.runDir, candidateKey(clustering.candidate)) });
  const screenStability = await stability(matrix, labels, refit.fit, {
    seedRuns: refit.seeded ? 1 : 0,
    bootstrapRuns: refit.seeded ? 0 : 1,
    subsampleShare: config.stabilitySubsampleShare,
    maxPoints: Math.min(config.stabilityMaxUsers, config.screenUsers),
    seed: input.seed,
    maxIterations: config.kmeansMaxIterations,
  });
  heartbeat('stability');
  return {
    candidate: candidateRef(clustering.candidate),
    silhouette: silhouette?.value ?? NaN,
    silhouetteSampled: silhouette?.sampled ?? false,
    densitySilhouette: density,
    daviesBouldin: NaN,
    calinskiHarabasz: NaN,
    inertia: NaN,
    clusterSizes,
    clusterSeconds: clustering.seconds,
    // The rule reads only the noise share; the distances (O(users x dimensions), 1.3 s at 10^6
    // users, in each of ~60 screens) are measured by full scoring.
    shape: { sizes: clusterSizeDistribution(labels), meanIntraDistance: NaN, meanInterCentroidDistance: NaN, noiseFraction: noiseFraction(labels) },
    stability: screenStability,
    downstream: await screenDownstream(input, userIds, labels),
    scoreSeconds: (performance.now() - started) / 1000,
  };
}

async function screenDownstream(input: ScoreCandidateInput, userIds: string[], labels: Int32Array) {
  return withCandidateSegments(input, userIds, labels, async (connection) => {
    const result = await downstreamValue(connection, {
      ...await downstreamOptions(input),
      bootstrapSamples: SCREEN_BOOTSTRAP_SAMPLES,
      baselineCache: runFiles.screenBaselines(input.runDir),
      screenUsers: input.config.screenUsers,
    });
    return result?.summary ?? null;
  });
}
