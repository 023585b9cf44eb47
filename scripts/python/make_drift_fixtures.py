"""Reference values from scipy for segment identity and drift (activities/segment-models).

Run from the repository root:  python3 scripts/python/make_drift_fixtures.py
(needs scipy and numpy; writes test/fixtures/scipy/drift.json). test/unit/match-segments.test.ts
checks the Hungarian matching (package munkres) against scipy.optimize.linear_sum_assignment, and
test/unit/two-proportion-test.test.ts checks erfc and the two-proportion z-test against scipy.
"""
import json
import math
import pathlib

import numpy as np
import scipy
from scipy.optimize import linear_sum_assignment
from scipy.special import erfc
from scipy.stats import norm

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "test" / "fixtures" / "scipy" / "drift.json"


def assignment_cases():
    rng = np.random.default_rng(18)
    cases = []
    for rows, cols in [(3, 3), (4, 6), (6, 4), (8, 8), (10, 7), (12, 12)]:
        cost = rng.random((rows, cols))
        # Ties and exact zeros, as similarity matrices of disjoint segments have.
        cost[rng.random((rows, cols)) < 0.2] = 1.0
        r, c = linear_sum_assignment(cost)
        cases.append({"cost": cost.tolist(), "rows": r.tolist(), "columns": c.tolist(), "total": float(cost[r, c].sum())})
    return cases


def proportion_cases():
    cases = []
    for before, n_before, after, n_after in [
        (100, 1000, 100, 1000), (100, 1000, 130, 1000), (250, 3000, 400, 3200), (5, 40, 20, 45),
        (900, 1000, 700, 1000), (0, 500, 30, 500), (3000, 100000, 3300, 100000), (1, 10, 9, 10),
    ]:
        pooled = (before + after) / (n_before + n_after)
        z = (after / n_after - before / n_before) / math.sqrt(pooled * (1 - pooled) * (1 / n_before + 1 / n_after))
        cases.append({"before": before, "n_before": n_before, "after": after, "n_after": n_after, "z": z, "p_value": float(2 * norm.sf(abs(z)))})
    return cases


def main():
    xs = [-6, -3, -1.5, -0.5, 0, 0.1, 0.5, 1, 2, 3, 4, 6, 9]
    fixture = {
        "scipy": scipy.__version__,
        "linear_sum_assignment": assignment_cases(),
        "erfc": [{"x": x, "value": float(erfc(x))} for x in xs],
        "two_proportion": proportion_cases(),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(fixture, indent=1) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
