/* DBSCAN with scikit-learn's semantics (see activities/clustering/dbscan.ts for the contract):
 * a point is core with at least min_samples points (itself included) within eps; clusters are the
 * connected components of core points, numbered in the order of their lowest-index core point;
 * a border point joins the lowest-numbered cluster with a core point within eps of it. That is
 * exactly what the sequential expansion produces, but every step here is order-free, so all
 * three passes run on every core:
 *   1. count neighbours (each count stops at min_samples)  -> core flags
 *   2. each core point unions with its core neighbours      -> components (lock-free union-find
 *      that links the larger root under the smaller, so a root is its component's lowest index)
 *   3. each other point takes the smallest root among its core neighbours, or stays noise.
 * Memory O(n): neighbourhoods are queried, not stored, except that pass 1 keeps the (fewer than
 * min_samples) neighbours of non-core points when n * (min_samples - 1) ids fit in
 * KEPT_NEIGHBOURS_LIMIT, so pass 3 needs no second query. */
#include <limits.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "kd_tree.h"
#include "kernels.h"
#include "parallel.h"

/* Depth of a median-split tree is about log2(n / leaf) + 1; 2 entries per level on the stack. */
#define STACK_ENTRIES 256
/* 256 MiB of int32 ids at most for the neighbours kept in pass 1. */
#define KEPT_NEIGHBOURS_LIMIT (64LL << 20)

typedef struct {
  const kd_tree *tree;
  double eps;
  int min_samples;
  uint8_t *core;
  _Atomic int32_t *parent;
  const int32_t *root; /* pass 3: each core point's component root */
  int32_t *labels;
  int32_t *kept; /* n x (min_samples - 1) neighbour ids of non-core points, or NULL */
  uint8_t *kept_count;
} dbscan_job;

/* ---- pass 1: core points ---- */

typedef struct {
  int64_t count, target;
  int32_t *kept; /* room for target - 1 ids, or NULL */
} counter;

static int count_visit(void *context, const int32_t *rows, int64_t count) {
  counter *state = context;
  if (state->kept)
    for (int64_t r = 0; r < count && state->count + r < state->target - 1; r++) state->kept[state->count + r] = rows[r];
  state->count += count;
  return state->count >= state->target;
}

static void count_rows(void *context, int64_t start, int64_t end, int worker) {
  (void)worker;
  dbscan_job *job = context;
  const int64_t room = job->min_samples - 1;
  int64_t stack[STACK_ENTRIES];
  for (int64_t i = start; i < end; i++) {
    counter state = {0, job->min_samples, job->kept ? job->kept + i * room : NULL};
    kd_tree_within(job->tree, i, job->eps, stack, count_visit, &state);
    job->core[i] = state.count >= job->min_samples;
    /* A non-core point's query ran to the end, so all its neighbours are kept. */
    if (job->kept_count) job->kept_count[i] = job->core[i] ? 0 : (uint8_t)state.count;
  }
}

/* ---- pass 2: components of core points ---- */

static int32_t find_root(_Atomic int32_t *parent, int32_t x) {
  for (;;) {
    int32_t up = atomic_load_explicit(&parent[x], memory_order_acquire);
    if (up == x) return x;
    const int32_t grand = atomic_load_explicit(&parent[up], memory_order_acquire);
    /* Path halving; losing the race is harmless (someone else shortened it). */
    if (grand != up) atomic_compare_exchange_weak(&parent[x], &up, grand);
    x = grand;
  }
}

static void unite(_Atomic int32_t *parent, int32_t a, int32_t b) {
  for (;;) {
    a = find_root(parent, a);
    b = find_root(parent, b);
    if (a == b) return;
    if (a < b) {
      const int32_t swap = a;
      a = b;
      b = swap;
    }
    int32_t expected = a; /* link the larger root under the smaller, if it is still a root */
    if (atomic_compare_exchange_strong(&parent[a], &expected, b)) return;
  }
}

typedef struct {
  dbscan_job *job;
  int32_t point;
} union_state;

