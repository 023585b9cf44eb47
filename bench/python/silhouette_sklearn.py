"""scikit-learn side of `npm run bench -- silhouette`: reads a raw float32 matrix and int32 labels, prints JSON.

usage: python3 bench/python/silhouette_sklearn.py exact <file.f32> <labels.i32> <n> <d>
         silhouette_score on the float32 data as given (scikit-learn upcasts it in chunks) and on a
         float64 copy (its faster path; the copy is made outside the timing)
       python3 bench/python/silhouette_sklearn.py sample <file.f32> <labels.i32> <n> <d> <sample_size> <seeds>
         silhouette_score(..., sample_size=s, random_state=seed) for seed in 0..seeds-1
"""
import json
import sys
import time

import numpy as np
from sklearn.metrics import silhouette_score

mode, path, labels_path, n, d = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
X = np.fromfile(path, dtype=np.float32).reshape(n, d)
labels = np.fromfile(labels_path, dtype=np.int32)
if mode == "exact":
    started = time.perf_counter()
    value32 = float(silhouette_score(X, labels))
    seconds32 = time.perf_counter() - started
    X64 = X.astype(np.float64)
    started = time.perf_counter()
    value64 = float(silhouette_score(X64, labels))
    seconds64 = time.perf_counter() - started
    print(json.dumps({"seconds_f32": seconds32, "value_f32": value32, "seconds_f64": seconds64, "value_f64": value64}))
else:
    sample_size, seeds = int(sys.argv[6]), int(sys.argv[7])
    X64 = X.astype(np.float64)
    values = [float(silhouette_score(X64, labels, sample_size=sample_size, random_state=seed)) for seed in range(seeds)]
    print(json.dumps({"values": values}))
