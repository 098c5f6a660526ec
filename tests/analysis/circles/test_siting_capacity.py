"""Capacitated maximal covering of the capacity shortfall: proven optimal by brute force.

The brute force tries every set of k candidates and, for each, solves the served
shortfall as a transportation LP with ``scipy.optimize.linprog`` (HiGHS's LP, not the
MILP the siting builds with PuLP): the best set's value must equal the siting's.
"""

from __future__ import annotations

import json
from itertools import combinations

import numpy as np
import pandas as pd
import pytest

from zonekit.analysis.circles.siting_capacity import capacitated_mclp, shortfall


def _served(pairs: pd.DataFrame, short: np.ndarray, sites: tuple[int, ...], cap: float) -> float:
    """Most shortfall the ``sites`` (capacity ``cap`` each) can serve: an LP."""
    from scipy.optimize import linprog

    p = pairs[pairs["target"].isin(sites) & (short[pairs["origin"].to_numpy()] > 0)]
    if not len(p):
        return 0.0
    i, j = p["origin"].to_numpy(), p["target"].to_numpy()
    rows_o, rows_s = np.unique(i), np.unique(j)
    a = np.zeros((len(rows_o) + len(rows_s), len(p)))
    a[np.searchsorted(rows_o, i), np.arange(len(p))] = 1
    a[len(rows_o) + np.searchsorted(rows_s, j), np.arange(len(p))] = 1
    b = np.r_[short[rows_o], np.full(len(rows_s), cap)]
    out = linprog(-np.ones(len(p)), A_ub=a, b_ub=b, bounds=(0, None), method="highs")
    assert out.status == 0
    return float(-out.fun)


def _case(seed: int, n_o: int = 14, n_c: int = 7):
    rng = np.random.default_rng(seed)
    pairs = pd.DataFrame({"origin": rng.integers(0, n_o, 40), "target": rng.integers(0, n_c, 40)})
    pairs = pairs.drop_duplicates().sort_values(["origin", "target"]).reset_index(drop=True)
    per1000 = rng.uniform(0, 6, n_o)
    weight = rng.integers(0, 800, n_o).astype(float)
    return pairs, shortfall(weight, per1000, 4.0), n_c


@pytest.mark.parametrize("solver", ["highs", "cbc"])
@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_capacitated_siting_is_optimal_against_brute_force(seed, solver):
    pairs, short, n_c = _case(seed)
    for k in (1, 2, 3):
        for cap in (0.5, 1.5, 4.0):
            got = capacitated_mclp(pairs, short, n_c, k, cap, solver=solver)
            best = max(_served(pairs, short, s, cap) for s in combinations(range(n_c), k))
            assert got.summary["solver"]["optimal"] and got.summary["solver"]["status"] == \
                "optimal"
            assert got.summary["served"] == pytest.approx(best, rel=1e-7, abs=1e-9)
            assert len(got.chosen) == k and len(set(got.chosen)) == k
            # the chosen sites' own LP value is the optimum too, each within its capacity
            assert _served(pairs, short, tuple(got.chosen), cap) == pytest.approx(best, rel=1e-7)
            assert (got.served <= cap + 1e-9).all()
            assert list(got.served) == sorted(got.served, reverse=True)


def test_shortfall_and_nothing_to_serve():
    np.testing.assert_allclose(shortfall(np.array([1000., 500., 10.]), np.array([1., 5., 0.]),
                                         3.0), [2.0, 0.0, 0.03])
    pairs = pd.DataFrame({"origin": [0, 1], "target": [0, 0]})
    none = capacitated_mclp(pairs, np.zeros(2), 1, 1, 2.0)
    assert none.summary["served"] == 0 and len(none.chosen) == 0 and "no candidate" in \
        none.summary["note"]


def _milp_optimum(pairs: pd.DataFrame, short: np.ndarray, n_c: int, k: int, cap: float) -> float:
    """The same model solved by ``scipy.optimize.milp`` from its own sparse matrices."""
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_matrix, hstack, vstack

    p = pairs[short[pairs["origin"].to_numpy()] > 0].reset_index(drop=True)
    i, j, e = p["origin"].to_numpy(), p["target"].to_numpy(), np.arange(len(p))
    n_o, m = len(short), len(p)
    rows_o = coo_matrix((np.ones(m), (i, e)), shape=(n_o, m))
    rows_c = coo_matrix((np.ones(m), (j, e)), shape=(n_c, m))
    link = coo_matrix((np.ones(m), (e, e)), shape=(m, m))
    open_y = coo_matrix((-short[i], (e, j)), shape=(m, n_c))
    a = vstack([hstack([rows_o, coo_matrix((n_o, n_c))]),
                hstack([rows_c, coo_matrix(-cap * np.eye(n_c))]),
                hstack([link, open_y]),
                hstack([coo_matrix((1, m)), coo_matrix(np.ones((1, n_c)))])]).tocsr()
    lo = np.r_[np.full(n_o + n_c + m, -np.inf), k]
    hi = np.r_[short, np.zeros(n_c + m), k]
    out = milp(np.r_[-np.ones(m), np.zeros(n_c)], constraints=LinearConstraint(a, lo, hi),
               integrality=np.r_[np.zeros(m), np.ones(n_c)],
               bounds=Bounds(np.zeros(m + n_c), np.r_[np.full(m, np.inf), np.ones(n_c)]))
    assert out.status == 0
    return float(-out.fun)


