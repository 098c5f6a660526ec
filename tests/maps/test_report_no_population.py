"""A planner's own park with no population grid: the report is written and reads right.

The circles start from the residential parcels (the report says so) and no section
speaks of persons the data does not have (#27 acceptance).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import geopandas as gpd
import pytest
from circles_fixtures import planner_grid
from shapely.geometry import Point, box

import zonekit as zk

X0, Y0 = 487_000.0, 4_470_000.0  # the tiny park's origin (conftest)


@pytest.fixture
def park_without_grid(tmp_path: Path, tiny_park: dict[str, gpd.GeoDataFrame]) -> Path:
    """The tiny park with streets, facilities and two residential parcels; no population."""
    layers = dict(tiny_park)
    homes = gpd.GeoDataFrame({
        "parcel_id": ["R1", "R2"], "zone_id": ["A", "A"], "land_use": ["0701", "0701"],
        "land_use_name": ["城镇住宅用地"] * 2, "floor_area_m2": [20_000.0, 15_000.0],
        "status": ["in_use", "in_use"], "lease_end_year": [2080, 2085],
    }, geometry=[box(X0 + 700, Y0 + 100, X0 + 800, Y0 + 200),
                 box(X0 + 100, Y0 + 700, X0 + 200, Y0 + 800)], crs="EPSG:4548")
    layers["parcels"] = gpd.GeoDataFrame(
        gpd.pd.concat([tiny_park["parcels"], homes], ignore_index=True), crs="EPSG:4548")
    _, roads = planner_grid(n=10, spacing_m=120.0, island=False)
    layers["roads"] = roads
    layers["facilities"] = gpd.GeoDataFrame({
        "fac_id": ["F1", "F2", "F3"],
        "category": ["convenience_store", "fresh_market", "charging_station"],
        "name": ["便利店", "菜市场", "充电站"],
    }, geometry=[Point(X0 + 720, Y0 + 130), Point(X0 + 500, Y0 + 500),
                 Point(X0 + 300, Y0 + 300)], crs="EPSG:4548")
    folder = tmp_path / "park"
    folder.mkdir()
    for name, gdf in layers.items():
        gdf.to_file(folder / f"{name}.gpkg", layer=name, engine="pyogrio")
    return folder


def visible_text(page: str) -> str:
    """The report's visible text (maps' frames and styles left out)."""
    page = re.sub(r'srcdoc="[^"]*"', "", page)
    page = re.sub(r"<(style|script)[^>]*>.*?</\1>", "", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_report_of_a_park_without_population_grid(park_without_grid: Path,
                                                  tmp_path: Path) -> None:
    done = zk.report(data=park_without_grid, out=tmp_path / "report")
    assert done.html.exists() and done.workbook.exists()
    assert any("residential parcels" in n for n in done.notes), done.notes
    assert "circles_service" in done.folders
    text = visible_text(done.html.read_text(encoding="utf-8"))
    # whom the circle counts is said: the residential parcels, each counted once
    assert "园区功能分区范围内的居住地块，共 2 宗居住地块" in text
    assert "每宗居住地块计 1" in text
    # no persons: no population share, no count of people in any section
    assert "人口" not in text, re.findall(r".{30}人口.{30}", text)
    assert not re.search(r"\d[\d,]* 人[，。；）]", text), re.findall(r".{20}\d 人.{10}", text)
    # the service gaps are named areas of the residential parcels
    assert "缺口片区" in text
    _no_internal_labels(done.html, done.workbook)


def _no_internal_labels(page: Path, workbook: Path) -> None:
    """The English-label scan of the sample's report, on a planner's own park."""
    import openpyxl
    from test_report import body_text, internal_labels

    text = body_text(page.read_text(encoding="utf-8"))  # the raw notes (lang="en") aside
    assert not internal_labels(text), internal_labels(text)[:5]
    wb = openpyxl.load_workbook(workbook, read_only=True)
    for ws in wb.worksheets:
        cells = " ".join(str(v) for row in ws.iter_rows(values_only=True) for v in row
                         if isinstance(v, str))
        assert not internal_labels(cells), (ws.title, internal_labels(cells)[:5])


def test_report_starts_from_the_users_origins(park_without_grid: Path, tmp_path: Path) -> None:
    homes = gpd.GeoDataFrame({"origin_id": ["H1", "H2", "H3"]}, geometry=[
        Point(X0 + 720, Y0 + 150), Point(X0 + 150, Y0 + 750), Point(X0 + 1900, Y0 + 800)],
        crs="EPSG:4548")  # H3 lies outside both zones: not counted, and said so
    homes.to_file(tmp_path / "homes.gpkg", engine="pyogrio")
    done = zk.report(data=park_without_grid, out=tmp_path / "report",
                     origins=tmp_path / "homes.gpkg")
    assert not any("residential parcels" in n for n in done.notes), done.notes
    text = visible_text(done.html.read_text(encoding="utf-8"))
    assert "园区功能分区范围内的用户给定的起点，共 2 个起点；分区以外的 1 个起点未计入" in text
    assert "人口" not in text, re.findall(r".{30}人口.{30}", text)
    _no_internal_labels(done.html, done.workbook)
