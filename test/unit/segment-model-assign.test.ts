import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelFiles } from '../../common/model-layout';
import { writeEmbeddingFile } from '../../lib/runtime/embedding-file';
import { writeLabelsFile } from '../../lib/runtime/labels-file';
import { assignToModel, projectIntoModelSpace } from '../../activities/segment-models/assign';
import { SEGMENT_MODEL_FORMAT, type SegmentModel } from '../../activities/segment-models/segment-model';

function model(overrides: Partial<SegmentModel>): SegmentModel {
  return {
    format: SEGMENT_MODEL_FORMAT,
    encoder: { name: 'behavior-stats', settings: {}, artifacts: [] },
    space: { inputDimensions: 2, dimensions: 2, standardization: null, pca: null },
    assignment: { kind: 'nearest-centroid', exact: true, note: '' },
    centroids: [[0, 0], [10, 0]],
    segments: [{ segment: 0, users: 1, name: 'segment 0' }, { segment: 1, users: 1, name: 'segment 1' }],
    noiseUsers: 0,
    provenance: { dropId: 'd', workflowId: 'w', candidate: { encoder: 'behavior-stats', algorithm: 'kmeans', params: 'k=2', k: 2 }, selectionReason: '', configHash: '', metrics: null },
    ...overrides,
  };
}

describe('placing new users into a segment model', () => {
  it('nearest centroid, ties to the lower segment', async () => {
    const points = { data: Float32Array.from([1, 1, 9, -1, 5, 0]), n: 3, d: 2 };
    expect(Array.from(await assignToModel(model({}), '/nonexistent', points))).toEqual([0, 1, 0]);
  });

  it('density models: the nearest core point within eps (inclusive), else noise', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'model-'));
    await writeEmbeddingFile(modelFiles.corePoints(dir), { userIds: ['a', 'b', 'c'], vectors: Float32Array.from([0, 0, 1, 0, 10, 0]), dimensions: 2 });
    await writeLabelsFile(modelFiles.coreLabels(dir), ['a', 'b', 'c'], Int32Array.from([0, 0, 1]));
    const density = model({ assignment: { kind: 'nearest-core-point', eps: 2, minSamples: 2, corePoints: 3 } });
    const points = { data: Float32Array.from([3, 0, 12, 0, 5, 5, 8.5, 0]), n: 4, d: 2 };
    // (3,0) is 2 from core b: inside; (12,0) is 2 from c; (5,5) is far from all: noise; (8.5,0) nearest c at 1.5.
    expect(Array.from(await assignToModel(density, dir, points))).toEqual([0, 1, -1, 1]);
  });

  it('projects with the stored standardization and PCA, and refuses vectors of another width', async () => {
    const projected = model({
      space: {
        inputDimensions: 2, dimensions: 1,
        standardization: { mean: [1, 2], scale: [0.5, 0] },
        pca: { components: 1, mean: [0, 0], basis: [1, 0] },
      },
    });
    const matrix = await projectIntoModelSpace(projected, Float32Array.from([3, 7, -1, 2]), 2, 2);
    expect(matrix.d).toBe(1);
    expect(Array.from(matrix.data)).toEqual([1, -1]);
    await expect(projectIntoModelSpace(projected, new Float32Array(3), 1, 3)).rejects.toThrow(/3 dimensions but the segment model was fitted on 2/);
  });
});
