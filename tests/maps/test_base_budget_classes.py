"""The map base over its vertex budget (issue #29): classes past the budget only counted.

The base clips and simplifies a class of roads only while the budget has room and only
counts the features of the classes past it. The kept layers and the note's count must
equal a straightforward reference that clips every road first, then applies the budget,
including the roads that merely touch the box (a corner, along its edge: clipped to
nothing, not counted) and those whose bounds overlap it without crossing it.
"""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import LineString

from zonekit.maps.base_layers import base_layers, road_class

CRS = "EPSG:4548"
X0, Y0 = 500_000.0, 4_400_000.0
BOX = (X0, Y0, X0 + 1000.0, Y0 + 1000.0)
BUDGET = 6  # the three 2-vertex main roads fill it: the residential streets are left out


def _roads() -> gpd.GeoDataFrame:
    """Three main roads in view, one far off; 300 residential streets in and around the box."""
    rng = np.random.default_rng(29)
    start = rng.uniform([X0 - 300, Y0 - 300], [X0 + 1300, Y0 + 1300], size=(300, 2))
    end = start + rng.uniform(-150, 150, size=(300, 2))
    streets = list(shapely.linestrings(np.stack([start, end], axis=1)))
    streets += [LineString([(X0 + 1000, Y0 + 1000), (X0 + 1100, Y0 + 1100)]),  # a corner
                LineString([(X0, Y0 + 100), (X0, Y0 + 300)]),  # along the edge
                LineString([(X0 + 950, Y0 + 1100), (X0 + 1100, Y0 + 950)])]  # bounds only
    main = [LineString([(X0 - 50, Y0 + 200 * k), (X0 + 1050, Y0 + 200 * k + 1)])
            for k in (1, 2, 3)] + [LineString([(X0 + 5000, Y0), (X0 + 6000, Y0)])]
    highway = ["primary", "trunk", "motorway", "primary"] + ["residential"] * len(streets)
    return gpd.GeoDataFrame({"highway": highway, "name": [f"r{i}" for i in range(len(highway))]},
                            geometry=main + streets, crs=CRS)


def _reference(roads: gpd.GeoDataFrame) -> tuple[np.ndarray, int]:
    """Clip every road to the box (in the map's CRS), then budget: (main roads, left out)."""
    geoms = roads.to_crs(CRS).geometry.to_numpy()
    rect = shapely.box(*BOX)
    hit = shapely.intersects(rect, geoms)
    cut = hit & ~shapely.contains_properly(rect, geoms)
    geoms = geoms.copy()
    geoms[cut] = shapely.clip_by_rect(geoms[cut], *BOX)
    in_view = hit & ~shapely.is_empty(geoms)
    main = (road_class(roads["highway"]) == "major").to_numpy()
    kept = shapely.simplify(geoms[in_view & main], (BOX[2] - BOX[0]) / 4000)
    assert shapely.get_num_coordinates(kept).sum() == BUDGET  # the budget's premise
    return kept, int((in_view & ~main).sum())


def _dropped(note: str) -> int:
    return int(re.search(r"省略较短或次要道路 ([\d,]+) 段", note).group(1).replace(",", ""))


@pytest.mark.parametrize("roads_crs", [CRS, "EPSG:4326"])
def test_classes_past_the_budget_are_counted_as_a_full_clip_counts_them(roads_crs: str) -> None:
    roads = _roads().to_crs(roads_crs)
    kept, left_out = _reference(roads)
    assert 0 < left_out < 303  # streets both in and out of view, so the count can be wrong
    (layer,) = base_layers(BOX, CRS, roads=roads, max_vertices=BUDGET)
    assert layer.spec.name == "base_roads_major"
    assert _dropped(layer.spec.title) == left_out
    assert list(layer.gdf.columns) == [layer.gdf.geometry.name]
    assert str(layer.gdf.crs) == CRS
    assert shapely.equals_exact(layer.gdf.geometry.to_numpy(), kept, tolerance=0).all()


def test_with_room_the_streets_are_drawn_and_nothing_is_counted() -> None:
    roads = _roads()
    _, in_view = _reference(roads)
    layers = base_layers(BOX, CRS, roads=roads, max_vertices=10_000)
    by_name = {x.spec.name: len(x.gdf) for x in layers}
    assert by_name == {"base_roads_minor": in_view, "base_roads_major": 3}
    assert "省略" not in layers[0].spec.title
