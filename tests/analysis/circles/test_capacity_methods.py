"""E2SFCA and gravity variants of the capacity (``capacity_method=``) against PySAL ``access``.

The reference is ``access.fca.two_stage_fca(weight_fn=…)`` (its own step and decay
functions from ``access.weights``) on the networkx travel times of
:mod:`capacity_fixtures`, on the real Aguascalientes network: facilities with zero
capacity, origins with zero weight and facilities nobody reaches are all in the case.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
from capacity_fixtures import LIMITS, build_case, reference_times

from zonekit.analysis.circles.capacity import Setup, circle_capacity
from zonekit.analysis.circles.capacity_methods import Decay, load_method
from zonekit.errors import ProfileError, ZonekitError


@pytest.fixture(scope="module")
def case():
    network, res, _, _ = build_case()
    return network, res, reference_times(network, res)


def _decays():
    """Method → (our Decay, access's weight function for threshold T)."""
    weights = pytest.importorskip("access.weights", reason="pip install access (test extra)")
    e2 = load_method("e2sfca")
    zero = Decay("e2sfca", bands=(0.25, 0.5, 1.0), weights=(1.0, 0.0, 0.4))  # a band of 0
    gauss = load_method("gravity")
    power = Decay("gravity", function="power", beta=1.5, min_share=0.2)
    return {
        "e2sfca": (e2, lambda t: weights.step_fn({b * t: w for b, w in
                                                  zip(e2.bands, e2.weights, strict=True)})),
        "e2sfca_zero_band": (zero, lambda t: weights.step_fn(
            {b * t: w for b, w in zip(zero.bands, zero.weights, strict=True)})),
        "gaussian": (gauss, lambda t: weights.gaussian(gauss.sigma * t)),
        "power": (power, lambda t: weights.gravity(t, -power.beta, power.min_share * t)),
    }


def _run(case, decay):
    network, res, _ = case
    again = copy.copy(res)
    again.origins, again.facilities = res.origins.copy(), res.facilities.copy()
    cap = res.facilities["capacity"].to_numpy()
    summary = circle_capacity(network, again, cap, Setup(LIMITS, decay=decay), "seats")
    return again, summary


@pytest.mark.parametrize("name", ["e2sfca", "e2sfca_zero_band", "gaussian", "power"])
def test_method_equals_pysal_access_weighted_2sfca(case, name):
    access = pytest.importorskip("access", reason="pip install access (the test extra)")
    decay, weight_fn = _decays()[name]
    res, summary = _run(case, decay)
    times = case[2]
    fac, org = res.facilities.reset_index(drop=True), res.origins.reset_index(drop=True)
    demand = pd.DataFrame({"demand": org["weight"].to_numpy()}, index=org.index)
    for cat, limit in LIMITS.items():
        sel = fac["category"] == cat
        near = times[times["dest"].isin(np.flatnonzero(sel)) & (times["cost"] <= limit)]
        fn = weight_fn(limit)
        w = near["cost"].map(fn) * near["origin"].map(demand["demand"])
        catch = w.groupby(near["dest"]).sum().reindex(fac.index[sel]).fillna(0.0)
        # access divides by a zero (weighted) catchment; ours is blank there and adds
        # nothing: such facilities are given no supply
        keep = sel & fac.index.isin(catch.index[catch > 0])
        supply = pd.DataFrame({"supply": fac["capacity"].where(keep, 0.0)}, index=fac.index)
        ref = access.fca.two_stage_fca(demand, supply, near, max_cost=limit,
                                       demand_index=True, demand_name="demand",
                                       supply_name="supply", cost_origin="origin",
                                       cost_dest="dest", cost_name="cost", weight_fn=fn)
        ref = ref.reindex(org.index).fillna(0.0)
        np.testing.assert_allclose(org[f"per1000_{cat}"], 1000 * ref, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(fac.loc[sel, "catchment_persons"], catch, rtol=1e-9,
                                   atol=1e-9)
        # the weighted catchment still hands out exactly the capacity reached
        reached = sel & (fac["catchment_persons"] > 0)
        total = float((org["weight"] * org[f"per1000_{cat}"]).sum()) / 1000
        assert total == pytest.approx(float(fac.loc[reached, "capacity"].sum()), rel=1e-9)
    assert summary["method_parameters"]["method"] == decay.method
    plain = _run(case, Decay())[0]
    assert not np.allclose(plain.origins["per1000_school"], res.origins["per1000_school"])


def test_stepped_and_decay_weights_equal_access_functions():
    """The weight of every time in 0..T (band edges included) equals access's function."""
    t = np.r_[np.linspace(0, 6.0, 241), [2.0, 4.0]]
    for name, (decay, weight_fn) in _decays().items():
        fn = weight_fn(6.0)
        ref = np.array([fn(x) for x in t], dtype=float)
        np.testing.assert_allclose(decay.weight(t, 6.0), ref, rtol=1e-12, err_msg=name)


def test_methods_parameters_from_a_county_profile(tmp_path):
    prof = tmp_path / "county.yaml"
    prof.write_text("capacity_methods:\n  e2sfca: {bands: [0.5, 1], weights: [1, 0.5]}\n"
                    "  gravity: {function: power, beta: 2}\n", encoding="utf-8")
    assert load_method("e2sfca", prof).weights == (1.0, 0.5)
    g = load_method("gravity", prof)
    assert (g.function, g.beta, g.min_share) == ("power", 2.0, 0.1)
    assert load_method(None) == Decay()
    assert "Luo & Qi" in load_method("e2sfca").formula()
    bad = tmp_path / "bad.yaml"
    for text, match in (("e2sfca: {bands: [0.6, 0.5, 1], weights: [1, 1, 1]}", "increasing"),
                        ("e2sfca: {bands: [0.5, 0.9], weights: [1, 1]}", "the last 1"),
                        ("e2sfca: {bands: [0.5, 1], weights: [1]}", "same length"),
                        ("e2sfca: {bands: [0.5, 1], weights: [1, -1]}", "≥ 0"),
                        ("gravity: {function: cubic}", "gaussian, power"),
                        ("gravity: {sigma: 0}", "> 0"),
                        ("gravity: {alpha: 2}", "unknown key")):
        bad.write_text(f"capacity_methods:\n  {text}\n", encoding="utf-8")
        with pytest.raises(ProfileError, match=match):
            load_method(text.split(":")[0], bad)
    with pytest.raises(ProfileError, match="must be one of"):
        load_method("3sfca")


def test_capacity_method_needs_a_capacity_column():
    import zonekit as zk

    with pytest.raises(ZonekitError, match="capacity_col=COL"):
        zk.circles("charging", capacity_method="e2sfca")
    with pytest.raises(ZonekitError, match="one of 2sfca, e2sfca, gravity"):
        zk.circles("charging", capacity_col="chargers", capacity_method="huff")


def test_method_and_norms_in_worker_processes_are_the_same(case):
    network, res, _ = case
    setup = Setup(LIMITS, decay=load_method("gravity"), norms={"school": 5.0, "clinic": 2.0})
    runs = []
    for n_jobs in (1, 2):
        again = copy.copy(res)
        again.origins, again.facilities = res.origins.copy(), res.facilities.copy()
        summary = circle_capacity(network, again, res.facilities["capacity"].to_numpy(), setup,
                                  "seats", n_jobs=n_jobs)
        runs.append((summary, again))
    (s1, r1), (s2, r2) = runs
    assert s1 == s2 and "best_for_added_capacity" in s1["categories"]["school"]
    pd.testing.assert_frame_equal(r1.facilities, r2.facilities)
    pd.testing.assert_frame_equal(r1.origins, r2.origins)
