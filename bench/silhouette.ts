/**
 * silhouette: the exact and sampled silhouette (activities/metrics/silhouette.ts).
 *   npm run bench -- silhouette            # add --quick for a smaller smoke run
 * (a) exact silhouette on 20k x 384 Gaussian blobs (k=10, k-means labels) against scikit-learn's
 *     silhouette_score on the same data and labels in the same run (on the float32 data as given,
 *     and on a float64 copy, its faster path; `speedup` is against the faster of the two);
 * (b) the sampled estimate (s = 1,000 points scored against all n) on 1M x 64: time and peak RSS;
 *     its error is measured where the exact value is computable: a 50k-row subset taken as the
 *     population, exact vs the estimate over 10 seeds (with interval coverage), next to
 *     scikit-learn's sample_size estimate (silhouette of a 1,000-point subsample) on the same rows;
 * kernel_choice: one 2048 x 2048 x 384 distance block with the onnxruntime graph (f32, f64)
 *     against a register-blocked JavaScript dot-product loop (the Gemm part alone, one thread).
 * Needs numpy and scikit-learn in the Python of `npm run bench:setup` (or python3).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { kmeans } from '../activities/clustering/kmeans';
import { clusterDistanceSums } from '../activities/metrics/pair-distance-sums';
import { estimateSilhouette, exactSilhouette, silhouettePopulation } from '../activities/metrics/silhouette';
import { projectPath } from '../lib/paths';
import { gaussianBlobs, peakRssMiB, resetPeakRss, round } from './helpers';
import { benchPython } from '../lib/tooling/bench-python';

const SAMPLE_SIZE = 1000;
const ERROR_SEEDS = 10;

function sizes(quick: boolean) {
  return quick
    ? { exactN: 5000, exactD: 384, bigN: 100_000, bigD: 64, populationN: 10_000 }
    : { exactN: 20_000, exactD: 384, bigN: 1_000_000, bigD: 64, populationN: 50_000 };
}

function writeRaw(file: string, values: Float32Array | Int32Array): void {
  fs.writeFileSync(file, Buffer.from(values.buffer, values.byteOffset, values.byteLength));
}

function sklearn(args: string[]): Record<string, unknown> {
  return JSON.parse(execFileSync(benchPython(), [projectPath('bench', 'python', 'silhouette_sklearn.py'), ...args], { maxBuffer: 1 << 24 }).toString());
}

async function kmeansLabels(data: Float32Array, n: number, d: number): Promise<Int32Array> {
  return (await kmeans(data, n, d, { k: 10, seed: 0, nInit: 1, maxIterations: 30 })).labels;
}

/** G = X Y^T, 4 x 2 register tile, float64 accumulators: the best plain-JS kernel we found. */
function jsDotBlock(x: Float32Array, y: Float32Array, b: number, m: number, d: number, out: Float64Array): void {
  for (let i = 0; i < b; i += 4) {
    const a0 = i * d;
    const a1 = a0 + d;
    const a2 = a1 + d;
    const a3 = a2 + d;
    for (let j = 0; j < m; j += 2) {
      const b0 = j * d;
      const b1 = b0 + d;
      let s00 = 0, s01 = 0, s10 = 0, s11 = 0, s20 = 0, s21 = 0, s30 = 0, s31 = 0;
      for (let t = 0; t < d; t++) {
        const y0 = y[b0 + t];
        const y1 = y[b1 + t];
        const x0 = x[a0 + t];
        const x1 = x[a1 + t];
        const x2 = x[a2 + t];
        const x3 = x[a3 + t];
        s00 += x0 * y0; s01 += x0 * y1; s10 += x1 * y0; s11 += x1 * y1;
        s20 += x2 * y0; s21 += x2 * y1; s30 += x3 * y0; s31 += x3 * y1;
      }
      out[i * m + j] = s00; out[i * m + j + 1] = s01; out[(i + 1) * m + j] = s10; out[(i + 1) * m + j + 1] = s11;
      out[(i + 2) * m + j] = s20; out[(i + 2) * m + j + 1] = s21; out[(i + 3) * m + j] = s30; out[(i + 3) * m + j + 1] = s31;
    }
  }
}

async function kernelChoice(data: Float32Array, d: number, labels: Int32Array) {
  const block = 2048;
  const distances = block * block;
  const jsOut = new Float64Array(distances);
  const x = data.subarray(0, block * d);
  const y = data.subarray(block * d, 2 * block * d);
  let started = performance.now();
  jsDotBlock(x, y, block, block, d, jsOut);
  const jsSeconds = (performance.now() - started) / 1000;
  // clusterDistanceSums over 2 blocks of 2048 rows: 3 block runs (2 diagonal, 1 off-diagonal).
  const population = silhouettePopulation({ data, n: 2 * block, d }, labels.subarray(0, 2 * block));
  const row: Record<string, unknown> = {
    block: `${block} x ${block} x ${d}`,
    js_dot_only_one_thread_ms: round(jsSeconds * 1000),
    js_gflops: round((2 * distances * d) / jsSeconds / 1e9),
  };
  for (const precision of ['f32', 'f64'] as const) {
    let best = Infinity;
    for (let repeat = 0; repeat < 3; repeat++) {
      started = performance.now();
      await clusterDistanceSums(population, { metric: 'euclidean', precision });
      best = Math.min(best, (performance.now() - started) / 1000 / 3);
    }
    row[`onnx_${precision}_full_graph_per_block_ms`] = round(best * 1000);
    row[`onnx_${precision}_gflops`] = round((2 * distances * (d + 2)) / best / 1e9);
  }
  row.threads = os.availableParallelism();
  row.chosen = 'onnxruntime (float64 for exact, float32 for sampled)';
  return row;
}

