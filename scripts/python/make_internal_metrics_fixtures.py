"""Reference values for the exact/sampled silhouette and the cluster-shape metrics
(test/unit/silhouette-and-shape.test.ts).

Run from the repository root:  python3 scripts/python/make_internal_metrics_fixtures.py
(needs scikit-learn and numpy; writes test/fixtures/sklearn/internal-metrics-extra.json).

Every case stores float32 data (as the pipeline holds it) and the references are computed on its
float64 upcast. Points labelled -1 are noise: every reference is computed after dropping them
(X[labels >= 0], labels[labels >= 0]), which is how the TypeScript metrics treat noise.
Definitions that scikit-learn does not provide are written out here in numpy:
  inertia                     sum of squared euclidean distances of points to their cluster's mean
  mean_intra_distance         mean over points of the distance to their cluster's centroid
  mean_inter_centroid_distance mean over unordered pairs of clusters of the centroid distance
  (euclidean: centroid = mean of the points; cosine: centroid = mean of the L2-normalized points,
   distance = 1 - cos as sklearn.metrics.pairwise.cosine_distances, a zero vector has cos 0)
  sizes.gini                  Gini coefficient of the cluster sizes: sum_ij |n_i - n_j| / (2 k^2 mean n)
"""
import json
import pathlib

import numpy as np
import sklearn
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_samples, silhouette_score
from clustering_benchmarks import load_benchmark, standardized as standardize

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "test" / "fixtures" / "sklearn" / "internal-metrics-extra.json"


def cosine_to(X, C):
    """1 - cos between paired rows of X and C; a zero vector has cos 0 (distance 1)."""
    nx = np.linalg.norm(X, axis=1)
    nc = np.linalg.norm(C, axis=1)
    dots = np.einsum("ij,ij->i", X, C)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = np.where((nx > 0) & (nc > 0), dots / (nx * nc), 0.0)
    return 1.0 - cos


def unit_rows(X):
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    return np.divide(X, norms, out=np.zeros_like(X), where=norms > 0)


def pair_mean(C, distance):
    k = len(C)
    pairs = [(a, b) for a in range(k) for b in range(a + 1, k)]
    return float(np.mean([distance(C[a][None], C[b][None])[0] for a, b in pairs]))


def references(X32, labels, samples=False):
    X = X32.astype(np.float64)
    keep = labels >= 0
    Xk, yk = X[keep], labels[keep]
    _, codes = np.unique(yk, return_inverse=True)
    k = codes.max() + 1
    C = np.stack([Xk[codes == c].mean(axis=0) for c in range(k)])
    U = unit_rows(Xk)
    Cu = np.stack([U[codes == c].mean(axis=0) for c in range(k)])
    euclid = lambda A, B: np.linalg.norm(A - B, axis=1)  # noqa: E731
    sizes = np.bincount(codes).astype(np.float64)
    gini = np.abs(sizes[:, None] - sizes[None, :]).sum() / (2 * k * k * sizes.mean())
    out = {
        "silhouette": {metric: float(silhouette_score(Xk, yk, metric=metric)) for metric in ("euclidean", "cosine")},
        "davies_bouldin": float(davies_bouldin_score(Xk, yk)),
        "calinski_harabasz": float(calinski_harabasz_score(Xk, yk)),
        "inertia": float(((Xk - C[codes]) ** 2).sum()),
        "mean_intra_distance": {
            "euclidean": float(euclid(Xk, C[codes]).mean()),
            "cosine": float(cosine_to(Xk, Cu[codes]).mean()),
        },
        "mean_inter_centroid_distance": {"euclidean": pair_mean(C, euclid), "cosine": pair_mean(Cu, cosine_to)},
        "sizes": {"min": int(sizes.min()), "max": int(sizes.max()), "gini": float(gini)},
        "noise_fraction": float(1 - keep.mean()),
    }
    if samples:
        values = np.full(len(labels), np.nan)
        values[keep] = silhouette_samples(Xk, yk)
        out["silhouette_samples_euclidean"] = [None if np.isnan(v) else float(v) for v in values]
    return out


def case(name, X, labels, note, samples=False):
    X32 = np.asarray(X, dtype=np.float32)
    labels = np.asarray(labels, dtype=int)
    return {
        "name": name,
        "note": note,
        # Shortest decimal that round-trips each float32 (Float32Array.from gives back the same value).
        "data": [[float(str(v)) for v in row] for row in X32],
        "labels": labels.tolist(),
        **references(X32, labels, samples),
    }


def kmeans_labels(X, k, seed):
    return KMeans(n_clusters=k, n_init=4, random_state=seed).fit_predict(np.asarray(X, dtype=np.float32).astype(np.float64))


def main():
    wdbc, wdbc_truth = load_benchmark("uci/wdbc")
    yeast, _ = load_benchmark("uci/yeast")
    yeast = yeast[::2]  # 742 of the 1,484 points keeps the fixture small
    s1, _ = load_benchmark("sipu/s1")
    s1 = s1[::10]
    chameleon, chameleon_truth = load_benchmark("other/chameleon_t4_8k")
    chameleon, chameleon_truth = chameleon[::8], chameleon_truth[::8]

    blobs, _ = make_blobs(n_samples=120, n_features=5, centers=4, cluster_std=1.0, random_state=3)
    blob_labels = kmeans_labels(blobs, 4, 3)
    blobs = np.vstack([blobs, blobs[:2], np.zeros((1, 5))])  # exact duplicates and a zero vector
    blob_labels = np.concatenate([blob_labels, blob_labels[:2], [blob_labels[0]]])
    blob_labels[[5, 40, 77]] = [4, 5, 6]  # three singleton clusters

    cases = [
        case("uci-wdbc-standardized-truth", standardize(wdbc), wdbc_truth - 1, "real data, ground-truth labels (k=2), d=30", samples=True),
        case("uci-yeast-every2nd-raw-kmeans-k10", yeast, kmeans_labels(yeast, 10, 1), "real data, unbalanced clusters, non-negative features (cosine meaningful)"),
        case("sipu-s1-raw-every10th-kmeans-k15", s1, kmeans_labels(s1, 15, 2), "raw coordinates around 5e5: cancellation in |x|^2 + |y|^2 - 2x.y"),
        case("blobs-singletons-duplicates-zero", blobs, blob_labels, "3 singleton clusters, 2 duplicated rows, a zero vector (cosine distance 1)", samples=True),
        case(
            "chameleon-t4-8k-every8th-truth-noise",
            chameleon,
            chameleon_truth - 1,
            "ground truth with noise (label 0 -> -1); references on the points left after dropping noise",
        ),
    ]
    meta = {"sklearn": sklearn.__version__, "numpy": np.__version__, "script": "scripts/python/make_internal_metrics_fixtures.py"}
    OUT.write_text(json.dumps({"meta": meta, "cases": cases}))
    print(f"wrote {OUT} ({len(cases)} cases, {OUT.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
