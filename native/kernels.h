/* Hot loops of the clustering engines, called from TypeScript through Node-API (addon.c).
 * Each kernel works on caller-owned typed-array memory and allocates only scratch space. */
#ifndef BSEG_KERNELS_H
#define BSEG_KERNELS_H
#include <stdint.h>

/* Nearest centre per row (float32 scores ||c||^2 - 2 x.c, first minimum wins, like
 * scikit-learn's argmin), its squared distance (recomputed directly in float64), and per-centre
 * sums and counts of the rows. */
void kmeans_assign(const float *data, int64_t n, int d, const float *centers, int k, int threads,
                   int32_t *labels, double *distances, double *sums, double *counts);

/* Mean over columns of the column variances (k-means' tolerance scale), two passes in float64. */
double mean_column_variance(const float *data, int64_t n, int d, int threads);

/* Squared distances (float32, clamped at 0) from every row to each of m points: n x m, row-major. */
void squared_distances(const float *data, int64_t n, int d, const float *points, int m, int threads, float *out);

/* DBSCAN with scikit-learn's semantics; returns the number of clusters. */
int dbscan(const float *data, int64_t n, int d, double eps, int min_samples, int threads,
           int32_t *labels, uint8_t *core);

/* Nearest-neighbour-chain agglomeration of m rows (Ward: method 0, average: method 1).
 * Writes m - 1 merges (kept slot, dropped slot, merge distance) in the order they happen;
 * returns 0, or -1 when the distance matrix cannot be allocated. */
int linkage_nn_chain(const float *data, const int32_t *rows, int64_t m, int d, int method, int threads,
                     int32_t *merge_a, int32_t *merge_b, double *merge_distance);

/* HDBSCAN's core distances (k-th nearest, itself included) and the n - 1 edges of Prim's minimum
 * spanning tree of the mutual reachability, in the order Prim adds them; returns 0, or -1 when
 * out of memory. */
int hdbscan_mst(const float *data, int64_t n, int d, int min_samples, int threads,
                double *core, int32_t *from, int32_t *to, double *weight);

/* Distance from each of rows[0..count) to its k-th nearest row of data, itself included (HDBSCAN's
 * core distance; DBSCAN's k-distance for eps). Exact float64, as the TypeScript loops compute it. */
int kth_nearest_distances(const float *data, int64_t n, int d, const int32_t *rows, int64_t count, int k, int threads, double *out);

#endif
