"""The light base of roads and water under every map (issue #27, item 6), from the user's data.

A planner's park (not the sample): its own CRS (UTM 50N, not EPSG:4548), roads without
``highway``, a water parcel; and the absent-layer cases.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
from intensity_fixtures import X0, Y0, enterprises, parcels, zones
from shapely.geometry import LineString, box

from zonekit.maps.base_layers import (
    BASE_SCRIPT_MARK,
    MAX_BASE_VERTICES,
    NO_BASE_NOTE_ZH,
    PANE,
    ROADS_PANE,
    base_layers,
    is_base,
    road_class,
    with_base,
)
from zonekit.maps.interactive import MapLayer, make_map
from zonekit.maps.legend import legend_groups
from zonekit.maps.style import zone_kind_style

UTM = "EPSG:32650"


def _roads(highway: bool = True) -> gpd.GeoDataFrame:
    """Four streets across the fixture's zones, one of them 30 km away (out of the view)."""
    lines = [LineString([(X0 - 50, Y0 + 500), (X0 + 2050, Y0 + 500)]),
             LineString([(X0 + 500, Y0 - 50), (X0 + 500, Y0 + 1050)]),
             LineString([(X0 + 1500, Y0 - 50), (X0 + 1500, Y0 + 1050)]),
             LineString([(X0 + 30_000, Y0), (X0 + 31_000, Y0)])]
    cols = {"name": ["北环路", "一街", "二街", "远处的路"]}
    if highway:
        cols["highway"] = ["primary", "residential", "['tertiary', 'residential']", "primary"]
    return gpd.GeoDataFrame(cols, geometry=lines, crs="EPSG:4548")


def _planner_park(folder: Path, highway: bool = False) -> Path:
    """A park folder in UTM 50N: the fixture's layers, a water parcel, its own roads."""
    p = parcels()
    water = gpd.GeoDataFrame({"parcel_id": ["W1"], "zone_id": ["Z2"], "land_use": ["1701"],
                              "floor_area_m2": [0.0], "status": ["in_use"]},
                             geometry=[box(X0 + 1600, Y0 + 600, X0 + 1900, Y0 + 900)],
                             crs=p.crs)
    layers = {"zones": zones(), "parcels": pd.concat([p, water], ignore_index=True),
              "enterprises": enterprises(), "roads": _roads(highway)}
    folder.mkdir()
    for name, gdf in layers.items():
        gdf.to_crs(UTM).to_file(folder / f"{name}.gpkg", layer=name, engine="pyogrio")
    return folder


def _base_geometries(page: str) -> list[dict]:
    """The GeoJSON geometries the page draws as base layers (one Multi-geometry a layer)."""
    out = []
    for m in re.finditer(re.escape(BASE_SCRIPT_MARK) + r"L\.geoJSON\(", page):
        obj, end = json.JSONDecoder().raw_decode(page[m.end():])
        options, _ = json.JSONDecoder().raw_decode(page[m.end() + end + 1:])
        lines = obj["geometry"]["type"] == "MultiLineString"  # streets above the fills
        assert options["pane"] == (ROADS_PANE if lines else PANE) and not obj["properties"]
        out.append(obj["geometry"])
    return out


def _parts(page: str) -> int:
    return sum(len(g["coordinates"]) for g in _base_geometries(page))


def _zone_layer() -> MapLayer:
    return MapLayer(zones(), zone_kind_style(label_column=None), name="功能分区")


# --- the base: roads by class, clipped to the view, water -------------------------------


def test_road_classes_from_highway_values() -> None:
    cls = road_class(pd.Series(["motorway_link", "secondary", "['primary', 'tertiary']",
                                ["trunk"], "living_street", None]))
    assert cls.tolist() == ["major", "secondary", "major", "major", "minor", "minor"]


