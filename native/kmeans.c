/* k-means kernels. Compiled with -ffast-math so the dot products vectorize (reassociated float32
 * sums, as a BLAS gemm does too); nothing here needs IEEE ordering. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "parallel.h"

/* GCC/Clang vector extension: 8 floats, lowered to AVX, SSE or NEON by the compiler. */
typedef float v8 __attribute__((vector_size(32)));

/* Centres are padded to a multiple of 8 (one vector) and scored 16 at a time, then 8 for the
 * rest; ROW_TILE rows share each load of a centre vector. */
#define CENTER_PAD 8
#define ROW_TILE 4

/* Centres transposed to d x padded (column c holds centre c), 32-byte aligned, zero padding. */
typedef struct {
  float *values;
  int padded;
} transposed;

static transposed transpose(const float *points, int m, int d) {
  const int padded = (m + CENTER_PAD - 1) / CENTER_PAD * CENTER_PAD;
  transposed t = {aligned_alloc(32, sizeof(float) * (size_t)d * padded), padded};
  memset(t.values, 0, sizeof(float) * (size_t)d * padded);
  for (int p = 0; p < m; p++)
    for (int j = 0; j < d; j++) t.values[(int64_t)j * padded + p] = points[(int64_t)p * d + j];
  return t;
}

static inline float dot(const float *x, const float *c, int d) {
  float s = 0;
  for (int j = 0; j < d; j++) s += x[j] * c[j];
  return s;
}

/* x.c for ROW_TILE rows against every (padded) centre: out[r * padded + c]. Register tiles of
 * 4 rows x 16 centres (8 vector accumulators), the shape of a gemm micro-kernel: no horizontal sums. */
static void dot_tile(const float *const rows[ROW_TILE], const transposed *centers, int d, float *out) {
  const int padded = centers->padded;
  int c = 0;
  for (; c + 16 <= padded; c += 16) {
    v8 a00 = {0}, a01 = {0}, a10 = {0}, a11 = {0}, a20 = {0}, a21 = {0}, a30 = {0}, a31 = {0};
    const float *column = centers->values + c;
    for (int j = 0; j < d; j++) {
      const v8 c0 = *(const v8 *)(column + (int64_t)j * padded);
      const v8 c1 = *(const v8 *)(column + (int64_t)j * padded + 8);
      const float x0 = rows[0][j], x1 = rows[1][j], x2 = rows[2][j], x3 = rows[3][j];
      a00 += x0 * c0;
      a01 += x0 * c1;
      a10 += x1 * c0;
      a11 += x1 * c1;
      a20 += x2 * c0;
      a21 += x2 * c1;
      a30 += x3 * c0;
      a31 += x3 * c1;
    }
    const v8 results[ROW_TILE][2] = {{a00, a01}, {a10, a11}, {a20, a21}, {a30, a31}};
    for (int r = 0; r < ROW_TILE; r++) memcpy(out + (int64_t)r * padded + c, results[r], sizeof(float) * 16);
  }
  if (c < padded) { /* the last 8 centres */
    v8 a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
    const float *column = centers->values + c;
    for (int j = 0; j < d; j++) {
      const v8 c0 = *(const v8 *)(column + (int64_t)j * padded);
      a0 += rows[0][j] * c0;
      a1 += rows[1][j] * c0;
      a2 += rows[2][j] * c0;
      a3 += rows[3][j] * c0;
    }
    const v8 results[ROW_TILE] = {a0, a1, a2, a3};
    for (int r = 0; r < ROW_TILE; r++) memcpy(out + (int64_t)r * padded + c, &results[r], sizeof(float) * 8);
  }
}

/* Points at ROW_TILE rows from `start`, repeating the last row past `end` (their results are unused). */
static void tile_rows(const float *data, int d, int64_t start, int64_t end, const float *rows[ROW_TILE]) {
  for (int r = 0; r < ROW_TILE; r++) rows[r] = data + (start + r < end ? start + r : end - 1) * d;
}

typedef struct {
  const float *data;
  int d, k;
  const transposed *centers;
  const float *rows_of_centers; /* k x d, for the exact distance to the chosen centre */
  const float *center_norms;
  int32_t *labels;
  double *distances;
  double *sums;   /* this worker's own k x d */
  double *counts; /* this worker's own k */
} assign_job;

static void assign_rows(void *context, int64_t start, int64_t end, int worker) {
  assign_job *job = &((assign_job *)context)[worker];
  const int d = job->d, k = job->k, padded = job->centers->padded;
  float *scores = malloc(sizeof(float) * ROW_TILE * padded);
  const float *rows[ROW_TILE];
  for (int64_t tile = start; tile < end; tile += ROW_TILE) {
    tile_rows(job->data, d, tile, end, rows);
    dot_tile(rows, job->centers, d, scores);
    for (int r = 0; r < ROW_TILE && tile + r < end; r++) {
      const int64_t i = tile + r;
      const float *x = rows[r], *dots = scores + (int64_t)r * padded;
      int best = 0;
      float best_score = job->center_norms[0] - 2 * dots[0];
      for (int c = 1; c < k; c++) {
        const float score = job->center_norms[c] - 2 * dots[c];
        if (score < best_score) {
          best_score = score;
          best = c;
        }
      }
      /* The winner's distance recomputed directly in float64 (no cancellation): inertia is their sum. */
      const float *center = job->rows_of_centers + (int64_t)best * d;
      double distance = 0;
      double *sum = job->sums + (int64_t)best * d;
      for (int j = 0; j < d; j++) {
        const double diff = (double)x[j] - center[j];
        distance += diff * diff;
        sum[j] += x[j];
      }
      job->labels[i] = best;
      job->distances[i] = distance;
      job->counts[best] += 1;
    }
  }
  free(scores);
}

