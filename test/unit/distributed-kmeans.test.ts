import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { kmeans } from '../../activities/clustering/kmeans';
import { seededRandom } from '../../activities/clustering/random';
import { kmeansAssignShard, kmeansInitFromSamples, kmeansPartialSums, shardColumnStats, shardSample } from '../../activities/distributed-kmeans';
import { combineColumnStats, lloydUpdate } from '../../common/distributed-kmeans';
import { writeEmbeddingFile } from '../../lib/runtime/embedding-file';
import { readLabelsFile } from '../../lib/runtime/labels-file';

/** 3 shards of Gaussian blobs with very different column scales (so standardization matters). */
async function writeShards(dir: string, n: number, d: number, k: number): Promise<{ paths: string[]; data: Float32Array }> {
  const random = seededRandom(4);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const centres = Float64Array.from({ length: k * d }, () => -5 + 10 * random());
  const data = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(random() * k);
    for (let j = 0; j < d; j++) data[i * d + j] = (centres[c * d + j] + 1.5 * gaussian()) * (j + 1) * 10;
  }
  const cuts = [0, Math.floor(n / 3), Math.floor((2 * n) / 3), n];
  const paths = await Promise.all([0, 1, 2].map(async (s) => {
    const file = path.join(dir, `shard-${s}.arrow`);
    const rows = cuts[s + 1] - cuts[s];
    await writeEmbeddingFile(file, {
      userIds: Array.from({ length: rows }, (_, i) => `u${cuts[s] + i}`),
      vectors: data.slice(cuts[s] * d, cuts[s + 1] * d),
      dimensions: d,
    });
    return file;
  }));
  return { paths, data };
}

describe('distributed k-means (shard partial sums reduced in the workflow)', () => {
  it('gives exactly the labels and inertia of in-process Lloyd from the same initial centres, on standardized data', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'distributed-kmeans-'));
    const n = 3000;
    const d = 5;
    const k = 4;
    const { paths, data } = await writeShards(dir, n, d, k);
    const stats = combineColumnStats(await Promise.all(paths.map((embeddingPath) => shardColumnStats({ embeddingPath }))));
    const standardization = { mean: stats.mean, scale: stats.scale };
    const samples = await Promise.all(paths.map((embeddingPath, i) => shardSample({ embeddingPath, count: 300, seed: i, samplePath: path.join(dir, `sample-${i}.arrow`), standardization })));
    let { centers } = await kmeansInitFromSamples({ samplePaths: samples.map((sample) => sample.samplePath), k, seed: 9 });
    const initial = Float64Array.from(centers);
    let iterations = 0;
    for (; iterations < 300; iterations++) {
      const update = lloydUpdate(centers, await Promise.all(paths.map((embeddingPath) => kmeansPartialSums({ embeddingPath, centers, k, standardization }))), k, d);
      centers = update.centers;
      if (update.shift <= 1e-4) {
        iterations++;
        break;
      }
    }
    const parts = await Promise.all(paths.map((embeddingPath, i) => kmeansAssignShard({ embeddingPath, centers, k, standardization, labelsPath: path.join(dir, `labels-${i}.arrow`) })));
    const distributedLabels = (await Promise.all(parts.map((part) => readLabelsFile(part.labelsPath)))).flatMap((part) => Array.from(part.labels));

    // The same data, z-scored in one process, clustered by Lloyd from the same centres.
    const standardized = Float32Array.from(data, (value, index) => (value - stats.mean[index % d]) * stats.scale[index % d]);
    const reference = await kmeans(standardized, n, d, { k, seed: 1, initialCenters: initial, backend: 'js', tolerance: 1e-4 });
    expect(distributedLabels).toEqual(Array.from(reference.labels));
    const inertia = parts.reduce((sum, part) => sum + part.inertia, 0);
    expect(Math.abs(inertia - reference.inertia) / reference.inertia).toBeLessThan(1e-5);
    expect(iterations).toBeGreaterThan(1);
  });
});
