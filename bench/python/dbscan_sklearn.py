"""scikit-learn side of `npm run bench -- dbscan`: reads a raw float32 matrix, runs DBSCAN, prints JSON.

usage: python3 bench/python/dbscan_sklearn.py <file.f32> <n> <d> <eps> <min_samples> <labels_out.i32>
"""
import json
import sys
import time

import numpy as np
from sklearn.cluster import DBSCAN

path, n, d, eps, min_samples, labels_out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
X = np.fromfile(path, dtype=np.float32).reshape(n, d).astype(np.float64)
started = time.perf_counter()
model = DBSCAN(eps=eps, min_samples=min_samples, n_jobs=-1).fit(X)
seconds = time.perf_counter() - started
model.labels_.astype(np.int32).tofile(labels_out)
print(json.dumps({"seconds": seconds, "clusters": int(model.labels_.max() + 1), "noise": int((model.labels_ == -1).sum())}))
