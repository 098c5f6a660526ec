"""Property tests (hypothesis) of the land measures and of run determinism."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import box
from typer.testing import CliRunner

from zonekit.analysis.land.measures import zone_table
from zonekit.cli.app import app

X0, Y0 = 487_000.0, 4_470_000.0


def _park(widths: list[float], revenues: list[float]) -> tuple[gpd.GeoDataFrame, ...]:
    """Zones side by side, one industrial parcel and one enterprise in each."""
    zones, parcels, ents = [], [], []
    x = X0
    for i, (w, rev) in enumerate(zip(widths, revenues, strict=True)):
        zones.append({"zone_id": f"Z{i}", "name_zh": f"区{i}", "name_en": f"Z{i}",
                      "kind": "core_zone", "geometry": box(x, Y0, x + w, Y0 + 1000)})
        parcels.append({"parcel_id": f"P{i}", "zone_id": f"Z{i}", "land_use": "1001",
                        "floor_area_m2": 1.0, "status": "in_use",
                        "geometry": box(x + 1, Y0 + 1, x + w / 2, Y0 + 500)})
        ents.append({"ent_id": f"E{i}", "parcel_id": f"P{i}", "revenue_wan": rev,
                     "employees": 10, "geometry": box(x + 2, Y0 + 2, x + 3, Y0 + 3).centroid})
        x += w
    return (gpd.GeoDataFrame(zones, crs=4548), gpd.GeoDataFrame(parcels, crs=4548),
            gpd.GeoDataFrame(ents, crs=4548))


widths = st.lists(st.floats(100, 5_000), min_size=1, max_size=6)


@given(widths=widths, data=st.data())
@settings(max_examples=40, deadline=None)
def test_zone_areas_sum_to_park_area(widths, data) -> None:
    revenues = data.draw(st.lists(st.floats(0, 1e6), min_size=len(widths), max_size=len(widths)))
    table = zone_table(*_park(widths, revenues)).set_index("zone_id")
    zones_only = table.drop(index="park")
    assert zones_only["area_km2"].sum() == pytest.approx(table.loc["park", "area_km2"])
    assert zones_only["built_land_km2"].sum() == pytest.approx(table.loc["park", "built_land_km2"])
    assert zones_only["revenue_yi"].sum() == pytest.approx(table.loc["park", "revenue_yi"])


@given(widths=widths, target=st.sampled_from([4326, 4490, 32650, 4527]))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_reprojecting_inputs_keeps_results(widths, target) -> None:
    zones, parcels, ents = _park(widths, [100.0] * len(widths))
    base = zone_table(zones, parcels, ents)
    back = [g.to_crs(target).to_crs(4548) for g in (zones, parcels, ents)]
    again = zone_table(*back)
    for col in ("area_km2", "built_land_km2", "land_output_yi_per_km2"):
        assert again[col].to_numpy() == pytest.approx(base[col].to_numpy(), rel=1e-6)


def test_same_inputs_give_identical_summary(tiny_park_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    outs = []
    for name in ("a", "b"):
        out = tmp_path / name
        result = runner.invoke(app, ["zones", "--data", str(tiny_park_dir), "--out", str(out)])
        assert result.exit_code == 0, result.output
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        assert set(summary.pop("timings_s")) == {"read", "analyse", "write"}  # seconds vary
        outs.append(summary)
    assert outs[0] == outs[1]  # everything else is reproducible, to the byte of each value
