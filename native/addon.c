/* Node-API bindings: each function takes typed arrays owned by the caller (inputs and outputs)
 * and plain numbers and checks their lengths. kmeansAssign, squaredDistances and
 * meanColumnVariance run synchronously (one pass over the data, milliseconds); the kernels that can
 * take seconds (dbscan, linkage, hdbscanMst, kthNearestDistances) run on libuv's thread pool and
 * return a promise, so a worker's event loop (heartbeats, workflow tasks) keeps turning meanwhile.
 * Their typed arrays are referenced until the promise settles; callers must not touch them before. */
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>

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

/* ---- kernels on the thread pool ---- */

#define MAX_REFS 8

typedef struct job job;
struct job {
  napi_async_work work;
  napi_deferred deferred;
  napi_ref refs[MAX_REFS];
  int ref_count;
  int (*run)(job *); /* on a pool thread: no N-API calls; < 0 = failure */
  int result;
  const char *failure;
  const void *in[4];
  void *out[4];
  int64_t size[6];
  double value;
};

static void execute_job(napi_env env, void *data) {
  (void)env;
  job *task = data;
  task->result = task->run(task);
}

static void complete_job(napi_env env, napi_status status, void *data) {
  job *task = data;
  for (int r = 0; r < task->ref_count; r++) napi_delete_reference(env, task->refs[r]);
  if (status != napi_ok || task->result < 0) {
    napi_value message, error;
    napi_create_string_utf8(env, status != napi_ok ? "native kernels: the job was cancelled" : task->failure, NAPI_AUTO_LENGTH, &message);
    napi_create_error(env, NULL, message, &error);
    napi_reject_deferred(env, task->deferred, error);
  } else {
    napi_value result;
    napi_create_int32(env, task->result, &result);
    napi_resolve_deferred(env, task->deferred, result);
  }
  napi_delete_async_work(env, task->work);
  free(task);
}

/* Keeps argv[indices] alive, queues the task, returns its promise (or NULL with an exception). */
static napi_value queue_job(napi_env env, job *task, const napi_value *argv, const int *indices, int count, const char *name) {
  napi_value promise, resource_name;
  for (int r = 0; r < count && r < MAX_REFS; r++) {
    if (napi_create_reference(env, argv[indices[r]], 1, &task->refs[task->ref_count]) != napi_ok) break;
    task->ref_count++;
  }
  if (task->ref_count != count || napi_create_promise(env, &task->deferred, &promise) != napi_ok ||
      napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &resource_name) != napi_ok ||
      napi_create_async_work(env, NULL, resource_name, execute_job, complete_job, task, &task->work) != napi_ok ||
      napi_queue_async_work(env, task->work) != napi_ok) {
    for (int r = 0; r < task->ref_count; r++) napi_delete_reference(env, task->refs[r]);
    free(task);
    napi_throw_error(env, NULL, "native kernels: could not queue the job");
    return NULL;
  }
  return promise;
}

static job *new_job(napi_env env, int (*run)(job *), const char *failure) {
  job *task = calloc(1, sizeof(job));
  if (!task) napi_throw_error(env, NULL, "native kernels: out of memory");
  else task->run = run, task->failure = failure;
  return task;
}

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

static int run_dbscan(job *task) {
  return dbscan(task->in[0], task->size[0], (int)task->size[1], task->value, (int)task->size[2], (int)task->size[3], task->out[0], task->out[1]);
}

/* dbscan(data, n, d, eps, minSamples, threads, labels, core) -> Promise<clusters> */
static napi_value dbscan_js(napi_env env, napi_callback_info info) {
  ARGS(8);
  const int64_t n = integer(env, argv[1]), d = integer(env, argv[2]);
  TYPED(data, const float, 0, napi_float32_array, n * d);
  TYPED(labels, int32_t, 6, napi_int32_array, n);
  TYPED(core, uint8_t, 7, napi_uint8_array, n);
  job *task = new_job(env, run_dbscan, "native kernels: DBSCAN could not allocate its KD-tree");
  if (!task) return NULL;
  task->in[0] = data;
  task->out[0] = labels;
  task->out[1] = core;
  task->size[0] = n, task->size[1] = d, task->size[2] = integer(env, argv[4]), task->size[3] = integer(env, argv[5]);
  task->value = number(env, argv[3]);
  const int kept[] = {0, 6, 7};
  return queue_job(env, task, argv, kept, 3, "bseg:dbscan");
}

static int run_linkage(job *task) {
  return linkage_nn_chain(task->in[0], task->in[1], task->size[0], (int)task->size[1], (int)task->size[2], (int)task->size[3],
                          task->out[0], task->out[1], task->out[2]);
}

/* linkage(data, rows, m, d, method, threads, mergeA, mergeB, mergeDistance) -> Promise */
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
  job *task = new_job(env, run_linkage, "native kernels: linkage could not allocate its m x m distance matrix");
  if (!task) return NULL;
  task->in[0] = data, task->in[1] = rows;
  task->out[0] = merge_a, task->out[1] = merge_b, task->out[2] = merge_distance;
  task->size[0] = m, task->size[1] = d, task->size[2] = integer(env, argv[4]), task->size[3] = integer(env, argv[5]);
  const int kept[] = {0, 1, 6, 7, 8};
  return queue_job(env, task, argv, kept, 5, "bseg:linkage");
}

static int run_hdbscan_mst(job *task) {
  return hdbscan_mst(task->in[0], task->size[0], (int)task->size[1], (int)task->size[2], (int)task->size[3],
                     task->out[0], task->out[1], task->out[2], task->out[3]);
}

/* hdbscanMst(data, n, d, minSamples, threads, core, from, to, weight) -> Promise */
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
  job *task = new_job(env, run_hdbscan_mst, "native kernels: hdbscanMst ran out of memory");
  if (!task) return NULL;
  task->in[0] = data;
  task->out[0] = core, task->out[1] = from, task->out[2] = to, task->out[3] = weight;
  task->size[0] = n, task->size[1] = d, task->size[2] = min_samples, task->size[3] = integer(env, argv[4]);
  const int kept[] = {0, 5, 6, 7, 8};
  return queue_job(env, task, argv, kept, 5, "bseg:hdbscanMst");
}

static int run_kth_nearest(job *task) {
  return kth_nearest_distances(task->in[0], task->size[0], (int)task->size[1], task->in[1], task->size[2], (int)task->size[3], (int)task->size[4], task->out[0]);
}

/* kthNearestDistances(data, n, d, rows, k, threads, out) -> Promise */
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
  job *task = new_job(env, run_kth_nearest, "native kernels: kthNearestDistances ran out of memory");
  if (!task) return NULL;
  task->in[0] = data, task->in[1] = rows;
  task->out[0] = out;
  task->size[0] = n, task->size[1] = d, task->size[2] = (int64_t)count, task->size[3] = k, task->size[4] = integer(env, argv[5]);
  const int kept[] = {0, 3, 6};
  return queue_job(env, task, argv, kept, 3, "bseg:kthNearestDistances");
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
