/* Compiled without -ffast-math: distances must be computed in a fixed order, in float64, so a
 * point exactly at eps is inside or outside the same way scikit-learn decides it. */
#include "kd_tree.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* GCC/Clang vector extension: 8 floats (AVX, SSE or NEON as the compiler lowers it). */
typedef float v8 __attribute__((vector_size(32)));

/* Squared distance in float32, 8 lanes at a time: a fast estimate, exact to within
 * (d + 2) * 2^-24 relative (each term: one rounded difference and square; the sum of d
 * non-negative terms). */
static inline float estimate(const float *a, const float *b, int d) {
  v8 lanes = {0};
  int j = 0;
  for (; j + 8 <= d; j += 8) {
    v8 x, y;
    memcpy(&x, a + j, sizeof x);
    memcpy(&y, b + j, sizeof y);
    const v8 diff = x - y;
    lanes += diff * diff;
  }
  float sum = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
  for (; j < d; j++) {
    const float diff = a[j] - b[j];
    sum += diff * diff;
  }
  return sum;
}

/* The decision that counts: float64, dimensions in order (what scikit-learn computes). */
static inline int within_exact(const float *a, const float *b, int d, double radius_squared) {
  double distance = 0;
  for (int j = 0; j < d && distance <= radius_squared; j++) {
    const double diff = (double)a[j] - (double)b[j];
    distance += diff * diff;
  }
  return distance <= radius_squared;
}

static void bounds(kd_tree *tree, int64_t node) {
  const int d = tree->d;
  double *low = tree->low + node * d, *high = tree->high + node * d;
  for (int j = 0; j < d; j++) {
    low[j] = INFINITY;
    high[j] = -INFINITY;
  }
  for (int64_t p = tree->nodes[node].start; p < tree->nodes[node].end; p++) {
    const float *row = tree->data + (int64_t)tree->order[p] * d;
    for (int j = 0; j < d; j++) {
      if (row[j] < low[j]) low[j] = row[j];
      if (row[j] > high[j]) high[j] = row[j];
    }
  }
}

/* Quickselect: puts the rows of order[start, end) with the `middle`-th smallest value on `axis`
 * at `middle`, smaller-or-equal ones before it and larger-or-equal ones after. */
static void select_median(kd_tree *tree, int64_t start, int64_t end, int64_t middle, int axis) {
  int32_t *order = tree->order;
  const float *data = tree->data;
  const int d = tree->d;
  while (end - start > 1) {
    const float pivot = data[(int64_t)order[start + (end - start) / 2] * d + axis];
    int64_t i = start, j = end - 1;
    while (i <= j) {
      while (data[(int64_t)order[i] * d + axis] < pivot) i++;
      while (data[(int64_t)order[j] * d + axis] > pivot) j--;
      if (i <= j) {
        const int32_t swap = order[i];
        order[i] = order[j];
        order[j] = swap;
        i++;
        j--;
      }
    }
    if (middle <= j) end = j + 1;
    else if (middle >= i) start = i;
    else return;
  }
}

static int64_t build(kd_tree *tree, int64_t start, int64_t end) {
  const int64_t node = tree->node_count++;
  tree->nodes[node] = (kd_node){start, end, -1, -1};
  bounds(tree, node);
  if (end - start <= KD_LEAF_SIZE) return node;
  const double *low = tree->low + node * tree->d, *high = tree->high + node * tree->d;
  int axis = 0;
  for (int j = 1; j < tree->d; j++)
    if (high[j] - low[j] > high[axis] - low[axis]) axis = j;
  if (high[axis] == low[axis]) return node; /* all points identical: one leaf */
  const int64_t middle = start + (end - start) / 2;
  select_median(tree, start, end, middle, axis);
  const int64_t left = build(tree, start, middle);
  const int64_t right = build(tree, middle, end);
  tree->nodes[node].left = left;
  tree->nodes[node].right = right;
  return node;
}

int kd_tree_build(kd_tree *tree, const float *data, int64_t n, int d) {
  /* A binary tree with leaves of >= KD_LEAF_SIZE / 2 points has fewer than 4n / KD_LEAF_SIZE + 1 nodes. */
  const int64_t capacity = 4 * n / KD_LEAF_SIZE + 2;
  *tree = (kd_tree){data, n, d, malloc(sizeof(int32_t) * (n > 0 ? n : 1)), malloc(sizeof(float) * (n > 0 ? n : 1) * d),
                    malloc(sizeof(kd_node) * capacity), malloc(sizeof(double) * capacity * d), malloc(sizeof(double) * capacity * d), 0};
  if (!tree->order || !tree->points || !tree->nodes || !tree->low || !tree->high) {
    kd_tree_free(tree);
    return -1;
  }
  for (int64_t i = 0; i < n; i++) tree->order[i] = (int32_t)i;
  if (n > 0) build(tree, 0, n);
  for (int64_t p = 0; p < n; p++)
    for (int j = 0; j < d; j++) tree->points[p * d + j] = data[(int64_t)tree->order[p] * d + j];
  return 0;
}

void kd_tree_free(kd_tree *tree) {
  free(tree->order);
  free(tree->points);
  free(tree->nodes);
  free(tree->low);
  free(tree->high);
  tree->order = NULL;
  tree->points = NULL;
  tree->nodes = NULL;
  tree->low = tree->high = NULL;
}

void kd_tree_within(const kd_tree *tree, int64_t i, double radius, int64_t *stack, kd_visit visit, void *context) {
  if (tree->node_count == 0) return;
  const int d = tree->d;
  const double radius_squared = radius * radius;
  const float *query = tree->data + i * d;
  /* Estimates further than this (relative) from the radius decide alone; the rest are recomputed
   * exactly. Twice the estimate's error bound. */
  const double margin = (d + 2) * 0x1p-23;
  const float surely_inside = (float)(radius_squared * (1 - margin)), surely_outside = (float)(radius_squared * (1 + margin));
  int64_t top = 0;
  stack[top++] = 0;
  while (top > 0) {
    const int64_t node = stack[--top];
    const double *low = tree->low + node * d, *high = tree->high + node * d;
    /* Nearest and farthest squared distance from the query to the node's box. */
    double near = 0, far = 0;
    for (int j = 0; j < d; j++) {
      const double value = query[j];
      const double below = low[j] - value, above = value - high[j];
      const double gap = below > 0 ? below : above > 0 ? above : 0;
      near += gap * gap;
      const double reach = value - low[j] > high[j] - value ? value - low[j] : high[j] - value;
      far += reach * reach;
    }
    if (near > radius_squared) continue;
    const kd_node *entry = &tree->nodes[node];
    /* Every point's distance is at most `far` (same float64 steps, each term no larger). */
    if (far <= radius_squared) {
      if (visit(context, tree->order + entry->start, entry->end - entry->start)) return;
      continue;
    }
    if (entry->left >= 0) {
      stack[top++] = entry->right;
      stack[top++] = entry->left;
      continue;
    }
    for (int64_t p = entry->start; p < entry->end; p++) {
      const float *other = tree->points + p * d;
      const float guess = estimate(query, other, d);
      if (guess > surely_outside) continue;
      if (guess >= surely_inside && !within_exact(query, other, d, radius_squared)) continue;
      if (visit(context, tree->order + p, 1)) return;
    }
  }
}
