"""Overlapping zones: each zone keeps its own figures, the park's totals are on the footprint.

The issue's case: zones of 1 km² and 0.75 km² sharing 0.25 km² (1.75 summed, 1.5 on the
ground); 12.6 亿元 of revenue gives 7.2 亿元/km² on the double-counted area, 8.4 on the
footprint.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from shapely.geometry import box
from typer.testing import CliRunner

import zonekit as zk
from zonekit.cli.app import app

runner = CliRunner()


def _overlapping(tiny_park: dict, folder: Path) -> Path:
    zones = tiny_park["zones"].copy()
    x0, y0, _, _ = zones.geometry.iloc[1].bounds
    zones.loc[1, "geometry"] = box(x0 - 500, y0, x0 + 1000, y0 + 500)  # 0.25 km² inside A
    folder.mkdir()
    for name, gdf in {**tiny_park, "zones": zones}.items():
        gdf.to_file(folder / f"{name}.gpkg", layer=name, engine="pyogrio")
    return folder


def test_park_totals_on_the_footprint(tiny_park, tmp_path: Path) -> None:
    folder = _overlapping(tiny_park, tmp_path / "p")
    result = runner.invoke(app, ["zones", "--data", str(folder), "--denominator", "all",
                                 "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "the park's totals (area, land output) are on the footprint, 1.500 km²" in text, text
    table = pd.read_csv(tmp_path / "o" / "zones.csv", encoding="utf-8-sig").set_index("zone_id")
    assert table.loc["A", "area_km2"] == pytest.approx(1.0)  # each zone keeps its own area
    assert table.loc["B", "area_km2"] == pytest.approx(0.75)
    assert table.loc["park", "area_km2"] == pytest.approx(1.5)
    assert table.loc["park", "revenue_yi"] == pytest.approx(12.6)
    assert table.loc["park", "land_output_yi_per_km2"] == pytest.approx(8.4)


def test_intensity_totals_on_the_footprint(tiny_park, tmp_path: Path) -> None:
    park = zk.load_park(_overlapping(tiny_park, tmp_path / "p"))
    notes = " ".join(str(n) for n in park.findings.notes)
    assert "on the footprint, 1.500 km² (the zones' areas add up to 1.750 km²)" in notes
    table = zk.intensity(park, denominator="all").zones.set_index("zone_id")
    assert table.loc["park", "area_km2"] == pytest.approx(1.5)
    assert table.loc["park", "land_km2"] == pytest.approx(1.5)
    built = zk.intensity(park).zones.set_index("zone_id")  # parcels: one zone each
    assert built.loc["park", "built_land_km2"] == pytest.approx(0.05)  # A1 + A2
    assert built.loc["park", "area_km2"] == pytest.approx(1.5)


def test_zones_that_only_touch_keep_their_sum(tiny_park, tmp_path: Path) -> None:
    folder = tmp_path / "q"
    folder.mkdir()
    for name, gdf in tiny_park.items():
        gdf.to_file(folder / f"{name}.gpkg", layer=name, engine="pyogrio")
    table = zk.intensity(zk.load_park(folder), denominator="all").zones.set_index("zone_id")
    assert table.loc["park", "area_km2"] == 1.5  # 1 + 0.5, summed exactly
