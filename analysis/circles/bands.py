"""Isochrone bands: travel-time surface cells grouped into bands and polygonised.

Method. The cells of a surface (:func:`zonekit.analysis.circles.travel_grid.grid_minutes`)
are grouped into bands (0–5, 5–10, … up to the category's threshold) and polygonised along
cell edges (``rasterio.features.shapes``, :func:`label_polygons`). A cell lies inside the
band polygon with ``minutes ≤ m`` exactly when its centre's time is ≤ m: for
population-cell origins, an origin is inside its category's isochrone exactly when it is
covered (tested). :func:`band_values` gives the same bands as a grid, for maps.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from zonekit.analysis.network.engine import LIMIT_TOLERANCE_S
from zonekit.zones.raster import Grid

if TYPE_CHECKING:
    import geopandas as gpd


def label_polygons(labels: np.ndarray, grid: Grid) -> dict[int, Any]:
    """Label (> 0) → (multi)polygon of its cells, in the grid's CRS (labels 0 are outside)."""
    shapes = label_shapes(labels, grid)
    return {k: shapes[k] for k in np.flatnonzero(shapes != None).tolist()}  # noqa: E711


def label_shapes(labels: np.ndarray, grid: Grid) -> np.ndarray:
    """Object array: label → (multi)polygon of its cells (``None`` for labels without cells).

    Labels of one cell (most gap pieces) become cell squares directly; only the others
    are polygonised (``rasterio.features.shapes``, 4-connected).
    """
    from itertools import chain

    import shapely
    from rasterio.features import shapes

    flat = labels.ravel()
    size = np.bincount(flat)
    out = np.full(len(size), None, dtype=object)
    single = size == 1
    single[0] = False
    cells = np.flatnonzero(single[flat])
    out[flat[cells]] = grid.boxes(*np.divmod(cells, grid.width))
    rings, ring_count, values = [], [], []
    for geom, value in shapes(labels.astype(np.int32), mask=(labels > 0) & ~single[labels],
                              transform=grid.transform, connectivity=4):
        rings += geom["coordinates"]
        ring_count.append(len(geom["coordinates"]))
        values.append(int(value))
    if not values:
        return out
    # the rings' (x, y) tuples straight into one array: three times faster than
    # np.concatenate, which makes an array of each ring first
    sizes = np.fromiter(map(len, rings), dtype=np.int64, count=len(rings))
    xy = np.fromiter(chain.from_iterable(chain.from_iterable(rings)), dtype=float,
                     count=2 * int(sizes.sum())).reshape(-1, 2)
    lr = shapely.linearrings(xy, indices=np.repeat(np.arange(len(rings)), sizes))
    # first ring shell, rest holes
    polys = shapely.polygons(lr, indices=np.repeat(np.arange(len(values)), ring_count))
    # Pieces of one label are separate 4-connected regions: their interiors never overlap
    # (at most corner points touch), so they form a valid MultiPolygon without a union.
    vals = np.asarray(values)
    order = np.argsort(vals, kind="stable")
    keys, starts, counts = np.unique(vals[order], return_index=True, return_counts=True)
    polys = polys[order]
    multi = shapely.multipolygons(polys, indices=np.repeat(np.arange(len(keys)), counts))
    one_piece = counts == 1
    multi[one_piece] = polys[starts[one_piece]]  # one piece: the Polygon itself
    out[keys] = multi
    return out


def isochrone_bands(surfaces: dict[str, np.ndarray], grid: Grid, limits: dict[str, float],
                    bands: tuple[float, ...], names_zh: dict[str, str], crs: Any,
                    counts: dict[str, np.ndarray] | None = None,
                    unit: str = "minutes") -> gpd.GeoDataFrame:
    """Isochrone bands per category, polygonised from the surface cells.

    Band limits are the ``bands`` below the category's limit plus the limit itself;
    band ``(a, b]`` holds cells with ``a < value ≤ b`` (the first band includes 0).

    Returns
    -------
    geopandas.GeoDataFrame
        ``category``, ``name_zh``, ``<unit>_from``, ``<unit>`` (upper bound),
        ``limit_<unit>``, ``cells``, ``area_km2`` and one column per ``counts`` grid
        (e.g. ``population``), in ``crs``.
    """
    rows = []
    for cat, arr in surfaces.items():
        lim = float(limits[cat])
        edges = band_edges(lim, bands)
        labels = band_labels(arr, edges)
        polys = label_polygons(labels, grid)
        for k, upper in enumerate(edges, start=1):
            if k not in polys:
                continue
            row = {"category": cat, "name_zh": names_zh.get(cat, cat),
                   f"{unit}_from": 0.0 if k == 1 else edges[k - 2], unit: upper,
                   f"limit_{unit}": lim, "cells": int((labels == k).sum()),
                   "geometry": polys[k]}
            for name, grid_values in (counts or {}).items():
                row[name] = float(grid_values[labels == k].sum())
            rows.append(row)
    return polygon_frame(rows, grid.crs, crs, ["category", "name_zh", f"{unit}_from", unit,
                                               f"limit_{unit}", "cells", *(counts or {})])


