"""Where a circle reaches: travel-time surfaces, isochrone bands, gap areas, road pieces.

Method. Everything here is derived from the exact per-point engine
(:func:`zonekit.analysis.network.engine.nearest_times`), so maps agree with the per-origin tables:

* **Surface** (:func:`grid_minutes`): the centre of every cell of a grid (the population
  grid by default) is routed like an origin; the cell holds the minutes from its centre
  to the nearest facility of each category (NaN beyond ``surface_max_minutes`` or when
  the centre is farther than the snap distance from every road). Written as one GeoTIFF
  per category (:func:`write_surfaces`).
* **Isochrones** (:func:`isochrone_bands`): cells of the surface grouped into bands
  (0–5, 5–10, … up to the category's threshold) and polygonised along cell edges
  (``rasterio.features.shapes``). A cell lies inside the band polygon with ``minutes ≤
  m`` exactly when its centre's time is ≤ m: for population-cell origins, an origin is
  inside its category's isochrone exactly when it is covered (tested).
* **Gaps** (:func:`grid_gaps`, :func:`origin_gaps`): connected pieces (4-neighbour
  cells) of uncovered demand cells, or of the cells that hold uncovered origins (their
  point, and the cells of polygon footprints such as parcels), with the persons / origins /
  enterprises they hold. Raster throughout: no vector union, cost linear in cells.
* **Road length** (:func:`road_coverage`): exact. Each edge is split at the positions
  where the time from the road to the nearest facility crosses the limit: from a point at
  fraction t of edge u → v the time is min((1-t)·c + T(v), t·c + T(u), same-edge
  facilities), each piece linear in t, so the covered part of an edge is a union of at
  most a few intervals, computed in closed form (no midpoint approximation).
"""

# Module size: ~410 lines — surfaces, bands and gaps are one raster workflow on one grid.

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from zonekit.analysis.circles.origins import Grid
from zonekit.analysis.network.engine import LIMIT_TOLERANCE_S, nearest_times, node_times
from zonekit.analysis.network.graph import Network
from zonekit.analysis.network.snapping import Snapped, snap_points

if TYPE_CHECKING:
    import geopandas as gpd

logger = logging.getLogger(__name__)


def grid_minutes(network: Network, grid: Grid, facilities: Snapped, category: pd.Series,
                 limit_minutes: float, max_snap_m: float = 250.0,
                 n_jobs: int = 1) -> dict[str, np.ndarray]:
    """Minutes from every cell centre of ``grid`` to the nearest facility of each category.

    Parameters
    ----------
    network
        The network (its CRS is the analysis CRS).
    grid
        The grid; its centres are transformed to the network's CRS when they differ.
    facilities
        Snapped facilities; ``category`` gives one category per facility (categorical:
        every declared category gets a surface).
    limit_minutes
        Search limit (minutes); NaN beyond.
    max_snap_m
        Cell centres farther than this from every road get NaN.

    Returns
    -------
    dict
        Category → float array (rows × cols) of minutes.
    """
    import geopandas as gpd
    import shapely

    from zonekit.analysis.circles.origins import _to_crs

    x, y = _to_crs(*grid.centres(), grid.crs, network.crs)
    pts = gpd.GeoDataFrame(geometry=shapely.points(x, y), crs=network.crs)
    snapped = snap_points(network, pts, max_snap_m, layer="grid", threads=n_jobs)
    times = nearest_times(network, snapped, facilities, category, limit_minutes, n_jobs=n_jobs)
    return {str(col)[len("minutes_"):]: times[col].to_numpy().reshape(grid.height, grid.width)
            for col in times.columns}


def write_surfaces(surfaces: dict[str, np.ndarray], grid: Grid, folder: Path,
                   names_zh: dict[str, str], unit: str = "minutes",
                   scale: float = 1.0) -> list[Path]:
    """Write one float32 GeoTIFF per category, ``<unit>_<category>.tif`` (nodata NaN).

    ``scale`` multiplies the values (60 turns the engine's minutes into metres when the
    network was built with a cost of one second per metre).
    """
    import rasterio

    from zonekit.zones.io import atomic_path

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for cat, arr in surfaces.items():
        path = folder / f"{unit}_{cat}.tif"
        with atomic_path(path) as tmp:
            with rasterio.open(tmp, "w", driver="GTiff", width=grid.width, height=grid.height,
                               count=1, dtype="float32", crs=grid.crs.to_wkt(),
                               transform=grid.transform, nodata=np.nan,
                               compress="deflate") as dst:
                dst.write((arr * scale).astype("float32"), 1)
                dst.set_band_description(1, f"{unit} to nearest {cat} ({names_zh.get(cat, cat)})")
                dst.update_tags(category=cat, name_zh=names_zh.get(cat, cat), unit=unit)
        paths.append(path)
    return paths


