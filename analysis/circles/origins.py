"""Origins of service-circle trips: population cells, residential parcels, user layers.

An :class:`Origins` holds the points trips start from (``points``, one per origin, with
``origin_id`` and ``weight``) and the shape each origin stands for on a map (``shapes``:
the raster cell, the parcel, or the point itself).

* **Population cells** (:func:`population_cells`): every cell of the population GeoTIFF
  holding more than 0 persons is one origin at the cell centre, weighted by its persons.
  A cell counts as covered when its centre is (the whole cell's population is counted
  covered or not). Cells whose centre lies farther than the snap distance from every road
  are unreachable: their persons stay in the denominator, uncovered.
* **Residential parcels** (:func:`residential_parcels`): parcels of residential land use
  (2020 code 07xx, 三调 07xx), weight 1 each, from their centroid.
* **User layers** (:func:`layer_origins`): points as they are; polygons and lines from
  their centroid, or a point inside when the centroid falls outside (concave shapes);
  their own id column and an optional weight column.

Population cells are those of a :class:`~zonekit.zones.raster.Grid` (read by
:func:`~zonekit.zones.raster.read_population`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from zonekit.errors import SchemaError, format_rows, where
from zonekit.zones.raster import Grid

if TYPE_CHECKING:
    import geopandas as gpd

logger = logging.getLogger(__name__)


@dataclass(eq=False)
class Origins:
    """Trip origins.

    Attributes
    ----------
    points
        Point GeoDataFrame (index ``0..n-1``) with ``origin_id`` and ``weight`` (and, for
        population cells, ``population``, ``row``, ``col``).
    shapes
        Map geometry of each origin, aligned with ``points`` (cell squares, parcels, points).
    kind
        ``population_cells``, ``residential_parcels``, ``enterprises`` or ``layer``.
    weight_name
        What ``weight`` counts: ``population`` (persons) or ``origins`` (1 each) or the
        user's weight column.
    """

    points: gpd.GeoDataFrame
    shapes: gpd.GeoSeries
    kind: str
    weight_name: str

    def __len__(self) -> int:
        return len(self.points)


def _to_crs(x: np.ndarray, y: np.ndarray, src: Any, dst: Any) -> tuple[np.ndarray, np.ndarray]:
    from pyproj import CRS, Transformer

    if CRS.from_user_input(src) == CRS.from_user_input(dst):
        return x, y
    tr = Transformer.from_crs(src, dst, always_xy=True)
    return tr.transform(x, y)


def population_cells(grid: Grid, persons: np.ndarray, crs: Any) -> Origins:
    """One origin per populated cell, at the cell centre, weighted by its persons.

    Parameters
    ----------
    grid, persons
        From :func:`~zonekit.zones.raster.read_population`.
    crs
        The analysis CRS the points are returned in (cell squares too).
    """
    import geopandas as gpd
    import shapely

    rows, cols = np.nonzero(persons > 0)
    x, y = grid.centres(rows, cols)
    x, y = _to_crs(x, y, grid.crs, crs)
    pts = gpd.GeoDataFrame({
        "origin_id": [f"r{r}c{c}" for r, c in zip(rows.tolist(), cols.tolist(), strict=True)],
        "weight": persons[rows, cols], "population": persons[rows, cols],
        "row": rows, "col": cols,
    }, geometry=shapely.points(x, y), crs=crs)
    shapes = gpd.GeoSeries(grid.boxes(rows, cols), crs=grid.crs).to_crs(crs)
    logger.info("%d populated cells, %.0f persons", len(pts), float(pts["weight"].sum()))
    return Origins(pts, shapes, "population_cells", "population")


def inner_points(geoms: np.ndarray) -> np.ndarray:
    """Centroids, or a point inside the shape where the centroid falls outside it."""
    import shapely

    geoms = np.asarray(geoms, dtype=object)
    out = geoms.copy()
    not_point = shapely.get_type_id(geoms) != 0
    cen = shapely.centroid(geoms[not_point])
    poly = np.isin(shapely.get_type_id(geoms[not_point]), (3, 6))
    outside = poly & ~shapely.covers(geoms[not_point], cen)
    outside |= ~poly  # lines: a point on the line
    cen[outside] = shapely.point_on_surface(geoms[not_point][outside])
    out[not_point] = cen
    return out


def layer_origins(gdf: gpd.GeoDataFrame, id_col: str | None = None,
                  weight_col: str | None = None, *, layer: str = "origins",
                  kind: str = "layer") -> Origins:
    """Origins from a vector layer (points, or polygons/lines from their inner points).

    Parameters
    ----------
    gdf
        The layer, in the analysis CRS.
    id_col
        Column of unique ids; ``origin_id`` when present, else row numbers ``1..n``.
    weight_col
        Column of non-negative weights (e.g. households); 1 each when None.
    layer
        Layer name for messages.
    kind
        Stored in :attr:`Origins.kind`.

    Raises
    ------
    SchemaError
        Missing id/weight column, duplicate ids, missing geometries, bad weights.
    """
    import geopandas as gpd
    import shapely

    geoms = gdf.geometry.to_numpy()
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if empty.any():
        raise SchemaError(f"{where(layer=layer, column='geometry')}: missing geometries on rows "
                          f"{format_rows(gdf.index[empty])}")
    for col in (id_col, weight_col):
        if col is not None and col not in gdf.columns:
            raise SchemaError(f"{where(layer=layer, column=col)}: column not found; columns are "
                              f"{', '.join(map(str, gdf.columns.drop(gdf.geometry.name)))}")
    if id_col is None and "origin_id" in gdf.columns:
        id_col = "origin_id"
    ids = (pd.Series(np.arange(1, len(gdf) + 1)) if id_col is None
           else gdf[id_col].reset_index(drop=True)).astype(str)
    dup = ids.duplicated(keep=False).to_numpy()
    if dup.any():
        raise SchemaError(f"{where(layer=layer, column=id_col)}: expected unique ids, found "
                          f"duplicates {format_rows(sorted(set(ids[dup])), 10)}")
    weight = (np.ones(len(gdf)) if weight_col is None
              else non_negative(gdf, weight_col, where(layer=layer, column=weight_col)))
    pts = gpd.GeoDataFrame({"origin_id": ids.to_numpy(), "weight": weight},
                           geometry=inner_points(geoms), crs=gdf.crs)
    shapes = gpd.GeoSeries(geoms, crs=gdf.crs)
    return Origins(pts, shapes, kind, weight_col or "origins")


def non_negative(frame: pd.DataFrame, column: str, label: str) -> np.ndarray:
    """Return ``frame[column]`` as numbers ≥ 0 (weights, capacities).

    Raises
    ------
    SchemaError
        Blanks, text or negative numbers; ``label`` (the layer and column) and the rows
        are named.
    """
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        raise SchemaError(f"{label}: expected numbers ≥ 0, found "
                          f"{frame[column].to_numpy()[bad][:5].tolist()} on rows "
                          f"{format_rows(frame.index[bad])}")
    return values


def residential_parcels(parcels: gpd.GeoDataFrame) -> Origins:
    """Origins from parcels of residential land use (weight 1 each, id ``parcel_id``).

    Raises
    ------
    SchemaError
        When no parcel has a residential land-use code.
    """
    from zonekit.zones.landuse import land_use_class

    res = parcels[land_use_class(parcels["land_use"]).eq("residential").to_numpy()]
    if not len(res):
        raise SchemaError(f"{where(layer='parcels', column='land_use')}: no residential parcels "
                          "(land-use codes 07xx) to start from; use origins='population' or a "
                          "file")
    return layer_origins(res, "parcel_id", layer="parcels", kind="residential_parcels")


def gcj02_hint(points: gpd.GeoDataFrame, edge_tree: Any, threshold_m: float = 150.0,
               layer: str = "facilities") -> dict[str, Any] | None:
    """Detect a point layer in Amap (GCJ-02) or Baidu (BD-09) coordinates, unconverted.

    Such layers sit systematically a few hundred metres off true roads. When the median
    distance from the points to the nearest road exceeds ``threshold_m`` and converting
    them from GCJ-02 (or BD-09) to WGS84 at least halves it, a hint is returned.

    Parameters
    ----------
    points
        The point layer, in a projected CRS.
    edge_tree
        ``shapely.STRtree`` of the road lines (``Network.edge_tree``), same CRS.
    threshold_m
        Median distance (metres) above which the check runs.

    Returns
    -------
    dict or None
        ``median_snap_m``, ``median_snap_corrected_m``, ``coords`` and a ``message``.
    """
    import shapely

    from zonekit.zones.coords import convert_gdf

    geoms = points.geometry.to_numpy()
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not ok.any() or not len(edge_tree.geometries):
        return None
    d0 = float(np.median(edge_tree.query_nearest(geoms[ok], return_distance=True,
                                                  all_matches=False)[1]))
    if d0 <= threshold_m:
        return None
    wgs = points[ok].to_crs(4326)
    best: tuple[str, float] | None = None
    for source in ("gcj02", "bd09"):
        moved = convert_gdf(wgs, source).to_crs(points.crs).geometry.to_numpy()
        d1 = float(np.median(edge_tree.query_nearest(moved, return_distance=True,
                                                      all_matches=False)[1]))
        if d1 <= d0 / 2 and (best is None or d1 < best[1]):
            best = (source, d1)
    if best is None:
        return {"median_snap_m": d0, "median_snap_corrected_m": None, "coords": None,
                "message": f"{layer}: the median distance to the nearest road is {d0:.0f} m; "
                           "GCJ-02/BD-09 conversion does not bring them closer"}
    source, d1 = best
    return {"median_snap_m": d0, "median_snap_corrected_m": d1, "coords": source,
            "message": f"{layer} lie a median {d0:.0f} m from the roads, but {d1:.0f} m once "
                       f"converted from {source.upper()} to WGS84: they look like "
                       f"{'Amap' if source == 'gcj02' else 'Baidu'} coordinates; pass "
                       f"coords='{source}' (it converts every input layer), or convert this "
                       f"layer alone first (zonekit convert)"}


@dataclass(frozen=True)
class StudyArea:
    """The area whose origins a circle counts (people outside it are not counted).

    Attributes
    ----------
    name
        ``zones`` (the park's functional zones), ``all`` (every origin of the data) or
        the file the user gave.
    geometry
        One (multi)polygon in the analysis CRS; ``None`` for ``all``.
    """

    name: str
    geometry: Any = None

    def describe(self) -> str:
        """Name the area in Chinese, for the report (``6 个功能分区 …``)."""
        if self.geometry is None:
            return "数据范围内全部起点（含功能分区以外）"
        if self.name == "zones":
            return "园区功能分区范围内"
        return f"研究范围 {self.name} 内"


def within_area(origins: Origins, area: StudyArea) -> tuple[Origins, dict[str, Any]]:
    """Keep the origins whose point lies in the study area; say what was left out.

    Returns
    -------
    (Origins, dict)
        The origins inside (re-indexed ``0..n-1``), and ``area``, ``area_km2``, ``origins``,
        ``weight``, ``outside_origins``, ``outside_weight`` (the weight unit is
        :attr:`Origins.weight_name`).
    """
    import shapely

    pts = origins.points
    weight = pts["weight"].to_numpy(float)
    if area.geometry is None:
        keep = np.ones(len(pts), bool)
    else:
        shapely.prepare(area.geometry)
        xy = shapely.get_coordinates(pts.geometry.to_numpy())
        keep = np.asarray(shapely.contains_xy(area.geometry, xy[:, 0], xy[:, 1]), bool)
    info = {"area": area.name, "area_zh": area.describe(), "kind": origins.kind,
            "area_km2": None if area.geometry is None else round(area.geometry.area / 1e6, 4),
            "origins": int(keep.sum()), "weight": float(weight[keep].sum()),
            "weight_name": origins.weight_name, "outside_origins": int((~keep).sum()),
            "outside_weight": float(weight[~keep].sum())}
    if keep.all():
        return origins, info
    kept = Origins(pts[keep].reset_index(drop=True), origins.shapes[keep].reset_index(drop=True),
                   origins.kind, origins.weight_name)
    return kept, info

