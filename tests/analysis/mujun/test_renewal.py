"""Tests for the 腾笼换鸟 plan: candidates, trajectories, the exact knapsack (renewal.py)."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from intensity_fixtures import enterprises, parcels, zones

from zonekit.analysis.indicators import load_targets
from zonekit.analysis.land import intensity as it
from zonekit.analysis.mujun import evaluation as mujun
from zonekit.analysis.mujun import low_efficiency as le
from zonekit.analysis.mujun import min_area, renewal
from zonekit.analysis.mujun import pipeline as efficiency

SAMPLE = Path(__file__).resolve().parents[3] / "data" / "sample" / "park.gpkg"


def _greedy(area: np.ndarray, gain: np.ndarray, required: float) -> np.ndarray:
    """Take candidates by gain per area, best first, until the requirement is met."""
    chosen = np.zeros(area.size, bool)
    for i in np.argsort(-gain / area, kind="stable"):
        if gain[chosen].sum() >= required:
            break
        chosen[i] = True
    return chosen


def _brute(area: np.ndarray, gain: np.ndarray, required: float) -> float | None:
    best = None
    for k in range(area.size + 1):
        for combo in itertools.combinations(range(area.size), k):
            idx = list(combo)
            if gain[idx].sum() >= required and (best is None or area[idx].sum() < best):
                best = float(area[idx].sum())
    return best


def test_greedy_picks_more_area_than_the_optimal_plan() -> None:
    area = np.array([1.0, 5.0, 4.5])
    gain = np.array([6.0, 10.0, 5.0])  # gain per area: 6, 2, 1.1
    greedy = _greedy(area, gain, 10.0)
    optimal = min_area.choose_min_area(area, gain, 10.0)
    assert greedy.tolist() == [True, True, False]  # 6 km² of land
    assert optimal.tolist() == [False, True, False]  # 5 km² suffices
    assert area[optimal].sum() < area[greedy].sum()


def test_milp_matches_brute_force() -> None:
    rng = np.random.default_rng(7)
    for _ in range(40):
        n = int(rng.integers(1, 11))
        area = rng.uniform(0.01, 0.5, n).round(3)
        gain = rng.uniform(0.1, 5.0, n).round(2)
        required = float(rng.uniform(0.05, 1.1) * gain.sum())
        chosen = min_area.choose_min_area(area, gain, required)
        best = _brute(area, gain, required)
        if best is None:
            assert chosen is None
        else:
            assert gain[chosen].sum() >= required - 1e-9
            assert area[chosen].sum() == pytest.approx(best, abs=1e-9)


def test_knapsack_edge_cases() -> None:
    area, gain = np.array([1.0, 2.0]), np.array([1.0, 1.0])
    assert min_area.choose_min_area(area, gain, 0.0).tolist() == [False, False]
    assert min_area.choose_min_area(area, gain, 2.5) is None
    assert min_area.choose_min_area(area, gain, 2.0).tolist() == [True, True]
    with pytest.raises(ValueError, match="same length"):
        min_area.choose_min_area(area, np.array([1.0]), 1.0)


def _scenario(**changes) -> renewal.Scenario:
    base = renewal.Scenario(
        "test", base_year=2024, target_year=2030, target_yi_per_km2=40.0, growth=0.1, lag_years=3,
        base_revenue_yi=300.0, base_land_km2=10.0, new_land_km2=2.0, new_land_producing_km2=2.0,
        new_land_join_year=2025, new_land_ramp_years=2, new_land_yi_per_km2=30.0)
    return replace(base, **changes)


def test_trajectory_hand_computed() -> None:
    t = renewal.trajectory(_scenario(), renewal_gain_yi=10.0).set_index("year")
    assert t.loc[2024, "land_km2"] == 10 and t.loc[2025, "land_km2"] == 12  # new land joins
    assert t.loc[2025, "revenue_yi"] == pytest.approx(330.0)  # diluted: 330 / 12
    assert t.loc[2025, "land_output_yi_per_km2"] == pytest.approx(27.5)
    assert t.loc[2026, "new_land_revenue_yi"] == 0  # still ramping
    f27 = 1.1 ** 3
    assert t.loc[2027, "new_land_revenue_yi"] == pytest.approx(60 * f27)
    assert t.loc[2027, "renewal_revenue_yi"] == pytest.approx(10 * f27)  # lag 3 → 2027
    assert t.loc[2030, "revenue_yi"] == pytest.approx(370 * 1.1 ** 6)


def test_growth_path_holding_new_land_is_not_counted_twice() -> None:
    """A total-revenue path already holds new land's output: revenue follows the path."""
    sc = _scenario(new_land_in_growth=True)
    t = renewal.trajectory(sc, renewal_gain_yi=10.0).set_index("year")
    f = 1.1 ** (t.index.to_numpy() - 2024)
    renewed = (t.index >= 2027).astype(float)
    assert t["revenue_yi"].to_numpy() == pytest.approx(300 * f + 10 * f * renewed)
    assert t.loc[2027, "new_land_revenue_yi"] == pytest.approx(60 * 1.1 ** 3)  # a part of it
    parts = t["existing_revenue_yi"] + t["new_land_revenue_yi"] + t["renewal_revenue_yi"]
    assert parts.to_numpy() == pytest.approx(t["revenue_yi"].to_numpy())
    assert t.loc[2030, "land_km2"] == 12  # new land still dilutes


