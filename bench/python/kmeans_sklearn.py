"""scikit-learn side of `npm run bench -- kmeans`: reads a raw float32 matrix, runs KMeans, prints JSON.

usage: python3 bench/python/kmeans_sklearn.py <file.f32> <n> <d> <k> <seeds> <init.f64>
  - `seeds` full fits (k-means++ then Lloyd, n_init=1) with random_state 0 .. seeds-1
  - one Lloyd run from the given initial centres (k x d float64), to compare iterations one for one
"""
import json
import sys
import time

import numpy as np
from sklearn.cluster import KMeans

path, n, d, k, seeds, init_path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
X = np.fromfile(path, dtype=np.float32).reshape(n, d)
fits = []
for seed in range(seeds):
    started = time.perf_counter()
    model = KMeans(n_clusters=k, init="k-means++", n_init=1, algorithm="lloyd", max_iter=300, tol=1e-4, random_state=seed).fit(X)
    fits.append({"seconds": time.perf_counter() - started, "inertia": float(model.inertia_), "n_iter": int(model.n_iter_)})
init = np.fromfile(init_path, dtype=np.float64).reshape(k, d).astype(np.float32)
started = time.perf_counter()
model = KMeans(n_clusters=k, init=init, n_init=1, algorithm="lloyd", max_iter=300, tol=1e-4).fit(X)
from_init = {"seconds": time.perf_counter() - started, "inertia": float(model.inertia_), "n_iter": int(model.n_iter_)}
print(json.dumps({"fits": fits, "from_init": from_init}))
