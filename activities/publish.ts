import fs from 'node:fs/promises';
import type { CandidateMetrics, CandidateRef, PublishSegmentationInput, PublishSegmentationOutput, SegmentIdentity } from '../common/contracts';
import { writeLeaderboardTable } from './evaluation/leaderboard-table';
import { createSegmentsTable } from './evaluation/segments-table';
import { produceAtomically, writeFileAtomic, writeJsonAtomic } from '../lib/runtime/atomic-write';
import { loadSql, openDuckDB, queryRows, sqlStringLiteral } from '../lib/runtime/duckdb';
import { readLabelsFile } from '../lib/runtime/labels-file';
import { listStepMarkers, runStepOnce } from '../lib/runtime/run-dir';
import { openRunDatabase } from '../lib/runtime/run-database';
import { duckdbShare } from '../lib/runtime/duckdb-budget';
import { runFiles, runSteps } from '../common/run-layout';
import { candidateKey, sameCandidate } from '../common/candidates';
import { modelFiles } from '../common/model-layout';
import { loadEmbeddingMatrix } from './clustering/embedding-matrix';
import { concatBlocks, readEmbeddingFile } from '../lib/runtime/embedding-file';
import { SEGMENT_MODEL_FORMAT, persistedIds, readSegmentModel, writeSegmentModelPackage, type ModelSpace } from './segment-models/segment-model';
import { projectIntoModelSpace } from './segment-models/assign';
import { renderReport } from './report/render-report';
import { loadAcrossDrops } from './report/across-drops';
import type { Evidence } from './evaluation/stable-lift';
import { segmentGeometry, type SegmentGeometry } from './report/segment-geometry';
import { reportVersions, runStartedAt, temporalUiUrl } from './report/run-facts';
import { nameSegments, type SegmentName } from './report/segment-names';
import { serializationOptions } from './encoders/transformer';
import { readStoredConfig } from './preflight-run';
import { serializeSequence, type SequenceEvent } from './encoders/transformer/serialize';
import { listValue, type DuckDBConnection } from '@duckdb/node-api';
import type { EncoderName, EncodersConfig } from '../common/run-config';

/**
 * Publishes the chosen segmentation: segments.parquet (user_id -> segment, the run's own label, and
 * segment_id, the persisted id that stays the same across the pipeline's drops), metrics.parquet (the
 * leaderboard as a table), report.html, the segment model package of a refit (output/segment-model/:
 * what assign mode needs to place new users; registerDrop copies it into the model registry) and
 * manifest.json. A drop compared with its model (`acrossDrops`) gets the report's "Across drops"
 * section from its drift.json and the registry's history of the pipeline. In assign mode the
 * labels are the current model's (`assignment`), the leaderboard is empty and no model is written.
 * The manifest is written last, so its presence means the run's outputs are complete. The run config comes from config.json, stored
 * once by preflightRun, not from the payload.
 */
