#include "parallel.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

typedef struct {
  int64_t n, chunk;
  _Atomic int64_t next;
  range_fn fn;
  void *context;
} shared_range;

typedef struct {
  shared_range *shared;
  int worker;
} worker_arg;

static void *run_worker(void *raw) {
  worker_arg *arg = raw;
  shared_range *shared = arg->shared;
  for (;;) {
    const int64_t start = atomic_fetch_add(&shared->next, shared->chunk);
    if (start >= shared->n) break;
    const int64_t end = start + shared->chunk < shared->n ? start + shared->chunk : shared->n;
    shared->fn(shared->context, start, end, arg->worker);
  }
  return NULL;
}

void parallel_for(int64_t n, int threads, int64_t chunk, range_fn fn, void *context) {
  if (threads < 1) threads = 1;
  shared_range shared = {n, chunk > 0 ? chunk : 1, 0, fn, context};
  pthread_t *handles = malloc(sizeof(pthread_t) * threads);
  worker_arg *args = malloc(sizeof(worker_arg) * threads);
  int started = 1;
  for (int t = 1; t < threads; t++) {
    args[t] = (worker_arg){&shared, t};
    if (pthread_create(&handles[t], NULL, run_worker, &args[t]) != 0) break;
    started++;
  }
  args[0] = (worker_arg){&shared, 0};
  run_worker(&args[0]);
  for (int t = 1; t < started; t++) pthread_join(handles[t], NULL);
  free(handles);
  free(args);
}
