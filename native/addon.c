/* Node-API bindings: each function takes typed arrays owned by the caller (inputs and outputs)
 * and plain numbers, checks their lengths, and runs the kernel synchronously. */
#include <node_api.h>
#include <stdio.h>

#include "kernels.h"

#define CHECK(call)                                                   \
  do {                                                                \
    if ((call) != napi_ok) {                                          \
      napi_throw_error(env, NULL, "native kernels: N-API call failed: " #call); \
      return NULL;                                                    \
    }                                                                 \
  } while (0)

/* Data pointer of a typed array argument, checking its element type and minimum length. */
static void *typed(napi_env env, napi_value value, napi_typedarray_type expected, int64_t length, const char *name) {
  napi_typedarray_type type;
  size_t count;
  void *data;
  if (napi_get_typedarray_info(env, value, &type, &count, &data, NULL, NULL) != napi_ok || type != expected) {
    char message[160];
    snprintf(message, sizeof message, "native kernels: %s must be a typed array of the expected element type", name);
    napi_throw_type_error(env, NULL, message);
    return NULL;
  }
  if ((int64_t)count < length) {
    char message[200];
    snprintf(message, sizeof message, "native kernels: %s has %zu elements, expected at least %lld", name, count, (long long)length);
    napi_throw_range_error(env, NULL, message);
    return NULL;
  }
  return data ? data : (void *)1; /* an empty array is valid when nothing is read from it */
}

static int64_t integer(napi_env env, napi_value value) {
  int64_t result = 0;
  napi_get_value_int64(env, value, &result);
  return result;
}

static double number(napi_env env, napi_value value) {
  double result = 0;
  napi_get_value_double(env, value, &result);
  return result;
}

#define ARGS(count)                                                   \
  size_t argc = count;                                                \
  napi_value argv[count];                                             \
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));        \
  if (argc < count) {                                                 \
    napi_throw_type_error(env, NULL, "native kernels: expected " #count " arguments"); \
    return NULL;                                                      \
  }

#define TYPED(var, ctype, index, kind, length)                        \
  ctype *var = typed(env, argv[index], kind, length, #var);           \
  if (!var) return NULL;

/* kmeansAssign(data, n, d, centers, k, threads, labels, distances, sums, counts) */
static napi_value kmeans_assign_js(napi_env env, napi_callback_info info) {
  ARGS(10);
  const int64_t n = integer(env, argv[1]), d = integer(env, argv[2]), k = integer(env, argv[4]);
  TYPED(data, const float, 0, napi_float32_array, n * d);
  TYPED(centers, const float, 3, napi_float32_array, k * d);
  TYPED(labels, int32_t, 6, napi_int32_array, n);
  TYPED(distances, double, 7, napi_float64_array, n);
  TYPED(sums, double, 8, napi_float64_array, k * d);
  TYPED(counts, double, 9, napi_float64_array, k);
  kmeans_assign(data, n, (int)d, centers, (int)k, (int)integer(env, argv[5]), labels, distances, sums, counts);
  return NULL;
}

/* squaredDistances(data, n, d, points, m, threads, out) */
static napi_value squared_distances_js(napi_env env, napi_callback_info info) {
  ARGS(7);
  const int64_t n = integer(env, argv[1]), d = integer(env, argv[2]), m = integer(env, argv[4]);
  TYPED(data, const float, 0, napi_float32_array, n * d);
  TYPED(points, const float, 3, napi_float32_array, m * d);
  TYPED(out, float, 6, napi_float32_array, n * m);
  squared_distances(data, n, (int)d, points, (int)m, (int)integer(env, argv[5]), out);
  return NULL;
}

/* meanColumnVariance(data, n, d, threads) -> number */
static napi_value mean_column_variance_js(napi_env env, napi_callback_info info) {
  ARGS(4);
  const int64_t n = integer(env, argv[1]), d = integer(env, argv[2]);
  TYPED(data, const float, 0, napi_float32_array, n * d);
  napi_value result;
  CHECK(napi_create_double(env, mean_column_variance(data, n, (int)d, (int)integer(env, argv[3])), &result));
  return result;
}

/* dbscan(data, n, d, eps, minSamples, threads, labels, core) -> clusters */
static napi_value dbscan_js(napi_env env, napi_callback_info info) {
  ARGS(8);
  const int64_t n = integer(env, argv[1]), d = integer(env, argv[2]);
  TYPED(data, const float, 0, napi_float32_array, n * d);
  TYPED(labels, int32_t, 6, napi_int32_array, n);
  TYPED(core, uint8_t, 7, napi_uint8_array, n);
  const int clusters = dbscan(data, n, (int)d, number(env, argv[3]), (int)integer(env, argv[4]), (int)integer(env, argv[5]), labels, core);
  if (clusters < 0) {
    napi_throw_error(env, NULL, "native kernels: DBSCAN could not allocate its KD-tree");
    return NULL;
  }
  napi_value result;
  CHECK(napi_create_int32(env, clusters, &result));
  return result;
}

/* linkage(data, rows, m, d, method, threads, mergeA, mergeB, mergeDistance) */
static napi_value linkage_js(napi_env env, napi_callback_info info) {
  ARGS(9);
  const int64_t m = integer(env, argv[2]), d = integer(env, argv[3]);
  napi_typedarray_type type;
  size_t data_length;
  CHECK(napi_get_typedarray_info(env, argv[0], &type, &data_length, NULL, NULL, NULL));
  TYPED(data, const float, 0, napi_float32_array, d);
  TYPED(rows, const int32_t, 1, napi_int32_array, m);
  for (int64_t i = 0; i < m; i++) {
    if (rows[i] < 0 || ((int64_t)rows[i] + 1) * d > (int64_t)data_length) {
      napi_throw_range_error(env, NULL, "native kernels: linkage row index outside the data");
      return NULL;
    }
  }
  const int64_t merges = m > 0 ? m - 1 : 0;
  TYPED(merge_a, int32_t, 6, napi_int32_array, merges);
  TYPED(merge_b, int32_t, 7, napi_int32_array, merges);
  TYPED(merge_distance, double, 8, napi_float64_array, merges);
  if (linkage_nn_chain(data, rows, m, (int)d, (int)integer(env, argv[4]), (int)integer(env, argv[5]), merge_a, merge_b, merge_distance) != 0) {
    napi_throw_error(env, NULL, "native kernels: linkage could not allocate its m x m distance matrix");
    return NULL;
  }
  return NULL;
}

/* hdbscanMst(data, n, d, minSamples, threads, core, from, to, weight) */
static napi_value hdbscan_mst_js(napi_env env, napi_callback_info info) {
  ARGS(9);
  const int64_t n = integer(env, argv[1]), d = integer(env, argv[2]), min_samples = integer(env, argv[3]);
  if (min_samples < 1 || min_samples > n) {
    napi_throw_range_error(env, NULL, "native kernels: hdbscanMst needs 1 <= minSamples <= n");
    return NULL;
  }
  const int64_t edges = n > 0 ? n - 1 : 0;
  TYPED(data, const float, 0, napi_float32_array, n * d);
  TYPED(core, double, 5, napi_float64_array, n);
  TYPED(from, int32_t, 6, napi_int32_array, edges);
  TYPED(to, int32_t, 7, napi_int32_array, edges);
  TYPED(weight, double, 8, napi_float64_array, edges);
  if (hdbscan_mst(data, n, (int)d, (int)min_samples, (int)integer(env, argv[4]), core, from, to, weight) != 0) {
    napi_throw_error(env, NULL, "native kernels: hdbscanMst ran out of memory");
    return NULL;
  }
  return NULL;
}

/* kthNearestDistances(data, n, d, rows, k, threads, out) */
static napi_value kth_nearest_distances_js(napi_env env, napi_callback_info info) {
  ARGS(7);
  const int64_t n = integer(env, argv[1]), d = integer(env, argv[2]), k = integer(env, argv[4]);
  napi_typedarray_type type;
  size_t count;
  CHECK(napi_get_typedarray_info(env, argv[3], &type, &count, NULL, NULL, NULL));
  if (k < 1 || k > n) {
    napi_throw_range_error(env, NULL, "native kernels: kthNearestDistances needs 1 <= k <= n");
    return NULL;
  }
  TYPED(data, const float, 0, napi_float32_array, n * d);
  TYPED(rows, const int32_t, 3, napi_int32_array, (int64_t)count);
  TYPED(out, double, 6, napi_float64_array, (int64_t)count);
  for (size_t r = 0; r < count; r++) {
    if (rows[r] < 0 || rows[r] >= n) {
      napi_throw_range_error(env, NULL, "native kernels: kthNearestDistances row index outside the data");
      return NULL;
    }
  }
  if (kth_nearest_distances(data, n, (int)d, rows, (int64_t)count, (int)k, (int)integer(env, argv[5]), out) != 0) {
    napi_throw_error(env, NULL, "native kernels: kthNearestDistances ran out of memory");
    return NULL;
  }
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  const napi_property_descriptor functions[] = {
    {"kmeansAssign", NULL, kmeans_assign_js, NULL, NULL, NULL, napi_default, NULL},
    {"meanColumnVariance", NULL, mean_column_variance_js, NULL, NULL, NULL, napi_default, NULL},
    {"squaredDistances", NULL, squared_distances_js, NULL, NULL, NULL, napi_default, NULL},
    {"dbscan", NULL, dbscan_js, NULL, NULL, NULL, napi_default, NULL},
    {"linkage", NULL, linkage_js, NULL, NULL, NULL, napi_default, NULL},
    {"hdbscanMst", NULL, hdbscan_mst_js, NULL, NULL, NULL, napi_default, NULL},
    {"kthNearestDistances", NULL, kth_nearest_distances_js, NULL, NULL, NULL, napi_default, NULL},
  };
  CHECK(napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
