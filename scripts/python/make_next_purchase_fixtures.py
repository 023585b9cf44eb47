"""Reference values from scikit-learn for the next-purchase model (activities/metrics/next-purchase.ts).

Run from the repository root:  python3 scripts/python/make_next_purchase_fixtures.py
(needs scikit-learn and numpy; writes test/fixtures/sklearn/next-purchase.json).

The model is LogisticRegression(C=1.0, l2, fit_intercept=True). Three fits are stored per case:
the default lbfgs fit the pipeline documents (tol=1e-4, so only close to the optimum), lbfgs
run tight, and newton-cholesky run tight (the optimum to ~machine precision); all three
minimise the same objective.
"""
import json
import pathlib
import warnings

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, roc_auc_score
from sklearn.model_selection import KFold, StratifiedKFold

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "test" / "fixtures" / "sklearn" / "next-purchase.json"


def fits(X, y):
    out = {}
    settings = {
        "lbfgs_default": dict(solver="lbfgs"),
        "lbfgs_tight": dict(solver="lbfgs", tol=1e-12, max_iter=100_000),
        "newton_tight": dict(solver="newton-cholesky", tol=1e-12, max_iter=1000),
    }
    for name, kwargs in settings.items():
        model = LogisticRegression(C=1.0, **kwargs).fit(X, y)
        out[name] = {
            "coef": model.coef_[0].tolist(),
            "intercept": float(model.intercept_[0]),
            "proba": model.predict_proba(X)[:, 1].tolist(),
            "n_iter": int(model.n_iter_[0]),
        }
    return out


def one_hot_case(rng):
    # Six segments; everybody in segment 5 buys, so that column separates the classes perfectly
    # and only the L2 penalty keeps its coefficient finite. Full one-hot is collinear with the
    # intercept, as in the pipeline.
    n, k = 300, 6
    segments = rng.choice(k, size=n, p=[0.25, 0.2, 0.2, 0.15, 0.1, 0.1])
    buy_rate = np.array([0.1, 0.3, 0.5, 0.7, 0.2, 1.0])
    y = (rng.random(n) < buy_rate[segments]).astype(int)
    X = np.eye(k)[segments]
    return {"name": "one-hot-separating-segment", "X": X.tolist(), "y": y.tolist(), "fits": fits(X, y)}


def continuous_case(rng):
    n, d = 400, 5
    X = rng.normal(size=(n, d)) * np.array([1.0, 0.5, 2.0, 1.0, 3.0]) + np.array([0.0, 1.0, -0.5, 0.0, 0.0])
    logits = X @ np.array([1.2, -0.8, 0.3, 0.0, -0.2]) - 0.4
    y = (rng.random(n) < 1 / (1 + np.exp(-logits))).astype(int)
    X = np.round(X, 6)  # short decimals keep the fixture small; they are the exact inputs
    return {"name": "random-continuous", "X": X.tolist(), "y": y.tolist(), "fits": fits(X, y)}


def intercept_only(rng):
    # sklearn needs a column; an all-zero one gets coefficient 0 and leaves the intercept at logit(mean).
    y = (rng.random(150) < 0.3).astype(int)
    model = LogisticRegression(C=1.0, solver="newton-cholesky", tol=1e-12).fit(np.zeros((150, 1)), y)
    scores = model.predict_proba(np.zeros((150, 1)))[:, 1]
    return {"y": y.tolist(), "intercept": float(model.intercept_[0]), "auc_constant_scores": float(roc_auc_score(y, scores))}


def auc_cases(rng):
    cases = []
    y = (rng.random(200) < 0.35).astype(int)
    s = np.round(rng.random(200) + 0.3 * y, 1)  # one decimal: many ties, across classes too
    cases.append({"name": "ties-one-decimal", "y": y.tolist(), "scores": s.tolist()})
    y = (rng.random(120) < 0.5).astype(int)
    s = rng.integers(0, 4, size=120).astype(float)  # four distinct scores only
    cases.append({"name": "four-levels", "y": y.tolist(), "scores": s.tolist()})
    y = (rng.random(90) < 0.2).astype(int)
    cases.append({"name": "constant", "y": y.tolist(), "scores": [0.37] * 90})
    cases.append({"name": "continuous", "y": y.tolist(), "scores": rng.normal(size=90).tolist()})
    cases.append({"name": "perfect", "y": [0, 0, 1, 1, 0, 1], "scores": [0.1, 0.2, 0.8, 0.9, 0.3, 0.7]})
    cases.append({"name": "inverted", "y": [0, 0, 1, 1, 0, 1], "scores": [0.9, 0.8, 0.2, 0.1, 0.7, 0.3]})
    for case in cases:
        case["auc"] = float(roc_auc_score(case["y"], case["scores"]))
    return cases


