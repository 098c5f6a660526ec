"""A planner's roads without ``highway``: circles and the report run, one class, said so.

Before, the layer model required the column and refused `zonekit circles` and `zonekit
report` on a planner's own centrelines (the zones and intensity maps already drew them).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import geopandas as gpd
from circles_fixtures import ZONEKIT
from shapely.geometry import Point
from test_base_layers import X0, Y0, _planner_park

import zonekit as zk

UTM = "EPSG:32650"


def _park(tmp_path: Path) -> tuple[Path, Path]:
    data = _planner_park(tmp_path / "park")  # roads without highway, UTM 50N
    gpd.GeoDataFrame({"fac_id": ["F1", "F2"], "category": ["convenience_store",
                                                           "charging_station"]},
                     geometry=[Point(X0 + 500, Y0 + 500), Point(X0 + 1500, Y0 + 500)],
                     crs="EPSG:4548").to_crs(UTM).to_file(data / "facilities.gpkg",
                                                          layer="facilities")
    homes = tmp_path / "homes.gpkg"
    gpd.GeoDataFrame({"origin_id": ["H1", "H2"]}, geometry=[
        Point(X0 + 700, Y0 + 450), Point(X0 + 1400, Y0 + 550)], crs="EPSG:4548").to_crs(
        UTM).to_file(homes)
    return data, homes


def _highway_notes(summary: dict) -> list[str]:
    return [n for n in summary.get("input_notes", []) if "no 'highway' column" in n]


def test_circles_and_report_on_roads_without_highway(tmp_path: Path) -> None:
    data, homes = _park(tmp_path)
    c = zk.circles("service", data=data, origins=homes)
    assert (c.coverage["total"] == 2).all()
    assert _highway_notes(c.summary) == [
        "roads: no 'highway' column (road class): every road is one class, travelled at the "
        "walk profile's default speed, 4.5 km/h (a mapping that names a road-grade column as "
        "highway gives class speeds)"]
    done = subprocess.run([str(ZONEKIT), "circles", "--kind", "charging", "--data", str(data),
                           "--origins", str(homes), "--out", str(tmp_path / "cli")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no 'highway' column" in done.stdout + done.stderr
    report = zk.report(data=data, out=tmp_path / "report", origins=homes)
    for folder in ("circles_service", "circles_charging"):
        summary = json.loads((report.folders[folder] / "summary.json").read_text("utf-8"))
        assert len(_highway_notes(summary)) == 1, folder  # its own mode's, once


def test_a_given_park_is_not_changed_by_a_run(tmp_path: Path) -> None:
    data, homes = _park(tmp_path)
    park = zk.load_park(data)
    before = list(park.findings.notes)
    zk.circles("service", park=park, origins=homes)
    assert park.findings.notes == before
