"""scikit-learn side of `npm run bench -- kmeans`: reads a raw float32 matrix, runs KMeans, prints JSON.

usage: python3 bench/python/kmeans_sklearn.py <file.f32> <n> <d> <k> [max_iter]
"""
import json
import sys
import time

import numpy as np
from sklearn.cluster import KMeans

path, n, d, k = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
max_iter = int(sys.argv[5]) if len(sys.argv) > 5 else 300
X = np.fromfile(path, dtype=np.float32).reshape(n, d)
started = time.perf_counter()
model = KMeans(n_clusters=k, init="k-means++", n_init=1, algorithm="lloyd", max_iter=max_iter, tol=1e-4, random_state=0).fit(X)
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "inertia": float(model.inertia_), "n_iter": int(model.n_iter_)}))