static float *norms_of(const float *points, int m, int d) {
  float *norms = malloc(sizeof(float) * m);
  for (int p = 0; p < m; p++) norms[p] = dot(points + (int64_t)p * d, points + (int64_t)p * d, d);
  return norms;
}

void kmeans_assign(const float *data, int64_t n, int d, const float *centers, int k, int threads,
                   int32_t *labels, double *distances, double *sums, double *counts) {
  float *center_norms = norms_of(centers, k, d);
  const transposed columns = transpose(centers, k, d);
  if (threads < 1) threads = 1;
  assign_job *jobs = calloc(threads, sizeof(assign_job));
  for (int t = 0; t < threads; t++) {
    jobs[t] = (assign_job){data, d, k, &columns, centers, center_norms, labels, distances,
                           calloc((size_t)k * d, sizeof(double)), calloc(k, sizeof(double))};
  }
  parallel_for(n, threads, 4096, assign_rows, jobs);
  memset(sums, 0, sizeof(double) * k * d);
  memset(counts, 0, sizeof(double) * k);
  for (int t = 0; t < threads; t++) {
    for (int64_t j = 0; j < (int64_t)k * d; j++) sums[j] += jobs[t].sums[j];
    for (int c = 0; c < k; c++) counts[c] += jobs[t].counts[c];
    free(jobs[t].sums);
    free(jobs[t].counts);
  }
  free(jobs);
  free(center_norms);
  free(columns.values);
}

typedef struct {
  const float *data;
  int d, m;
  const transposed *points;
  const float *point_norms;
  float *out;
} distances_job;

static void distance_rows(void *context, int64_t start, int64_t end, int worker) {
  (void)worker;
  distances_job *job = context;
  const int d = job->d, m = job->m, padded = job->points->padded;
  float *scores = malloc(sizeof(float) * ROW_TILE * padded);
  const float *rows[ROW_TILE];
  for (int64_t tile = start; tile < end; tile += ROW_TILE) {
    tile_rows(job->data, d, tile, end, rows);
    dot_tile(rows, job->points, d, scores);
    for (int r = 0; r < ROW_TILE && tile + r < end; r++) {
      const float norm = dot(rows[r], rows[r], d), *dots = scores + (int64_t)r * padded;
      float *out = job->out + (tile + r) * m;
      for (int p = 0; p < m; p++) {
        const float value = norm + job->point_norms[p] - 2 * dots[p];
        out[p] = value > 0 ? value : 0;
      }
    }
  }
  free(scores);
}

void squared_distances(const float *data, int64_t n, int d, const float *points, int m, int threads, float *out) {
  float *point_norms = norms_of(points, m, d);
  const transposed columns = transpose(points, m, d);
  distances_job job = {data, d, m, &columns, point_norms, out};
  parallel_for(n, threads, 4096, distance_rows, &job);
  free(point_norms);
  free(columns.values);
}

typedef struct {
  const float *data;
  int d;
  const double *means; /* NULL in the first pass */
  double *totals;      /* threads x d */
} column_job;

static void column_rows(void *context, int64_t start, int64_t end, int worker) {
  column_job *job = context;
  const int d = job->d;
  double *totals = job->totals + (int64_t)worker * d;
  for (int64_t i = start; i < end; i++) {
    const float *x = job->data + i * d;
    if (job->means) {
      for (int j = 0; j < d; j++) totals[j] += (x[j] - job->means[j]) * (x[j] - job->means[j]);
    } else {
      for (int j = 0; j < d; j++) totals[j] += x[j];
    }
  }
}

/* Column sums of one pass, reduced over the workers' partial sums. */
static void column_totals(column_job *job, int64_t n, int threads, double *out) {
  memset(job->totals, 0, sizeof(double) * threads * job->d);
  parallel_for(n, threads, 8192, column_rows, job);
  for (int j = 0; j < job->d; j++) {
    out[j] = 0;
    for (int t = 0; t < threads; t++) out[j] += job->totals[(int64_t)t * job->d + j];
  }
}

double mean_column_variance(const float *data, int64_t n, int d, int threads) {
  if (threads < 1) threads = 1;
  double *means = malloc(sizeof(double) * d), *variances = malloc(sizeof(double) * d);
  column_job job = {data, d, NULL, malloc(sizeof(double) * threads * d)};
  column_totals(&job, n, threads, means);
  for (int j = 0; j < d; j++) means[j] /= n;
  job.means = means;
  column_totals(&job, n, threads, variances);
  double total = 0;
  for (int j = 0; j < d; j++) total += variances[j] / n;
  free(means), free(variances), free(job.totals);
  return total / d;
}
