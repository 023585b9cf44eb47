"""Reference values from scikit-learn for the external clustering metrics (truth vs predicted labels).

Run from the repository root:  python3 scripts/python/make_external_metrics_fixtures.py
(needs scikit-learn, scipy and numpy; writes test/fixtures/sklearn/external-metrics.json). The test
test/unit/external-metrics.test.ts compares activities/metrics/external.ts against these numbers.

Cases: seeded random labelings, near-identical ones with arbitrary label ids, density-clustering noise
(-1), degenerate edge cases, k-means / DBSCAN on labelled benchmark datasets, and one labeling of a
million points that is not stored but regenerated in the test from a 32-bit LCG (see lcg_case).
Purity is not in scikit-learn: it is computed here from sklearn's contingency matrix.
"""
import json
import pathlib

import numpy as np
import scipy
import sklearn
from scipy.special import gammaln
from sklearn.cluster import DBSCAN, KMeans
from sklearn.metrics import (
    adjusted_mutual_info_score,
    adjusted_rand_score,
    fowlkes_mallows_score,
    homogeneity_completeness_v_measure,
    mutual_info_score,
    normalized_mutual_info_score,
)
from sklearn.metrics.cluster import contingency_matrix
from sklearn.metrics.cluster._expected_mutual_info_fast import expected_mutual_information
from sklearn.metrics.cluster._supervised import _entropy, _generalized_average
from clustering_benchmarks import load_benchmark, standardized

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "test" / "fixtures" / "sklearn" / "external-metrics.json"
AVERAGE_METHODS = ["arithmetic", "min", "geometric", "max"]


def expected_values(truth, predicted):
    truth, predicted = np.asarray(truth), np.asarray(predicted)
    table = contingency_matrix(truth, predicted)
    homogeneity, completeness, v_measure = homogeneity_completeness_v_measure(truth, predicted)
    return {
        "adjusted_rand_score": adjusted_rand_score(truth, predicted),
        "mutual_info_score": mutual_info_score(truth, predicted),
        "normalized_mutual_info_score": {
            method: normalized_mutual_info_score(truth, predicted, average_method=method) for method in AVERAGE_METHODS
        },
        "adjusted_mutual_info_score": {
            method: adjusted_mutual_info_score(truth, predicted, average_method=method) for method in AVERAGE_METHODS
        },
        "adjusted_mutual_info_indeterminate": indeterminate_ami_methods(truth, predicted),
        "homogeneity": homogeneity,
        "completeness": completeness,
        "v_measure": v_measure,
        "v_measure_beta2": homogeneity_completeness_v_measure(truth, predicted, beta=2.0)[2],
        "fowlkes_mallows_score": fowlkes_mallows_score(truth, predicted),
        # Majority true class of each predicted cluster (column), as a fraction of all points.
        "purity": float(table.max(axis=0).sum() / table.sum()),
        "contingency": {
            "rows": np.unique(truth).tolist(),
            "columns": np.unique(predicted).tolist(),
            "matrix": table.tolist(),
        },
    }


def indeterminate_ami_methods(truth, predicted):
    """Average methods for which AMI is 0/0 in exact arithmetic: MI, its expectation and the normalizer
    coincide (e.g. one labeling puts every point alone and the method is 'min'). sklearn then divides
    two rounding errors and returns noise (0.87, 1.5, -1.0, ...) that no other implementation can
    reproduce; the test does not compare these. Identical labelings are not listed: there MI equals
    the normalizer exactly, so sklearn (and we) get exactly 1."""
    classes, clusters = np.unique(truth), np.unique(predicted)
    if len(classes) <= 1 or len(clusters) <= 1:
        return []  # special-cased by sklearn before any division
    mi = mutual_info_score(truth, predicted)
    emi = expected_mutual_information(contingency_matrix(truth, predicted, sparse=True), len(truth))
    h_true, h_pred = _entropy(truth), _entropy(predicted)
    methods = []
    for method in AVERAGE_METHODS:
        normalizer = _generalized_average(h_true, h_pred, method)
        if abs(mi - emi) < 1e-12 and abs(normalizer - emi) < 1e-12 and mi != normalizer:
            methods.append(method)
    return methods


def stored_case(name, truth, predicted):
    truth = [int(label) for label in truth]
    predicted = [int(label) for label in predicted]
    return {"name": name, "truth": truth, "predicted": predicted, "expected": expected_values(truth, predicted)}


def random_case(name, n, k_true, k_pred, seed):
    """Unrelated labelings with unequal cluster sizes: AMI and ARI near 0, MI small but not 0."""
    rng = np.random.default_rng(seed)
    truth = rng.choice(k_true, size=n, p=rng.dirichlet(np.ones(k_true)))
    predicted = rng.choice(k_pred, size=n, p=rng.dirichlet(np.ones(k_pred)))
    return stored_case(name, truth, predicted)


