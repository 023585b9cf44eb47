"""Reference values for the top-K ranking metrics (activities/metrics/ranking.ts).

Run from the repository root:  python3 scripts/python/make_ranking_fixtures.py
(needs numpy; writes test/fixtures/ranking/ranking-metrics.json). This is an independent
re-implementation of RecBole's vectorised formulas (recbole/evaluator/metrics.py: Hit, MRR,
NDCG, Precision, Recall over a users x max(K) boolean hit matrix, ItemCoverage over the top-K
item matrix), so the TypeScript loop is checked against a different way of computing them.
"""
import json
import pathlib

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "test" / "fixtures" / "ranking" / "ranking-metrics.json"


def recbole_metrics(recommended, relevant, ks, catalogue_size):
    """recommended: list of item lists (may be shorter than max(K)); relevant: list of sets."""
    keep = [u for u, items in enumerate(relevant) if len(items) > 0]  # RecBole never ranks these
    max_k = max(ks)
    # Pad short lists with -1, which is never relevant; RecBole's top-k matrix is max_k wide.
    item_matrix = np.full((len(keep), max_k), -1, dtype=np.int64)
    for row, u in enumerate(keep):
        top = recommended[u][:max_k]
        item_matrix[row, : len(top)] = top
    pos_index = np.array([[item in relevant[u] for item in item_matrix[row]] for row, u in enumerate(keep)], dtype=bool)
    pos_len = np.array([len(relevant[u]) for u in keep], dtype=np.float64)

    hit = (np.cumsum(pos_index, axis=1) > 0).astype(np.float64)

    idxs = pos_index.argmax(axis=1)
    mrr = np.zeros_like(pos_index, dtype=np.float64)
    for row, idx in enumerate(idxs):
        if pos_index[row, idx] > 0:
            mrr[row, idx:] = 1 / (idx + 1)

    len_rank = np.full_like(pos_len, max_k)
    idcg_len = np.where(pos_len > len_rank, len_rank, pos_len).astype(np.int64)
    iranks = np.zeros_like(pos_index, dtype=np.float64)
    iranks[:, :] = np.arange(1, max_k + 1)
    idcg = np.cumsum(1.0 / np.log2(iranks + 1), axis=1)
    for row, idx in enumerate(idcg_len):
        idcg[row, idx:] = idcg[row, idx - 1]
    ranks = np.zeros_like(pos_index, dtype=np.float64)
    ranks[:, :] = np.arange(1, max_k + 1)
    dcg = np.cumsum(np.where(pos_index, 1.0 / np.log2(ranks + 1), 0), axis=1)
    ndcg = dcg / idcg

    precision = np.cumsum(pos_index, axis=1) / np.arange(1, max_k + 1)
    recall = np.cumsum(pos_index, axis=1) / pos_len.reshape(-1, 1)

    result = {}
    for k in ks:
        items = item_matrix[:, :k]
        coverage = len(np.unique(items[items >= 0])) / catalogue_size
        per_user = {"hr": hit[:, k - 1], "mrr": mrr[:, k - 1], "ndcg": ndcg[:, k - 1],
                    "precision": precision[:, k - 1], "recall": recall[:, k - 1]}
        result[str(k)] = {
            "mean": {**{name: float(values.mean()) for name, values in per_user.items()}, "coverage": coverage},
            "per_user": {name: values.tolist() for name, values in per_user.items()},
        }
    return keep, result


def random_case(name, seed, users, catalogue_size, list_length, max_relevant, ks, popularity_skew):
    rng = np.random.default_rng(seed)
    # Popularity-skewed lists so that hits, coverage < 1 and early ranks all occur.
    weights = 1.0 / np.arange(1, catalogue_size + 1) ** popularity_skew
    weights /= weights.sum()
    recommended, relevant = [], []
    for u in range(users):
        length = min(list_length, catalogue_size)
        recommended.append(rng.choice(catalogue_size, size=length, replace=False, p=weights).tolist())
        count = 0 if u % 17 == 5 else int(rng.integers(1, max_relevant + 1))  # some users have none
        relevant.append(set(rng.choice(catalogue_size, size=min(count, catalogue_size), replace=False, p=weights).tolist()))
    keep, metrics = recbole_metrics(recommended, relevant, ks, catalogue_size)
    return {
        "name": name,
        "catalogue_size": catalogue_size,
        "ks": ks,
        "recommended": recommended,
        "relevant": [sorted(items) for items in relevant],
        "evaluated_users": keep,
        "metrics": metrics,
    }


def main():
    cases = [
        random_case("random-150-items", seed=7, users=150, catalogue_size=150, list_length=20, max_relevant=15, ks=[1, 3, 5, 10, 20], popularity_skew=1.1),
        # Catalogue smaller than the largest K: lists are shorter than K (precision keeps /K).
        random_case("small-catalogue", seed=11, users=40, catalogue_size=8, list_length=10, max_relevant=5, ks=[3, 5, 10], popularity_skew=0.3),
    ]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"generator": "scripts/python/make_ranking_fixtures.py", "numpy": np.__version__, "cases": cases}))
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
