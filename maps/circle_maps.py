"""Maps of the service circles: 15-minute 生活圈 and 产业生态圈, the 5-minute 充电圈, isochrones.

The layer builders take the layers ``zonekit circles`` writes (see
:mod:`zonekit.cli.commands_circles`): ``origins`` (cells or enterprises with
``minutes_<category>``, ``n_missing``, ``missing_zh`` and ``covered``), ``gaps``
(uncovered pieces per ``category``), ``isochrones`` (bands per ``category`` with
``minutes``), the charging run's covered ``roads`` and proposed ``sites``. Their styles are
the ones ``zonekit circles`` stores in its GeoPackages (``coverage_style``, the red gap
style, ``band_style``, sites by solution), so the HTML map and QGIS agree.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import Point
>>> o = gpd.GeoDataFrame({"minutes_pharmacy": [4.0, None]},
...                      geometry=[Point(0, 0), Point(1, 1)], crs="EPSG:4548")
>>> minutes_text(o, {"pharmacy": "药店"}).tolist()
['药店 4.0', '—']
"""

# Module size: ~410 lines — the layers of every circle map share one set of styles and
# the aggregation of large origin layers; split, each would import the others.

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from zonekit.errors import ZonekitError
from zonekit.maps.analysis_maps import PARK_NAME_ZH, _zone_layer
from zonekit.maps.capacity_maps import below_norm_layers
from zonekit.maps.interactive import GridImage, MapLayer
from zonekit.maps.style import (
    StyleSpec,
    band_style,
    categorical,
    category_label,
    coverage_style,
)

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

#: Composite "category" of the gaps: where not every basic service / chain element (or,
#: when the data lacks a basic, not every category given) is in reach.
COMPOSITE = ("basics_complete", "all_elements", "all_categories")
ORIGIN_FIELDS = ("origin_id", "name", "population", "n_missing", "missing_zh", "minutes_text")


def gap_style(gaps: pd.DataFrame | None = None) -> StyleSpec:
    """Gaps: red; given the ``gaps`` layer, one style category (colour) per facility category.

    ``gaps.gpkg`` stores the per-category style, so QGIS lists each category's gaps as
    a class that can be switched on and off; the HTML map draws the composite gap in red.
    """
    fields = ("name_zh", "area_km2", "population", "origins", "weight")
    if gaps is None or not len(gaps) or "category" not in gaps:
        return StyleSpec(name="gaps", title="服务缺口", color="#de2d26", fill_opacity=0.55,
                         fields=fields)
    from zonekit.maps.style import class_colors

    first = gaps.drop_duplicates("category")  # one row per category, in the run's order
    cats = first["category"].astype(str).tolist()
    names = first["name_zh"] if "name_zh" in first else cats
    label = {c: category_label(c, n) for c, n in zip(cats, names, strict=True)}
    colors = ["#de2d26"] if len(cats) == 1 else class_colors(len(cats), "tab20")
    return categorical("gaps", "category", {c: (str(label[c]), col)
                                            for c, col in zip(cats, colors, strict=True)},
                       "服务缺口（按设施类别）", fill_opacity=0.55, fields=fields)


def sites_style() -> StyleSpec:
    """Proposed charging sites by solution (maximal covering, fewest sites), as in sites.gpkg."""
    return categorical("sites", "solution", {"mclp": ("最大覆盖选址", "#e6550d"),
                                             "set_cover": ("达到目标覆盖率的最少站点",
                                                           "#756bb1")},
                       "新增充电站选址", geometry="point",
                       fields=("site_id", "rank", "added_weight", "share_after"),
                       point_radius_px=8.0, fill_opacity=0.95, stroke_color="#ffffff")


def names_zh(categories: list[str] | None = None) -> dict[str, str]:
    """Chinese names of the facility categories, from the shipped circles profile."""
    from zonekit.analysis.circles.profile import load_circles_profile

    names = dict(load_circles_profile().names_zh)
    return names if categories is None else {c: names.get(c, c) for c in categories}


def minute_columns(origins: Any) -> dict[str, str]:
    """Return ``{category: column}`` of the ``minutes_<category>`` columns of ``origins``."""
    return {str(c)[len("minutes_"):]: c for c in origins.columns
            if str(c).startswith("minutes_") and c != "minutes_text"}