export async function publishSegmentation(input: PublishSegmentationInput): Promise<PublishSegmentationOutput> {
  const { encoderReports: _counters, ...inputs } = input;
  // A refit also writes its segment model package (a run published before that existed is published again).
  const writesModel = !input.assignment && input.embeddingPaths !== undefined;
  const madeFrom = { ...inputs, segmentModelFormat: writesModel ? SEGMENT_MODEL_FORMAT : null };
  const chosenBy = input.assignment ? [runSteps.assign] : [runSteps.evaluate, runSteps.cluster(candidateKey(input.chosen))];
  const step = {
    runDir: input.runDir,
    step: runSteps.publish,
    // The stored config (config.json) is read too: preflight writes it, and its result settings are the upstream steps' own.
    madeFrom,
    upstream: [
      runSteps.clean, runSteps.shard, ...chosenBy, ...runSteps.embedAll(input.chosen.encoder, input.embeddingPaths?.length ?? 0),
      ...(input.acrossDrops ? [runSteps.compare(input.assignment ? 'assign' : 'refit')] : []),
    ],
    outputs: () => [
      ...[runFiles.segments, runFiles.metrics, runFiles.segmentProfiles, runFiles.report, runFiles.manifest].map((file) => ({ file: file(input.runDir) })),
      ...(writesModel ? [{ file: modelFiles.model(runFiles.segmentModelDir(input.runDir)) }] : []),
    ],
  };
  return runStepOnce(step, async () => {
    const segmentsPath = runFiles.segments(input.runDir);
    const metricsPath = runFiles.metrics(input.runDir);
    const reportPath = runFiles.report(input.runDir);
    const profilesPath = runFiles.segmentProfiles(input.runDir);
    const manifestPath = runFiles.manifest(input.runDir);
    const leaderboard = JSON.parse(await fs.readFile(input.leaderboardPath, 'utf8')) as { selectionRule: string; evidence?: Evidence | null; screening?: { candidates: number; fullyScored: number } | null; rows: CandidateMetrics[] };
    const { userIds, labels } = await readLabelsFile(input.labelsPath);
    const config = await readStoredConfig(input.runDir);
    const identities = await segmentIdentities(input);

    const database = await openRunDatabase(input.runDir, 'read-only', duckdbShare(config, 1, runFiles.duckdbTemp(input.runDir)));
    let profiles: Array<Record<string, unknown>>;
    let names: SegmentName[] = [];
    let geometry: SegmentGeometry | undefined;
    let topTerms: Array<Record<string, unknown>> = [];
    let representatives: Array<{ segment: number; userId: string; sequence: string }> = [];
    let space: ModelSpace | undefined;
    try {
      const { connection } = database;
      await createSegmentsTable(connection, userIds, labels);
      await createSegmentIdsTable(connection, identities);
      await writeMetricsTable(connection, leaderboard.rows, input.chosen, metricsPath);
      const rawProfiles = await queryRows(connection, loadSql('publish/segment_profiles.sql'));
      topTerms = await queryRows(connection, loadSql('publish/segment_top_terms.sql'), { min_users: 3, top: 5 });
      names = nameSegments(rawProfiles, topTerms);
      const nameOf = new Map(names.map((entry) => [entry.segment, entry]));
      profiles = rawProfiles.map((profile) => ({ ...profile, name: nameOf.get(Number(profile.segment))?.name, description: nameOf.get(Number(profile.segment))?.description }));
      await writeSegmentsFile(connection, names, segmentsPath);
      if (input.embeddingPaths) {
        space = await clusteringSpace(input.embeddingPaths, input.chosen.encoder, config.pcaComponents, input.assignment?.modelDir);
        geometry = await segmentGeometry(space, input.chosen.encoder, userIds, labels, 3);
        representatives = await sequencesOf(connection, geometry.representatives, config);
      }
    } finally {
      database.close();
    }

    const steps = await listStepMarkers(input.runDir);
    const acrossDrops = input.acrossDrops ? await loadAcrossDrops({ dropId: input.dropId, ...input.acrossDrops }) : undefined;
    await writeFileAtomic(reportPath, await renderReport({
      dropId: input.dropId,
      workflowId: input.workflowId,
      runDir: input.runDir,
      accounting: input.accounting,
      leaderboard: leaderboard.rows,
      selectionRule: leaderboard.selectionRule,
      chosen: input.chosen,
      selectionReason: input.selectionReason,
      evidence: leaderboard.evidence,
      screening: leaderboard.screening,
      profiles,
      topTerms,
      representatives,
      geometry,
      acrossDrops,
      steps: steps.map((marker) => ({ step: marker.step, finishedAt: marker.finishedAt, seconds: marker.seconds })).sort((a, b) => a.finishedAt.localeCompare(b.finishedAt)),
      startedAt: await runStartedAt(input.runDir),
      temporalUiUrl: temporalUiUrl(input.workflowId),
      versions: await reportVersions(),
      config,
      generatedAt: new Date().toISOString(),
    }));
    await writeJsonAtomic(profilesPath, { profiles, topTerms, representatives });
    if (writesModel && space) {
      await writeSegmentModelPackage({
        runDir: input.runDir,
        dir: runFiles.segmentModelDir(input.runDir),
        dropId: input.dropId,
        workflowId: input.workflowId,
        chosen: input.chosen,
        selectionReason: input.selectionReason,
        config,
        space,
        labels,
        metrics: leaderboard.rows.find((row) => sameCandidate(row.candidate, input.chosen)) ?? null,
        profilesPath,
        identities,
      });
    }
    await writeJsonAtomic(manifestPath, {
      dropId: input.dropId,
      workflowId: input.workflowId,
      chosen: input.chosen,
      selectionReason: input.selectionReason,
      evidence: leaderboard.evidence ?? null,
      screening: leaderboard.screening ? { candidates: leaderboard.screening.candidates, fullyScored: leaderboard.screening.fullyScored } : null,
      accounting: input.accounting,
      config,
      encoders: input.encoderReports ?? {},
      outputs: {
        segments: segmentsPath, metrics: metricsPath, report: reportPath, leaderboard: input.leaderboardPath, profiles: profilesPath,
        segmentModel: writesModel ? runFiles.segmentModelDir(input.runDir) : null,
      },
      assignment: input.assignment ?? null,
      // seconds: how long each step's own work took (issue 16: where a run's time goes).
      steps: steps.map(({ step: name, finishedAt, seconds, fingerprint }) => ({ step: name, finishedAt, seconds: seconds ?? null, fingerprint })),
    });
    return { segmentsPath, reportPath, manifestPath };
  });
}

