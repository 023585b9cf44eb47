"""Reference values for activities/metrics/density-silhouette.ts, computed another way.

Run from the repository root:  python3 scripts/python/make_density_silhouette_fixtures.py
(needs numpy, scipy, scikit-learn; writes test/fixtures/scipy/density-silhouette.json).

Our code builds the minimum spanning tree of mutual reachability distances with Prim's algorithm
and walks it for the largest step between every pair. Here the same distances come from scipy's
single-linkage dendrogram of the mutual reachability matrix: the cophenetic distance of single
linkage is exactly that minimax path distance. The silhouette is scikit-learn's on the
precomputed matrix, noise (-1) left out of it but not out of the walk.
"""
import json
import pathlib

import numpy as np
from scipy.cluster.hierarchy import cophenet, linkage
from scipy.spatial.distance import cdist, squareform
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score

from clustering_benchmarks import load_benchmark, standardized

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "test" / "fixtures" / "scipy" / "density-silhouette.json"
NEIGHBOURS = 5


def minimax_distances(X):
    D = cdist(X, X)
    core = np.sort(D, axis=1)[:, NEIGHBOURS]  # column 0 is the point itself
    reach = np.maximum(D, np.maximum(core[:, None], core[None, :]))
    np.fill_diagonal(reach, 0)
    return squareform(cophenet(linkage(squareform(reach, checks=False), method="single")))


def density_silhouette(M, labels):
    kept = labels >= 0
    return float(silhouette_score(M[np.ix_(kept, kept)], labels[kept], metric="precomputed"))


def case(name, X, truth):
    X = standardized(X).astype(np.float32)
    M = minimax_distances(X.astype(np.float64))
    truth_labels = np.where(truth > 0, truth - 1, -1)
    labelings = {"truth (noise as -1)": truth_labels}
    for k in (2, 3, 5):
        labelings[f"kmeans k={k}"] = KMeans(n_clusters=k, n_init=4, random_state=0).fit_predict(X)
    return {
        "name": name,
        "data": X.tolist(),
        "d": int(X.shape[1]),
        "labelings": [
            {"label": label, "labels": labels.tolist(), "value": density_silhouette(M, labels)}
            for label, labels in labelings.items()
        ],
    }


def main():
    cases = [case(name, *load_benchmark(name)) for name in ("sipu/jain", "fcps/lsun", "graves/zigzag_outliers")]
    OUT.write_text(json.dumps({"neighbours": NEIGHBOURS, "cases": cases}))
    for c in cases:
        print(c["name"], [(l["label"], round(l["value"], 4)) for l in c["labelings"]])


if __name__ == "__main__":
    main()