def minutes_text(origins: pd.DataFrame, names: Mapping[str, str]) -> pd.Series:
    """Each origin's minutes to the categories within the search, one Chinese line (tooltip).

    Categories beyond the search limit are left out (``missing_zh`` lists them).
    """
    import pandas as pd

    cols = minute_columns(origins)
    parts = [[f"{names.get(c, c)} {v:.1f}" if v == v else ""
              for v in origins[col].astype(float)] for c, col in cols.items()]
    rows = zip(*parts, strict=True) if parts else ([] for _ in range(len(origins)))
    return pd.Series(["；".join(p for p in row if p) or "—" for row in rows],
                     index=origins.index, dtype=object)


def geometry_kind(gdf: Any) -> str:
    """Return ``point``, ``line`` or ``polygon``: the kind of a layer's geometries."""
    kinds = set(gdf.geom_type.dropna().unique())  # unique first: no loop over the rows
    return "point" if kinds <= {"Point", "MultiPoint"} else (
        "line" if kinds <= {"LineString", "MultiLineString"} else "polygon")


def merge_pieces(gdf: gpd.GeoDataFrame, by: str = "category") -> gpd.GeoDataFrame:
    """One (multi)polygon per ``by`` value: the gap pieces of a category merged.

    Pieces of one category never overlap (they are connected groups of grid cells), so a
    coverage union does it in a fraction of a second; sums of ``population``, ``cells``,
    ``area_km2`` and ``chain_enterprises`` are kept.
    """
    import geopandas as gpd
    import shapely

    rows, geoms = [], []
    for key, part in gdf.groupby(by, sort=False):
        merged = shapely.coverage_union_all(part.geometry.values)
        if not shapely.is_valid(merged):
            merged = shapely.union_all(part.geometry.values)
        row = {by: key, "name_zh": part["name_zh"].iloc[0] if "name_zh" in part else key}
        for col in ("population", "cells", "area_km2", "chain_enterprises"):
            if col in part:
                row[col] = float(part[col].sum())
        rows.append(row)
        geoms.append(merged)
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=gdf.crs)


def _one_grid(gaps: gpd.GeoDataFrame, grids: Mapping[str, GridImage] | None,
              ) -> GridImage | None:
    """Return the grid of the gaps' one category (``None`` for several: colours differ)."""
    cats = gaps["category"].astype(str).unique()
    return (grids or {}).get(cats[0]) if len(cats) == 1 else None