def near_identical_case(name, n, k, flip, seed):
    """The same partition under other (arbitrary, negative, large) ids, with a few points moved."""
    rng = np.random.default_rng(seed)
    true_ids = np.array([3, 17, 42, 1_000_000_007, -5, 8, 9][:k])
    predicted_ids = np.array([-2_000_000, 0, 77, 5, 6, 11, 12][:k])
    groups = rng.integers(0, k, size=n)
    moved = rng.random(n) < flip
    shifted = np.where(moved, rng.integers(0, k, size=n), groups)
    return stored_case(name, true_ids[groups], predicted_ids[shifted])


def noise_case(name, n, seed):
    """Density-clustering output: -1 marks noise and is one more cluster, as in sklearn."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 4, size=n)
    predicted = np.where(rng.random(n) < 0.8, truth, rng.integers(0, 5, size=n))
    predicted = np.where(rng.random(n) < 0.12, -1, predicted)
    return stored_case(name, truth, predicted)


def lcg_labels(n, seed, k_true, k_pred, agree_percent):
    """Numerical Recipes' 32-bit LCG, high 24 bits; reproduced in the TypeScript test with Math.imul."""
    state = seed

    def draw():
        nonlocal state
        state = (state * 1664525 + 1013904223) & 0xFFFFFFFF
        return state >> 8

    truth = np.empty(n, dtype=np.int64)
    predicted = np.empty(n, dtype=np.int64)
    for i in range(n):
        t = draw() % k_true
        truth[i] = t
        predicted[i] = (t * 7 + 3) % k_pred if draw() % 100 < agree_percent else draw() % k_pred
    return truth, predicted


def lcg_case(name, n, seed, k_true, k_pred, agree_percent):
    generator = {"kind": "lcg32", "n": n, "seed": seed, "k_true": k_true, "k_pred": k_pred, "agree_percent": agree_percent}
    truth, predicted = lcg_labels(n, seed, k_true, k_pred, agree_percent)
    return {"name": name, "generator": generator, "expected": expected_values(truth, predicted)}


def kmeans_benchmark_case(path, seed):
    X, y = load_benchmark(path)
    k = int(y.max())
    labels = KMeans(n_clusters=k, init="k-means++", n_init=10, random_state=seed).fit_predict(standardized(X))
    return stored_case(f"{path}: k-means k={k} (standardized, seed {seed}) vs labels0", y, labels)


def dbscan_benchmark_case(path, eps, min_samples):
    """The benchmark marks noise with 0; relabel it -1 so both sides use DBSCAN's convention."""
    X, y = load_benchmark(path)
    labels = DBSCAN(eps=eps, min_samples=min_samples).fit_predict(X)
    return stored_case(f"{path}: DBSCAN eps={eps} min_samples={min_samples} vs labels0 (noise -1)", np.where(y == 0, -1, y), labels)


def log_gamma_reference():
    xs = [0.5, 1.0, 1.5, 2.0, 2.5, 3.7, 10.0, 18.0, 19.0, 20.0, 20.5, 21.0, 33.3, 100.0, 171.5, 12345.6, 1_000_001.0, 1e9 + 0.5]
    return [[x, float(gammaln(x))] for x in xs]


def main():
    every_point_alone = list(range(30))
    cases = [
        random_case("random n=20, 3 vs 4 clusters", 20, 3, 4, 1),
        random_case("random n=500, 6 vs 9 clusters", 500, 6, 9, 2),
        random_case("random n=5000, 25 vs 15 clusters", 5000, 25, 15, 3),
        random_case("random n=200, 2 vs 2 clusters", 200, 2, 2, 4),
        near_identical_case("near-identical n=1000, 5 clusters, 2% moved, arbitrary ids", 1000, 5, 0.02, 5),
        near_identical_case("identical n=300, 7 clusters, other ids", 300, 7, 0.0, 6),
        noise_case("predicted with 12% noise (-1), n=800", 800, 7),
        stored_case("all one cluster vs all one cluster", [4] * 10, [9] * 10),
        stored_case("every point alone vs every point alone", every_point_alone, every_point_alone[::-1]),
        stored_case("one cluster vs every point alone", [0] * 30, every_point_alone),
        stored_case("every point alone vs one cluster", every_point_alone, [0] * 30),
        stored_case("one cluster vs four", [0] * 40, [i % 4 for i in range(40)]),
        stored_case("every point alone vs three clusters", every_point_alone, [i % 3 for i in range(30)]),
        stored_case("two points, split vs together", [0, 1], [5, 5]),
        stored_case("one point", [3], [-1]),
        stored_case("small hand example (sklearn docs)", [0, 0, 1, 1, 2, 2], [0, 0, 1, 2, 2, 2]),
        kmeans_benchmark_case("uci/wine", 2026),
        kmeans_benchmark_case("uci/yeast", 2026),
        dbscan_benchmark_case("other/chameleon_t4_8k", 9.0, 12),
        lcg_case("a million points, 8 vs 12 clusters, 60% agreeing (generated)", 1_000_000, 2026, 8, 12, 60),
    ]
    meta = {
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "script": "scripts/python/make_external_metrics_fixtures.py",
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"meta": meta, "log_gamma": log_gamma_reference(), "cases": cases}, separators=(",", ":")))
    print(f"wrote {OUT} ({len(cases)} cases, {OUT.stat().st_size / 1024:.0f} KB)")


if __name__ == "__main__":
    main()
