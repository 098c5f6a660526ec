"""Tests for the 亩均效益 evaluation (zonekit.analysis.mujun.evaluation) and its profile."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from intensity_fixtures import enterprises, parcels

from zonekit.analysis.land import intensity as it
from zonekit.analysis.mujun import evaluation as mujun
from zonekit.analysis.mujun.evaluation import Evaluation, IndicatorSpec
from zonekit.errors import ProfileError


def _ev(**changes) -> Evaluation:
    base = Evaluation(indicators=(IndicatorSpec("tax_per_mu_wan", 60, 10.0),
                                  IndicatorSpec("revenue_per_employee_wan", 40, 100.0)),
                      cap=None)
    return replace(base, **changes)


def _firms() -> pd.DataFrame:
    """Three firms' sums; land in 亩."""
    return pd.DataFrame({"tax_wan": [100.0, 300.0, 50.0], "land_mu": [10.0, 10.0, 10.0],
                         "revenue_wan": [5_000.0, 10_000.0, 30_000.0],
                         "employees": [50, 200, 100]}, index=["a", "b", "c"])


def test_shipped_profile_names_its_scheme() -> None:
    profile = mujun.load_mujun_profile()
    assert "浙江" in profile.scheme and "苏政发〔2017〕143号" in profile.scheme
    names = [s.name for s in profile.evaluation.indicators]
    assert {"tax_per_mu_wan", "revenue_per_mu_wan", "revenue_per_tce_wan", "rnd_intensity_pct",
            "revenue_per_employee_wan"} <= set(names)
    assert profile.evaluation.classes == ("A", "B", "C", "D")


def test_score_hand_computed_given_benchmarks() -> None:
    t = _firms()
    out, bench = mujun.score(t, pd.Series(True, index=t.index), _ev())
    # a: tax 10 万元/亩 → 60 × 10/10 = 60; 100 万元/人 → 40 × 100/100 = 40; total 100
    assert out.loc["a", "score_tax_per_mu_wan"] == pytest.approx(60)
    assert out.loc["a", "total_score"] == pytest.approx(100)
    # b: 30/10 × 60 = 180; 50/100 × 40 = 20
    assert out.loc["b", "total_score"] == pytest.approx(200)
    # c: 5/10 × 60 = 30; 300/100 × 40 = 120
    assert out.loc["c", "total_score"] == pytest.approx(150)
    assert out["rank"].tolist() == [3, 1, 2]
    assert bench["tax_per_mu_wan"]["benchmark"] == 10.0


def test_cap_limits_one_indicator() -> None:
    t = _firms()
    out, _ = mujun.score(t, pd.Series(True, index=t.index), _ev(cap=2.0))
    assert out.loc["b", "score_tax_per_mu_wan"] == pytest.approx(120)  # 3× capped at 2×
    assert out.loc["c", "score_revenue_per_employee_wan"] == pytest.approx(80)


def test_aggregate_benchmark_is_ratio_of_sums() -> None:
    t = _firms()
    ev = _ev(indicators=(IndicatorSpec("tax_per_mu_wan", 100, "aggregate"),))
    _, bench = mujun.score(t, pd.Series(True, index=t.index), ev)
    assert bench["tax_per_mu_wan"]["benchmark"] == pytest.approx(450 / 30)
    ev = _ev(indicators=(IndicatorSpec("tax_per_mu_wan", 100, "mean", 1.2),))
    _, bench = mujun.score(t, pd.Series(True, index=t.index), ev)
    assert bench["tax_per_mu_wan"]["benchmark"] == pytest.approx(1.2 * 15.0)


def test_minmax_scoring() -> None:
    t = _firms()
    ev = _ev(scoring="minmax", indicators=(IndicatorSpec("tax_per_mu_wan", 100),))
    out, _ = mujun.score(t, pd.Series(True, index=t.index), ev)
    assert out["total_score"].tolist() == pytest.approx([20.0, 100.0, 0.0])  # (v − 5) / 25


