"""Tests for land output, 亩均 figures and their tables (zonekit.analysis.land.intensity)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from intensity_fixtures import enterprises, parcels, zones

from zonekit.analysis.land import intensity as it
from zonekit.analysis.land.measures import zone_table

SAMPLE = Path(__file__).resolve().parents[3] / "data" / "sample" / "park.gpkg"


def assert_index_kept(result: pd.DataFrame, source: pd.DataFrame) -> None:
    """Check that a pure function's result is indexed exactly like its input."""
    pd.testing.assert_index_equal(result.index, source.index)


def test_mu_conversion() -> None:
    assert it.M2_PER_MU == pytest.approx(666.67, abs=0.005)
    assert 20_000 / it.M2_PER_MU == pytest.approx(30.0)


def test_parcel_figures_hand_computed() -> None:
    p, e = parcels(), enterprises()
    table = it.parcel_intensity(p, e)
    assert_index_kept(table, p)
    p1 = table.set_index("parcel_id").loc["P1"]
    # P1: 20,000 m² = 30 亩 = 0.02 km²; one firm: revenue 10,000 万元, tax 300, 100 staff.
    assert p1["area_mu"] == pytest.approx(30.0)
    assert p1["land_output_yi_per_km2"] == pytest.approx(1.0 / 0.02)
    assert p1["revenue_per_mu_wan"] == pytest.approx(10_000 / 30)
    assert p1["tax_per_mu_wan"] == pytest.approx(300 / 30)
    assert p1["output_per_employee_wan"] == pytest.approx(100.0)
    assert p1["plot_ratio"] == pytest.approx(0.5)
    # P2 holds two firms: their figures are summed once.
    p2 = table.set_index("parcel_id").loc["P2"]
    assert p2["enterprises"] == 2
    assert p2["revenue_wan"] == pytest.approx(80_000)
    assert p2["tax_per_mu_wan"] == pytest.approx(4_000 / 30)
    # Under construction and green land are outside the built denominator.
    assert table.set_index("parcel_id")["in_denominator"].to_dict() == {
        "P1": True, "P2": True, "P3": True, "P4": True, "P5": False, "P6": False}


@pytest.mark.parametrize(("denominator", "land_km2"), [
    ("built", 0.07),        # P1 + P2 + P3 (commercial) + P4 (idle)
    ("industrial", 0.06),   # P1 + P2 + P4
    ("all", 2.0),           # both zone polygons
])
def test_denominator_changes_land_output(denominator: str, land_km2: float) -> None:
    table = it.zone_intensity(zones(), parcels(), enterprises(), denominator)
    park = it.park_row(table)
    assert park["land_km2"] == pytest.approx(land_km2)
    assert park["revenue_yi"] == pytest.approx(11.51)
    assert park["land_output_yi_per_km2"] == pytest.approx(11.51 / land_km2)
    assert (table["denominator"] == denominator).all()
    # the land table the lead's `zones` command uses agrees
    lead = zone_table(zones(), parcels(), enterprises(), denominator)
    assert park["land_output_yi_per_km2"] == pytest.approx(lead.iloc[-1]["land_output_yi_per_km2"])


@pytest.mark.parametrize("denominator", ["built", "all", "industrial"])
def test_zones_and_intensity_agree_with_a_parcel_in_no_zone(denominator: str) -> None:
    """`zonekit zones` and `zonekit intensity` give one land output for the same data.

    A parcel outside every zone keeps its revenue in the park total, so its land must
    count too, whatever the denominator (with ``all``: the parcel's own area).
    """
    p = parcels()
    p.loc[p["parcel_id"] == "P2", "zone_id"] = None
    table = it.zone_intensity(zones(), p, enterprises(), denominator)
    lead = zone_table(zones(), p, enterprises(), denominator)
    for col in ("land_km2", "revenue_yi", "land_output_yi_per_km2"):
        assert lead.iloc[-1][col] == pytest.approx(table.iloc[-1][col]), col
    no_zone = lead.set_index("zone_id").loc["(no zone)"]
    assert no_zone["land_km2"] > 0 and no_zone["revenue_yi"] > 0


@pytest.mark.parametrize("denominator", ["built", "all", "industrial"])
def test_zones_sum_to_park(denominator: str) -> None:
    table = it.zone_intensity(zones(), parcels(), enterprises(), denominator)
    rows, park = table.iloc[:-1], table.iloc[-1]
    for col in ("revenue_yi", "land_km2", "land_mu", "employees", "tax_wan", "enterprises",
                "parcels"):
        assert rows[col].sum() == pytest.approx(park[col]), col