/**
 * Persisted id and name per label: a refit's matching (compareWithModel), the assigned model's
 * own, or none (a first refit: every label is its own id; noise stays -1 either way).
 */
async function segmentIdentities(input: PublishSegmentationInput): Promise<SegmentIdentity[]> {
  if (input.segmentIds) return input.segmentIds;
  if (!input.assignment) return [];
  const model = await readSegmentModel(input.assignment.modelDir);
  const ids = persistedIds(model);
  return model.segments.map((segment) => ({ segment: segment.segment, id: ids.get(segment.segment)!, name: segment.name }));
}

async function createSegmentIdsTable(connection: DuckDBConnection, identities: SegmentIdentity[]): Promise<void> {
  await connection.run('CREATE TABLE segment_ids (segment INTEGER NOT NULL, segment_id INTEGER NOT NULL)');
  for (const identity of identities) await connection.run('INSERT INTO segment_ids VALUES ($segment, $id)', { segment: identity.segment, id: identity.id });
}

/**
 * The chosen encoder's users in the clustering space: as the sweep built it (a refit), or through
 * the segment model's own standardization and PCA (assign mode: the space the labels came from).
 */
async function clusteringSpace(embeddingPaths: string[], encoder: EncoderName, pcaComponents: number, modelDir: string | undefined): Promise<ModelSpace> {
  if (!modelDir) return loadEmbeddingMatrix(embeddingPaths, encoder, pcaComponents);
  const merged = concatBlocks(await Promise.all(embeddingPaths.map((file) => readEmbeddingFile(file))));
  const model = await readSegmentModel(modelDir);
  return { userIds: merged.userIds, matrix: await projectIntoModelSpace(model, merged.vectors, merged.userIds.length, merged.dimensions) };
}

/** The representatives' sequences, written with the transformer's text template (readable, and what that encoder saw). */
async function sequencesOf(connection: DuckDBConnection, chosen: Map<number, string[]>, config: EncodersConfig) {
  const wanted = [...chosen].flatMap(([segment, users]) => users.map((userId) => ({ segment, userId })));
  const rows = await queryRows(connection, `SELECT user_id, events FROM run.sequences WHERE user_id IN (SELECT unnest($ids::VARCHAR[]))`,
    { ids: listValue(wanted.map((entry) => entry.userId)) });
  const events = new Map(rows.map((row) => [String(row.user_id), row.events as unknown as SequenceEvent[]]));
  return wanted.map((entry) => ({ ...entry, sequence: serializeSequence(events.get(entry.userId) ?? [], serializationOptions(config)) }));
}

/** segments.parquet: every segmented user's segment, the segment's name and its persisted id (segment_ids, createSegmentIdsTable) next to it. */
async function writeSegmentsFile(connection: DuckDBConnection, names: SegmentName[], target: string): Promise<void> {
  await connection.run('CREATE TABLE segment_names (segment INTEGER NOT NULL, segment_name VARCHAR NOT NULL)');
  const appender = await connection.createAppender('segment_names');
  for (const { segment, name } of names) {
    appender.appendInteger(segment);
    appender.appendVarchar(name);
    appender.endRow();
  }
  appender.closeSync();
  await produceAtomically(target, (temporary) => connection.run(
    `COPY (SELECT segments.user_id, segments.segment, segment_names.segment_name, coalesce(segment_ids.segment_id, segments.segment) AS segment_id
           FROM segments LEFT JOIN segment_names USING (segment) LEFT JOIN segment_ids USING (segment) ORDER BY segments.user_id)
     TO ${sqlStringLiteral(temporary)} (FORMAT parquet)`));
}

async function writeMetricsTable(connection: Awaited<ReturnType<typeof openDuckDB>>['connection'], rows: CandidateMetrics[], chosen: CandidateRef, target: string): Promise<void> {
  await writeLeaderboardTable(connection, 'metrics', rows, chosen);
  await produceAtomically(target, (temporary) => connection.run(`COPY metrics TO ${sqlStringLiteral(temporary)} (FORMAT parquet)`));
}
