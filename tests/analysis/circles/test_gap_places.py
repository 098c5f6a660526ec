"""Gap pieces' place names, worded once per distinct zone and road, equal a piece-by-piece naming.

:func:`~zonekit.analysis.circles.gap_areas.name_gaps` words the place texts once per
distinct (zone, road) and hands them out by code; the reference here words every piece
on its own, from the same zone and road look-ups, as the rules say: 分区以外 outside every
zone, the zone's id when its name is blank, 无名道路 without a named road within reach.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zonekit.analysis.circles.gap_areas import (
    OUTSIDE_ZH,
    PLACE_COLUMNS,
    UNNAMED_ZH,
    gap_areas,
    name_gaps,
)
from zonekit.analysis.circles.site_descriptions import OUTSIDE, UNNAMED, nearest_named_road, zone_of

CRS = "EPSG:4548"


def _reference(gaps: gpd.GeoDataFrame, zones, roads) -> pd.DataFrame:
    points = gaps.geometry.representative_point().to_numpy()
    ids, names = zone_of(points, zones)
    road = nearest_named_road(points, roads, 300.0)[0]
    rows = []
    for zid, zname, rname in zip(ids, names, road, strict=True):
        zone = OUTSIDE_ZH if zid == OUTSIDE else (zname or zid)
        rname = UNNAMED_ZH if rname == UNNAMED else rname
        rows.append(("" if zid == OUTSIDE else zid, zone, rname, f"{zone}·{rname}一带"))
    return pd.DataFrame(rows, columns=list(PLACE_COLUMNS), index=gaps.index)


def _case(seed: int) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    rng = np.random.default_rng(seed)
    zones = gpd.GeoDataFrame(
        {"zone_id": ["Z1", "Z2", "Z3"], "name_zh": ["高端智造区", "", "生态商务区"]},
        geometry=[shapely.box(0, 0, 500, 500), shapely.box(500, 0, 1000, 500),
                  shapely.box(0, 500, 500, 1000)], crs=CRS)
    roads = gpd.GeoDataFrame(
        {"name": ["嘉禾街", None, " 康宝一路 ", ""]},
        geometry=[shapely.LineString([(0, 100), (1000, 100)]),
                  shapely.LineString([(0, 600), (1000, 600)]),
                  shapely.LineString([(300, 0), (300, 1000)]),
                  shapely.LineString([(800, 0), (800, 1000)])], crs=CRS)
    x, y = rng.uniform(-400, 1400, (2, 500))
    gaps = gpd.GeoDataFrame(
        {"gap_id": [f"g{i}" for i in range(500)],
         "category": np.where(np.arange(500) % 3, "pharmacy", "school"),
         "name_zh": np.where(np.arange(500) % 3, "药店", "学校"), "cells": 1,
         "weight": rng.uniform(0, 5, 500)},
        geometry=shapely.box(x, y, x + 40, y + 40), crs=CRS)
    return gaps, zones, roads


def test_place_columns_equal_a_piece_by_piece_naming():
    for seed in range(5):
        gaps, zones, roads = _case(seed)
        named = name_gaps(gaps, zones, roads)
        want = _reference(gaps, zones, roads)
        for column in PLACE_COLUMNS:
            assert named[column].tolist() == want[column].tolist(), (seed, column)
        assert set(named["place_zh"]) >= {"分区以外·无名道路一带", "Z2·嘉禾街一带"}


def test_without_zones_or_road_names_every_piece_is_outside_and_unnamed():
    gaps, _, roads = _case(1)
    named = name_gaps(gaps, None, roads.drop(columns="name"))
    assert set(named["place_zh"]) == {"分区以外·无名道路一带"}
    assert set(named["zone_id"]) == {""}


def test_areas_of_single_polygons_keep_their_pieces():
    gaps, zones, roads = _case(2)
    areas = gap_areas(name_gaps(gaps, zones, roads), "weight")
    assert areas["pieces"].sum() == len(gaps)
    assert np.isclose(areas["area_km2"].sum(), gaps.geometry.area.sum() / 1e6)
    assert areas.attrs["geometry_type"] == "MultiPolygon"
