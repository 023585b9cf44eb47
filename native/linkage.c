/* Ward and average linkage by the nearest-neighbour chain on a condensed float64 distance matrix,
 * a line-for-line port of activities/clustering/hierarchical.ts (the reference it is tested
 * against): the same arithmetic in the same order and the same tie-breaking, so the merges are
 * identical. Compiled without -ffast-math for that reason. */
#include <math.h>
#include <stdlib.h>

#include "kernels.h"
#include "parallel.h"

typedef struct {
  const float *data;
  const int32_t *rows;
  int64_t m;
  int d;
  int method;
  const int64_t *row_start;
  double *distances;
} distance_job;

/* Row i of the condensed matrix holds d(i, j) for j > i at row_start[i] + (j - i - 1). */
static void fill_rows(void *context, int64_t start, int64_t end, int worker) {
  (void)worker;
  distance_job *job = context;
  const int d = job->d;
  for (int64_t i = start; i < end; i++) {
    const float *x = job->data + (int64_t)job->rows[i] * d;
    double *out = job->distances + job->row_start[i] - i - 1;
    for (int64_t j = i + 1; j < job->m; j++) {
      const float *y = job->data + (int64_t)job->rows[j] * d;
      double squared = 0;
      for (int c = 0; c < d; c++) {
        const double diff = (double)x[c] - (double)y[c];
        squared += diff * diff;
      }
      /* Ward's recurrence works on squared distances; average linkage on distances. */
      out[j] = job->method == 0 ? squared : sqrt(squared);
    }
  }
}

static inline double *cell(double *distances, const int64_t *row_start, int64_t i, int64_t j) {
  return i < j ? &distances[row_start[i] + j - i - 1] : &distances[row_start[j] + i - j - 1];
}

int linkage_nn_chain(const float *data, const int32_t *rows, int64_t m, int d, int method, int threads,
                     int32_t *merge_a, int32_t *merge_b, double *merge_distance) {
  if (m < 2) return 0;
  double *distances = malloc(sizeof(double) * (size_t)(m * (m - 1) / 2));
  int64_t *row_start = malloc(sizeof(int64_t) * m);
  double *size = malloc(sizeof(double) * m);
  int32_t *next = malloc(sizeof(int32_t) * (m + 1)); /* active slots as a linked list, ascending */
  int32_t *prev = malloc(sizeof(int32_t) * (m + 1));
  int32_t *chain = malloc(sizeof(int32_t) * m);
  if (!distances || !row_start || !size || !next || !prev || !chain) {
    free(distances), free(row_start), free(size), free(next), free(prev), free(chain);
    return -1;
  }
  for (int64_t i = 0; i < m; i++) row_start[i] = i * m - i * (i + 1) / 2;
  distance_job job = {data, rows, m, d, method, row_start, distances};
  /* Small chunks: row i has m - i - 1 entries, so early rows are the heavy ones. */
  parallel_for(m, threads, 16, fill_rows, &job);

#define AT(i, j) (*cell(distances, row_start, i, j))
  /* Slot m is the head of the list of active slots: next[m] is the lowest one. */
  for (int64_t i = 0; i < m; i++) {
    next[i] = (int32_t)(i + 1);
    prev[i] = (int32_t)(i == 0 ? m : i - 1);
  }
  next[m] = 0;
  prev[m] = (int32_t)(m - 1);
  for (int64_t i = 0; i < m; i++) size[i] = 1;
  int64_t chain_length = 0, merges = 0;
  while (merges < m - 1) {
    if (chain_length == 0) chain[chain_length++] = next[m];
    const int32_t a = chain[chain_length - 1];
    const int32_t previous = chain_length >= 2 ? chain[chain_length - 2] : -1;
    /* Nearest active cluster; on ties the previous chain element wins, which keeps the chain finite. */
    int32_t nearest = previous;
    double best = previous >= 0 ? AT(a, previous) : INFINITY;
    for (int32_t c = next[m]; c != m; c = next[c]) {
      if (c == a) continue;
      const double value = AT(a, c);
      if (value < best) {
        best = value;
        nearest = c;
      }
    }
    if (nearest != previous) {
      chain[chain_length++] = nearest;
      continue;
    }
    chain_length -= 2;
    /* Merge a and previous into the lower slot; Lance-Williams update of its distances. */
    const int32_t keep = a < previous ? a : previous, drop = a < previous ? previous : a;
    merge_a[merges] = keep;
    merge_b[merges] = drop;
    merge_distance[merges] = method == 0 ? sqrt(best) : best;
    merges++;
    for (int32_t c = next[m]; c != m; c = next[c]) {
      if (c == keep || c == drop) continue;
      const double to_keep = AT(c, keep), to_drop = AT(c, drop);
      const double updated = method == 0
        ? ((size[keep] + size[c]) * to_keep + (size[drop] + size[c]) * to_drop - size[c] * best) / (size[keep] + size[drop] + size[c])
        : (size[keep] * to_keep + size[drop] * to_drop) / (size[keep] + size[drop]);
      AT(c, keep) = updated;
    }
    size[keep] += size[drop];
    next[prev[drop]] = next[drop];
    prev[next[drop]] = prev[drop];
  }
#undef AT
  free(distances), free(row_start), free(size), free(next), free(prev), free(chain);
  return 0;
}
