/* KD-tree over the rows of a row-major float32 matrix, for exact radius queries in float64
 * (the arithmetic scikit-learn's KDTree uses). Leaves hold up to KD_LEAF_SIZE points: large
 * leaves, because a leaf is scanned with a vectorized float32 estimate (exact check only near the
 * radius), and in 10+ dimensions a finer tree prunes little more; measured fastest from 128 up
 * on the dbscan benchmark (16 dims), and no slower in 2 or 4. */
#ifndef BSEG_KD_TREE_H
#define BSEG_KD_TREE_H
#include <stdint.h>

#define KD_LEAF_SIZE 128

typedef struct {
  int64_t start, end; /* range of `order` */
  int64_t left, right; /* child nodes, -1 for a leaf */
} kd_node;

typedef struct {
  const float *data;
  int64_t n;
  int d;
  int32_t *order;
  float *points; /* the rows in tree order (points + p * d is row order[p]): leaf scans read memory in sequence */
  kd_node *nodes;
  double *low, *high; /* per node bounding box, d values each */
  int64_t node_count;
} kd_tree;

int kd_tree_build(kd_tree *tree, const float *data, int64_t n, int d);
void kd_tree_free(kd_tree *tree);

/* Visits rows within `radius` of row i (inclusive, i itself included). The visitor gets either one
 * row or, when a whole node lies inside the radius, that node's range of `order` at once; it
 * returns nonzero to stop the query. `stack` needs room for the tree's depth * 2 entries. */
typedef int (*kd_visit)(void *context, const int32_t *rows, int64_t count);
void kd_tree_within(const kd_tree *tree, int64_t i, double radius, int64_t *stack, kd_visit visit, void *context);

#endif