def _gap_layer(gaps: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Merge gap pieces per category, unless there are thousands.

    The map draws thousands of pieces as one image, where merging them would only cost time.
    """
    return merge_pieces(gaps) if len(gaps) <= MAX_ORIGIN_FEATURES else gaps


def merge_unreachable(origins: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Cell origins away from every road merged into one feature, for light maps.

    Cells that could not be snapped to the network (``reachable`` False) are covered by
    nothing; drawn one by one they make most of a map's weight. They become one
    (multi)polygon with the same class (not covered), their summed population and a
    note; reachable cells and point origins are kept as they are.
    """
    import geopandas as gpd
    import pandas as pd
    import shapely

    if "reachable" not in origins or geometry_kind(origins) != "polygon":
        return origins
    off = ~origins["reachable"].fillna(False).astype(bool)
    if off.sum() < 2:
        return origins
    part = origins.loc[off]
    merged = shapely.coverage_union_all(part.geometry.values)
    if not shapely.is_valid(merged):
        merged = shapely.union_all(part.geometry.values)
    row = {"origin_id": f"路网不可达的 {len(part)} 个单元", "covered": False,
           "missing_zh": "全部（离道路过远，无法接入路网）", "minutes_text": "—"}
    for col in ("population", "weight"):
        if col in part:
            row[col] = float(part[col].sum())
    if "n_missing" in part:
        row["n_missing"] = int(part["n_missing"].max())
    one = gpd.GeoDataFrame([row], geometry=[merged], crs=origins.crs)
    return pd.concat([origins.loc[~off], one], ignore_index=True)


#: Origins drawn one by one up to this many; beyond it, as aggregated square cells.
MAX_ORIGIN_FEATURES = 5_000
_CELL_SIZES_M = (50, 100, 200, 250, 500, 1_000, 2_000, 2_500, 5_000, 10_000, 20_000, 50_000)
_SHARE_CLASSES = {"all": ("已覆盖", "#2b8cbe"), "some": ("部分覆盖", "#9e6ebd"),
                  "none": ("未覆盖", "#de2d26")}


def aggregate_origins(origins: gpd.GeoDataFrame,
                      max_features: int | None = None) -> gpd.GeoDataFrame:
    """Origins summed into square cells, so a map never carries one feature per origin.

    Layers of at most ``max_features`` (default :data:`MAX_ORIGIN_FEATURES`) origins are
    returned as they are. Otherwise the
    cell is the smallest of 50 m, 100 m, … 50 km whose occupied cells number at most
    ``max_features``; each cell holds ``起点数`` (origins), ``population`` or ``weight``
    (summed), ``覆盖比例`` (covered share of the weight, %), ``n_missing`` (most
    categories out of reach of one origin) and ``coverage`` (``all``, ``some``, ``none``
    of the weight covered).
    """
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    import shapely

    max_features = MAX_ORIGIN_FEATURES if max_features is None else max_features
    if len(origins) <= max_features or "covered" not in origins:
        return origins
    inner = origins.geometry.to_numpy().copy()
    shaped = shapely.get_type_id(inner) != 0  # points are their own inner point (GEOS is slow)
    inner[shaped] = shapely.point_on_surface(inner[shaped])
    xy = shapely.get_coordinates(inner)
    x0, y0 = xy.min(axis=0)
    for size in _CELL_SIZES_M:
        code = (np.floor((xy[:, 0] - x0) / size).astype(np.int64) << 32) + np.floor(
            (xy[:, 1] - y0) / size).astype(np.int64)
        cells, inverse = np.unique(code, return_inverse=True)
        if len(cells) <= max_features:
            break
    wcol = "population" if "population" in origins else "weight" if "weight" in origins else None
    w = origins[wcol].fillna(0).to_numpy(float) if wcol else np.ones(len(origins))
    cov = origins["covered"].fillna(False).to_numpy(bool)
    total = np.bincount(inverse, weights=w)
    covered = np.bincount(inverse, weights=w * cov)
    share = np.divide(covered, total, out=np.bincount(inverse, weights=cov) / np.bincount(
        inverse), where=total > 0)
    frame = pd.DataFrame({"起点数": np.bincount(inverse), "覆盖比例": np.round(100 * share, 1),
                          "coverage": np.where(share >= 1 - 1e-9, "all",
                                               np.where(share <= 1e-9, "none", "some"))})
    if wcol:
        frame[wcol] = total
    if "n_missing" in origins:
        frame["n_missing"] = pd.Series(origins["n_missing"].to_numpy()).groupby(inverse).max()
    cx = x0 + (cells >> 32) * size
    cy = y0 + (cells & 0xFFFFFFFF) * size
    return gpd.GeoDataFrame(frame, geometry=shapely.box(cx, cy, cx + size, cy + size),
                            crs=origins.crs).assign(cell_m=float(size))


def _origin_layer(frame: gpd.GeoDataFrame, name: str, fields: tuple[str, ...],
                  show: bool = True) -> MapLayer:
    """Build the origins' coverage layer: each origin, or aggregated cells for large layers."""
    cells = aggregate_origins(frame)
    if cells is frame:
        spec = dataclasses.replace(coverage_style("covered", geometry_kind(frame)), fields=fields,
                                   stroke_width_px=0.3, point_radius_px=5.0)
        return MapLayer(frame, spec, name=name, show=show, image=False)  # ≤ 5,000: tooltips
    size = int(cells["cell_m"].iloc[0])
    weight = [c for c in ("population", "weight") if c in cells]
    spec = categorical("coverage_cells", "coverage", _SHARE_CLASSES,
                       f"服务圈覆盖（{size} m 网格汇总）", geometry="polygon",
                       fields=("起点数", *weight, "覆盖比例", "n_missing"),
                       stroke_width_px=0.0, fill_opacity=0.7)
    return MapLayer(cells, spec, name=name, show=show, image=False)


def _per_category(iso: gpd.GeoDataFrame, names: Mapping[str, str], label: str,
                  first_only: bool = True,
                  grids: Mapping[str, GridImage] | None = None) -> list[MapLayer]:
    """One isochrone layer per category (same style: the legend shows it once)."""
    # each category's bands end at its own limit (an 8-minute one at 8, not "5–10")
    spec = band_style(iso, fields=("name_zh", "minutes", "limit_minutes"))
    layers = []
    for i, cat in enumerate(iso["category"].unique()):  # in the run's (profile's) order
        part = iso.loc[iso["category"] == cat].sort_values("minutes", ascending=False)
        layers.append(MapLayer(part, spec, name=f"{label}：{names.get(str(cat), cat)}",
                               show=i == 0 or not first_only,
                               grid=(grids or {}).get(str(cat))))
    return layers


def service_layers(origins: gpd.GeoDataFrame, gaps: gpd.GeoDataFrame | None = None,
                   isochrones: gpd.GeoDataFrame | None = None,
                   zones: gpd.GeoDataFrame | None = None,
                   names: Mapping[str, str] | None = None,
                   grids: Mapping[str, GridImage] | None = None,
                   gap_grids: Mapping[str, GridImage] | None = None,
                   facilities: gpd.GeoDataFrame | None = None) -> list[MapLayer]:
    """Build the service-circle map: reach per category, the gaps, origins, facilities.

    Parameters
    ----------
    origins
        ``origins`` of a ``service`` or ``industry`` run (cells or enterprises).
    gaps
        Its ``gaps``; the composite gap (basic services / chain elements not all in reach)
        is drawn, merged.
    isochrones
        Its ``isochrones``: one layer per category, the first switched on.
    zones
        Zone outlines to draw on top.
    names
        Chinese category names (default: the shipped circles profile's).
    grids
        Category → the bands on the travel-time grid (minutes of the band's upper bound):
        a heavy isochrone layer's image is then drawn from its grid, not its polygons.
    gap_grids
        Category → its gap cells on a grid (any finite value: a gap), likewise.
    facilities
        The existing facilities (points with ``category``, optionally ``name``): drawn
        on top, named by category in their tooltips.
    """
    names = dict(names or names_zh())
    frame = origins.copy()
    if len(frame) <= MAX_ORIGIN_FEATURES:  # tooltip text only where origins are drawn one by one
        frame["minutes_text"] = minutes_text(frame, names)
    frame = merge_unreachable(frame)
    layers = []
    if isochrones is not None and len(isochrones):
        layers += _per_category(isochrones, names, "可达范围", grids=grids)
    layers.append(_origin_layer(frame, "起点覆盖情况", ORIGIN_FIELDS, show=isochrones is None))
    if gaps is not None and len(gaps):
        composite = gaps.loc[gaps["category"].isin(COMPOSITE)]
        if len(composite):
            layers.append(MapLayer(_gap_layer(composite), gap_style(), name="服务缺口",
                                   grid=_one_grid(composite, gap_grids)))
        layers += _gaps_per_category(gaps.loc[~gaps["category"].isin(COMPOSITE)], names,
                                     gap_grids)
    # zone outlines last, as on every map (the isochrone map's order: facilities, zones)
    return (layers + below_norm_layers(origins, names) + facility_layer(facilities, names)
            + _zone_layer(zones))


def facility_layer(facilities: gpd.GeoDataFrame | None, names: Mapping[str, str],
                   show: bool = True) -> list[MapLayer]:
    """Draw the existing facilities as dark points, named and categorised in tooltips.

    Above :data:`MAX_ORIGIN_FEATURES` facilities (a city) the points carry no tooltip,
    so the map stays small; the run's ``facilities.csv`` lists them.
    """
    if facilities is None or not len(facilities):
        return []
    fields: tuple[str, ...] = ()
    fac = facilities[[facilities.geometry.name]]
    if len(facilities) <= MAX_ORIGIN_FEATURES:
        fac = facilities.assign(category_zh=facilities["category"].map(
            lambda c: category_label(c, names.get(str(c)))))
        fields = tuple(f for f in ("name", "category_zh") if f in fac)
    return [MapLayer(fac, StyleSpec(
        name="facilities", title="服务设施", geometry="point", color="#333333",
        fill_opacity=0.9, point_radius_px=3.0, stroke_color="#ffffff", fields=fields),
        name="服务设施", show=show)]


def _gaps_per_category(gaps: gpd.GeoDataFrame, names: Mapping[str, str],
                       gap_grids: Mapping[str, GridImage] | None) -> list[MapLayer]:
    """One gap layer per category, off at first: the planner picks the category to see."""
    return [MapLayer(_gap_layer(part), gap_style(), name=f"服务缺口：{names.get(str(cat), cat)}",
                     show=False, grid=(gap_grids or {}).get(str(cat)))
            for cat, part in gaps.groupby("category", sort=False)]


def charging_layers(origins: gpd.GeoDataFrame, roads: gpd.GeoDataFrame | None = None,
                    sites: gpd.GeoDataFrame | None = None,
                    gaps: gpd.GeoDataFrame | None = None,
                    stations: gpd.GeoDataFrame | None = None,
                    zones: gpd.GeoDataFrame | None = None,
                    gap_grids: Mapping[str, GridImage] | None = None) -> list[MapLayer]:
    """Build the charging map: cells and roads inside the circle or not, gaps, stations, sites.

    ``gap_grids``: as in :func:`service_layers`.
    """
    frame = origins.copy()
    if "minutes_charging_station" in frame:
        frame["minutes"] = frame["minutes_charging_station"]
    frame = merge_unreachable(frame)
    layers = [_origin_layer(frame, "5分钟充电圈覆盖", ("origin_id", "population", "minutes"))]
    if gaps is not None and len(gaps):
        layers.append(MapLayer(_gap_layer(gaps), gap_style(), name="充电服务缺口",
                               show=False, grid=_one_grid(gaps, gap_grids)))
    if roads is not None and len(roads):
        layers.append(MapLayer(roads, dataclasses.replace(
            coverage_style("covered", "line"), fields=("length_m", "covered")),
            name="道路覆盖情况"))
    if stations is not None and len(stations):
        layers.append(MapLayer(stations, StyleSpec(
            name="charging_stations", title="现有充电站", geometry="point", color="#08519c",
            fill_opacity=0.9, point_radius_px=6.0, fields=("name", "chargers", "power_kw")),
            name="现有充电站"))
    if sites is not None and len(sites):  # labelled as the report's tables name them
        from zonekit.maps.report_text import site_labels_zh

        sites = sites.assign(site_id=site_labels_zh(sites))
        layers.append(MapLayer(sites, sites_style(), name="建议新建充电站"))
    return layers + below_norm_layers(origins) + _zone_layer(zones)


def isochrone_layers(isochrones: gpd.GeoDataFrame,
                     facilities: gpd.GeoDataFrame | None = None,
                     zones: gpd.GeoDataFrame | None = None,
                     names: Mapping[str, str] | None = None,
                     grids: Mapping[str, GridImage] | None = None) -> list[MapLayer]:
    """Build the isochrone map: bands of minutes per category (first on), and the facilities.

    ``grids``: as in :func:`service_layers`.
    """
    names = dict(names or names_zh())
    layers = _per_category(isochrones, names, "等时圈", grids=grids)
    return layers + facility_layer(facilities, names, show=False) + _zone_layer(zones)


def kind_of(summary: Mapping[str, Any] | None) -> dict[str, Any]:
    """Return the circle kind a run's summary records (``circle_kind``: names, titles, method)."""
    kind = (summary or {}).get("circle_kind")
    if not isinstance(kind, Mapping):
        raise ZonekitError("the circles run's summary has no 'circle_kind' (written by "
                         "zonekit circles): run the circle again to draw its maps")
    return dict(kind)


def circle_title(summary: Mapping[str, Any] | None, park: str = PARK_NAME_ZH) -> str:
    """Title of the coverage map of a circles run (the kind's ``map_title``)."""
    return str(kind_of(summary)["map_title"]).replace("{park}", park)


def circle_layers(run: Mapping[str, Any], zones: gpd.GeoDataFrame | None = None,
                  park: str = PARK_NAME_ZH) -> list[tuple[list[MapLayer], str]]:
    """Build the maps of one circles run's files, as ``(layers, title)``.

    ``run`` maps ``summary`` (``summary.json``), ``origins``, ``gaps``, ``isochrones``,
    ``roads``, ``sites``, the existing ``stations`` and ``facility_points`` to their
    content, and optionally
    ``grids`` and ``gap_grids`` (see :func:`service_layers`), as ``CirclesResult.as_run``
    gives them.
    """
    summary = run.get("summary") or {}
    origins = run.get("origins")
    if origins is None or not len(origins):
        return []
    title = circle_title(summary, park)
    if kind_of(summary)["proposes_sites"]:
        return [(charging_layers(origins, run.get("roads"), run.get("sites"), run.get("gaps"),
                                 run.get("stations"), zones, gap_grids=run.get("gap_grids")),
                 title)]
    return [(service_layers(origins, run.get("gaps"), run.get("isochrones"), zones,
                            grids=run.get("grids"), gap_grids=run.get("gap_grids"),
                            facilities=run.get("facility_points")), title)]


__all__ = ["MAX_ORIGIN_FEATURES", "aggregate_origins", "charging_layers",
           "circle_layers", "circle_title", "facility_layer", "gap_style", "geometry_kind",
           "isochrone_layers", "kind_of", "merge_pieces", "merge_unreachable",
           "minute_columns",
           "minutes_text", "names_zh", "service_layers", "sites_style"]
