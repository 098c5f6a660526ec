"""Origins without a weight column are counted: whole numbers, unit ``origins`` (个起点).

Before, the unit was ``weight``: the console printed "294.0 / 300.0" and the report showed
the English word "weight" for a planner's residential parcels or own points.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from circles_fixtures import ZONEKIT

import zonekit as zk
from zonekit.maps.report_data import COUNT_UNITS, UNIT_ZH


def _layers(tmp_path: Path) -> None:
    park = zk.load_park()
    park.roads.to_file(tmp_path / "roads.gpkg")
    park.facilities[["fac_id", "category", "geometry"]].to_file(tmp_path / "poi.gpkg")
    homes = park.parcels[park.parcels["land_use"].astype(str).str.startswith("07")]
    homes[["parcel_id", "geometry"]].to_file(tmp_path / "homes.gpkg")


def test_unweighted_origins_are_a_count(tmp_path: Path) -> None:
    _layers(tmp_path)
    c = zk.circles("service", roads=tmp_path / "roads.gpkg", facilities=tmp_path / "poi.gpkg",
                   origins=tmp_path / "homes.gpkg", origin_id="parcel_id", facility_id="fac_id",
                   mode="walk", minutes=15)
    rows = c.coverage[c.coverage["measure"] == "origins"]
    assert len(rows) and set(rows["unit"]) == {"origins"}
    assert "origins" in COUNT_UNITS and UNIT_ZH["origins"] == "个起点"
    done = subprocess.run([str(ZONEKIT), "circles", "--kind", "service", "--roads",
                           str(tmp_path / "roads.gpkg"), "--facilities", str(tmp_path / "poi.gpkg"),
                           "--origins", str(tmp_path / "homes.gpkg"), "--origin-id", "parcel_id",
                           "--facility-id", "fac_id", "--mode", "walk", "--minutes", "15",
                           "--out", str(tmp_path / "out")], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    total = int(rows["total"].iloc[0])
    line = next(x for x in done.stdout.splitlines() if " origins " in x)
    assert f" {total:,} " in line and f"{total}.0" not in line
