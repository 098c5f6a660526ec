"""Gap areas: connected pieces of uncovered cells, with what they hold.

Method. Uncovered demand cells (:func:`grid_gaps`), or the cells that hold uncovered
origins (their point, and the cells of polygon footprints such as parcels;
:func:`origin_gaps`), are split into connected pieces (4-neighbour cells) with the
persons / origins / enterprises they hold, and polygonised once
(:func:`zonekit.analysis.circles.bands.label_polygons`). Raster throughout: no vector
union, cost linear in cells.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from zonekit.analysis.circles.bands import label_shapes, polygon_frame
from zonekit.zones.raster import Grid

if TYPE_CHECKING:
    import geopandas as gpd


def grid_gaps(uncovered: dict[str, np.ndarray], grid: Grid, names_zh: dict[str, str],
              crs: Any, counts: dict[str, np.ndarray] | None = None) -> gpd.GeoDataFrame:
    """Split uncovered demand cells into connected pieces, per category, largest first.

    ``uncovered`` maps category → boolean grid (demand cell not within the limit).
    Returns ``gap_id``, ``category``, ``name_zh``, ``cells``, ``area_km2`` and one column
    per ``counts`` grid (summed over the piece's cells).
    """
    parts = []
    for cat, mask in uncovered.items():
        if not mask.any():  # no gap: scipy.ndimage (a costly import) is not needed
            continue
        from scipy import ndimage

        labels, n = ndimage.label(mask)
        cells = np.bincount(labels.ravel(), minlength=n + 1)
        sums = {name: np.bincount(labels.ravel(), weights=v.ravel(), minlength=n + 1)[1:]
                for name, v in (counts or {}).items()}
        parts.append(_piece_columns(cat, names_zh, n, {
            "cells": cells[1:], "geometry": label_shapes(labels, grid)[1:], **sums}))
    out = polygon_frame(_stack(parts), grid.crs, crs,
                        ["category", "name_zh", "cells", *(counts or {})], "Polygon")
    return _number_gaps(out, next(iter(counts or {}), "cells"))


def covering_grid(grid: Grid, bounds: tuple[float, float, float, float]) -> Grid:
    """Extend the grid (same cells, same alignment) to cover ``bounds`` (grid CRS)."""
    from affine import Affine

    t = grid.transform
    a, e = abs(t.a), abs(t.e)
    x0, y1 = t.c, t.f
    x_max, y_min = x0 + grid.width * a, y1 - grid.height * e
    left = int(np.ceil(max(0.0, x0 - bounds[0]) / a))
    top = int(np.ceil(max(0.0, bounds[3] - y1) / e))
    right = int(np.ceil(max(0.0, bounds[2] - x_max) / a))
    bottom = int(np.ceil(max(0.0, y_min - bounds[1]) / e))
    if not (left or top or right or bottom):
        return grid
    return Grid(Affine(a, 0.0, x0 - left * a, 0.0, -e, y1 + top * e),
                grid.width + left + right + 1, grid.height + top + bottom + 1, grid.crs)


@dataclass
class GapCells:
    """Cells of the travel-time grid burned by uncovered origins (see :func:`origin_gaps`).

    Attributes
    ----------
    grid
        The grid, extended (same cells) where origins lie outside it.
    cell
        Flat cell index of each origin's point (-1: outside or not finite).
    masks
        Category → boolean (rows × cols): the cells of its uncovered origins.
    """

    grid: Grid
    cell: np.ndarray
    masks: dict[str, np.ndarray]


def origin_gap_cells(points: gpd.GeoSeries, uncovered: dict[str, np.ndarray], grid: Grid,
                     footprints: gpd.GeoSeries | None = None) -> GapCells:
    """Burn the cells of the uncovered origins of each category (:func:`origin_gaps`)."""
    import shapely
    from rasterio.features import rasterize

    from zonekit.analysis.circles.origins import _to_crs

    xy = shapely.get_coordinates(points.to_numpy())
    x, y = _to_crs(xy[:, 0], xy[:, 1], points.crs, grid.crs)
    ok = np.isfinite(x) & np.isfinite(y)
    if ok.any():
        grid = covering_grid(grid, (x[ok].min(), y[ok].min(), x[ok].max(), y[ok].max()))
    row, col = grid.cell_of(np.where(ok, x, np.inf), np.where(ok, y, np.inf))
    cell = np.where(row >= 0, row * grid.width + col, -1)
    polys = None
    if footprints is not None and not footprints.geom_type.isin(["Point", "MultiPoint"]).all():
        polys = footprints.to_crs(grid.crs).to_numpy()
    masks = {}
    for cat, mask in uncovered.items():
        idx = np.flatnonzero(mask & (cell >= 0))
        burned = np.zeros(grid.size, bool)
        burned[cell[idx]] = True
        burned = burned.reshape(grid.height, grid.width)
        if polys is not None and len(idx):
            burned |= rasterize(((g, 1) for g in polys[idx] if g is not None),
                                out_shape=burned.shape, transform=grid.transform, fill=0,
                                dtype="uint8").astype(bool)
        masks[cat] = burned
    return GapCells(grid, cell, masks)


def origin_gaps(points: gpd.GeoSeries, uncovered: dict[str, np.ndarray], weights: np.ndarray,
                names_zh: dict[str, str], grid: Grid,
                footprints: gpd.GeoSeries | None = None,
                cells: GapCells | None = None) -> gpd.GeoDataFrame:
    """Gap areas of uncovered origins: their cells, in connected pieces, per category.

    Every uncovered origin burns the cell of the travel-time grid holding its point
    (and, for polygon footprints, the cells whose centre lies in the footprint); the
    burned cells of a category are split into 4-connected pieces and polygonised once
    (``rasterio.features.shapes``), so the cost is linear in cells and origins. The grid
    is extended (same cells) where origins lie outside it.

    Parameters
    ----------
    points
        One point per origin (its inner point), any projected CRS.
    uncovered
        Category → boolean per origin (True: not within the category's limit).
    weights
        Weight per origin (persons, households, 1 each).
    names_zh
        Chinese category names.
    grid
        The travel-time grid (cells of metres).
    footprints
        Polygon footprints of the origins (parcels), aligned with ``points``; ``None`` or
        points for point origins.
    cells
        The burned cells, when already computed by :func:`origin_gap_cells` with the
        same arguments.

    Returns
    -------
    geopandas.GeoDataFrame
        ``gap_id``, ``category``, ``name_zh``, ``origins``, ``weight``, ``cells``,
        ``area_km2``, in the CRS of ``points``; largest weight first per category.
    """
    if cells is None:
        cells = origin_gap_cells(points, uncovered, grid, footprints)
    grid, cell = cells.grid, cells.cell
    parts = []
    for cat, mask in uncovered.items():
        idx = np.flatnonzero(mask & (cell >= 0))
        if not len(idx):  # no gap: scipy.ndimage (a costly import) is not needed
            continue
        from scipy import ndimage

        labels, n = ndimage.label(cells.masks[cat])
        piece = labels.ravel()[cell[idx]]
        n_orig = np.bincount(piece, minlength=n + 1)
        wsum = np.bincount(piece, weights=weights[idx], minlength=n + 1)
        n_cells = np.bincount(labels.ravel(), minlength=n + 1)
        parts.append(_piece_columns(cat, names_zh, n, {
            "origins": n_orig[1:], "weight": wsum[1:], "cells": n_cells[1:],
            "geometry": label_shapes(labels, grid)[1:]}))
    out = polygon_frame(_stack(parts), grid.crs, points.crs,
                        ["category", "name_zh", "origins", "weight", "cells"], "Polygon")
    return _number_gaps(out, "weight")


def _piece_columns(cat: str, names_zh: dict[str, str], n: int,
                   values: dict[str, np.ndarray]) -> dict[str, Any]:
    """Return the columns of a category's ``n`` pieces: names, then ``values`` (geometry)."""
    return {"category": [cat] * n, "name_zh": [names_zh.get(cat, cat)] * n, **values}


def _stack(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the pieces' columns of all categories, one after another (none: no columns)."""
    if not parts:
        return {}
    texts = ("category", "name_zh")  # lists of str, so pandas infers them as rows would
    return {c: [v for p in parts for v in p[c]] if c in texts
            else np.concatenate([p[c] for p in parts]) for c in parts[0]}


def _number_gaps(gaps: gpd.GeoDataFrame, by: str) -> gpd.GeoDataFrame:
    if len(gaps):
        gaps = gaps.sort_values(["category", by], ascending=[True, False], kind="stable")
        gaps = gaps.reset_index(drop=True)
    if not len(gaps):
        import pandas as pd

        gaps.insert(0, "gap_id", pd.Series([], dtype=object))
        return gaps
    rank = gaps.groupby("category").cumcount() + 1
    gaps.insert(0, "gap_id", (gaps["category"].astype(str) + "-" + rank.astype(str))
                .astype(object))
    return gaps