export async function run(args: string[] = []): Promise<Record<string, unknown>> {
  const { exactN, exactD, bigN, bigD, populationN } = sizes(args.includes('--quick'));
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bseg-bench-silhouette-'));
  try {
    // (a) exact on exactN x exactD.
    const data = gaussianBlobs({ n: exactN, d: exactD, k: 10, spread: 3, std: 2, seed: 7 });
    const labels = await kmeansLabels(data, exactN, exactD);
    writeRaw(path.join(scratch, 'x.f32'), data);
    writeRaw(path.join(scratch, 'labels.i32'), labels);
    const reference = sklearn(['exact', path.join(scratch, 'x.f32'), path.join(scratch, 'labels.i32'), String(exactN), String(exactD)]) as {
      seconds_f32: number; value_f32: number; seconds_f64: number; value_f64: number;
    };
    const matrix = { data, n: exactN, d: exactD };
    let started = performance.now();
    const exact = await exactSilhouette(matrix, labels);
    const exactSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    const exact32 = await exactSilhouette(matrix, labels, { precision: 'f32' });
    const exact32Seconds = (performance.now() - started) / 1000;
    const referenceSeconds = Math.min(reference.seconds_f32, reference.seconds_f64);
    const exactRow = {
      case: `${exactN}x${exactD} k=10`,
      ours_f64_s: round(exactSeconds), ours_f32_s: round(exact32Seconds),
      sklearn_float32_input_s: round(reference.seconds_f32), sklearn_float64_input_s: round(reference.seconds_f64),
      speedup_vs_sklearn_float32_input: round(reference.seconds_f32 / exactSeconds),
      speedup_vs_sklearn_float64_input: round(reference.seconds_f64 / exactSeconds),
      value: exact, sklearn_value: reference.value_f64,
      relative_error_f64: Math.abs(exact - reference.value_f64) / Math.abs(reference.value_f64),
      relative_error_f32: Math.abs(exact32 - reference.value_f64) / Math.abs(reference.value_f64),
    };
    console.log(JSON.stringify(exactRow));
    const kernel = await kernelChoice(data, exactD, labels);
    console.log(JSON.stringify(kernel));

    // (b) sampled on bigN x bigD.
    const big = gaussianBlobs({ n: bigN, d: bigD, k: 10, spread: 3, std: 2, seed: 8 });
    const bigLabels = await kmeansLabels(big, bigN, bigD);
    const rssBefore = Math.round(process.memoryUsage().rss / 2 ** 20);
    resetPeakRss();
    started = performance.now();
    const estimate = await estimateSilhouette({ data: big, n: bigN, d: bigD }, bigLabels, { sampleSize: SAMPLE_SIZE, seed: 1 });
    const sampledSeconds = (performance.now() - started) / 1000;
    const sampledPeak = peakRssMiB();
    // Error: the first populationN rows (the blobs are drawn i.i.d., so a uniform subset) as the population.
    const population = { data: big.subarray(0, populationN * bigD), n: populationN, d: bigD };
    const populationLabels = bigLabels.slice(0, populationN);
    started = performance.now();
    const truth = await exactSilhouette(population, populationLabels);
    const truthSeconds = (performance.now() - started) / 1000;
    const errors: number[] = [];
    let covered = 0;
    let halfWidth = 0;
    for (let seed = 1; seed <= ERROR_SEEDS; seed++) {
      const sample = await estimateSilhouette(population, populationLabels, { sampleSize: SAMPLE_SIZE, seed });
      errors.push(Math.abs(sample.value - truth));
      if (sample.ciLow <= truth && truth <= sample.ciHigh) covered++;
      halfWidth += (sample.ciHigh - sample.ciLow) / 2 / ERROR_SEEDS;
    }
    writeRaw(path.join(scratch, 'population.f32'), population.data);
    writeRaw(path.join(scratch, 'population-labels.i32'), populationLabels);
    const sklearnSample = sklearn([
      'sample', path.join(scratch, 'population.f32'), path.join(scratch, 'population-labels.i32'), String(populationN), String(bigD), String(SAMPLE_SIZE), String(ERROR_SEEDS),
    ]) as { values: number[] };
    const sklearnErrors = sklearnSample.values.map((value) => Math.abs(value - truth));
    const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
    const sampledRow = {
      case: `${bigN}x${bigD} k=10, s=${SAMPLE_SIZE}`,
      sampled_s: round(sampledSeconds),
      value: estimate.value, ci: [estimate.ciLow, estimate.ciHigh],
      // Peak during the estimate; rss_before_mib was already resident (the data, k-means' sessions).
      peak_rss_mib: sampledPeak, rss_before_mib: rssBefore, data_mib: Math.round(big.byteLength / 2 ** 20),
      error_population: `first ${populationN} rows`, population_exact: truth, population_exact_s: round(truthSeconds),
      error_seed1: errors[0], error_mean: mean(errors), error_max: Math.max(...errors),
      ci_half_width_mean: halfWidth, ci_covered: `${covered}/${ERROR_SEEDS}`,
      sklearn_sample_size_error_mean: mean(sklearnErrors), sklearn_sample_size_error_max: Math.max(...sklearnErrors),
    };
    console.log(JSON.stringify(sampledRow));
    return {
      ours_s: round(exactSeconds),
      reference: `scikit-learn silhouette_score, exact, ${exactN} x ${exactD}, same data and labels, same run (faster of float32/float64 input)`,
      reference_s: round(referenceSeconds),
      speedup: round(referenceSeconds / exactSeconds),
      exact: exactRow,
      sampled: sampledRow,
      kernel_choice: kernel,
      peak_rss_mib: peakRssMiB(),
    };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
