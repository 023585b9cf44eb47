"""The labelled clustering benchmarks in ../shared/datasets/clustering-benchmarks, for the fixture scripts."""
import gzip
import pathlib

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
BENCHMARKS = ROOT.parent / "shared" / "datasets" / "clustering-benchmarks"


def load_benchmark(path):
    """(X, y) of a benchmark such as "uci/wine"; label 0 marks noise in the suite."""
    with gzip.open(BENCHMARKS / f"{path}.data.gz", "rt") as handle:
        X = np.loadtxt(handle)
    with gzip.open(BENCHMARKS / f"{path}.labels0.gz", "rt") as handle:
        y = np.loadtxt(handle, dtype=int)
    return X, y


def standardized(X):
    """Columns z-scored (population std), constant columns only centred: as activities/embedding-matrix.ts does."""
    std = X.std(axis=0)
    return (X - X.mean(axis=0)) / np.where(std > 0, std, 1)
