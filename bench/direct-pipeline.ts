/**
 * The pipeline's stage functions called directly in one process, in the same order and with the
 * same concurrency as segmentDataDrop: the reference for the orchestration benchmark (what
 * Temporal costs on top), and a quick way to debug a stage without a server.
 */
import { createActivities } from '../activities';
import type { SegmentDataDropOutput } from '../common/contracts';
import { FITTED_ENCODERS, resolveRunConfig, type RunConfig } from '../common/run-config';
import { candidateSeed, sameCandidate } from '../common/candidates';
import { deriveSeed } from '../common/seed';
import { dropRefFor } from '../lib/runtime/drop-id';
import { runDirFor } from '../common/run-layout';
import { settleWithConcurrency } from '../workflows/concurrency';

export async function runPipelineDirectly(source: string, dataDir: string, overrides: Partial<RunConfig> = {}): Promise<SegmentDataDropOutput> {
  const activities = createActivities();
  const config = resolveRunConfig(overrides);
  const drop = dropRefFor(source);
  const runDir = runDirFor(dataDir, drop.dropId);
  await activities.preflightRun({ runDir, config });
  const inspected = await activities.inspectDrop({ runDir, source: drop.source, mappingFile: config.mappingFile });
  const cleaned = await activities.cleanRawLogs({ runDir, files: inspected.files, pinned: inspected.pinned, format: inspected.format, delimiter: inspected.delimiter, config });
  const { shards } = await activities.shardUsers({ runDir, config });
  for (const encoder of config.encoders.filter((name) => FITTED_ENCODERS.includes(name))) {
    await activities.fitEncoder({ runDir, encoder, shards, seed: deriveSeed(config.seed || drop.dropId, 'fit', encoder), config });
  }
  const embeddings: Record<string, string[]> = {};
  for (const encoder of config.encoders) {
    const results = await settleWithConcurrency(shards, config.embedConcurrency, (shard) => activities.embedShard({ runDir, shard, encoder, config }));
    embeddings[encoder] = results.map((result) => {
      if (result.status === 'rejected') throw result.reason;
      return result.value.path;
    });
  }
  const { candidates } = await activities.planSweep({ users: cleaned.accounting.sequencedUsers, encoders: config.encoders, config });
  const evaluationSeed = deriveSeed(config.seed || drop.dropId, 'evaluate');
  const swept = (await settleWithConcurrency(candidates, config.sweepConcurrency, async (candidate) => {
    const clustering = await activities.clusterCandidate({
      runDir, candidate, embeddingPaths: embeddings[candidate.encoder],
      seed: candidateSeed(config.seed || drop.dropId, candidate), config,
    });
    const score = await activities.scoreCandidate({ runDir, clustering, embeddingPaths: embeddings[candidate.encoder], seed: evaluationSeed, config });
    return { clustering, score };
  })).map((result) => {
    if (result.status === 'rejected') throw result.reason;
    return result.value;
  });
  const evaluation = await activities.evaluateCandidates({ runDir, scores: swept.map((result) => result.score), config });
  const chosen = swept.find((result) => sameCandidate(result.clustering.candidate, evaluation.chosen))!.clustering;
  const published = await activities.publishSegmentation({
    runDir, dropId: drop.dropId, leaderboardPath: evaluation.leaderboardPath, chosen: evaluation.chosen,
    selectionReason: evaluation.selectionReason, accounting: cleaned.accounting, labelsPath: chosen.labelsPath, workflowId: 'direct', embeddingPaths: embeddings[evaluation.chosen.encoder],
  });
  return {
    runDir, reportPath: published.reportPath, segmentsPath: published.segmentsPath, leaderboardPath: evaluation.leaderboardPath,
    chosen: evaluation.chosen, accounting: cleaned.accounting,
  };
}
