"""Exact sums, benchmark parts and rankings (zonekit.analysis.exact_sums, mujun_benchmarks).

The partitioned runs rely on these: benchmarks from parts equal the one-piece benchmarks
bit for bit, and so scores, ranks and classes do not depend on row order or splitting.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from zonekit.analysis.exact_sums import exact_parts, exact_sum, total
from zonekit.analysis.mujun import evaluation as mujun
from zonekit.analysis.mujun.benchmarks import Ranking


def test_exact_parts_keep_what_rounding_loses() -> None:
    assert exact_parts([1e16, 1.0, -1e16, 1.0]) == [2.0]
    assert exact_parts([]) == [] and exact_parts([np.nan]) == []
    rng = np.random.default_rng(0)
    v = rng.lognormal(3, 4, 20_000) * rng.choice([-1, 1], 20_000)
    whole = math.fsum(v.tolist())
    for k in (1, 2, 7, 333):
        assert total(exact_parts(c) for c in np.array_split(v, k)) == whole
    assert exact_sum(np.r_[v, np.nan]) == whole


def test_ranking_is_pandas_min_rank_over_everything() -> None:
    rng = np.random.default_rng(1)
    totals = pd.Series(rng.integers(0, 40, 500).astype(float))
    totals[::9] = np.nan
    ranking = Ranking.of([totals[:200].to_numpy(), totals[200:].to_numpy()])
    want = totals.rank(ascending=False, method="min")
    got = pd.concat([ranking.rank(totals[:200]), ranking.rank(totals[200:])])
    assert got.astype("Float64").tolist() == want.astype("Float64").tolist()
    assert len(ranking) == totals.notna().sum()


@pytest.mark.parametrize("method", ["aggregate", "mean", "median"])
def test_benchmarks_from_parts_equal_one_piece(method) -> None:
    rng = np.random.default_rng(2)
    n = 3_000
    t = pd.DataFrame({"tax_wan": rng.lognormal(5, 2, n), "land_mu": rng.uniform(1, 80, n),
                      "revenue_wan": rng.lognormal(8, 1, n), "employees": rng.integers(0, 500, n)})
    ev = mujun.load_mujun_profile().evaluation
    ev = mujun.Evaluation(indicators=tuple(
        mujun.IndicatorSpec(s.name, s.weight, method) for s in ev.indicators[:2]))
    graded = pd.Series(rng.random(n) < 0.8)
    one = mujun.benchmarks(mujun.benchmark_parts(t, graded, ev), ev)
    pieces = np.array_split(np.arange(n), 6)
    parts = [mujun.benchmark_parts(t.iloc[p], graded.iloc[p], ev) for p in pieces]
    assert mujun.benchmarks(mujun.combine_benchmark_parts(parts), ev) == one


def test_classes_do_not_depend_on_row_order() -> None:
    rng = np.random.default_rng(3)
    n = 2_000
    t = pd.DataFrame({"tax_wan": rng.lognormal(5, 2, n), "land_mu": rng.uniform(1, 80, n),
                      "revenue_wan": rng.lognormal(8, 1, n), "employees": rng.integers(1, 500, n),
                      "energy_tce": rng.lognormal(4, 1, n), "rnd_wan": rng.lognormal(3, 1, n)})
    ev = mujun.load_mujun_profile().evaluation
    graded = pd.Series(True, index=t.index)
    out, bench = mujun.score(t, graded, ev)
    order = rng.permutation(n)
    out2, bench2 = mujun.score(t.iloc[order], graded.iloc[order], ev)
    assert bench == bench2
    pd.testing.assert_frame_equal(out2.loc[out.index], out, check_exact=True)
