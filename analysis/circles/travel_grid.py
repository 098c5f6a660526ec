"""Travel-time surfaces: minutes from every cell of a grid to the nearest facility.

Method. The centre of every cell of a grid (the population grid by default) is routed
like an origin by the exact per-point engine
(:func:`zonekit.analysis.network.engine.nearest_times`), so the surface agrees with the
per-origin tables: a cell holds the minutes from its centre to the nearest facility of each
category (NaN beyond ``surface_max_minutes`` or when the centre is farther than the snap
distance from every road). Written as one GeoTIFF per category
(:func:`zonekit.zones.raster.write_surfaces`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zonekit.analysis.network.engine import nearest_times
from zonekit.analysis.network.graph import Network
from zonekit.analysis.network.lattice_snap import Lattice
from zonekit.analysis.network.snapping import Snapped, snap_lattice, snap_points
from zonekit.zones.raster import Grid


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

    lattice = grid_lattice(grid, network.crs)
    if lattice is not None:  # centres in the network's CRS: no point object per cell
        snapped = snap_lattice(network, lattice, max_snap_m, layer="grid", threads=n_jobs)
    else:
        x, y = _to_crs(*grid.centres(), grid.crs, network.crs)
        pts = gpd.GeoDataFrame(geometry=shapely.points(x, y), crs=network.crs)
        snapped = snap_points(network, pts, max_snap_m, layer="grid", threads=n_jobs)
    times = nearest_times(network, snapped, facilities, category, limit_minutes, n_jobs=n_jobs)
    return {str(col)[len("minutes_"):]: times[col].to_numpy().reshape(grid.height, grid.width)
            for col in times.columns}


def grid_lattice(grid: Grid, crs: object) -> Lattice | None:
    """Return the grid's cell centres as a :class:`Lattice` in ``crs`` (None in another CRS).

    The coordinates are those of :meth:`Grid.centres` (the same floats).
    """
    from pyproj import CRS

    t = grid.transform
    if t.b != 0 or t.d != 0 or CRS.from_user_input(grid.crs) != CRS.from_user_input(crs):
        return None
    xs, _ = grid.centres(np.zeros(grid.width, dtype=np.int64), np.arange(grid.width))
    _, ys = grid.centres(np.arange(grid.height), np.zeros(grid.height, dtype=np.int64))
    return Lattice(xs=np.asarray(xs, dtype=float), ys=np.asarray(ys, dtype=float))
