"""Tests for low-efficiency land flags (zonekit.analysis.mujun.low_efficiency)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from intensity_fixtures import enterprises, parcels

from zonekit.analysis.land import intensity as it
from zonekit.analysis.mujun import evaluation as mujun
from zonekit.analysis.mujun import low_efficiency as le


def _flags(rules: le.Rules | None = None, parcel_class: pd.Series | None = None) -> pd.DataFrame:
    table = it.parcel_intensity(parcels(), enterprises())
    out = le.flag_parcels(table, parcel_class, rules or mujun.load_mujun_profile().low_efficiency)
    assert out.index.equals(table.index)
    return out.set_index(table["parcel_id"])


def test_every_flag_has_all_its_reasons() -> None:
    flags = _flags()
    # Industrial mean 亩均税收 = (300 + 4,000 + 0) / 90 亩 = 47.8 → line 11.9 (a quarter).
    # P1: plot ratio 0.5 < 0.7, 10 < 11.9; P4: idle, plot ratio 0.4, 亩均税收 0.
    assert flags["low_efficiency"].to_dict() == {
        "P1": True, "P2": False, "P3": False, "P4": True, "P5": False, "P6": False}
    assert flags.loc["P1", "n_reasons"] == 2
    assert flags.loc["P4", "n_reasons"] == 3
    assert "容积率" in flags.loc["P4", "reasons"]
    assert "亩均税收 0.00 < 11.94" in flags.loc["P4", "reasons"]
    assert "（工业用地均值的 25 %）" in flags.loc["P4", "reasons"]
    assert "闲置/停产" in flags.loc["P4", "reasons"]
    flagged = flags[flags["low_efficiency"]]
    assert (flagged["n_reasons"] >= 1).all()
    assert (flagged["reasons"].str.len() > 0).all()
    assert (flags.loc[~flags["low_efficiency"], "reasons"] == "").all()


def test_thresholds_change_flags(tmp_path: Path) -> None:
    rules = mujun.load_mujun_profile().low_efficiency
    assert not _flags(replace(rules, plot_ratio_below=0.45)).loc["P1", "low_plot_ratio"]
    assert _flags(replace(rules, plot_ratio_below=0.45)).loc["P4", "low_plot_ratio"]
    # 亩均税收 of P1 is exactly 10 万元/亩: flagged only when a line rises above it
    assert _flags(rules).loc["P1", "low_tax_per_mu"]  # relative line 11.9
    assert not _flags(replace(rules, tax_below_share_of_class_mean=0.2)).loc["P1", "low_tax_per_mu"]
    assert not _flags(replace(rules, tax_per_mu_below_wan=10.0)).loc["P1", "low_tax_per_mu"]
    assert _flags(replace(rules, tax_per_mu_below_wan=10.5)).loc["P1", "low_tax_per_mu"]
    # the same change through a user profile file
    user = tmp_path / "county.yaml"
    user.write_text("low_efficiency:\n  tax_per_mu: {below_wan: 12}\n  idle: {enabled: false}\n",
                    encoding="utf-8")
    flags = _flags(mujun.load_mujun_profile(user).low_efficiency)
    assert flags.loc["P1", "low_tax_per_mu"]
    assert "< 12.00 万元/亩" in flags.loc["P1", "reasons"]
    assert "idle" not in flags.columns
    assert flags.loc["P4", "n_reasons"] == 2


def test_class_rule_uses_parcel_class() -> None:
    table = it.parcel_intensity(parcels(), enterprises())
    cls = pd.Series(["D", "A", "not graded", "C", "not graded", "not graded"], index=table.index)
    flags = _flags(parcel_class=cls)
    assert flags.loc["P1", "class_d"] and not flags.loc["P2", "class_d"]
    assert "亩均效益 D 类" in flags.loc["P1", "reasons"]


def test_unknown_plot_ratio_is_counted_not_flagged() -> None:
    p, e = parcels(), enterprises()
    p.loc[p["parcel_id"] == "P1", "floor_area_m2"] = float("nan")
    table = it.parcel_intensity(p, e)
    flags = le.flag_parcels(table, None, mujun.load_mujun_profile().low_efficiency)
    row = flags.set_index(table["parcel_id"]).loc["P1"]
    assert row["plot_ratio_unknown"] and not row["low_plot_ratio"]


@pytest.mark.parametrize("rule", ["plot_ratio", "tax_per_mu", "class_d", "idle"])
def test_rules_can_be_switched_off(tmp_path: Path, rule: str) -> None:
    user = tmp_path / "off.yaml"
    user.write_text(f"low_efficiency:\n  {rule}: {{enabled: false}}\n", encoding="utf-8")
    rules = mujun.load_mujun_profile(user).low_efficiency
    column = {"plot_ratio": "low_plot_ratio", "tax_per_mu": "low_tax_per_mu"}.get(rule, rule)
    table = it.parcel_intensity(parcels(), enterprises())
    all_d = pd.Series("D", index=table.index)
    assert column in _flags(mujun.load_mujun_profile().low_efficiency, all_d).columns
    assert column not in _flags(rules, all_d).columns


@pytest.mark.parametrize(("value", "limit", "text"), [
    (0.69962, 0.7, "0.6996"), (0.6999999, 0.7, "0.699999"), (0.5, 0.7, "0.50"),
    (1.4951, 1.4987, "1.495"), (np.nan, 0.7, "nan")])
def test_value_never_prints_as_its_threshold(value, limit, text) -> None:
    assert le.below_text(value, limit) == text
    if np.isfinite(value):
        assert float(le.below_text(value, limit)) < limit


@pytest.mark.parametrize(("ratio", "reasons"), [
    (0.69962, ""),  # like GZ-0105 of the sample (0.69976): 容积率 0.70, not below 0.7
    (0.6949, "容积率 0.69 < 0.7"), (0.5, "容积率 0.50 < 0.7")])
def test_plot_ratio_is_judged_to_two_decimals(ratio: float, reasons: str) -> None:
    table = it.parcel_intensity(parcels(), enterprises())
    table["plot_ratio"] = ratio
    flags = le.flag_parcels(table, None, le.Rules(tax_on=False, idle=False, bad_classes=None))
    row = flags.set_index(table["parcel_id"]).loc["P1"]
    assert row["reasons"] == reasons
    assert bool(row["low_plot_ratio"]) == bool(reasons)


def test_only_the_graded_scope_is_flagged() -> None:
    table = it.parcel_intensity(parcels(), enterprises())
    table["status"] = "idle"  # every parcel idle: only industrial/logistics ones are judged
    rules = mujun.load_mujun_profile().low_efficiency
    assert rules.scope == "graded" and rules.only_classes == ("industrial", "logistics")
    flags = le.flag_parcels(table, None, rules).set_index(table["parcel_id"])
    assert not flags.loc["P3", "low_efficiency"]  # commercial (0901)
    assert not flags.loc["P6", "low_efficiency"]  # green
    assert flags.loc["P1", "idle"]
    every = le.flag_parcels(table, None, replace(rules, scope="all", only_classes=None))
    assert every.set_index(table["parcel_id"]).loc["P3", "idle"]
