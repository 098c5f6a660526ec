"""Travel-time surfaces: minutes from every cell of a grid to the nearest facility.

Method. The centre of every cell of a grid (the population grid by default) is routed
like an origin by the exact per-point engine
(:func:`zonekit.analysis.network.engine.nearest_times`), so the surface agrees with the
per-origin tables: a cell holds the minutes from its centre to the nearest facility of each
category (NaN beyond ``surface_max_minutes`` or when the centre is farther than the snap
distance from every road). Written as one GeoTIFF per category (:func:`write_surfaces`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from zonekit.analysis.circles.origins import Grid
from zonekit.analysis.network.engine import nearest_times
from zonekit.analysis.network.graph import Network
from zonekit.analysis.network.snapping import Snapped, snap_points


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
