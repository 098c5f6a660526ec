"""Tests for the plan's Table 1-1 tracker (zonekit.analysis.indicators)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from intensity_fixtures import enterprises, parcels, zones

from zonekit.analysis import indicators as ind
from zonekit.errors import ProfileError

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample" / "park.gpkg"


def _table(**kwargs) -> pd.DataFrame:
    kwargs.setdefault("targets", ind.load_targets())
    table = ind.compute_indicators(enterprises(), year=2024, parcels=parcels(), zones=zones(),
                                   **kwargs)
    return table.set_index("indicator")


def _two_years() -> pd.DataFrame:
    """2023 figures: every firm had 80 % of its 2024 revenue, R&D and the same counts."""
    e24 = enterprises(2024)
    e23 = enterprises(2023)
    e23["revenue_wan"] = e23["revenue_wan"] * 0.8
    e23["rnd_wan"] = e23["rnd_wan"] * 0.5
    return pd.concat([e23, e24], ignore_index=True)


def test_targets_file() -> None:
    t = ind.load_targets()
    assert t.target_year == 2030
    assert t.indicators["land_output_yi_per_km2"].baseline == 30.4
    assert t.indicators["land_output_yi_per_km2"].target == 40
    assert t.growth("total_revenue_yi") == pytest.approx((800 / 550.6) ** (1 / 6) - 1)
    assert t.growth("output_per_employee_wan") == pytest.approx((260 / 203.4) ** (1 / 6) - 1)
    assert "科技服务" in t.tech_industries


def test_values_hand_computed() -> None:
    t = _table()
    assert t.loc["total_revenue_yi", "value"] == pytest.approx(11.51)
    assert t.loc["nev_cluster_revenue_yi", "value"] == pytest.approx(8.0)
    assert t.loc["life_health_cluster_revenue_yi", "value"] == pytest.approx(0.5)
    assert t.loc["output_per_employee_wan", "value"] == pytest.approx(115_100 / 575)
    assert t.loc["land_output_yi_per_km2", "value"] == pytest.approx(11.51 / 0.07)
    assert t.loc["patents_per_10k_employees", "value"] == pytest.approx(60 / 575 * 1e4)
    assert t.loc["firms_over_1bn", "value"] == 0
    assert t.loc["high_tech_firms", "value"] == 3
    assert t.loc["specialized_firms", "value"] == 2
    # tech firms founded 2021–2024: only E4 (科技服务, 2023) → 1 over 4 years
    assert t.loc["new_tech_firms_per_year", "value"] == pytest.approx(0.25)


def test_growth_needed_and_gap() -> None:
    t = _table()
    row = t.loc["total_revenue_yi"]
    assert row["gap"] == pytest.approx(800 - 11.51)
    assert row["required_annual_growth_pct"] == pytest.approx(100 * ((800 / 11.51) ** (1 / 6) - 1))
    assert row["required_annual_increase"] == pytest.approx((800 - 11.51) / 6)
    assert row["plan_path_value"] == pytest.approx(550.6)  # data year = baseline year
    # one year at the baseline year: on track only decided where the target is already met
    assert row["on_track"] is None
    assert t.loc["land_output_yi_per_km2", "on_track"] is True  # 164 ≥ 40 already


def test_unsupported_listed_not_invented() -> None:
    t = _table()
    assert not t.loc["incubators", "supported"]
    assert pd.isna(t.loc["incubators", "value"])
    assert "incubator" in t.loc["incubators", "note"]
    assert not t.loc["rnd_growth_pct", "supported"]  # one year only
    assert "two years" in t.loc["rnd_growth_pct", "note"]


def test_trend_with_several_years() -> None:
    data = _two_years()
    t = _table(all_years=data)
    row = t.loc["total_revenue_yi"]
    assert row["trend_years"] == "2023–2024"
    assert row["trend_growth_pct"] == pytest.approx(25.0)  # 1 / 0.8
    assert row["on_track"] is False  # 25 %/yr < the 103 %/yr still needed
    assert t.loc["rnd_growth_pct", "value"] == pytest.approx(100.0)  # R&D doubled
    assert t.loc["rnd_growth_pct", "on_track"] is True  # ≥ 4 %
    trend = ind.indicator_trend(ind.load_targets(), ind.Context(parcels(), zones(), "built",
                                                                ind.load_targets().tech_industries,
                                                                data))
    rev = trend[trend["indicator"] == "total_revenue_yi"].set_index("year")["value"]
    assert rev.to_dict() == pytest.approx({2023: 11.51 * 0.8, 2024: 11.51})


def test_later_year_compared_with_plan_path() -> None:
    t = ind.compute_indicators(enterprises(2027), ind.load_targets(), 2027,
                               parcels=parcels(), zones=zones()).set_index("indicator")
    row = t.loc["high_tech_firms"]
    assert row["plan_path_value"] == pytest.approx(276 * (350 / 276) ** 0.5)
    assert row["on_track"] is False  # 3 firms, far below the path


def test_user_targets_file(tmp_path: Path) -> None:
    user = tmp_path / "targets.yaml"
    user.write_text("indicators:\n  firms_over_1bn: {min_revenue_yi: 5, baseline: 12}\n",
                    encoding="utf-8")
    t = _table(targets=ind.load_targets(user))
    assert t.loc["firms_over_1bn", "value"] == 1  # E2: 50,000 万元 = 5 亿元
    assert t.loc["firms_over_1bn", "baseline"] == 12
    bad = tmp_path / "bad.yaml"
    bad.write_text("indicators:\n  x: {measure: happiness, target: 1}\n", encoding="utf-8")
    match = r"bad\.yaml.*indicators\.x, key 'measure': unknown measure"
    with pytest.raises(ProfileError, match=match):
        ind.load_targets(bad)


@pytest.mark.skipif(not SAMPLE.exists(), reason="sample park not generated yet")
def test_sample_matches_plan_baseline() -> None:
    from zonekit.api.data import load_park

    park = load_park(layers=("zones", "parcels", "enterprises"))
    t = ind.compute_indicators(park.enterprises, ind.load_targets(), park.year,
                               parcels=park.parcels, zones=park.zones,
                               all_years=park.enterprises_all_years).set_index("indicator")
    assert t.loc["land_output_yi_per_km2", "value"] == pytest.approx(30.4, abs=0.1)
    assert t.loc["total_revenue_yi", "value"] == pytest.approx(550.6, rel=0.01)
    assert not t.loc["incubators", "supported"]


def test_cli_indicators(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from zonekit.cli.app import app

    data = tmp_path / "park"
    data.mkdir()
    layers = {"zones": zones(), "parcels": parcels(), "enterprises": _two_years()}
    for name, gdf in layers.items():
        gdf.to_file(data / f"{name}.gpkg", layer=name, engine="pyogrio")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["indicators", "--data", str(data), "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "indicators.csv")
    assert len(table) == len(ind.load_targets().indicators)
    trend = pd.read_csv(out / "trend.csv")
    assert list(trend.columns) == ["indicator", "2023", "2024"]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["data_year"] == 2024 and summary["years_of_enterprise_data"] == [2023, 2024]
    assert "incubators" in summary["unsupported"]
    assert summary["indicators"]["total_revenue_yi"]["value"] == pytest.approx(11.51)


@pytest.mark.skipif(not SAMPLE.exists(), reason="sample park not generated yet")
@pytest.mark.parametrize(("denominator", "chosen"), [("all", 21.6), ("industrial", 54.1)])
def test_other_denominator_states_the_mismatch_and_compares_like_with_like(
        denominator: str, chosen: float) -> None:
    from zonekit.api.data import load_park

    park = load_park(layers=("zones", "parcels", "enterprises"))
    t = ind.compute_indicators(park.enterprises, ind.load_targets(), park.year,
                               parcels=park.parcels, zones=park.zones,
                               denominator=denominator).set_index("indicator")
    row = t.loc["land_output_yi_per_km2"]
    # before: 21.6 against the plan's 30.4 → "off track, needs 10.8 %/yr"
    assert row["value"] == pytest.approx(30.4, abs=0.1)  # on the plan's built land
    assert row["denominator"] == "built" and row["chosen_denominator"] == denominator
    assert row["value_chosen_denominator"] == pytest.approx(chosen, abs=0.05)
    assert row["required_annual_growth_pct"] == pytest.approx(4.68, abs=0.05)
    assert "denominator differs from the plan's" in row["note"]
    assert f"{chosen:.1f} 亿元/km²" in row["note"] and "not comparable" in row["note"]
    built = ind.compute_indicators(park.enterprises, ind.load_targets(), park.year,
                                   parcels=park.parcels, zones=park.zones).set_index("indicator")
    assert pd.isna(built.loc["land_output_yi_per_km2", "chosen_denominator"])
    assert "differs" not in built.loc["land_output_yi_per_km2", "note"]


def test_plan_denominator_is_checked(tmp_path: Path) -> None:
    bad = tmp_path / "t.yaml"
    bad.write_text("indicators:\n  land_output_yi_per_km2: {denominator: parcels}\n",
                   encoding="utf-8")
    with pytest.raises(ProfileError, match="denominator"):
        ind.load_targets(bad)
