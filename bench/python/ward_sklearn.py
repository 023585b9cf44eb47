"""scikit-learn side of `npm run bench -- ward`: AgglomerativeClustering(ward) on a raw float32 matrix.

usage: python3 bench/python/ward_sklearn.py <file.f32> <n> <d> <k> <labels_out.i32>
"""
import json
import sys
import time

import numpy as np
from sklearn.cluster import AgglomerativeClustering

path, n, d, k, labels_out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
X = np.fromfile(path, dtype=np.float32).reshape(n, d).astype(np.float64)
started = time.perf_counter()
labels = AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(X)
seconds = time.perf_counter() - started
labels.astype(np.int32).tofile(labels_out)
print(json.dumps({"seconds": seconds}))
