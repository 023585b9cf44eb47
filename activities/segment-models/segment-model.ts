import fs from 'node:fs/promises';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { CandidateMetrics, CandidateRef, SegmentIdentity } from '../../common/contracts';
import { candidateKey } from '../../common/candidates';
import { modelFiles } from '../../common/model-layout';
import { runFiles } from '../../common/run-layout';
import { configSection, resultSettings, type ClusteringAlgorithm, type EncoderName, type EncodersConfig, type RunConfig } from '../../common/run-config';
import { internalInvariantError } from '../../common/errors';
import { writeJsonAtomic } from '../../lib/runtime/atomic-write';
import { writeEmbeddingFile } from '../../lib/runtime/embedding-file';
import { writeLabelsFile } from '../../lib/runtime/labels-file';
import { canonicalJson } from '../../lib/runtime/run-dir';
import type { Standardization } from '../clustering/embedding-matrix';
import type { PcaModel } from '../clustering/pca';
import { dbscan } from '../clustering/dbscan';
import { centroids, type Matrix } from '../metrics/internal';

/**
 * A segment model: everything needed to place a new user into a published segmentation without
 * sweeping again (docs/ARCHITECTURE.md, "Segment models"). Written by publish as a package in the
 * run's output (output/segment-model/) and copied by registration into a versioned directory under
 * the data directory, so it never refers into a run directory. model.json holds the small parts;
 * encoder files and density core points sit beside it (common/model-layout.ts modelFiles).
 */
export const SEGMENT_MODEL_FORMAT = 1;

/**
 * How a new user gets a segment, by the algorithm that made the segmentation:
 * - k-means family: the nearest centroid, which is k-means' own rule (exact: a converged fit's
 *   labels are their nearest centroids);
 * - DBSCAN: the segment of the nearest core point if it lies within eps, else noise (-1), which is
 *   DBSCAN's own rule for a border point;
 * - Ward, average linkage, spectral and HDBSCAN have no rule for unseen points: the nearest
 *   centroid is a documented approximation (`exact: false`), never noise.
 */
export type AssignmentRule =
  | { kind: 'nearest-centroid'; exact: boolean; note: string }
  | { kind: 'nearest-core-point'; eps: number; minSamples: number; corePoints: number };

export interface SegmentModel {
  format: typeof SEGMENT_MODEL_FORMAT;
  encoder: {
    name: EncoderName;
    /** The encoder settings the model's users were embedded with: assign mode embeds new users with these. */
    settings: Partial<EncodersConfig>;
    /** Files under encoder/ (the fitted item2vec/tfidf model), named as in a run directory's encoders/<encoder>/. */
    artifacts: string[];
  };
  /** The clustering space: encoder vectors, z-scored (if the encoder asks), then projected (if pcaComponents > 0). */
  space: {
    inputDimensions: number;
    dimensions: number;
    standardization: { mean: number[]; scale: number[] } | null;
    /** basis: components x inputDimensions, row-major. */
    pca: { components: number; mean: number[]; basis: number[] } | null;
  };
  assignment: AssignmentRule;
  /** centroids[segment]: each segment's mean in the model space (segments are 0..k-1). */
  centroids: number[][];
  /**
   * One entry per label of the clustering. `id` is the segment's persisted id (kept across refits by
   * identity matching, activities/compare-with-model.ts; absent in models registered before ids
   * existed: the label is the id); `spread` is the members' mean distance to the centroid (absent in
   * older models), what spread change in the drift summary compares with.
   */
  segments: Array<{ segment: number; id?: number; users: number; name: string; spread?: number }>;
  noiseUsers: number;
  provenance: {
    dropId: string;
    workflowId: string;
    candidate: CandidateRef;
    selectionReason: string;
    /** sha256 of the run's result settings (canonical JSON): equal hashes, equal settings. */
    configHash: string;
    metrics: CandidateMetrics | null;
  };
}

/** What a segmentation looks like to the identity matching and drift modules (activities/segment-models/match-segments.ts, transitions.ts). */
export interface SegmentationSnapshot {
  userIds: string[];
  /** Segment id per user, -1 noise. */
  labels: Int32Array;
  /** Each segment's centroid in the model's space. */
  centroids: Map<number, Float64Array>;
}