def test_enterprise_without_parcel_is_reported_not_dropped() -> None:
    e = enterprises()
    table = it.zone_intensity(zones(), parcels(), e)
    un = table.set_index("zone_id").loc[it.UNASSIGNED]
    assert un["enterprises"] == 1
    assert un["revenue_yi"] == pytest.approx(0.5)
    assert un["land_km2"] == 0
    land = it.enterprise_land(e, parcels())
    assert_index_kept(land, e)
    assert not land.loc[e["ent_id"] == "E5", "has_parcel"].iloc[0]


def test_parcel_without_zone_is_reported_not_dropped() -> None:
    p = parcels()
    p.loc[p["parcel_id"] == "P3", "zone_id"] = None
    table = it.zone_intensity(zones(), p, enterprises()).set_index("zone_id")
    nz = table.loc[it.NO_ZONE]
    assert nz["parcels"] == 1
    assert nz["land_km2"] == pytest.approx(0.01)
    assert nz["revenue_yi"] == pytest.approx(2.0)  # E4 on P3
    assert table.loc["park", "land_km2"] == pytest.approx(0.07)
    assert table.loc["park", "revenue_yi"] == pytest.approx(11.51)


def test_shared_parcel_land_not_double_counted() -> None:
    e, p = enterprises(), parcels()
    land = it.enterprise_land(e, p)
    on_p2 = land.loc[(e["parcel_id"] == "P2").to_numpy()]
    assert on_p2["land_m2"].sum() == pytest.approx(20_000)
    assert on_p2["land_share"].tolist() == pytest.approx([0.75, 0.25])  # 300 vs 100 staff
    equal = it.enterprise_land(e, p, share="equal")
    on_p2 = (e["parcel_id"] == "P2").to_numpy()
    assert equal.loc[on_p2, "land_mu"].tolist() == pytest.approx([15, 15])
    # industries' land adds up to the park's land: each parcel counted once
    ind = it.industry_intensity(e, p)
    assert ind.iloc[:-1]["land_km2"].sum() == pytest.approx(0.07)
    assert ind.set_index("industry").loc["新能源智能汽车", "land_km2"] == pytest.approx(0.02)
    assert ind.iloc[:-1]["revenue_yi"].sum() == pytest.approx(11.51)


def test_bad_denominator() -> None:
    with pytest.raises(ValueError, match="denominator must be one of built, all, industrial"):
        it.zone_intensity(zones(), parcels(), enterprises(), "total")


def test_cli_writes_outputs(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from zonekit.cli.app import app

    data = tmp_path / "park"
    data.mkdir()
    for name, gdf in {"zones": zones(), "parcels": parcels(), "enterprises": enterprises()}.items():
        gdf.to_file(data / f"{name}.gpkg", layer=name, engine="pyogrio")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["intensity", "--data", str(data), "--out", str(out),
                                      "--denominator", "industrial"])
    assert result.exit_code == 0, result.output
    for name in ("parcels.gpkg", "enterprises.csv", "renewal_plan.csv", "trajectory.csv",
                 "summary.json", "zones.csv", "targets.csv"):
        assert (out / name).exists(), name
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    for key in ("land_output_yi_per_km2", "denominator", "target_land_output_yi_per_km2",
                "target_year", "low_efficiency_parcels", "low_efficiency_area_km2", "plan_parcels",
                "plan_area_km2", "plan_land_output_yi_per_km2", "plan_reaches_target"):
        assert key in summary, key
    assert summary["denominator"] == "industrial"
    assert summary["land_output_yi_per_km2"] == pytest.approx(11.51 / 0.06, rel=1e-4)
    assert summary["enterprises_without_parcel"] == ["E5"]
    trajectory = pd.read_csv(out / "trajectory.csv")
    assert {"growth_pct", "lag_years", "new_land_km2"} <= set(trajectory.columns)
    bad = CliRunner().invoke(app, ["intensity", "--data", str(data), "--out", str(out),
                                   "--force", "--growth", "640"])
    assert bad.exit_code == 2 and "percent per year" in bad.output


@pytest.mark.skipif(not SAMPLE.exists(), reason="sample park not generated yet")
def test_sample_baseline_and_zone_sums() -> None:
    from zonekit.api.data import load_park

    park = load_park(layers=("zones", "parcels", "enterprises"))
    table = it.zone_intensity(park.zones, park.parcels, park.enterprises)
    park_row = it.park_row(table)
    assert park_row["land_output_yi_per_km2"] == pytest.approx(30.4, abs=0.1)
    rows = table.iloc[:-1]
    for col in ("revenue_yi", "land_km2", "employees"):
        assert rows[col].sum() == pytest.approx(park_row[col]), col
    assert np.isfinite(park_row["tax_per_mu_wan"])