def test_required_gain_and_plan() -> None:
    sc = _scenario(growth=0.0)  # 2030: (300 + 60) / 12 = 30 → 40 needs 120 亿元 more
    assert renewal.required_gain(sc) == pytest.approx(120.0)
    assert renewal.required_gain(_scenario(growth=0.1)) < 0  # 360 × 1.77 / 12 ≈ 53 ≥ 40
    assert renewal.required_gain(_scenario(growth=0.0, lag_years=7)) == float("inf")
    cands = pd.DataFrame({"area_km2": [1.0, 5.0, 4.5, 0.2], "gain_yi": [60.0, 120.0, 50.0, 1.0],
                          "eligible": [True, True, True, True]}, index=["a", "b", "c", "d"])
    plan = renewal.make_plan(cands, sc)
    assert list(plan.selected) == ["b"] and plan.reaches_target
    assert plan.land_output_with_plan == pytest.approx(40.0)
    short = renewal.make_plan(cands.iloc[[0, 3]], sc)
    assert not short.reaches_target and "cannot be reached" in short.note
    assert list(short.selected) == ["a", "d"]  # the best available, reported as such
    late = renewal.make_plan(cands, _scenario(growth=0.0, lag_years=7))
    assert not late.reaches_target and "after the target year" in late.note
    free = renewal.make_plan(cands, _scenario())
    assert free.reaches_target and len(free.selected) == 0 and "without renewal" in free.note


def test_post_renewal_rates_and_candidates() -> None:
    p, e = parcels(), enterprises()
    table = it.parcel_intensity(p, e)
    settings = replace(mujun.load_mujun_profile().renewal, min_peers=1, quantile=0.75)
    rates = renewal.post_renewal_rates(table, settings).set_index(table["parcel_id"])
    # producing industrial parcels in Z1: P1 50, P2 400 亿元/km² → P75 = 312.5
    assert rates.loc["P1", "post_land_output_yi_per_km2"] == pytest.approx(312.5)
    # Z2 has none: park-wide industrial P75 (same two parcels)
    assert rates.loc["P4", "post_land_output_yi_per_km2"] == pytest.approx(312.5)
    assert "in the park" in rates.loc["P4", "basis"]
    per_mu = renewal.post_renewal_rates(table, replace(settings, post_output="target_per_mu",
                                                       target_revenue_per_mu_wan=1000))
    assert per_mu["post_land_output_yi_per_km2"].iloc[0] == pytest.approx(150.0)  # 0.1 亿/666.67 m²
    flags = le.flag_parcels(table, None, mujun.load_mujun_profile().low_efficiency)
    cands = renewal.candidates(table, flags, settings)
    assert set(cands["parcel_id"]) == {"P1", "P4"}  # flagged and in the denominator
    p4 = cands.set_index("parcel_id").loc["P4"]
    assert p4["gain_yi"] == pytest.approx(312.5 * 0.02 - 0.01)
    assert cands["rank"].tolist() == [1, 2] and cands["gain_yi"].is_monotonic_decreasing