def test_missing_data_reweight_or_zero() -> None:
    t = _firms().assign(employees=[50, 0, 100])  # b has no labour-productivity figure
    graded = pd.Series(True, index=t.index)
    zero, _ = mujun.score(t, graded, _ev(missing="zero"))
    reweight, _ = mujun.score(t, graded, _ev(missing="reweight"))
    assert zero.loc["b", "total_score"] == pytest.approx(180)
    assert reweight.loc["b", "total_score"] == pytest.approx(180 * 100 / 60)
    assert reweight.loc["a", "total_score"] == pytest.approx(100)


def test_rank_share_classes() -> None:
    total = pd.Series(np.arange(20, 0, -1, dtype=float))
    classes = mujun.assign_classes(total, _ev())
    assert classes.value_counts().to_dict() == {"A": 4, "B": 8, "C": 7, "D": 1}
    assert classes.iloc[0] == "A" and classes.iloc[-1] == "D"
    tied = mujun.assign_classes(pd.Series([5.0, 5.0, 1.0, 1.0, 0.5]), _ev())
    assert tied.iloc[0] == tied.iloc[1] == "A"


def test_threshold_classes() -> None:
    ev = _ev(class_method="thresholds")
    classes = mujun.assign_classes(pd.Series([130.0, 90.0, 89.9, 10.0, np.nan]), ev)
    assert classes.tolist()[:4] == ["A", "B", "C", "D"]
    assert pd.isna(classes.iloc[4])


def test_small_new_and_parcelless_firms_not_graded() -> None:
    e, p = enterprises(), parcels()
    ev = mujun.load_mujun_profile().evaluation
    out, _ = mujun.evaluate_enterprises(e, p, ev, 2024)
    assert out.index.equals(e.index)
    status = dict(zip(out["ent_id"], out["grade_status"], strict=True))
    # E4 sits on commercial land: graded in the commercial ranking, not with factories
    assert status == {"E1": "graded", "E2": "graded", "E3": "graded", "E4": "graded_separately",
                      "E5": "no_parcel", "E6": "too_small"}
    seps, _, _ = mujun.evaluate_separately(e, p, it.parcel_intensity(p, e), ev, 2024)
    assert seps.set_index(e["ent_id"]).loc["E4", "separate_status"] == "too_new"
    assert (out.loc[out["grade_status"] != "graded", "class"] == "not graded").all()
    assert out.loc[out["grade_status"] != "graded", "total_score"].isna().all()
    # too small by land: E3 holds 7.5 亩 of P2 by employee share; raise the minimum to 8 亩
    stricter = replace(ev, min_land_mu=8)
    out2, _ = mujun.evaluate_enterprises(e, p, stricter, 2024)
    assert out2.set_index("ent_id").loc["E3", "grade_status"] == "too_small"
    assert "亩" in out2.set_index("ent_id").loc["E3", "grade_note"]


def test_parcels_graded_from_aggregate_of_their_firms() -> None:
    e, p = enterprises(), parcels()
    ev = mujun.load_mujun_profile().evaluation
    ents, _ = mujun.evaluate_enterprises(e, p, ev, 2024)
    table = it.parcel_intensity(p, e)
    out, _ = mujun.evaluate_parcels(table, ents, ev)
    assert out.index.equals(table.index)
    by_id = out.set_index(table["parcel_id"])
    assert by_id.loc["P2", "revenue_per_tce_wan"] == pytest.approx(80_000 / 8_000)
    assert by_id["grade_status"].to_dict() == {
        "P1": "graded", "P2": "graded", "P3": "graded_separately", "P4": "too_small",
        "P5": "not_built", "P6": "no_enterprises"}


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "county.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _two_firm_park():
    """Firm T: high tax, low revenue. Firm R: low tax, high revenue. Same land and staff."""
    e = enterprises().iloc[[0, 3]].copy()
    e["ent_id"], e["parcel_id"] = ["T", "R"], ["P1", "P2"]
    e["founded_year"] = pd.array([2000, 2000], dtype="Int64")
    e["revenue_wan"], e["tax_wan"], e["employees"] = [2_000.0, 60_000.0], [900.0, 100.0], [100, 100]
    e["energy_tce"], e["rnd_wan"] = [np.nan, np.nan], [np.nan, np.nan]
    return e