const EXACT_NEAREST_CENTROID: readonly ClusteringAlgorithm[] = ['kmeans', 'minibatch-kmeans', 'distributed-kmeans'];

/** The loaded, projected matrix of the chosen encoder, as loadEmbeddingMatrix returns it. */
export interface ModelSpace {
  userIds: string[];
  matrix: Matrix;
  pca?: PcaModel;
  standardization?: Standardization;
}

export interface SegmentModelPackageInput {
  runDir: string;
  /** Where the package goes (runFiles.segmentModelDir); replaced whole. */
  dir: string;
  dropId: string;
  workflowId: string;
  chosen: CandidateRef;
  selectionReason: string;
  config: RunConfig;
  space: ModelSpace;
  labels: Int32Array;
  metrics: CandidateMetrics | null;
  /** The run's segment-profiles.json, copied in. */
  profilesPath: string;
  /** Persisted id and name per label (a refit matched to the previous model); absent: each label is its own id. */
  identities?: SegmentIdentity[];
}


/** Writes the package into a temporary directory and renames it into place: a package that exists is complete. */
export async function writeSegmentModelPackage(input: SegmentModelPackageInput): Promise<SegmentModel> {
  const { space, labels } = input;
  const { matrix } = space;
  if (space.userIds.length !== labels.length) throw internalInvariantError(`segment model: ${space.userIds.length} embedded users but ${labels.length} labels`);
  const temporary = `${input.dir}.tmp-${process.pid}`;
  await fs.rm(temporary, { recursive: true, force: true });
  await fs.mkdir(modelFiles.encoderDir(temporary), { recursive: true });

  const artifacts = await copyEncoderArtifacts(input.runDir, input.chosen.encoder, modelFiles.encoderDir(temporary));
  await fs.copyFile(input.profilesPath, modelFiles.profiles(temporary));
  await writeLabelsFile(modelFiles.labels(temporary), space.userIds, labels);
  const found = centroids(matrix, labels);
  const assignment = await assignmentRuleFor(input, temporary);
  const sizes = Array.from(found.sizes);
  const spreads = meanDistanceToCentroid(matrix, labels, found.centers, found.k);
  const identityOf = new Map((input.identities ?? []).map((identity) => [identity.segment, identity]));
  const model: SegmentModel = {
    format: SEGMENT_MODEL_FORMAT,
    encoder: { name: input.chosen.encoder, settings: resultSettings(configSection(input.config, 'encoders')), artifacts },
    space: {
      inputDimensions: space.pca ? space.pca.dimensions : matrix.d,
      dimensions: matrix.d,
      standardization: space.standardization ? { mean: Array.from(space.standardization.mean), scale: Array.from(space.standardization.scale) } : null,
      pca: space.pca ? { components: space.pca.components, mean: Array.from(space.pca.mean), basis: Array.from(space.pca.basis) } : null,
    },
    assignment,
    centroids: Array.from({ length: found.k }, (_, c) => Array.from(found.centers.subarray(c * matrix.d, (c + 1) * matrix.d))),
    segments: sizes.map((users, segment) => ({
      segment, id: identityOf.get(segment)?.id ?? segment, users, name: identityOf.get(segment)?.name ?? `segment ${segment}`, spread: spreads[segment],
    })),
    noiseUsers: labels.reduce((count, label) => count + (label < 0 ? 1 : 0), 0),
    provenance: {
      dropId: input.dropId,
      workflowId: input.workflowId,
      candidate: input.chosen,
      selectionReason: input.selectionReason,
      configHash: configHash(input.config),
      metrics: input.metrics,
    },
  };
  await writeJsonAtomic(modelFiles.model(temporary), model);
  await fs.rm(input.dir, { recursive: true, force: true });
  await fs.rename(temporary, input.dir);
  return model;
}

export function configHash(config: RunConfig): string {
  return createHash('sha256').update(canonicalJson(resultSettings(config))).digest('hex');
}