def test_run_reports_both_scenarios_and_assumptions() -> None:
    profile = mujun.load_mujun_profile()
    profile = replace(profile, renewal=replace(profile.renewal, min_peers=1))
    opts = efficiency.Options(target=250.0, growth=0.0, conservative_growth=0.0)
    res = efficiency.run(zones(), parcels(), enterprises(), profile, load_targets(), 2024, opts)
    s = res.summary
    assert s["target_land_output_yi_per_km2"] == 250.0
    assert set(s["scenarios"]) == {"main", "conservative"}
    assert s["scenarios"]["main"]["assumptions"]["growth_pct"] == 0
    # flagged parcels all carry reasons; the plan's parcels are flagged ones
    flagged = res.parcels[res.parcels["low_efficiency"]]
    assert (flagged["n_reasons"] >= 1).all()
    assert res.parcels.loc[res.parcels["in_plan_main"], "low_efficiency"].all()
    assert s["plan_reaches_target"] == (s["plan_land_output_yi_per_km2"] >= 250.0 - 1e-6)
    assert set(res.trajectory["scenario"]) == {"main", "conservative"}
    json.dumps(s, default=float)  # serialisable


@pytest.mark.skipif(not SAMPLE.exists(), reason="sample park not generated yet")
def test_sample_plan_reaches_target_or_says_why() -> None:
    from zonekit.api.data import load_park

    park = load_park(layers=("zones", "parcels", "enterprises"))
    res = efficiency.run(park.zones, park.parcels, park.enterprises, mujun.load_mujun_profile(),
                         load_targets(), park.year)
    s = res.summary
    assert s["land_output_yi_per_km2"] == pytest.approx(30.4, abs=0.1)
    assert s["zones_sum_to_park"]
    flagged = res.parcels[res.parcels["low_efficiency"]]
    assert len(flagged) > 0 and (flagged["n_reasons"] >= 1).all()
    assert (flagged["reasons"].str.len() > 0).all()
    for plan in res.plans.values():
        assert plan.reaches_target or "cannot" in plan.note
        assert plan.land_output_with_plan >= plan.land_output_without_plan - 1e-9


@pytest.mark.skipif(not SAMPLE.exists(), reason="sample park not generated yet")
def test_renewal_headline_gives_both_scenarios_and_what_decides() -> None:
    from zonekit.api.data import load_park

    park = load_park(layers=("zones", "parcels", "enterprises"))
    res = efficiency.run(park.zones, park.parcels, park.enterprises, mujun.load_mujun_profile(),
                         load_targets(), park.year)
    r = res.summary["renewal"]
    main, cons = r["main"], r["conservative"]
    assert main["parcels"] == res.summary["plan_parcels"]  # old keys kept
    assert cons["parcels"] == res.summary["conservative_plan_parcels"] > 0
    assert cons["area_km2"] == pytest.approx(res.summary["conservative_plan_area_km2"])
    assert not main["renewal_needed"] and cons["renewal_needed"]
    assert f"{cons['parcels']} 宗地块" in cons["headline"]
    assert f"{cons['area_km2']:.2f} km²" in cons["headline"]
    assert "无需腾笼换鸟" in main["headline"]
    # the plan's revenue path holds new land: 2030 revenue is the plan's target, not more
    main_plan = res.summary["scenarios"]["main"]
    assert main_plan["revenue_without_plan_yi"] == pytest.approx(
        load_targets().indicators["total_revenue_yi"].target, rel=1e-3)
    assert main_plan["land_output_without_plan_yi_per_km2"] == pytest.approx(
        main_plan["revenue_without_plan_yi"] / main_plan["assumptions"]["base_land_km2"]
        / (1 + main_plan["assumptions"]["new_land_km2"]
           / main_plan["assumptions"]["base_land_km2"]), abs=1e-3)
    # act on the plan that still reaches the target if the cautious growth comes true
    assert r["act_on"] == "conservative" and r["act_on_zh"].startswith("按保守情景的方案行动")
    assert f"{cons['parcels']} 宗地块" in r["act_on_zh"] and r["act_on_zh"].count("。") == 1
    assert "growth path" in r["decided_by"] and "增长假设" in r["decided_by_zh"]
    # the same growth for both: nothing decides between them
    same = efficiency.run(park.zones, park.parcels, park.enterprises, mujun.load_mujun_profile(),
                          load_targets(), park.year,
                          efficiency.Options(growth=0.0418, conservative_growth=0.0418))
    assert same.summary["renewal"]["decided_by"].startswith("no single assumption")
    assert same.summary["renewal"]["main"]["growth_basis"] == "指定增长率"