static int union_visit(void *context, const int32_t *rows, int64_t count) {
  union_state *state = context;
  for (int64_t r = 0; r < count; r++) {
    /* Each core-core pair is seen from both ends; linking from the higher index is enough. */
    if (rows[r] < state->point && state->job->core[rows[r]]) unite(state->job->parent, state->point, rows[r]);
  }
  return 0;
}

static void union_rows(void *context, int64_t start, int64_t end, int worker) {
  (void)worker;
  dbscan_job *job = context;
  int64_t stack[STACK_ENTRIES];
  for (int64_t i = start; i < end; i++) {
    if (!job->core[i]) continue;
    union_state state = {job, (int32_t)i};
    kd_tree_within(job->tree, i, job->eps, stack, union_visit, &state);
  }
}

/* ---- pass 3: border points ---- */

typedef struct {
  const dbscan_job *job;
  int32_t smallest_root;
} border_state;

static int border_visit(void *context, const int32_t *rows, int64_t count) {
  border_state *state = context;
  for (int64_t r = 0; r < count; r++) {
    const int32_t neighbour = rows[r];
    if (state->job->core[neighbour] && state->job->root[neighbour] < state->smallest_root) state->smallest_root = state->job->root[neighbour];
  }
  return 0;
}

static void border_rows(void *context, int64_t start, int64_t end, int worker) {
  (void)worker;
  dbscan_job *job = context;
  int64_t stack[STACK_ENTRIES];
  for (int64_t i = start; i < end; i++) {
    if (job->core[i]) continue;
    border_state state = {job, INT32_MAX};
    if (job->kept) border_visit(&state, job->kept + i * (job->min_samples - 1), job->kept_count[i]);
    else kd_tree_within(job->tree, i, job->eps, stack, border_visit, &state);
    /* Holds the root for now; renumbered to a cluster below. */
    job->labels[i] = state.smallest_root == INT32_MAX ? -1 : state.smallest_root;
  }
}

int dbscan(const float *data, int64_t n, int d, double eps, int min_samples, int threads,
           int32_t *labels, uint8_t *core) {
  kd_tree tree;
  if (kd_tree_build(&tree, data, n, d) != 0) return -1;
  _Atomic int32_t *parent = malloc(sizeof(_Atomic int32_t) * (n > 0 ? n : 1));
  int32_t *root = malloc(sizeof(int32_t) * (n > 0 ? n : 1));
  int32_t *cluster_of_root = malloc(sizeof(int32_t) * (n > 0 ? n : 1));
  if (!parent || !root || !cluster_of_root) {
    free((void *)parent), free(root), free(cluster_of_root), kd_tree_free(&tree);
    return -1;
  }
  for (int64_t i = 0; i < n; i++) atomic_init(&parent[i], (int32_t)i);
  /* kept_count is a byte: keep neighbours only for min_samples <= 256. */
  const int keep = min_samples >= 2 && min_samples <= 256 && n * (int64_t)(min_samples - 1) <= KEPT_NEIGHBOURS_LIMIT;
  int32_t *kept = keep ? malloc(sizeof(int32_t) * n * (min_samples - 1)) : NULL;
  uint8_t *kept_count = kept ? malloc(n) : NULL;
  if (kept && !kept_count) free(kept), kept = NULL;
  dbscan_job job = {&tree, eps, min_samples, core, parent, root, labels, kept, kept_count};
  parallel_for(n, threads, 256, count_rows, &job);
  parallel_for(n, threads, 256, union_rows, &job);
  int clusters = 0;
  for (int64_t i = 0; i < n; i++) {
    if (!core[i]) continue;
    root[i] = find_root(parent, (int32_t)i);
    /* Roots are lowest indices, so the first core point of each component is its root. */
    if (root[i] == i) cluster_of_root[i] = clusters++;
    labels[i] = cluster_of_root[root[i]];
  }
  parallel_for(n, threads, 256, border_rows, &job);
  for (int64_t i = 0; i < n; i++)
    if (!core[i] && labels[i] >= 0) labels[i] = cluster_of_root[labels[i]];
  free((void *)parent), free(root), free(cluster_of_root), free(kept), free(kept_count);
  kd_tree_free(&tree);
  return clusters;
}
