"""Reference values from scikit-learn for the TF-IDF vectorizer and truncated SVD tests.

Run from the repository root:  python3 scripts/python/make_tfidf_fixtures.py
(needs scikit-learn, scipy and numpy; writes test/fixtures/sklearn/tfidf-svd.json). The documents
come from real event logs: the first 3,000 rows of the REES46 cosmetics sample, one document per
user. test/unit/tfidf.test.ts compares activities/encoders/tfidf/*.ts against these numbers.
"""
import csv
import itertools
import json
import pathlib
import re

import numpy as np
import scipy
import sklearn
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "test" / "fixtures" / "sklearn" / "tfidf-svd.json"
EVENTS = ROOT.parent / "shared" / "datasets" / "rees46-cosmetics-sample" / "2019-oct.csv"
ROWS = 3000
SVD_COMPONENTS = 8
TRANSFORMED_ROWS = 50
# Each document is its tokens joined by single spaces; \S+ splits them back exactly as they were.
SKLEARN_COMMON = {"analyzer": "word", "token_pattern": r"\S+", "lowercase": False}


def load_documents():
    """One token list per user (users in order of first appearance, events in file order)."""
    by_user = {}
    with open(EVENTS, newline="") as handle:
        # Read every column as text: the 19-digit category ids do not survive a float round trip.
        for row in itertools.islice(csv.DictReader(handle), ROWS):
            events = by_user.setdefault(row["user_id"], [])
            tokens = [f"e:{row['event_type']}"]
            category = row["category_code"] or row["category_id"]
            if category:
                tokens.append(f"c:{category}")
            if row["brand"]:
                tokens.append(f"b:{row['brand']}")
            events.append(tokens)
    docs = [[token for event in events for token in event] for events in by_user.values() if len(events) >= 2]
    for doc in docs:
        # A token with whitespace would be split by token_pattern and no longer match ours.
        assert not any(re.search(r"\s", token) for token in doc)
    return docs


def rounded(values, digits=7):
    return [float(f"{value:.{digits}g}") for value in values]


def sparse_rows(X, rows, digits):
    X = X.tocsr()
    X.sort_indices()
    return [
        {"row": int(i), "indices": X.indices[X.indptr[i]:X.indptr[i + 1]].tolist(),
         "values": rounded(X.data[X.indptr[i]:X.indptr[i + 1]], digits)}
        for i in rows
    ]


def vectorizer_case(name, texts, settings, stored_rows):
    vectorizer = TfidfVectorizer(**SKLEARN_COMMON, **settings)
    X = vectorizer.fit_transform(texts)
    terms = vectorizer.get_feature_names_out().tolist()
    assert terms == sorted(terms)  # Python sorts by code point, as the TypeScript side must
    case = {
        "name": name,
        "settings": settings,
        "terms": terms,
        "idf": vectorizer.idf_.tolist(),
        # 7 significant digits keep l2-normalized values (<= 1) within 1e-7; unnormalized ones
        # reach ~10 and need more for the test's absolute 1e-6.
        "rows": sparse_rows(X, stored_rows, 7 if settings.get("norm", "l2") else 10),
    }
    return case, X


def max_features_boundary(texts, settings, max_features):
    """Term frequencies around the max_features cut, over the terms that pass min_df.

    sklearn ranks terms with `(-tfs).argsort()`, numpy's default (unstable) sort, so which of
    several terms tied at the cut survive is left to the sort implementation (it differs between
    CPUs with and without AVX-512). The fixture records the tie so the test can tell apart the
    part sklearn fixes from the part it leaves open.
    """
    counts = CountVectorizer(**SKLEARN_COMMON, ngram_range=settings["ngram_range"], min_df=settings["min_df"])
    X = counts.fit_transform(texts)
    tfs = np.asarray(X.sum(axis=0)).ravel()
    terms = counts.get_feature_names_out()
    cut = int(np.sort(tfs)[::-1][max_features - 1])
    above = int((tfs > cut).sum())
    return {
        "boundary_tf": cut,
        "above_boundary": above,
        "at_boundary": sorted(terms[tfs == cut].tolist()),
        "boundary_slots": max_features - above,
    }


