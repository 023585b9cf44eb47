/* HDBSCAN's quadratic part: core distances and Prim's minimum spanning tree of the mutual
 * reachability distance, a port of activities/clustering/hdbscan.ts (its reference) with the same
 * float64 arithmetic in the same order, so the trees are identical. Compiled without -ffast-math.
 *
 * Speed comes from computing 4 distances at once, one per vector lane: each lane still sums its
 * squared differences in dimension order, so every distance is bit-identical to the scalar loop,
 * but the 4 independent sums hide the add latency that bounds a single running sum. The points
 * are copied in blocks of 4, dimension-major within a block, as float32 (the same size as the data;
 * widening to float64 on load is exact). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "parallel.h"

typedef double v4d __attribute__((vector_size(32)));
typedef float v4f __attribute__((vector_size(16)));
#define LANES 4

typedef struct {
  int64_t n, blocks;
  int d;
  float *values; /* blocks x d x LANES; lanes past n are zero */
} lane_blocks;

static int make_blocks(lane_blocks *out, const float *data, int64_t n, int d) {
  const int64_t blocks = (n + LANES - 1) / LANES;
  float *values = aligned_alloc(16, sizeof(float) * blocks * d * LANES);
  if (!values) return -1;
  memset(values, 0, sizeof(float) * blocks * d * LANES);
  for (int64_t i = 0; i < n; i++)
    for (int j = 0; j < d; j++) values[(i / LANES) * d * LANES + (int64_t)j * LANES + i % LANES] = data[i * d + j];
  *out = (lane_blocks){n, blocks, d, values};
  return 0;
}

/* Euclidean distances from row `x` to the 4 points of block b. */
static inline v4d block_distances(const lane_blocks *points, const float *x, int64_t b) {
  const float *block = points->values + b * points->d * LANES;
  v4d sum = {0, 0, 0, 0};
  for (int j = 0; j < points->d; j++) {
    const v4d y = __builtin_convertvector(*(const v4f *)(block + (int64_t)j * LANES), v4d);
    const v4d diff = (double)x[j] - y;
    sum += diff * diff;
  }
  v4d root = sum;
  for (int lane = 0; lane < LANES; lane++) root[lane] = sqrt(sum[lane]);
  return root;
}

typedef struct {
  const float *data;
  const lane_blocks *points;
  int k;
  const int32_t *rows; /* the rows to measure, or NULL for all */
  double *core;        /* one per measured row */
} core_job;

/* Distance to the k-th nearest point, the point itself (distance 0) included. */
static void core_rows(void *context, int64_t start, int64_t end, int worker) {
  (void)worker;
  core_job *job = context;
  const int64_t n = job->points->n;
  double *nearest = malloc(sizeof(double) * job->k);
  for (int64_t r = start; r < end; r++) {
    const int64_t i = job->rows ? job->rows[r] : r;
    for (int s = 0; s < job->k; s++) nearest[s] = INFINITY;
    const float *x = job->data + i * job->points->d;
    for (int64_t b = 0; b < job->points->blocks; b++) {
      const v4d distances = block_distances(job->points, x, b);
      for (int lane = 0; lane < LANES; lane++) {
        const int64_t other = b * LANES + lane;
        if (other >= n) break;
        const double value = other == i ? 0 : distances[lane];
        if (value >= nearest[job->k - 1]) continue;
        int slot = job->k - 1;
        while (slot > 0 && nearest[slot - 1] > value) {
          nearest[slot] = nearest[slot - 1];
          slot--;
        }
        nearest[slot] = value;
      }
    }
    job->core[r] = nearest[job->k - 1];
  }
  free(nearest);
}

int kth_nearest_distances(const float *data, int64_t n, int d, const int32_t *rows, int64_t count, int k, int threads, double *out) {
  lane_blocks points;
  if (make_blocks(&points, data, n, d) != 0) return -1;
  core_job job = {data, &points, k, rows, out};
  parallel_for(count, threads, 16, core_rows, &job);
  free(points.values);
  return 0;
}