def test_base_holds_the_roads_in_view_under_the_map_and_one_legend_note() -> None:
    layers = with_base([_zone_layer()], "EPSG:4548", roads=_roads())
    base = [x for x in layers if is_base(x)]
    assert layers[-1].title == "功能分区" and len(base) == 3  # the base first: drawn under
    by_title = {x.title: len(x.gdf) for x in base}
    # the far road is clipped out; ['tertiary', …] counts as tertiary
    assert by_title == {"底图：支路": 1, "底图：次干路": 1, "底图：主干路": 1}
    widths = {x.title: x.spec.stroke_width_px for x in base}
    assert widths["底图：主干路"] > widths["底图：次干路"] > widths["底图：支路"]
    groups = legend_groups(layers)
    assert [g.title for g in groups] == ["功能分区", "底图：道路（来自输入数据）"]
    assert groups[-1].entries == ()  # a note, not an analysis layer's classes

    page = make_map(layers, basemap="none").get_root().render()
    assert f'createPane(\n                "{PANE}")' in page
    geoms = _base_geometries(page)
    assert len(geoms) == 3 and _parts(page) == 3
    assert {g["type"] for g in geoms} == {"MultiLineString"}
    assert "底图：道路（来自输入数据）" in page
    assert "远处的路" not in page  # no road names or properties in the base


def test_base_clip_keeps_the_map_on_the_analysis_layers() -> None:
    """The far road does not widen the view: the map fits the zones, not the streets."""
    plain = make_map([_zone_layer()], basemap="none").get_root().render()
    based = make_map(with_base([_zone_layer()], "EPSG:4548", roads=_roads()),
                     basemap="none").get_root().render()
    fit = re.compile(r"fitBounds\(\s*(\[\[.*?\]\])", re.S)
    assert fit.search(plain).group(1) == fit.search(based).group(1)


def test_water_parcels_and_a_water_layer_are_drawn_as_water() -> None:
    p = parcels()
    p.loc[5, "land_use"] = "1701"  # 陆地水域
    river = gpd.GeoDataFrame(geometry=[LineString([(X0, Y0 + 900), (X0 + 2000, Y0 + 950)])],
                             crs="EPSG:4548")
    base = base_layers((X0, Y0, X0 + 2000, Y0 + 1000), "EPSG:4548", roads=_roads(),
                       parcels=p, water=river)
    water = [x for x in base if "water" in x.spec.name]
    assert [(x.spec.geometry, len(x.gdf)) for x in water] == [("polygon", 1), ("line", 1)]
    order = [x.spec.name for x in base]  # water under the roads
    assert order[:2] == ["base_water_polygon", "base_water_line"]
    assert all(n.startswith("base_roads_") for n in order[2:])
    assert base[0].spec.title == "底图：道路、水域（来自输入数据）"


def test_no_roads_and_no_water_give_no_base_and_say_so() -> None:
    p = parcels()  # no water parcel
    layers = with_base([_zone_layer()], "EPSG:4548", roads=None, parcels=p)
    base = [x for x in layers if is_base(x)]
    assert len(base) == 1 and not len(base[0].gdf)
    assert legend_groups(layers)[-1].title == NO_BASE_NOTE_ZH
    page = make_map(layers, basemap="none").get_root().render()
    assert NO_BASE_NOTE_ZH in page and PANE not in page


def test_minor_streets_are_left_out_above_the_budget_and_counted() -> None:
    base = base_layers((X0 - 100, Y0 - 100, X0 + 2100, Y0 + 1100), "EPSG:4548",
                       roads=_roads(), max_vertices=4)  # two 2-vertex lines fit
    assert [x.title for x in base] == ["底图：次干路", "底图：主干路"]
    assert base[0].spec.title.endswith("省略较短或次要道路 1 段")
    assert MAX_BASE_VERTICES >= 100_000  # the default leaves a city's main roads in


def test_a_class_over_the_budget_keeps_its_longest_roads() -> None:
    lines = [LineString([(X0, Y0 + 10 * k), (X0 + 100 * (k + 1), Y0 + 10 * k)]) for k in range(5)]
    roads = gpd.GeoDataFrame({"highway": ["residential"] * 5}, geometry=lines, crs="EPSG:4548")
    (base,) = base_layers((X0 - 10, Y0 - 10, X0 + 600, Y0 + 60), "EPSG:4548", roads=roads,
                          max_vertices=6)
    assert sorted(base.gdf.length.round().tolist()) == [300, 400, 500]  # three longest
    assert base.spec.title.endswith("省略较短或次要道路 2 段")


