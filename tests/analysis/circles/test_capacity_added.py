"""Where added capacity serves most people: checked by adding the unit and recomputing.

The brute force adds one unit of capacity at each facility in turn, recomputes the whole
floating catchment (PySAL ``access`` on the real network's networkx times, or
:func:`two_step` on random pairs) and counts the persons who cross the norm.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
from capacity_fixtures import LIMITS, build_case, reference_times, sample_charging

from zonekit.analysis.circles.capacity import Setup, circle_capacity, two_step
from zonekit.analysis.circles.capacity_added import added_unit
from zonekit.analysis.circles.capacity_methods import load_method


def _brute(i, j, w, weight, cap, norm):
    """Persons lifted to ``norm`` and the unmet capacity per facility, one by one."""
    catch, _, access = two_step(i, j, weight, cap, w)
    now = 1000 * access
    lifted, unmet = np.zeros(len(cap)), np.zeros(len(cap))
    for f in range(len(cap)):
        more = cap.copy()
        more[f] += 1
        after = 1000 * two_step(i, j, weight, more, w)[2]
        lifted[f] = weight[(now < norm) & (after >= norm)].sum()
        for o, ff, ww in zip(i, j, w, strict=True):
            if ff == f:
                unmet[f] += ww * weight[o] * max(0.0, norm - now[o]) / 1000
    return catch, access, lifted, unmet


def test_added_unit_equals_recomputing_with_one_more_unit():
    rng = np.random.default_rng(7)
    n_o, n_f = 60, 12
    pairs = pd.DataFrame({"i": rng.integers(0, n_o, 300), "j": rng.integers(0, n_f - 1, 300)})
    pairs = pairs.drop_duplicates().sort_values(["i", "j"])  # facility n_f-1: reached by nobody
    i, j = pairs["i"].to_numpy(), pairs["j"].to_numpy()
    w = rng.choice([1.0, 0.68, 0.22, 0.0], len(i))
    weight = rng.integers(0, 50, n_o).astype(float)
    weight[:5] = 0.0
    cap = rng.integers(0, 6, n_f).astype(float)
    cap[2] = 0.0
    now = 1000 * two_step(i, j, weight, cap, w)[2]
    hits = 0.0
    for norm in np.quantile(now[now > 0], [0.2, 0.5, 0.8]):
        catch, access, lifted, unmet = _brute(i, j, w, weight, cap, norm)
        got = added_unit(i, j, w, weight, catch, access, norm)
        np.testing.assert_allclose(got["added_unit_persons"], lifted)
        np.testing.assert_allclose(got["unmet_capacity"], unmet, rtol=1e-12, atol=1e-12)
        assert got["added_unit_persons"][n_f - 1] == 0 == got["unmet_capacity"][n_f - 1]
        hits += lifted.sum()
    assert hits > 0  # some unit lifts someone: the comparison is not all zeros


def test_added_unit_on_the_real_network_against_access(tmp_path):
    """One more unit at each facility, recomputed by PySAL ``access`` on networkx times."""
    access = pytest.importorskip("access", reason="pip install access (the test extra)")
    network, res, _, _ = build_case()
    times = reference_times(network, res)
    decay = load_method("e2sfca")
    cat, limit = "school", LIMITS["school"]
    fac0, org = res.facilities.reset_index(drop=True), res.origins.reset_index(drop=True)
    norm = float(np.median(org.loc[org["per1000_school"] > 0, "per1000_school"]))
    again = copy.copy(res)
    again.origins, again.facilities = res.origins.copy(), res.facilities.copy()
    summary = circle_capacity(network, again, fac0["capacity"].to_numpy(),
                              Setup(LIMITS, decay=decay, norms={cat: norm}), "seats")
    fac = again.facilities.reset_index(drop=True)
    sel = fac["category"] == cat
    near = times[times["dest"].isin(np.flatnonzero(sel)) & (times["cost"] <= limit)]
    demand = pd.DataFrame({"demand": org["weight"].to_numpy()}, index=org.index)
    fn = lambda t: decay.weight(np.array([t]), limit)[0]  # noqa: E731 - access's weight_fn
    reached = fac["catchment_persons"] > 0

    def per1000(extra: int | None) -> np.ndarray:
        cap = fac["capacity"].where(sel & reached, 0.0).copy()
        if extra is not None:
            cap[extra] += 1
        ref = access.fca.two_stage_fca(demand, pd.DataFrame({"supply": cap}), near,
                                       max_cost=limit, demand_index=True, demand_name="demand",
                                       supply_name="supply", cost_origin="origin",
                                       cost_dest="dest", cost_name="cost", weight_fn=fn)
        return 1000 * ref.reindex(org.index).fillna(0.0).to_numpy()

    now = per1000(None)
    for f in np.flatnonzero(sel & reached):
        after = per1000(f)
        lifted = org["weight"][(now < norm) & (after >= norm)].sum()
        assert fac.loc[f, "added_unit_persons"] == pytest.approx(lifted)
    best = summary["categories"][cat]["best_for_added_capacity"]
    top = fac[sel].sort_values(["added_unit_persons", "unmet_capacity"], ascending=False)
    assert [b["facility_id"] for b in best] == top["facility_id"].head(len(best)).tolist()
    assert best[0]["added_unit_persons"] > 0
    assert "best_for_added_capacity" not in summary["categories"]["clinic"]  # no norm there


def test_sample_charging_where_added_chargers_serve_most(tmp_path):
    r = sample_charging(tmp_path)
    cap = r.summary["capacity"]["categories"]["charging_station"]
    best = cap["best_for_added_capacity"]
    row = r.coverage[r.coverage["measure"] == "added_unit_best"].iloc[0]
    assert row["covered"] == pytest.approx(best[0]["added_unit_persons"])
    fac = r.facilities.set_index("facility_id")
    assert fac.loc[best[0]["facility_id"], "added_unit_persons"] == fac[
        "added_unit_persons"].max() > 0
    assert (fac["unmet_capacity"] >= 0).all()
    from types import SimpleNamespace

    from zonekit.maps.report_capacity import capacity_tables, method_zh

    tables = capacity_tables(SimpleNamespace(circles={"charging": r.as_run()}))
    per_cat, _, added = tables.values()
    assert added["设施"].tolist() == [b["facility_id"] for b in best]
    most = per_cat.iloc[0]["增加一个单位最多使达标的人口"]
    assert most == f"{best[0]['added_unit_persons']:,.0f}"
    e2 = method_zh({"method_parameters": load_method("e2sfca").as_dict()})
    assert "E2SFCA" in e2 and "0.33–0.67T：0.68" in e2