def f1_cases(rng):
    cases = []
    y = (rng.random(150) < 0.3).astype(int)
    cases.append({"name": "random", "y": y.tolist(), "predicted": (rng.random(150) < 0.4).astype(int).tolist()})
    cases.append({"name": "no-predicted-positives", "y": y.tolist(), "predicted": [0] * 150})
    cases.append({"name": "no-positives-at-all", "y": [0] * 20, "predicted": [0] * 20})
    cases.append({"name": "only-false-positives", "y": [0] * 20, "predicted": [1] * 3 + [0] * 17})
    cases.append({"name": "perfect", "y": y.tolist(), "predicted": y.tolist()})
    for case in cases:
        case["f1"] = float(f1_score(case["y"], case["predicted"], zero_division=0))
    return cases


def fold_cases(rng):
    cases = []
    for n, positives, first_label in [(103, 17, 0), (50, 5, 1), (1000, 333, 0), (12, 6, 1), (37, 36, 1)]:
        y = np.zeros(n, dtype=int)
        y[rng.choice(n, size=positives, replace=False)] = 1
        y[0] = first_label
        splitter = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the 36-to-1 case warns that a class has < 5 members
            folds = [test for _, test in splitter.split(np.zeros(n), y)]
        cases.append({
            "n": n,
            "y": y.tolist(),
            "stratified_sizes": [len(test) for test in folds],
            "stratified_positives": [int(y[test].sum()) for test in folds],
            "kfold_sizes": [len(test) for _, test in KFold(n_splits=5).split(np.zeros(n))],
        })
    return cases


def cross_validation_case(case):
    # Given fold assignment (from StratifiedKFold), per-fold AUC and F1 of the exact optimum.
    X, y = np.array(case["X"]), np.array(case["y"])
    fold_of = np.zeros(len(y), dtype=int)
    for fold, (_, test) in enumerate(StratifiedKFold(n_splits=5, shuffle=True, random_state=3).split(X, y)):
        fold_of[test] = fold
    auc, f1 = [], []
    for fold in range(5):
        train, test = fold_of != fold, fold_of == fold
        model = LogisticRegression(C=1.0, solver="newton-cholesky", tol=1e-12).fit(X[train], y[train])
        auc.append(float(roc_auc_score(y[test], model.predict_proba(X[test])[:, 1])))
        f1.append(float(f1_score(y[test], model.predict(X[test]), zero_division=0)))
    return {
        "case": case["name"], "fold_of": fold_of.tolist(), "auc": auc, "f1": f1,
        "auc_mean": float(np.mean(auc)), "auc_sd": float(np.std(auc)), "f1_mean": float(np.mean(f1)), "f1_sd": float(np.std(f1)),
    }


def main():
    rng = np.random.default_rng(20240611)
    models = [one_hot_case(rng), continuous_case(rng)]
    fixture = {
        "generator": "scripts/python/make_next_purchase_fixtures.py",
        "sklearn": sklearn.__version__,
        "models": models,
        "intercept_only": intercept_only(rng),
        "auc": auc_cases(rng),
        "f1": f1_cases(rng),
        "folds": fold_cases(rng),
        "cross_validation": [cross_validation_case(case) for case in models],
    }
    OUT.write_text(json.dumps(fixture))
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")
    for case in models:
        f = case["fits"]
        gap = max(abs(a - b) for a, b in zip(f["lbfgs_default"]["coef"] + [f["lbfgs_default"]["intercept"]], f["newton_tight"]["coef"] + [f["newton_tight"]["intercept"]]))
        gap_tight = max(abs(a - b) for a, b in zip(f["lbfgs_tight"]["coef"] + [f["lbfgs_tight"]["intercept"]], f["newton_tight"]["coef"] + [f["newton_tight"]["intercept"]]))
        print(case["name"], "coef", np.round(f["newton_tight"]["coef"], 4), "b", round(f["newton_tight"]["intercept"], 4),
              "| lbfgs default vs optimum", gap, "| lbfgs tight vs optimum", gap_tight)


if __name__ == "__main__":
    main()
