"""Reference values from scikit-learn for the k-means and internal-metric tests.

Run from the repository root:  python3 scripts/python/make_sklearn_fixtures.py
(needs scikit-learn and numpy; writes test/fixtures/sklearn/*.json). The tests compare our
TypeScript implementations against these numbers; regenerate only when the inputs change.
"""
import json
import pathlib

import numpy as np
import sklearn
from sklearn.cluster import DBSCAN, AgglomerativeClustering, KMeans, MiniBatchKMeans
from sklearn.decomposition import PCA
from sklearn.datasets import make_blobs
from sklearn.neighbors import NearestNeighbors
from sklearn.metrics import adjusted_rand_score, calinski_harabasz_score, davies_bouldin_score, silhouette_score
from clustering_benchmarks import load_benchmark

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "test" / "fixtures" / "sklearn"


def kmeans_case(name, X, k, seed):
    X = X.astype(np.float32)
    rng = np.random.default_rng(seed)
    init = X[rng.choice(len(X), size=k, replace=False)].astype(np.float64)
    # Same initial centres: our Lloyd iterations must reproduce labels and inertia exactly.
    fixed = KMeans(n_clusters=k, init=init, n_init=1, algorithm="lloyd", max_iter=300, tol=1e-4).fit(X.astype(np.float64))
    # k-means++ with restarts: our inertia must be within 1% of this.
    best = KMeans(n_clusters=k, init="k-means++", n_init=10, algorithm="lloyd", random_state=seed).fit(X.astype(np.float64))
    labels = fixed.labels_
    return {
        "name": name,
        "k": k,
        "data": X.tolist(),  # float32 values, exactly representable in JSON
        "init": init.tolist(),
        "labels": labels.tolist(),
        "inertia": float(fixed.inertia_),
        "n_iter": int(fixed.n_iter_),
        "kmeanspp_best_inertia": float(best.inertia_),
        "metrics": {
            "silhouette": float(silhouette_score(X.astype(np.float64), labels)),
            "davies_bouldin": float(davies_bouldin_score(X.astype(np.float64), labels)),
            "calinski_harabasz": float(calinski_harabasz_score(X.astype(np.float64), labels)),
        },
    }


def pca_case(name, X, components):
    X = X.astype(np.float32)
    model = PCA(n_components=components, svd_solver="full").fit(X.astype(np.float64))
    return {
        "name": name,
        "components": components,
        "data": X.tolist(),
        "explained_variance": model.explained_variance_.tolist(),
        "explained_variance_ratio": model.explained_variance_ratio_.tolist(),
        "components_": model.components_.tolist(),
        "transformed_head": model.transform(X.astype(np.float64))[:10].tolist(),
    }


def dbscan_case(name, X, eps, min_samples):
    X = X.astype(np.float32)
    model = DBSCAN(eps=eps, min_samples=min_samples).fit(X.astype(np.float64))
    core = np.zeros(len(X), dtype=bool)
    core[model.core_sample_indices_] = True
    return {
        "name": name,
        "eps": eps,
        "min_samples": min_samples,
        "data": X.tolist(),
        "labels": model.labels_.tolist(),
        "core": core.tolist(),
    }


# Every labelled dataset in ../shared/datasets/clustering-benchmarks (labels0).
BENCHMARK_ARI_DATASETS = [
    "uci/wine", "uci/wdbc", "uci/yeast", "uci/statlog", "fcps/atom", "fcps/chainlink",
    "sipu/aggregation", "sipu/s1", "other/chameleon_t4_8k", "g2mg/g2mg_128_50",
]