def test_gpkg_of_a_map_leaves_the_base_out(tmp_path: Path) -> None:
    import pyogrio

    from zonekit.maps.gpkg_layers import write_map_gpkg

    path = write_map_gpkg(with_base([_zone_layer()], "EPSG:4548", roads=_roads()),
                          tmp_path / "m.gpkg")
    assert [n for n, _ in pyogrio.list_layers(path) if n != "layer_styles"] == ["zones_by_kind"]


# --- a planner's park, through the API and the command line ----------------------------


def test_planner_park_maps_have_its_roads_and_water(tmp_path: Path) -> None:
    """Roads without highway (one class), UTM 50N; the zones run does not read roads."""
    import zonekit as zk

    data = _planner_park(tmp_path / "park")
    z = zk.measure_zones(data=data)
    assert "roads" not in z.park.layers  # read for the map only
    layers, _ = z.map_layers("zones")
    base = {x.title: len(x.gdf) for x in layers if is_base(x)}
    assert base == {"底图：水域": 1, "底图：道路": 3}
    i = zk.intensity(data=data)
    layers, _ = i.map_layers("low-efficiency")
    assert [x.title for x in layers if is_base(x)] == ["底图：水域", "底图：道路"]
    page = i.map("mujun", basemap="none").get_root().render()
    assert "底图：道路、水域（来自输入数据）" in page and len(_base_geometries(page)) == 2


def test_report_maps_have_the_base(tmp_path: Path) -> None:
    import zonekit as zk
    from zonekit.api.report import outputs_of, run_all
    from zonekit.maps.report import report_maps

    park = zk.load_park(_planner_park(tmp_path / "park", highway=True))
    results, _ = run_all(park)
    maps = report_maps(outputs_of(results, tmp_path / "report"))
    assert maps
    for _, title, m in maps:
        page = m.get_root().render()
        assert PANE in page and "底图：道路、水域（来自输入数据）" in page, title


def test_map_command_offline_draws_the_base(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from zonekit.cli.app import app

    data = _planner_park(tmp_path / "park")
    out = tmp_path / "maps"
    result = CliRunner().invoke(app, ["map", "zones", "--data", str(data), "--out", str(out),
                                      "--basemap", "none"])
    assert result.exit_code == 0, result.output
    page = (out / "map_zones.html").read_text(encoding="utf-8")
    assert _parts(page) == 4  # three streets and the water parcel


def test_unreadable_roads_leave_the_map_without_streets(tmp_path: Path) -> None:
    import zonekit as zk

    data = _planner_park(tmp_path / "park")
    (data / "roads.gpkg").write_bytes(b"not a geopackage")
    z = zk.measure_zones(data=data)
    layers, _ = z.map_layers("zones")
    assert [x.title for x in layers if is_base(x)] == ["底图：水域"]  # the water stays


def test_the_base_simplifies_as_geos_does_without_sending_it_two_point_lines() -> None:
    """Two-vertex LineStrings skip the simplifier; every geometry equals GEOS's own result."""
    import numpy as np
    import shapely

    from zonekit.maps.base_view import SIMPLIFY_SHARE, simplified

    rng = np.random.default_rng(3)
    lines = [LineString(rng.random((k, 2)) * 900) for k in rng.integers(2, 9, 2000)]
    odd = [LineString(), None, shapely.MultiLineString([[(0, 0), (1, 1)]]),
           LineString([(5, 5), (5, 5)]), shapely.Point(1, 1), box(0, 0, 3, 3)]
    geoms = np.array(lines + odd, dtype=object)
    for view in ((0, 0, 1_000, 1_000), (0, 0, 40_000, 10_000)):
        tol = SIMPLIFY_SHARE * max(view[2] - view[0], view[3] - view[1])
        got, want = simplified(geoms, view), shapely.simplify(geoms, tol)
        assert [g is None for g in got] == [w is None for w in want]
        assert all(g.wkb == w.wkb for g, w in zip(got, want, strict=True) if g is not None)