export async function readSegmentModel(modelDir: string): Promise<SegmentModel> {
  const model = JSON.parse(await fs.readFile(modelFiles.model(modelDir), 'utf8')) as SegmentModel;
  if (model.format !== SEGMENT_MODEL_FORMAT) throw internalInvariantError(`${modelFiles.model(modelDir)} has format ${model.format}; this version reads ${SEGMENT_MODEL_FORMAT}`);
  return model;
}

/** Persisted id of each label of a model (the label itself in a model registered before ids existed). */
export function persistedIds(model: Pick<SegmentModel, 'segments'>): Map<number, number> {
  return new Map(model.segments.map((segment) => [segment.segment, segment.id ?? segment.segment]));
}

/** A model's centroids as the drift modules take them. */
export function centroidMap(model: Pick<SegmentModel, 'centroids'>): Map<number, Float64Array> {
  return new Map(model.centroids.map((center, segment) => [segment, Float64Array.from(center)]));
}

function meanDistanceToCentroid(matrix: Matrix, labels: Int32Array, centers: Float64Array, k: number): number[] {
  const totals = new Float64Array(k);
  const members = new Float64Array(k);
  for (let i = 0; i < matrix.n; i++) {
    const label = labels[i];
    if (label < 0) continue;
    let sum = 0;
    for (let j = 0; j < matrix.d; j++) sum += (matrix.data[i * matrix.d + j] - centers[label * matrix.d + j]) ** 2;
    totals[label] += Math.sqrt(sum);
    members[label]++;
  }
  return Array.from(totals, (total, label) => (members[label] > 0 ? total / members[label] : 0));
}

async function copyEncoderArtifacts(runDir: string, encoder: EncoderName, target: string): Promise<string[]> {
  const files = encoder === 'item2vec'
    ? [runFiles.item2vecVectors(runDir)]
    : encoder === 'tfidf' ? [runFiles.tfidfVectorizer(runDir), runFiles.tfidfComponents(runDir)] : [];
  for (const file of files) await fs.copyFile(file, path.join(target, path.basename(file)));
  return files.map((file) => path.basename(file));
}

async function assignmentRuleFor(input: SegmentModelPackageInput, dir: string): Promise<AssignmentRule> {
  const { algorithm } = input.chosen;
  if (algorithm === 'dbscan') return densityRule(input, dir);
  if (EXACT_NEAREST_CENTROID.includes(algorithm)) return { kind: 'nearest-centroid', exact: true, note: 'k-means assigns each user to the nearest centroid' };
  return {
    kind: 'nearest-centroid',
    exact: false,
    note: `${algorithm} has no rule for unseen users; the nearest centroid approximates it (a new user is never noise)`,
  };
}

/** DBSCAN's core points with their segments, from the eps the fit chose (clusters/<candidate>/centroids.json). */
async function densityRule(input: SegmentModelPackageInput, dir: string): Promise<AssignmentRule> {
  const details = JSON.parse(await fs.readFile(runFiles.centroidsFile(input.runDir, candidateKey(input.chosen)), 'utf8')) as { eps: number; minSamples: number };
  const { matrix, userIds } = input.space;
  // DBSCAN is deterministic: the same eps on the same matrix finds the same core points the fit did.
  const { core } = await dbscan(matrix.data, matrix.n, matrix.d, details.eps, details.minSamples);
  const rows: number[] = [];
  for (let i = 0; i < matrix.n; i++) if (core[i] && input.labels[i] >= 0) rows.push(i);
  const vectors = new Float32Array(rows.length * matrix.d);
  rows.forEach((row, r) => vectors.set(matrix.data.subarray(row * matrix.d, (row + 1) * matrix.d), r * matrix.d));
  const ids = rows.map((row) => userIds[row]);
  await writeEmbeddingFile(modelFiles.corePoints(dir), { userIds: ids, vectors, dimensions: matrix.d });
  await writeLabelsFile(modelFiles.coreLabels(dir), ids, Int32Array.from(rows.map((row) => input.labels[row])));
  return { kind: 'nearest-core-point', eps: details.eps, minSamples: details.minSamples, corePoints: rows.length };
}

