/**
 * The pipeline's stage functions called directly in one process, in the same order and with the
 * same concurrency as segmentDataDrop: the reference for the orchestration benchmark (what
 * Temporal costs on top), and a quick way to debug a stage without a server.
 */
import { createActivities } from '../activities';
import type { SegmentDataDropOutput } from '../common/contracts';
import { FITTED_ENCODERS, configSection, resolveRunConfig, type RunConfig } from '../common/run-config';
import { candidateSeed, sameCandidate } from '../common/candidates';
import { deriveSeed } from '../common/seed';
import { dropRefFor } from '../lib/runtime/drop-id';
import { runDirFor } from '../common/run-layout';
import { settleWithConcurrency } from '../workflows/concurrency';
import { candidatesToScoreFully, fullyScoredCount } from '../common/screening';

/** Wraps each stage (bench/scale.ts measures time and memory with it); the default just runs it. */
export type StageTimer = <T>(stage: string, body: () => Promise<T>) => Promise<T>;

export async function runPipelineDirectly(
  source: string, dataDir: string, overrides: Partial<RunConfig> = {}, stage: StageTimer = (_, body) => body(),
): Promise<SegmentDataDropOutput & { sweepSeconds: number }> {
  const activities = createActivities();
  const config = resolveRunConfig(overrides);
  const drop = dropRefFor(source);
  const runDir = runDirFor(dataDir, drop.dropId);
  const inspected = await stage('inspect', async () => {
    await activities.preflightRun({ runDir, config });
    return activities.inspectDrop({ runDir, source: drop.source, mappingFile: config.mappingFile });
  });
  const cleaned = await stage('clean', () => activities.cleanRawLogs({ runDir, files: inspected.files, pinned: inspected.pinned, format: inspected.format, delimiter: inspected.delimiter, config: configSection(config, 'ingest', 'runtime') }));
  const { shards } = await stage('shard', () => activities.shardUsers({ runDir, config: configSection(config, 'runtime') }));
  for (const encoder of config.encoders.filter((name) => FITTED_ENCODERS.includes(name))) {
    await stage(`fit:${encoder}`, () => activities.fitEncoder({ runDir, encoder, shards, seed: deriveSeed(config.seed || drop.dropId, 'fit', encoder), config: configSection(config, 'encoders', 'runtime') }));
  }
  const embeddings: Record<string, string[]> = {};
  for (const encoder of config.encoders) {
    const results = await stage(`embed:${encoder}`, () => settleWithConcurrency(shards, config.embedConcurrency, (shard) => activities.embedShard({ runDir, shard, encoder, config: configSection(config, 'encoders', 'runtime') })));
    embeddings[encoder] = results.map((result) => {
      if (result.status === 'rejected') throw result.reason;
      return result.value.path;
    });
  }
  const sweepStarted = performance.now();
  const { candidates } = await activities.planSweep({ users: cleaned.accounting.sequencedUsers, encoders: config.encoders, config });
  const evaluationSeed = deriveSeed(config.seed || drop.dropId, 'evaluate');
  const budget = { share: config.fullyScoredShare, min: config.fullyScoredMin };
  const screening = fullyScoredCount(candidates.length, budget) < candidates.length;
  // As workflows/sweep.ts: every candidate clustered (and screened when the budget is below them), the promising ones scored fully.
  const clustered = await stage(screening ? 'cluster+screen' : 'cluster', () => allOf(candidates, config.sweepConcurrency, async (candidate) => {
    const clustering = await activities.clusterCandidate({
      runDir, candidate, embeddingPaths: embeddings[candidate.encoder],
      seed: candidateSeed(config.seed || drop.dropId, candidate), config,
    });
    const input = { runDir, clustering, embeddingPaths: embeddings[candidate.encoder], seed: evaluationSeed, config };
    return { clustering, input, screen: screening ? await activities.screenCandidate(input) : undefined };
  }));
  const screens = screening ? clustered.map((entry) => entry.screen!) : undefined;
  const promising = screens ? new Set(candidatesToScoreFully(screens, budget)) : undefined;
  const swept = await stage('score', () => allOf(clustered.filter((entry) => !promising || promising.has(entry.screen!)), config.sweepConcurrency,
    async ({ clustering, input }) => ({ clustering, score: await activities.scoreCandidate(input) })));
  const evaluation = await stage('evaluate', () => activities.evaluateCandidates({ runDir, scores: swept.map((result) => result.score), screens, config }));
  const sweepSeconds = (performance.now() - sweepStarted) / 1000;
  const chosen = swept.find((result) => sameCandidate(result.clustering.candidate, evaluation.chosen))!.clustering;
  const published = await stage('publish', () => activities.publishSegmentation({
    runDir, dropId: drop.dropId, leaderboardPath: evaluation.leaderboardPath, chosen: evaluation.chosen,
    selectionReason: evaluation.selectionReason, accounting: cleaned.accounting, labelsPath: chosen.labelsPath, workflowId: 'direct', embeddingPaths: embeddings[evaluation.chosen.encoder],
  }));
  return {
    runDir, reportPath: published.reportPath, segmentsPath: published.segmentsPath, leaderboardPath: evaluation.leaderboardPath,
    chosen: evaluation.chosen, accounting: cleaned.accounting, sweepSeconds,
  };
}

async function allOf<T, R>(items: readonly T[], concurrency: number, task: (item: T) => Promise<R>): Promise<R[]> {
  return (await settleWithConcurrency(items, concurrency, task)).map((result) => {
    if (result.status === 'rejected') throw result.reason;
    return result.value;
  });
}