def test_user_weight_changes_classes(tmp_path: Path) -> None:
    e, p = _two_firm_park(), parcels()
    default, _ = mujun.evaluate_enterprises(e, p, mujun.load_mujun_profile().evaluation, 2024)
    assert default.set_index("ent_id")["class"].to_dict() == {"T": "B", "R": "D"}
    user = _write(tmp_path, "evaluation:\n  indicators:\n    tax_per_mu_wan: {weight: 0}\n")
    county = mujun.load_mujun_profile(user)
    assert "county.yaml" in county.source
    out, _ = mujun.evaluate_enterprises(e, p, county.evaluation, 2024)
    assert out.set_index("ent_id")["class"].to_dict() == {"T": "D", "R": "B"}


def test_user_class_method_thresholds(tmp_path: Path) -> None:
    user = _write(tmp_path, "evaluation:\n  classes:\n    method: thresholds\n"
                  "    thresholds: {A: 1000, B: 500, C: 1, D: 0}\n")
    out, _ = mujun.evaluate_enterprises(_two_firm_park(), parcels(),
                                        mujun.load_mujun_profile(user).evaluation, 2024)
    assert set(out["class"]) == {"C"}


@pytest.mark.parametrize(("text", "match"), [
    ("evaluation:\n  indicators:\n    value_added_per_mu: {weight: 10}\n",
     r"indicators\.value_added_per_mu: unknown indicator 'value_added_per_mu'"),
    ("evaluation:\n  indicators:\n    tax_per_mu_wan: {weight: heavy}\n",
     r"indicators\.tax_per_mu_wan, key 'weight': expected a number, found 'heavy'"),
    ("evaluation:\n  eligibility: {min_revenue: 100}\n", r"unknown key\(s\) min_revenue"),
    ("evaluation:\n  classes:\n    rank_share: {A: 0.5, B: 0.2, C: 1.0}\n", "strictly increasing"),
    ("evaluation: [1, 2\n", "not valid YAML"),
    ("evalution: {}\n", r"unknown key\(s\) evalution"),
    ("low_efficiency:\n  plot_ratio: {land_classes: [factory]}\n",
     "expected a list of land classes"),
])
def test_profile_errors_name_file_and_key(tmp_path: Path, text: str, match: str) -> None:
    user = _write(tmp_path, text)
    with pytest.raises(ProfileError, match=match) as err:
        mujun.load_mujun_profile(user)
    assert "county.yaml" in str(err.value)


def test_missing_profile_file(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="profile file not found"):
        mujun.load_mujun_profile(tmp_path / "nope.yaml")


def test_every_indicator_hand_computed() -> None:
    t = pd.DataFrame({"tax_wan": [150.0], "land_mu": [10.0], "revenue_wan": [6_000.0],
                      "energy_tce": [300.0], "rnd_wan": [240.0], "employees": [40],
                      "patents": [6]})
    values = mujun.indicator_values(t, list(mujun.INDICATORS)).iloc[0]
    assert values.to_dict() == pytest.approx({
        "tax_per_mu_wan": 15.0, "revenue_per_mu_wan": 600.0, "revenue_per_tce_wan": 20.0,
        "rnd_intensity_pct": 4.0, "revenue_per_employee_wan": 150.0,
        "tax_per_employee_wan": 3.75, "patents_per_100_employees": 15.0})
    # a zero or missing denominator gives NaN, never inf
    zero = mujun.indicator_values(t.assign(energy_tce=0.0, land_mu=np.nan),
                                  ["revenue_per_tce_wan", "tax_per_mu_wan"]).iloc[0]
    assert zero.isna().all()


def test_enterprise_mu_from_parcel_share() -> None:
    e, p = enterprises(), parcels()
    out, _ = mujun.evaluate_enterprises(e, p, mujun.load_mujun_profile().evaluation, 2024)
    e2 = out.set_index("ent_id").loc["E2"]
    # E2 holds 300 of P2's 400 employees → 0.75 × 20,000 m² = 15,000 m² = 22.5 亩
    assert e2["land_mu"] == pytest.approx(22.5)
    assert e2["tax_per_mu_wan"] == pytest.approx(3_000 / 22.5)
    assert e2["revenue_per_tce_wan"] == pytest.approx(10.0)
    assert e2["rnd_intensity_pct"] == pytest.approx(5.0)


