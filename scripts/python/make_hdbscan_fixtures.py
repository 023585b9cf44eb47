"""Reference labels from scikit-learn's HDBSCAN for test/unit/hdbscan.test.ts.

Run from the repository root:  python3 scripts/python/make_hdbscan_fixtures.py
(needs scikit-learn and numpy; writes test/fixtures/sklearn/hdbscan.json). Data is stored as
float32 values (exact in JSON); scikit-learn clusters their float64 copy, as our code does.
"""
import json
import pathlib
import types

import numpy as np
import sklearn
from sklearn.cluster import HDBSCAN
import sklearn.cluster._hdbscan.hdbscan as hdbscan_module
from sklearn.metrics import adjusted_rand_score

from clustering_benchmarks import load_benchmark, standardized

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "test" / "fixtures" / "sklearn"


def fit(X, min_cluster_size, min_samples, stable):
    """scikit-learn orders the spanning tree's edges with numpy's default argsort, which is not
    stable: edges of exactly equal weight (common: mutual reachability is often a core distance)
    come out in an order no other sort reproduces. `stable` swaps in a stable argsort, the order
    our implementation uses, so labels can be compared exactly."""
    original = hdbscan_module.np
    if stable:
        patched = types.SimpleNamespace(**{name: getattr(np, name) for name in dir(np) if not name.startswith("__")})
        patched.argsort = lambda values, *args, **kwargs: np.argsort(values, kind="stable")
        hdbscan_module.np = patched
    try:
        return HDBSCAN(min_cluster_size=min_cluster_size, min_samples=min_samples, copy=True).fit_predict(X.astype(np.float64))
    finally:
        hdbscan_module.np = original


def case(name, X, min_cluster_size, min_samples=None, truth=None):
    X = X.astype(np.float32)
    labels = fit(X, min_cluster_size, min_samples, stable=False)
    result = {
        "name": name, "min_cluster_size": min_cluster_size, "min_samples": min_samples, "data": X.tolist(),
        "labels": labels.tolist(), "labels_stable_edge_order": fit(X, min_cluster_size, min_samples, stable=True).tolist(),
    }
    if truth is not None:
        result["truth"] = np.asarray(truth).tolist()
        result["ari_vs_truth"] = float(adjusted_rand_score(truth, labels))
    return result


BENCHMARK_ARI_DATASETS = [
    "uci/wine", "uci/wdbc", "uci/yeast", "uci/statlog", "fcps/atom", "fcps/chainlink",
    "sipu/aggregation", "sipu/s1", "other/chameleon_t4_8k", "g2mg/g2mg_128_50",
]


def benchmark_ari_case(path):
    """scikit-learn HDBSCAN's ARI against the ground truth, set up as our sweep sets it up:
    standardized features, min_cluster_size = 2% of the points (hdbscanMinClusterShares), min_samples
    = min(10, that) (hdbscanMinSamples). Points labelled 0 (noise in the suite) are not scored; our
    noise (-1) counts as one more predicted cluster."""
    X, y = load_benchmark(path)
    X = standardized(X).astype(np.float32)
    min_cluster_size = max(2, round(0.02 * len(X)))
    min_samples = min(10, min_cluster_size)
    labels = fit(X, min_cluster_size, min_samples, stable=False)
    keep = y > 0
    return {"path": path, "min_cluster_size": min_cluster_size, "min_samples": min_samples,
            "ari": float(adjusted_rand_score(y[keep], labels[keep])), "clusters": int(labels.max() + 1)}


if __name__ == "__main__":
    aggregation, aggregation_truth = load_benchmark("sipu/aggregation")
    wine, wine_truth = load_benchmark("uci/wine")
    chameleon, _ = load_benchmark("other/chameleon_t4_8k")
    s1, s1_truth = load_benchmark("sipu/s1")
    cases = [
        case("sipu-aggregation", aggregation, 10, truth=aggregation_truth),
        case("sipu-aggregation-min-samples-4", aggregation, 15, min_samples=4, truth=aggregation_truth),
        case("uci-wine-standardized", standardized(wine), 5, truth=wine_truth),
        case("chameleon-t4-8k-first-3000", chameleon[:3000], 25),
        case("sipu-s1-standardized", standardized(s1), 20, truth=s1_truth),
    ]
    meta = {"sklearn": sklearn.__version__, "numpy": np.__version__, "script": "scripts/python/make_hdbscan_fixtures.py"}
    benchmarks = [benchmark_ari_case(path) for path in BENCHMARK_ARI_DATASETS]
    (OUT / "hdbscan.json").write_text(json.dumps({"meta": meta, "cases": cases, "benchmark_ari": benchmarks}))
    print(f"wrote {OUT / 'hdbscan.json'} ({len(cases)} cases)")
