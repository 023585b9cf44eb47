/* A minimal parallel for: `threads` workers (the caller is worker 0) take chunks of [0, n) from a
 * shared counter, so uneven rows (DBSCAN neighbourhoods) still balance across cores. */
#ifndef BSEG_PARALLEL_H
#define BSEG_PARALLEL_H
#include <stdint.h>

typedef void (*range_fn)(void *context, int64_t start, int64_t end, int worker);

void parallel_for(int64_t n, int threads, int64_t chunk, range_fn fn, void *context);

#endif