def _polygons(labels: np.ndarray, grid: Grid) -> dict[int, Any]:
    """Label (> 0) → (multi)polygon of its cells, in the grid's CRS.

    Labels of one cell (most gap pieces) become cell squares directly; only the others
    are polygonised.
    """
    import shapely
    from rasterio.features import shapes

    flat = labels.ravel()
    single = np.bincount(flat) == 1
    single[0] = False
    cells = np.flatnonzero(single[flat])
    out = dict(zip(flat[cells].tolist(), grid.boxes(*np.divmod(cells, grid.width)),
                   strict=True))
    rings, ring_poly, values = [], [], []
    for k, (geom, value) in enumerate(shapes(labels.astype(np.int32),
                                             mask=(labels > 0) & ~single[labels],
                                             transform=grid.transform, connectivity=4)):
        rings += geom["coordinates"]
        ring_poly += [k] * len(geom["coordinates"])
        values.append(int(value))
    if not values:
        return out
    sizes = [len(r) for r in rings]
    lr = shapely.linearrings(np.concatenate(rings), indices=np.repeat(np.arange(len(rings)), sizes))
    polys = shapely.polygons(lr, indices=np.asarray(ring_poly))  # first ring shell, rest holes
    # Pieces of one label are separate 4-connected regions: their interiors never overlap
    # (at most corner points touch), so they form a valid MultiPolygon without a union.
    vals = np.asarray(values)
    order = np.argsort(vals, kind="stable")
    keys, starts, counts = np.unique(vals[order], return_index=True, return_counts=True)
    polys = polys[order]
    multi = shapely.multipolygons(polys, indices=np.repeat(np.arange(len(keys)), counts))
    one_piece = counts == 1
    multi[one_piece] = polys[starts[one_piece]]  # one piece: the Polygon itself
    return out | dict(zip(keys.tolist(), multi, strict=True))


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
        polys = _polygons(labels, grid)
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
    return _frame(rows, grid.crs, crs, ["category", "name_zh", f"{unit}_from", unit,
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


def _frame(rows: list[dict], src_crs: Any, crs: Any, columns: list[str]) -> gpd.GeoDataFrame:
    import geopandas as gpd

    if not rows:
        return gpd.GeoDataFrame({c: [] for c in [*columns, "area_km2"]},
                                geometry=gpd.GeoSeries([], crs=crs), crs=crs)
    out = gpd.GeoDataFrame(rows, geometry="geometry", crs=src_crs).to_crs(crs)
    out["area_km2"] = out.geometry.area / 1e6
    return out


def grid_gaps(uncovered: dict[str, np.ndarray], grid: Grid, names_zh: dict[str, str],
              crs: Any, counts: dict[str, np.ndarray] | None = None) -> gpd.GeoDataFrame:
    """Split uncovered demand cells into connected pieces, per category, largest first.

    ``uncovered`` maps category → boolean grid (demand cell not within the limit).
    Returns ``gap_id``, ``category``, ``name_zh``, ``cells``, ``area_km2`` and one column
    per ``counts`` grid (summed over the piece's cells).
    """
    from scipy import ndimage

    rows = []
    for cat, mask in uncovered.items():
        labels, n = ndimage.label(mask)
        if not n:
            continue
        polys = _polygons(labels, grid)
        cells = np.bincount(labels.ravel(), minlength=n + 1)
        sums = {name: np.bincount(labels.ravel(), weights=v.ravel(), minlength=n + 1)
                for name, v in (counts or {}).items()}
        for k in range(1, n + 1):
            row = {"category": cat, "name_zh": names_zh.get(cat, cat), "cells": int(cells[k]),
                   "geometry": polys[k]}
            row.update({name: float(s[k]) for name, s in sums.items()})
            rows.append(row)
    out = _frame(rows, grid.crs, crs, ["category", "name_zh", "cells", *(counts or {})])
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
    from scipy import ndimage

    if cells is None:
        cells = origin_gap_cells(points, uncovered, grid, footprints)
    grid, cell = cells.grid, cells.cell
    rows = []
    for cat, mask in uncovered.items():
        idx = np.flatnonzero(mask & (cell >= 0))
        if not len(idx):
            continue
        labels, n = ndimage.label(cells.masks[cat])
        piece = labels.ravel()[cell[idx]]
        n_orig = np.bincount(piece, minlength=n + 1)
        wsum = np.bincount(piece, weights=weights[idx], minlength=n + 1)
        n_cells = np.bincount(labels.ravel(), minlength=n + 1)
        shapes = _polygons(labels, grid)
        rows += [{"category": cat, "name_zh": names_zh.get(cat, cat), "origins": int(n_orig[k]),
                  "weight": float(wsum[k]), "cells": int(n_cells[k]), "geometry": shapes[k]}
                 for k in range(1, n + 1)]
    out = _frame(rows, grid.crs, points.crs, ["category", "name_zh", "origins", "weight",
                                              "cells"])
    return _number_gaps(out, "weight")


def _number_gaps(gaps: gpd.GeoDataFrame, by: str) -> gpd.GeoDataFrame:
    if len(gaps):
        gaps = gaps.sort_values(["category", by], ascending=[True, False], kind="stable")
        gaps = gaps.reset_index(drop=True)
    if not len(gaps):
        gaps.insert(0, "gap_id", [])
        return gaps
    rank = gaps.groupby("category").cumcount() + 1
    gaps.insert(0, "gap_id", (gaps["category"].astype(str) + "-" + rank.astype(str))
                .astype(object))
    return gaps


def road_coverage(network: Network, facilities: Snapped, limit_minutes: float,
                  select: np.ndarray | None = None) -> pd.DataFrame:
    """Covered intervals of every edge: road positions within the limit of a facility.

    Time is measured from a point on the road (no access leg) to the nearest facility
    (its access leg included), one-way streets respected.

    Returns
    -------
    pandas.DataFrame
        Merged intervals ``edge``, ``t0``, ``t1`` (fractions 0–1 along the edge, u → v).
    """
    limit_s = float(limit_minutes) * 60.0 + LIMIT_TOLERANCE_S
    d = node_times(network, facilities, limit_minutes, direction="to", select=select)
    c = network.edge_cost_s
    du, dv = d[network.edge_u], d[network.edge_v]
    e = np.arange(network.n_edges)
    parts = [
        pd.DataFrame({"edge": e, "t0": 1.0 - (limit_s - dv) / c, "t1": 1.0})[
            network.edge_fwd & (dv <= limit_s)],
        pd.DataFrame({"edge": e, "t0": 0.0, "t1": (limit_s - du) / c})[
            network.edge_bwd & (du <= limit_s)],
    ]
    pos = np.arange(len(facilities)) if select is None else np.asarray(select)
    if pos.dtype == bool:
        pos = np.flatnonzero(pos)
    pos = pos[facilities.edge[pos] >= 0]
    if len(pos):
        fe, s = facilities.edge[pos], facilities.frac[pos]
        reach = (limit_s - facilities.access_s[pos]) / c[fe]
        ok = reach >= 0
        parts.append(pd.DataFrame({"edge": fe, "t0": s - reach, "t1": s})[
            ok & network.edge_fwd[fe]])
        parts.append(pd.DataFrame({"edge": fe, "t0": s, "t1": s + reach})[
            ok & network.edge_bwd[fe]])
    iv = pd.concat(parts, ignore_index=True)
    iv["t0"], iv["t1"] = iv["t0"].clip(0.0, 1.0), iv["t1"].clip(0.0, 1.0)
    iv = iv[iv["t1"] > iv["t0"]].sort_values(["edge", "t0"], ignore_index=True)
    if not len(iv):
        return pd.DataFrame({"edge": [], "t0": [], "t1": []})
    prev = iv.groupby("edge")["t1"].cummax().groupby(iv["edge"]).shift()
    start = prev.isna() | (iv["t0"] > prev)
    grp = start.cumsum()
    return iv.groupby(grp).agg(edge=("edge", "first"), t0=("t0", "min"), t1=("t1", "max"))\
        .reset_index(drop=True)


def road_pieces(network: Network, intervals: pd.DataFrame) -> gpd.GeoDataFrame:
    """Road pieces, covered and not, from :func:`road_coverage` intervals.

    Returns ``edge``, ``covered`` (bool), ``length_m`` and the piece's geometry; edges
    wholly covered or not are whole lines, only split edges are cut.
    """
    import geopandas as gpd
    from shapely.ops import substring

    n = network.n_edges
    cov = intervals.copy()
    cov["covered"] = True
    # complement intervals per edge
    edges = np.arange(n)
    starts = pd.concat([pd.DataFrame({"edge": edges, "t1": 0.0}), cov[["edge", "t1"]]])
    ends = pd.concat([cov[["edge", "t0"]], pd.DataFrame({"edge": edges, "t0": 1.0})])
    starts = starts.sort_values(["edge", "t1"], kind="stable").reset_index(drop=True)
    ends = ends.sort_values(["edge", "t0"], kind="stable").reset_index(drop=True)
    gaps = pd.DataFrame({"edge": starts["edge"], "t0": starts["t1"], "t1": ends["t0"],
                         "covered": False})
    pieces = pd.concat([cov, gaps[gaps["t1"] > gaps["t0"] + 1e-12]], ignore_index=True)
    pieces = pieces.sort_values(["edge", "t0"], ignore_index=True)
    e = pieces["edge"].to_numpy(np.int64)
    whole = (pieces["t0"].to_numpy() <= 0) & (pieces["t1"].to_numpy() >= 1)
    geoms = network.edge_geom[e].copy()
    cut = np.flatnonzero(~whole)
    geoms[cut] = [substring(network.edge_geom[e[k]], pieces["t0"].iat[k], pieces["t1"].iat[k],
                            normalized=True) for k in cut]
    return gpd.GeoDataFrame({
        "edge": e, "covered": pieces["covered"].to_numpy(bool),
        "length_m": (pieces["t1"] - pieces["t0"]).to_numpy() * network.edge_length_m[e],
    }, geometry=geoms, crs=network.crs)
