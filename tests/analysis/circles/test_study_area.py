"""Study area of a circle (whose trips are counted) and named gap areas (#27 item 1)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, Point, box

from zonekit.analysis.circles.gap_areas import gap_areas, name_gaps
from zonekit.analysis.circles.origins import StudyArea, layer_origins, within_area

CRS = "EPSG:4548"
X0, Y0 = 487_000.0, 4_470_000.0


def _origins() -> gpd.GeoDataFrame:
    pts = [Point(X0 + 50, Y0 + 50), Point(X0 + 150, Y0 + 50), Point(X0 + 950, Y0 + 50)]
    return gpd.GeoDataFrame({"origin_id": ["a", "b", "c"], "w": [10.0, 20.0, 5.0]},
                            geometry=pts, crs=CRS)


def test_within_area_keeps_the_origins_inside_and_counts_the_rest() -> None:
    o = layer_origins(_origins(), weight_col="w")
    area = StudyArea("zones", box(X0, Y0, X0 + 500, Y0 + 500))
    kept, info = within_area(o, area)
    assert kept.points["origin_id"].tolist() == ["a", "b"]
    assert len(kept.shapes) == 2 and list(kept.points.index) == [0, 1]
    assert (info["origins"], info["weight"]) == (2, 30.0)
    assert (info["outside_origins"], info["outside_weight"]) == (1, 5.0)
    assert info["area_km2"] == pytest.approx(0.25)
    everyone, info = within_area(o, StudyArea("all"))
    assert everyone is o and info["outside_origins"] == 0 and info["area_km2"] is None


def _pieces() -> gpd.GeoDataFrame:
    """Four gap pieces of one category: two beside 甲路 in zone A, one by 乙路, one outside."""
    cells = [box(X0, Y0, X0 + 100, Y0 + 100), box(X0 + 200, Y0, X0 + 300, Y0 + 100),
             box(X0, Y0 + 800, X0 + 100, Y0 + 900), box(X0 + 1500, Y0, X0 + 1600, Y0 + 100)]
    return gpd.GeoDataFrame({"gap_id": ["g-1", "g-2", "g-3", "g-4"], "category": ["g"] * 4,
                             "name_zh": ["缺口"] * 4, "cells": [1, 1, 1, 1],
                             "population": [5.0, 7.0, 3.0, 11.0]}, geometry=cells, crs=CRS)


def test_gap_pieces_are_named_and_dissolved_by_zone_and_road() -> None:
    zones = gpd.GeoDataFrame({"zone_id": ["A"], "name_zh": ["甲区"]},
                             geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000)], crs=CRS)
    roads = gpd.GeoDataFrame({"name": ["甲路", "乙路", None]}, geometry=[
        LineString([(X0, Y0 - 20), (X0 + 400, Y0 - 20)]),
        LineString([(X0, Y0 + 920), (X0 + 400, Y0 + 920)]),
        LineString([(X0 + 1400, Y0 - 5), (X0 + 1700, Y0 - 5)])], crs=CRS)
    named = name_gaps(_pieces(), zones, roads)
    assert named["place_zh"].tolist() == ["甲区·甲路一带", "甲区·甲路一带", "甲区·乙路一带",
                                          "分区以外·无名道路一带"]
    areas = gap_areas(named, "population")
    # largest first: the two by 甲路 (5 + 7), the unnamed piece outside (11), 乙路 (3)
    assert areas["place_zh"].tolist() == ["甲区·甲路一带", "分区以外·无名道路一带",
                                          "甲区·乙路一带"]
    assert areas["weight"].tolist() == [12.0, 11.0, 3.0]
    assert areas["pieces"].tolist() == [2, 1, 1]
    assert areas["area_id"].tolist() == ["g-1", "g-2", "g-3"]
    assert areas["area_km2"].sum() == pytest.approx(0.04)
    assert areas["weight"].sum() == named["population"].sum()  # nothing lost in the dissolve
    merged = areas.geometry.iloc[0]
    assert shapely.equals(merged, shapely.union_all(named.geometry.iloc[:2].to_numpy()))


def test_no_gaps_give_no_areas() -> None:
    empty = name_gaps(_pieces().iloc[:0], None, None)
    assert len(gap_areas(empty, "population")) == 0
    assert {"place_zh", "zone_id"} <= set(empty.columns)


def test_circles_count_the_zones_unless_asked(sample_dir) -> None:
    """Default: origins inside the zones; study_area='all' counts the population beyond."""
    import zonekit as zk

    sample = sample_dir
    inside = zk.circles("service", data=sample, categories="convenience_store")
    everyone = zk.circles("service", data=sample, categories="convenience_store",
                          study_area="all")
    a, b = inside.summary["study_area"], everyone.summary["study_area"]
    assert a["area"] == "zones" and b["area"] == "all"
    assert a["weight"] + a["outside_weight"] == pytest.approx(b["weight"])
    assert a["outside_origins"] > 0 and b["outside_origins"] == 0
    assert any("outside the study area (zones)" in w for w in inside.summary["warnings"])
    total = inside.coverage.loc[inside.coverage["measure"] == "population", "total"].iloc[0]
    assert total == pytest.approx(a["weight"])
    # the gap areas hold every uncovered person of the study area, named by zone
    cov = inside.coverage.query("scenario == 'current' and category == 'convenience_store' "
                                "and measure == 'population'").iloc[0]
    areas = inside.tables["gap_areas"]
    part = areas.loc[areas["category"] == "convenience_store"]
    assert part["weight"].sum() == pytest.approx(cov["total"] - cov["covered"])
    assert not part["zone_name_zh"].eq("分区以外").any()
    assert np.all(pd.notna(part["place_zh"]))


def test_study_area_file_counts_the_origins_inside_it(sample_dir, tmp_path) -> None:
    import zonekit as zk
    from zonekit.errors import SchemaError, ZonekitError

    zones = gpd.read_file(sample_dir / "park.gpkg", layer="zones")
    one = zones.iloc[[0]]
    one.to_file(tmp_path / "area.gpkg", engine="pyogrio")
    got = zk.circles("service", data=sample_dir, categories="convenience_store",
                     study_area=tmp_path / "area.gpkg")
    info = got.summary["study_area"]
    assert info["area"] == "area.gpkg"
    assert info["area_km2"] == pytest.approx(one.to_crs(4548).area.sum() / 1e6, rel=1e-3)
    assert not got.tables["gap_areas"]["zone_id"].isin(zones["zone_id"].iloc[1:]).any()
    gpd.GeoDataFrame(geometry=one.geometry.centroid, crs=one.crs).to_file(
        tmp_path / "points.gpkg", engine="pyogrio")
    with pytest.raises(SchemaError, match=r"points.gpkg, layer 'study_area'.*expected polygons"):
        zk.circles("service", data=sample_dir, study_area=tmp_path / "points.gpkg")
    with pytest.raises(ZonekitError, match="industry circle starts from the chain"):
        zk.circles("industry", data=sample_dir, study_area="all")


def test_report_refuses_a_study_area_for_results_it_does_not_run(tmp_path) -> None:
    import zonekit as zk
    from zonekit.errors import ZonekitError

    with pytest.raises(ZonekitError, match="study_area= and origins= choose the origins"):
        zk.report([], out=tmp_path / "r", study_area="all")
    with pytest.raises(ZonekitError, match="study_area= and origins= choose the origins"):
        zk.report([], out=tmp_path / "r", origins="residential")
