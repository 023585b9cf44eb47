"""Reference ARIs of scikit-learn's SpectralClustering for test/unit/spectral.test.ts.

Run from the repository root:  python3 scripts/python/make_spectral_fixtures.py
(needs scikit-learn and numpy; writes test/fixtures/sklearn/spectral.json). The settings are the
sweep's: standardized features (float32, as activities/clustering/embedding-matrix.ts gives them),
affinity='nearest_neighbors' with n_neighbors=10 (spectralNeighbors), assign_labels='kmeans',
random_state=0, k = the reference partition's cluster count. Points labelled 0 (noise in the suite)
are not scored. `ari_random_states` shows how much scikit-learn's own result moves with the seed.
"""
import json
import pathlib
import warnings

import numpy as np
import scipy
import sklearn
from scipy.sparse.csgraph import connected_components
from sklearn.cluster import SpectralClustering
from sklearn.metrics import adjusted_rand_score
from sklearn.neighbors import kneighbors_graph

from clustering_benchmarks import load_benchmark, standardized

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "test" / "fixtures" / "sklearn"
NEIGHBORS = 10

# Small and medium sets from five batteries, most of them non-convex (rings, chains, spirals,
# nested shapes: what spectral clustering is for), plus two UCI sets with roughly convex classes.
DATASETS = [
    "fcps/atom", "fcps/chainlink", "fcps/lsun", "fcps/target", "graves/ring", "graves/parabolic",
    "graves/zigzag", "sipu/aggregation", "sipu/jain", "sipu/pathbased", "sipu/spiral", "uci/wine",
    "wut/cross",
]
# Larger than the sweep's default spectralSampleSize (2000): the sampled path labels most points by extension.
SAMPLED_DATASETS = ["sipu/s1", "wut/circles"]


def spectral_ari(X, y, k, random_state):
    with warnings.catch_warnings():
        # "Graph is not fully connected": expected on well-separated sets, as in our implementation.
        warnings.simplefilter("ignore", UserWarning)
        labels = SpectralClustering(
            n_clusters=k, affinity="nearest_neighbors", n_neighbors=NEIGHBORS, assign_labels="kmeans", random_state=random_state,
        ).fit_predict(X.astype(np.float64))
    keep = y > 0
    return float(adjusted_rand_score(y[keep], labels[keep]))


def case(path):
    X, y = load_benchmark(path)
    X = standardized(X).astype(np.float32)
    k = int(len(np.unique(y[y > 0])))
    graph = kneighbors_graph(X.astype(np.float64), n_neighbors=NEIGHBORS, include_self=True)
    components, _ = connected_components(0.5 * (graph + graph.T), directed=False)
    return {
        "path": path, "n": int(len(X)), "k": k, "n_neighbors": NEIGHBORS, "graph_components": int(components),
        "ari": spectral_ari(X, y, k, 0), "ari_random_states": [spectral_ari(X, y, k, seed) for seed in range(5)],
    }


if __name__ == "__main__":
    meta = {"sklearn": sklearn.__version__, "numpy": np.__version__, "scipy": scipy.__version__, "script": "scripts/python/make_spectral_fixtures.py"}
    fixture = {"meta": meta, "benchmark_ari": [case(path) for path in DATASETS], "sampled": [case(path) for path in SAMPLED_DATASETS]}
    # One case per line: a regenerated fixture diffs by case.
    lines = [f'{{"meta": {json.dumps(meta)},']
    for key in ("benchmark_ari", "sampled"):
        rows = [json.dumps(row) for row in fixture[key]]
        lines.append(f'"{key}": [\n' + ",\n".join(rows) + "\n]" + ("," if key == "benchmark_ari" else "}"))
    (OUT / "spectral.json").write_text("\n".join(lines) + "\n")
    for row in fixture["benchmark_ari"] + fixture["sampled"]:
        print(f"{row['path']:20s} n={row['n']:5d} k={row['k']:2d} components={row['graph_components']:2d} ari={row['ari']:.4f}")
    print(f"wrote {OUT / 'spectral.json'}")