SAMPLE = Path(__file__).resolve().parents[3] / "data" / "sample" / "park.gpkg"


@pytest.fixture(scope="module")
def sample_run():
    if not SAMPLE.exists():
        pytest.skip("sample park not generated yet")
    from zonekit.analysis.indicators import load_targets
    from zonekit.analysis.mujun import pipeline as efficiency
    from zonekit.api.data import load_park

    park = load_park(layers=("zones", "parcels", "enterprises"))
    return efficiency.run(park.zones, park.parcels, park.enterprises, mujun.load_mujun_profile(),
                          load_targets(), park.year)


def test_research_and_commercial_land_outside_the_industrial_ranking(sample_run) -> None:
    p, s = sample_run.parcels, sample_run.summary
    other = p["land_class"].isin(["commercial", "public_service"])
    # before: two 科研用地 parcels of 科技创新区 and four commercial ones were class D and
    # low-efficiency, and SW-0138 (commercial, 生态商务区) was in the renewal plan
    assert (p.loc[other, "class"] == "not graded").all()
    assert p.loc[other & (p["status"] != "under_construction") & (p["enterprises"] > 0),
                 "grade_status"].eq("graded_separately").all()
    assert not p.loc[other, "low_efficiency"].any()
    assert not p.loc[other, [c for c in p if c.startswith("in_plan_")]].any().any()
    assert not p.loc[p["parcel_id"].isin(["KC-0102", "KC-0113", "SW-0138"]),
                     "renewal_candidate"].any()
    # graded in rankings of their own: own classes, own benchmarks
    for cls in ("commercial", "public_service"):
        own = p.loc[p["separate_ranking"] == cls]
        assert set(own["separate_class"]) >= {"A", "D"}
        assert own["separate_rank"].dropna().min() == 1
        assert cls in s["benchmarks_separately"]
    main = p.loc[p["grade_status"] == "graded"]
    assert set(main["land_class"]) <= {"industrial", "logistics"}
    assert main["rank"].max() == len(main)  # one ranking of industrial and logistics land only
    assert s["grading_scope"]["main_ranking"] == ["industrial", "logistics"]


def test_old_scope_key_is_refused_with_its_replacement(tmp_path: Path) -> None:
    f = tmp_path / "p.yaml"
    f.write_text("evaluation:\n  scope_land_classes: [industrial]\n", encoding="utf-8")
    with pytest.raises(ProfileError, match=r"scope_land_classes' was replaced by 'scope"):
        mujun.load_mujun_profile(f)
    f.write_text("evaluation:\n  scope: {graded: [industrial], separately: [industrial]}\n",
                 encoding="utf-8")
    with pytest.raises(ProfileError, match="industrial cannot be both"):
        mujun.load_mujun_profile(f)


def test_scope_all_in_one_ranking_when_asked(tmp_path: Path) -> None:
    f = tmp_path / "p.yaml"
    f.write_text("evaluation:\n  scope: {graded: null, separately: []}\n"
                 "low_efficiency:\n  scope: all\n", encoding="utf-8")
    prof = mujun.load_mujun_profile(f)
    assert prof.evaluation.scope_graded is None and prof.low_efficiency.only_classes is None
    e, p = enterprises(), parcels()
    out, _ = mujun.evaluate_enterprises(e, p, prof.evaluation, 2024)
    assert out.set_index("ent_id").loc["E4", "grade_status"] == "too_new"  # on commercial land


def test_sample_reasons_never_print_a_value_at_its_threshold(sample_run) -> None:
    import re

    p = sample_run.parcels
    by_id = p.set_index("parcel_id")  # 容积率 0.69976 and 0.69984: 0.70 as stated, not low
    assert "容积率" not in by_id.loc["GZ-0105", "reasons"]
    assert by_id.loc["GZ-0105", "low_efficiency"]
    assert not by_id.loc["LY-0048", "low_efficiency"]
    for text in p.loc[p["low_efficiency"], "reasons"]:
        for value, limit in re.findall(r"(\d+\.\d+) < (\d+(?:\.\d+)?)", text):
            assert float(value) < float(limit), text