typedef struct {
  const float *data;
  const lane_blocks *points;
  const double *core;
  const uint8_t *in_tree;
  double *reach;
  int32_t *source;
  int32_t current;
  /* Per worker: its first minimum of the updated reach, and where it came from. */
  double *best;
  int64_t *best_at;
} prim_job;

static void prim_blocks(void *context, int64_t start, int64_t end, int worker) {
  prim_job *job = context;
  const int64_t n = job->points->n;
  const float *x = job->data + (int64_t)job->current * job->points->d;
  const double current_core = job->core[job->current];
  double best = job->best[worker];
  int64_t best_at = job->best_at[worker];
  for (int64_t b = start; b < end; b++) {
    const v4d distances = block_distances(job->points, x, b);
    for (int lane = 0; lane < LANES; lane++) {
      const int64_t j = b * LANES + lane;
      if (j >= n) break;
      if (job->in_tree[j]) continue;
      double mutual = distances[lane];
      if (current_core > mutual) mutual = current_core;
      if (job->core[j] > mutual) mutual = job->core[j];
      if (mutual < job->reach[j]) {
        job->reach[j] = mutual;
        job->source[j] = job->current;
      }
      /* Chunks are taken in order by each worker but interleave across workers: keep the lowest j on ties. */
      if (job->reach[j] < best || (job->reach[j] == best && j < best_at)) {
        best = job->reach[j];
        best_at = j;
      }
    }
  }
  job->best[worker] = best;
  job->best_at[worker] = best_at;
}

int hdbscan_mst(const float *data, int64_t n, int d, int min_samples, int threads,
                double *core, int32_t *from, int32_t *to, double *weight) {
  if (n < 2) return 0;
  if (threads < 1) threads = 1;
  lane_blocks points;
  if (make_blocks(&points, data, n, d) != 0) return -1;
  core_job cores = {data, &points, min_samples, NULL, core};
  parallel_for(n, threads, 16, core_rows, &cores);
  uint8_t *in_tree = calloc(n, 1);
  double *reach = malloc(sizeof(double) * n), *best = malloc(sizeof(double) * threads);
  int32_t *source = calloc(n, sizeof(int32_t));
  int64_t *best_at = malloc(sizeof(int64_t) * threads);
  if (!in_tree || !reach || !best || !source || !best_at) {
    free(in_tree), free(reach), free(best), free(source), free(best_at), free(points.values);
    return -1;
  }
  for (int64_t j = 0; j < n; j++) reach[j] = INFINITY;
  prim_job job = {data, &points, core, in_tree, reach, source, 0, best, best_at};
  /* A step is one pass over the points; threads (started per step) pay off only when it is long:
   * measured, 5,000 x 19 runs faster on one thread, 5,000 x 384 on two. */
  const int step_threads = points.blocks * d >= 200000 ? threads : 1;
  for (int64_t step = 0; step < n - 1; step++) {
    in_tree[job.current] = 1;
    for (int t = 0; t < threads; t++) {
      best[t] = INFINITY;
      best_at[t] = n;
    }
    parallel_for(points.blocks, step_threads, 64, prim_blocks, &job);
    double chosen = INFINITY;
    int64_t next = n;
    for (int t = 0; t < threads; t++)
      if (best[t] < chosen || (best[t] == chosen && best_at[t] < next)) chosen = best[t], next = best_at[t];
    if (next == n) { /* no finite reachability left (NaN data): the reference's defaults */
      from[step] = 0;
      next = 0;
    } else {
      from[step] = source[next];
    }
    to[step] = (int32_t)next;
    weight[step] = chosen;
    job.current = (int32_t)next;
  }
  free(in_tree), free(reach), free(best), free(source), free(best_at), free(points.values);
  return 0;
}
