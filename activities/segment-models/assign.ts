import { modelFiles } from '../../common/model-layout';
import { modelError } from '../../common/errors';
import { readEmbeddingFile } from '../../lib/runtime/embedding-file';
import { readLabelsFile } from '../../lib/runtime/labels-file';
import { yieldWhenDue } from '../../lib/runtime/activity-progress';
import { applyStandardization } from '../clustering/embedding-matrix';
import { transformPca } from '../clustering/pca';
import type { Matrix } from '../metrics/internal';
import type { SegmentModel } from './segment-model';

/**
 * Places users into a segment model: their encoder vectors are taken into the model's space with
 * the model's own standardization and PCA (never refitted on the new drop), then given a segment by
 * the model's assignment rule (segment-model.ts AssignmentRule). On the drop the model was fitted
 * on, a k-means model gives back its own labels.
 */
export async function projectIntoModelSpace(model: SegmentModel, vectors: Float32Array, n: number, d: number): Promise<Matrix> {
  const { space } = model;
  if (d !== space.inputDimensions) {
    throw modelError(`the ${model.encoder.name} vectors have ${d} dimensions but the segment model was fitted on ${space.inputDimensions}: embed with the model's encoder settings`);
  }
  const matrix: Matrix = { data: vectors, n, d };
  if (space.standardization) {
    applyStandardization(matrix, { mean: Float64Array.from(space.standardization.mean), scale: Float64Array.from(space.standardization.scale) });
  }
  if (!space.pca) return matrix;
  const pca = { dimensions: d, components: space.pca.components, mean: Float64Array.from(space.pca.mean), basis: Float64Array.from(space.pca.basis) };
  return { data: await transformPca({ ...pca, explainedVariance: new Float64Array(0), explainedVarianceRatio: new Float64Array(0) }, vectors, n), n, d: space.pca.components };
}

/** Segment per row of `matrix` (model space), -1 for noise (density models only). */
export async function assignToModel(model: SegmentModel, modelDir: string, matrix: Matrix): Promise<Int32Array> {
  if (model.assignment.kind === 'nearest-core-point') {
    const points = await readEmbeddingFile(modelFiles.corePoints(modelDir));
    const { labels } = await readLabelsFile(modelFiles.coreLabels(modelDir));
    return nearestWithin(matrix, { data: points.vectors, n: points.userIds.length, d: points.dimensions }, labels, model.assignment.eps);
  }
  const centers = Float64Array.from(model.centroids.flat());
  return nearestWithin(matrix, { data: centers, n: model.centroids.length, d: matrix.d }, Int32Array.from(model.centroids.keys()), Infinity);
}

/**
 * For each row, the label of the nearest reference row if it lies within `radius` (inclusive, as
 * DBSCAN's eps), else -1; ties go to the lower reference index. Brute force: O(rows x references x
 * d), about a second per 10^9 multiply-adds; a density model with many core points is the slow case.
 */
async function nearestWithin(
  matrix: Matrix, references: { data: Float32Array | Float64Array; n: number; d: number }, referenceLabels: Int32Array, radius: number,
): Promise<Int32Array> {
  const { data, n, d } = matrix;
  const limit = radius * radius;
  const out = new Int32Array(n);
  const due = yieldWhenDue();
  for (let i = 0; i < n; i++) {
    if ((i & 255) === 0) await due();
    let best = -1;
    let bestDistance = Infinity;
    for (let r = 0; r < references.n; r++) {
      let distance = 0;
      for (let j = 0; j < d; j++) {
        const diff = data[i * d + j] - references.data[r * d + j];
        distance += diff * diff;
        if (distance >= bestDistance) break;
      }
      if (distance < bestDistance) {
        bestDistance = distance;
        best = r;
      }
    }
    out[i] = best >= 0 && bestDistance <= limit ? referenceLabels[best] : -1;
  }
  return out;
}