def band_edges(limit: float, bands: tuple[float, ...]) -> list[float]:
    """Upper bounds of a category's bands: the ``bands`` below its limit, then the limit."""
    return sorted({float(b) for b in bands if b < limit} | {float(limit)})


def band_labels(surface: np.ndarray, edges: list[float]) -> np.ndarray:
    """Band of each cell: k (1-based) when ``edges[k-2] < value ≤ edges[k-1]``, 0 outside.

    The first band includes 0; the engine's rounding allowance applies at every edge.
    """
    tol = LIMIT_TOLERANCE_S / 60
    upper = np.asarray(edges, dtype=float) + tol
    values = np.nan_to_num(surface, nan=np.inf)
    labels = np.searchsorted(upper, values, side="left").astype(np.int32) + 1
    labels[values > upper[-1]] = 0
    return labels


def band_values(surface: np.ndarray, edges: list[float]) -> np.ndarray:
    """Each cell's band as its upper bound (as the isochrone layer's ``minutes``), NaN outside.

    With the ``edges`` of a category's bands (:func:`band_edges`, or only those holding
    cells), the cells of value m are exactly those of the isochrone band polygon whose
    upper bound is m (:func:`isochrone_bands`), so a map can draw the bands from the grid.
    """
    labels = band_labels(surface, sorted(edges))
    return np.r_[np.nan, sorted(edges)][labels]


#: Text and integer columns of the polygon layers (the others hold floats).
TEXT_COLUMNS = frozenset({"gap_id", "area_id", "category", "name_zh", "zone_id",
                          "zone_name_zh", "road_name", "place_zh"})
INT_COLUMNS = frozenset({"cells", "origins", "pieces"})


def empty_layer(columns: list[str], crs: Any, geometry_type: str) -> gpd.GeoDataFrame:
    """Return a layer without rows, with the column and geometry types its rows would have.

    Written to a GeoPackage, a fully covered run's layers then have the fields of any
    other run's (text, integer, real) and a polygon geometry type, not Real and Unknown.
    """
    import geopandas as gpd
    import pandas as pd

    def dtype(c: str) -> str:
        return "object" if c in TEXT_COLUMNS else "int64" if c in INT_COLUMNS else "float64"

    out = gpd.GeoDataFrame({c: pd.Series([], dtype=dtype(c)) for c in columns},
                           geometry=gpd.GeoSeries([], crs=crs), crs=crs)
    out.attrs["geometry_type"] = geometry_type  # read by zones.io.write_gpkg
    return out


def polygon_frame(rows: list[dict] | dict[str, Any], src_crs: Any, crs: Any,
                  columns: list[str], geometry_type: str = "MultiPolygon") -> gpd.GeoDataFrame:
    """Polygons (``geometry`` in ``src_crs``) as a layer in ``crs`` with ``area_km2``.

    ``rows`` is a list of rows, or the columns (name → values, ``geometry`` included).
    No rows give an empty layer with ``columns`` and ``area_km2`` (:func:`empty_layer`).
    ``geometry_type`` is the layer's (``attrs``, see :func:`zonekit.zones.io.write_gpkg`).
    """
    import geopandas as gpd

    if not len(rows) or (isinstance(rows, dict) and not len(rows["geometry"])):
        return empty_layer([*columns, "area_km2"], crs, geometry_type)
    out = gpd.GeoDataFrame(rows, geometry="geometry", crs=src_crs).to_crs(crs)
    out["area_km2"] = out.geometry.area / 1e6
    out.attrs["geometry_type"] = geometry_type  # the layer's type, whatever the rows' parts
    return out