def test_capacitated_siting_equals_scipy_milp_on_a_larger_case():
    pairs, short, n_c = _case(11, n_o=120, n_c=30)
    pairs = pd.concat([pairs, _case(12, n_o=120, n_c=30)[0]]).drop_duplicates()
    for k, cap in ((2, 1.0), (4, 2.5), (6, 0.8)):
        got = capacitated_mclp(pairs, short, n_c, k, cap)
        assert got.summary["solver"]["optimal"]
        assert got.summary["served"] == pytest.approx(_milp_optimum(pairs, short, n_c, k, cap),
                                                      rel=1e-7)


def test_sample_charging_sites_with_a_capacity(tmp_path):
    from capacity_fixtures import sample_charging

    r = sample_charging(tmp_path, new_sites=3, new_site_capacity=10)
    cap = r.summary["siting"]["capacity_siting"]
    assert cap["solver"]["optimal"] and cap["sites"] == 3 and cap["norm_per1000"] == 3
    assert 0 < cap["served"] <= min(30.0, cap["shortfall_reachable"]) + 1e-9
    cand = r.tables["candidates"]
    assert cand["chosen_capacity_mclp"].sum() == 3
    assert cand["capacity_served"].sum() == pytest.approx(cap["served"])
    chosen = cand.loc[cand["chosen_capacity_mclp"], "candidate_id"].tolist()
    assert sorted(chosen) == sorted(s["candidate_id"] for s in cap["sites_chosen"])
    # the shortfall is the persons' lack against the norm, from the capacity step
    o = r.origins
    lack = (o["weight"] * np.maximum(0, 3 - o["per1000_charging_station"]) / 1000).sum()
    assert cap["shortfall_total"] == pytest.approx(lack)
    from types import SimpleNamespace

    from zonekit.maps.report_capacity import capacity_tables

    tables = capacity_tables(SimpleNamespace(circles={"charging": r.as_run()}))
    (caption, sited), = [(c, t) for c, t in tables.items() if "按容量缺口选址" in c]
    assert sited["候选站点"].tolist() == [s["candidate_id"] for s in cap["sites_chosen"]]
    assert "每处容量 10" in caption


def test_site_capacity_needs_sites_a_capacity_column_and_a_norm():
    import zonekit as zk
    from zonekit.errors import ZonekitError

    with pytest.raises(ZonekitError, match="new_sites=K"):
        zk.circles("charging", new_site_capacity=4, capacity_col="chargers")
    with pytest.raises(ZonekitError, match="capacity_norms"):
        zk.circles("charging", new_sites=2, new_site_capacity=4, capacity_col="chargers")
    with pytest.raises(ZonekitError, match="new_site_capacity"):
        zk.circles("charging", new_sites=2, new_site_capacity=0, capacity_col="chargers")


def test_cli_states_the_capacity_siting(tmp_path):
    from typer.testing import CliRunner

    from zonekit.cli.app import app

    prof = tmp_path / "county.yaml"
    prof.write_text("capacity_norms:\n  charging_station: {per1000: 3, unit: 充电桩, "
                    "clause: 示例县规划}\n", encoding="utf-8")
    out = CliRunner().invoke(app, ["circles", "--kind", "charging", "--new-sites", "2",
                                   "--new-site-capacity", "5", "--capacity-col", "chargers",
                                   "--profile", str(prof), "--jobs", "1",
                                   "--out", str(tmp_path / "out")])
    assert out.exit_code == 0, out.output
    text = " ".join(out.output.split())
    assert "capacity siting: 2 sites of capacity 5 serve" in text and "solver optimal" in text
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["siting"]["capacity_siting"]["sites"] == 2
    import pyogrio

    cand = pyogrio.read_dataframe(tmp_path / "out" / "sites.gpkg", layer="candidates")
    assert cand["chosen_capacity_mclp"].sum() == 2


def test_capacity_siting_without_any_station(tmp_path):
    """No station at all: every person is short of the whole norm; full sites serve C each."""
    from capacity_fixtures import sample_charging

    import zonekit as zk

    fac = zk.load_park().layers["facilities"]
    none = fac[fac["category"] != "charging_station"]
    r = sample_charging(tmp_path, facilities=none, category_col="category",
                        facility_id="fac_id", new_sites=2, new_site_capacity=5)
    cap = r.summary["siting"]["capacity_siting"]
    assert cap["shortfall_total"] == pytest.approx(r.origins["weight"].sum() * 3 / 1000)
    assert cap["solver"]["optimal"] and cap["served"] == pytest.approx(10.0)