def benchmark_ari_case(path):
    """scikit-learn's ARI against the ground truth on standardized features, points labelled 0
    (noise) left out of the score as the benchmark suite prescribes, for each algorithm:
    k-means (k = true number of clusters, k-means++, n_init=10), Ward and average linkage (same k),
    DBSCAN with min_samples = 2 d and eps = the 0.9 quantile of the exact k-distances (its noise,
    -1, is one more predicted cluster in the ARI), and mini-batch k-means (mean over 5 seeds)."""
    X, y = load_benchmark(path)
    std = X.std(axis=0)
    X = ((X - X.mean(axis=0)) / np.where(std > 0, std, 1)).astype(np.float32)  # constant columns become 0
    X64 = X.astype(np.float64)
    k = int(y.max())
    keep = y > 0
    ari = lambda labels: float(adjusted_rand_score(y[keep], labels[keep]))
    min_samples = 2 * X.shape[1]
    distances, _ = NearestNeighbors(n_neighbors=min_samples).fit(X64).kneighbors(X64)
    eps = float(np.quantile(distances[:, -1], 0.9))
    return {
        "path": path, "k": k,
        "kmeans_ari": ari(KMeans(n_clusters=k, init="k-means++", n_init=10, random_state=0).fit_predict(X64)),
        "ward_ari": ari(AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(X64)),
        "average_ari": ari(AgglomerativeClustering(n_clusters=k, linkage="average").fit_predict(X64)),
        "dbscan_eps": eps, "dbscan_min_samples": min_samples,
        "dbscan_ari": ari(DBSCAN(eps=eps, min_samples=min_samples).fit_predict(X64)),
        # Stochastic: the mean over 5 seeds (batch 256, 3 seedings) is what ours is compared with.
        "minibatch_ari_mean": float(np.mean([
            ari(MiniBatchKMeans(n_clusters=k, batch_size=256, n_init=3, random_state=seed).fit_predict(X64)) for seed in range(5)
        ])),
    }


def hierarchical_case(name, X, k, linkage):
    X = X.astype(np.float32)
    labels = AgglomerativeClustering(n_clusters=k, linkage=linkage).fit_predict(X.astype(np.float64))
    return {"name": name, "k": k, "linkage": linkage, "data": X.tolist(), "labels": labels.tolist()}


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    blobs, _ = make_blobs(n_samples=400, n_features=6, centers=5, cluster_std=1.5, random_state=7)
    wine, _ = load_benchmark("uci/wine")
    wine = (wine - wine.mean(axis=0)) / wine.std(axis=0)
    s1, _ = load_benchmark("sipu/s1")
    s1 = s1[::5]  # 1,000 of the 5,000 points keeps the fixture small
    s1 = (s1 - s1.mean(axis=0)) / s1.std(axis=0)
    cases = [
        kmeans_case("blobs-400x6-k5", blobs, 5, 11),
        kmeans_case("uci-wine-standardized-k3", wine, 3, 12),
        kmeans_case("sipu-s1-every5th-standardized-k15", s1, 15, 13),
    ]
    yeast, _ = load_benchmark("uci/yeast")
    pca_cases = [pca_case("uci-wine-standardized", wine, 5), pca_case("uci-yeast", yeast, 3)]
    (OUT / "pca.json").write_text(json.dumps({"cases": pca_cases}))
    print(f"wrote {OUT / 'pca.json'} ({len(pca_cases)} cases)")
    aggregation, _ = load_benchmark("sipu/aggregation")
    chameleon, _ = load_benchmark("other/chameleon_t4_8k")
    dbscan_cases = [
        dbscan_case("sipu-aggregation", aggregation, 1.5, 5),
        dbscan_case("wine-standardized", wine, 2.3, 4),
        dbscan_case("chameleon-t4-8k-first-3000", chameleon[:3000], 12.0, 8),
    ]
    (OUT / "dbscan.json").write_text(json.dumps({"cases": dbscan_cases}))
    print(f"wrote {OUT / 'dbscan.json'} ({len(dbscan_cases)} cases)")
    hierarchical = [
        hierarchical_case("sipu-aggregation", aggregation, 7, "ward"),
        hierarchical_case("sipu-aggregation", aggregation, 7, "average"),
        hierarchical_case("wine-standardized", wine, 3, "ward"),
        hierarchical_case("wine-standardized", wine, 3, "average"),
        hierarchical_case("s1-every5th-standardized", s1, 15, "ward"),
    ]
    (OUT / "hierarchical.json").write_text(json.dumps({"cases": hierarchical}))
    print(f"wrote {OUT / 'hierarchical.json'} ({len(hierarchical)} cases)")
    benchmark_ari = [benchmark_ari_case(path) for path in BENCHMARK_ARI_DATASETS]
    (OUT / "benchmark-ari.json").write_text(json.dumps({"cases": benchmark_ari}))
    print(f"wrote {OUT / 'benchmark-ari.json'} ({len(benchmark_ari)} cases)")
    meta = {"sklearn": sklearn.__version__, "numpy": np.__version__, "script": "scripts/python/make_sklearn_fixtures.py"}
    (OUT / "kmeans-and-metrics.json").write_text(json.dumps({"meta": meta, "cases": cases}))
    print(f"wrote {OUT / 'kmeans-and-metrics.json'} ({len(cases)} cases)")


if __name__ == "__main__":
    main()
