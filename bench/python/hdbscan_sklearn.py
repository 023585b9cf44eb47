"""scikit-learn side of `npm run bench -- hdbscan`: reads a raw float32 matrix, runs HDBSCAN, prints JSON
and writes the labels (int32) next to it.

usage: python3 bench/python/hdbscan_sklearn.py <file.f32> <n> <d> <min_cluster_size> <min_samples> <labels.i32>
"""
import json
import sys
import time

import numpy as np
from sklearn.cluster import HDBSCAN

path, n, d, min_cluster_size, min_samples, labels_path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
X = np.fromfile(path, dtype=np.float32).reshape(n, d).astype(np.float64)
started = time.perf_counter()
labels = HDBSCAN(min_cluster_size=min_cluster_size, min_samples=min_samples, copy=True).fit_predict(X)
seconds = time.perf_counter() - started
labels.astype(np.int32).tofile(labels_path)
print(json.dumps({"seconds": seconds, "clusters": int(labels.max() + 1)}))