def descending_counts(texts, settings):
    """Total count of every term that passes min_df, largest first: the ranking max_features cuts."""
    counts = CountVectorizer(**SKLEARN_COMMON, ngram_range=settings["ngram_range"], min_df=settings["min_df"])
    return np.sort(np.asarray(counts.fit_transform(texts).sum(axis=0)).ravel())[::-1]


def untied_max_features(texts, settings, near):
    """The max_features closest to `near` whose cut falls between two different counts."""
    tfs = descending_counts(texts, settings)
    return min((k for k in range(1, len(tfs)) if tfs[k - 1] > tfs[k]), key=lambda k: abs(k - near))


def tied_max_features(texts, settings, near):
    """The max_features closest to `near` whose cut falls inside a run of equal counts."""
    tfs = descending_counts(texts, settings)
    return min((k for k in range(1, len(tfs)) if tfs[k - 1] == tfs[k]), key=lambda k: abs(k - near))


def svd_case(X, components):
    svd = TruncatedSVD(n_components=components, algorithm="arpack", random_state=0)
    transformed = svd.fit_transform(X)
    # Dense singular values beyond the fitted ones tell the test how well separated each
    # component is from the next one (a randomized solver pins down a vector only up to that gap).
    dense = np.linalg.svd(X.toarray(), compute_uv=False)
    assert np.allclose(dense[:components], svd.singular_values_, rtol=1e-9)
    return {
        "components": components,
        "algorithm": "arpack",
        "singular_values": svd.singular_values_.tolist(),
        "dense_singular_values_head": dense[: components + 4].tolist(),
        "explained_variance_ratio": svd.explained_variance_ratio_.tolist(),
        "components_": [rounded(row) for row in svd.components_],
        "transformed_head": [rounded(row) for row in transformed[:TRANSFORMED_ROWS]],
    }


def main():
    docs = load_documents()
    texts = [" ".join(doc) for doc in docs]
    token_table = sorted({token for doc in docs for token in doc})
    position = {token: i for i, token in enumerate(token_table)}
    everything = range(len(docs))
    head = range(40)

    bigrams, X = vectorizer_case("bigrams-min-df-2", texts, {"ngram_range": (1, 2), "min_df": 2}, everything)

    unlimited = {"ngram_range": (1, 2), "min_df": 1}
    untied = untied_max_features(texts, unlimited, 200)
    limited, _ = vectorizer_case("bigrams-max-features-untied", texts, {**unlimited, "max_features": untied}, head)
    limited["boundary"] = max_features_boundary(texts, unlimited, untied)
    assert limited["boundary"]["boundary_slots"] == len(limited["boundary"]["at_boundary"])

    tied = tied_max_features(texts, unlimited, 150)
    tie_case, _ = vectorizer_case("bigrams-max-features-tied", texts, {**unlimited, "max_features": tied}, [])
    tie_case["boundary"] = max_features_boundary(texts, unlimited, tied)

    sublinear, _ = vectorizer_case(
        "unigrams-sublinear-unsmoothed-unnormalized", texts,
        {"ngram_range": (1, 1), "min_df": 1, "sublinear_tf": True, "smooth_idf": False, "norm": None}, head)

    fixture = {
        "meta": {
            "sklearn": sklearn.__version__, "numpy": np.__version__, "scipy": scipy.__version__,
            "script": "scripts/python/make_tfidf_fixtures.py",
            "source": f"first {ROWS} rows of shared/datasets/rees46-cosmetics-sample/2019-oct.csv, users with >= 2 events",
            "common_settings": SKLEARN_COMMON,
            "tied_case": "which tied terms sklearn keeps depends on numpy's sort kernel (CPU); the test checks only what sklearn fixes",
            "rounding": "l2-normalized TF-IDF values, components and transformed rows to 7 significant digits, unnormalized TF-IDF to 10; idf exact",
        },
        "token_table": token_table,
        "docs": [[position[token] for token in doc] for doc in docs],
        "vectorizer_cases": [bigrams, limited, tie_case, sublinear],
        "svd": {"input_case": bigrams["name"], **svd_case(X, SVD_COMPONENTS)},
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(fixture, separators=(",", ":")))
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes): {len(docs)} docs, {len(bigrams['terms'])} terms, "
          f"max_features untied={untied} tied={tied}")


if __name__ == "__main__":
    main()
