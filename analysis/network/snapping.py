"""Snap points (homes, facilities) onto the nearest edge of a :class:`Network`.

Each point is placed on its nearest road edge (not node): the result records the
edge, the fraction along it (0 at ``u``, 1 at ``v``) and the straight access distance
between the point and the road, plus the time to cover that distance. Points farther
than ``max_snap_m`` from every usable road are *unreachable* and listed as such; they
are never snapped silently to a distant road.

A point whose nearest position lies within :data:`NODE_TOLERANCE_M` (1 mm, along the
edge) of an end of its edge is placed *on that node*: fraction exactly 0 or 1, snapped
position the edge's end vertex, access leg the straight distance to it. The engine lets
a point on a node use every edge meeting there in its allowed direction, so the result
no longer depends on which of those edges was nearest by a rounding error: points
given at node coordinates in another CRS (EPSG:4326) come back from the reprojection
1e-10 m–1e-6 m off their node, often just inside a one-way edge, whose start they could
not go back to. A point on the interior of an edge keeps its position: on a one-way
edge it can only leave forward (its access leg itself is walked, both ways).

Access speed: by default the profile's ``access_speed_kmh`` — the walking or cycling
speed itself for walk (4.5 km/h) and bike (15 km/h), and 5 km/h for drive, since the
door-to-kerb leg of a car trip is walked. Pass ``speed_kmh_access`` to change it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zonekit.analysis.network.graph import Network, check_projected
from zonekit.analysis.network.lattice_snap import Lattice
from zonekit.analysis.network.nearest_edges import nearest_edges, point_edge_distance
from zonekit.errors import CRSError, SchemaError, format_rows

logger = logging.getLogger(__name__)

#: Distance along its edge (metres) within which a point's nearest position counts as the
#: edge's end node. 1 mm: a thousand times the reprojection error of coordinates passed
#: through EPSG:4326 and back (at most about 1e-6 m, usually 1e-10 m–1e-9 m), yet
#: below the 1 cm that merges line ends into one node (``build_network``) and far below
#: any real road distance (1 mm is 0.8 ms on foot); moving a point by it changes no time
#: by more than 1 mm at the edge's speed.
NODE_TOLERANCE_M = 1e-3


@dataclass(eq=False)
class Snapped:
    """Points snapped onto a network; arrays are aligned with ``index``.

    Attributes
    ----------
    index
        Index of the input points (all of them, reachable or not).
    edge
        Network edge of each point (int64), -1 when unreachable.
    frac
        Fraction along the edge from ``u`` (0) to ``v`` (1), exactly 0 or 1 for a point
        within :data:`NODE_TOLERANCE_M` of a node; NaN when unreachable.
    access_m
        Straight distance from the point to its snapped position on the road (metres);
        NaN when unreachable.
    access_s
        Time for that distance at ``access_speed_kmh`` (seconds); NaN when unreachable.
    snap_x, snap_y
        Coordinates of the snapped position on the road (metres); NaN when unreachable.
    unreachable
        One row per unreachable point, indexed by its label, with ``reason`` and
        ``nearest_road_m`` (distance to the nearest usable road, NaN if none).
    access_speed_kmh
        Speed of the access leg (km/h).
    network_uid
        ``Network.uid`` of the network snapped to.
    """

    index: pd.Index
    edge: np.ndarray
    frac: np.ndarray
    access_m: np.ndarray
    access_s: np.ndarray
    snap_x: np.ndarray
    snap_y: np.ndarray
    unreachable: pd.DataFrame
    access_speed_kmh: float
    network_uid: int

    @property
    def reachable(self) -> np.ndarray:
        """Boolean mask of the points that were snapped."""
        return self.edge >= 0

    def __len__(self) -> int:
        return len(self.index)

    def to_frame(self) -> pd.DataFrame:
        """Return the snapping result as a DataFrame indexed like the points."""
        return pd.DataFrame(
            {"edge": self.edge, "frac": self.frac, "access_m": self.access_m,
             "access_s": self.access_s, "snap_x": self.snap_x, "snap_y": self.snap_y},
            index=self.index,
        )


def _onto_nodes(network: Network, x: np.ndarray, y: np.ndarray, edges: np.ndarray,
                dist: np.ndarray, frac: np.ndarray, near_x: np.ndarray, near_y: np.ndarray,
                tol: float) -> None:
    """Move positions within ``tol`` metres (along the edge) of an end onto that end, in place.

    Parameters
    ----------
    network
        The network.
    x, y
        Point coordinates (metres).
    edges
        Edge of each point.
    dist, frac, near_x, near_y
        From :func:`point_edge_distance` with ``locate``: access distance (metres),
        fraction along the edge, nearest position (metres); updated for moved points.
    tol
        Tolerance (metres, >= 0).
    """
    length = network.edge_length_m[edges]
    along = frac * length
    # the nearer end when both are within tol (edges shorter than 2·tol)
    at_u = (along <= tol) & (along <= length - along)
    at_v = ~at_u & (length - along <= tol)
    inside = (frac > 0.0) & (frac < 1.0)  # already on an end: keep GEOS's distance as it is
    moved = np.flatnonzero((at_u | at_v) & inside)
    if not len(moved):
        return
    vxy, offsets, _ = network.edge_vertices
    e = edges[moved]
    vertex = np.where(at_v[moved], offsets[e + 1] - 1, offsets[e])
    frac[moved] = at_v[moved].astype(float)
    near_x[moved], near_y[moved] = vxy[vertex, 0], vxy[vertex, 1]
    dx, dy = x[moved] - near_x[moved], y[moved] - near_y[moved]
    dist[moved] = np.sqrt(dx * dx + dy * dy)  # point_edge_distance's formula


def snap_points(
    network: Network,
    points_gdf: gpd.GeoDataFrame,
    max_snap_m: float = 250.0,
    speed_kmh_access: float | None = None,
    *,
    layer: str = "points",
    threads: int = 1,
    node_tolerance_m: float = NODE_TOLERANCE_M,
) -> Snapped:
    """Snap points to their nearest network edge.

    Parameters
    ----------
    network
        Network built by :func:`zonekit.analysis.network.graph.build_network`.
    points_gdf
        Point layer in the network's CRS (projected, metres).
    max_snap_m
        Largest accepted distance (metres) between a point and its road.
    speed_kmh_access
        Speed (km/h) of the access leg; the profile's ``access_speed_kmh`` when None.
    layer
        Layer name for error messages.
    threads
        Threads for the nearest-edge search of large point sets (chunks of 100,000).
    node_tolerance_m
        A point whose nearest position lies within this distance (metres, along the
        edge) of an end of its edge is snapped onto that node (see the module docstring);
        0 keeps only exact hits.

    Returns
    -------
    Snapped

    Raises
    ------
    CRSError
        Missing, geographic or different CRS from the network.
    SchemaError
        Geometries that are not points.
    """
    check_projected(points_gdf, layer)
    if points_gdf.crs != network.crs:
        raise CRSError(
            f"layer '{layer}': expected the road network's CRS {network.crs.name}, found "
            f"{points_gdf.crs.name}; reproject with to_crs(network.crs)"
        )
    speed = _access_speed(network, max_snap_m, speed_kmh_access, node_tolerance_m)
    geoms = points_gdf.geometry.to_numpy()
    n = len(geoms)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    not_point = ~missing & (shapely.get_type_id(geoms) != 0)
    if not_point.any():
        raise SchemaError(
            f"layer '{layer}', column 'geometry': expected points, found other geometries on rows "
            f"{format_rows(points_gdf.index[not_point])}; use e.g. representative_point() or "
            "building entrances first"
        )

    xy = np.full((n, 2), np.nan)
    xy[~missing] = shapely.get_coordinates(geoms[~missing])
    return _snap_xy(network, xy, missing, points_gdf.index, max_snap_m, speed, layer, threads,
                    node_tolerance_m, geoms=geoms)


def snap_lattice(network: Network, lattice: Lattice, max_snap_m: float = 250.0,
                 speed_kmh_access: float | None = None, *, layer: str = "grid",
                 threads: int = 1, node_tolerance_m: float = NODE_TOLERANCE_M) -> Snapped:
    """Snap the cell centres of a grid, as :func:`snap_points` snaps their points.

    The same result as :func:`snap_points` on ``shapely.points`` of
    ``lattice.coordinates()`` (index 0 … n-1, row by row), without a geometry object per
    cell (see :mod:`~zonekit.analysis.network.lattice_snap`).

    Parameters
    ----------
    network
        The network; ``lattice`` is in its CRS (metres).
    lattice
        The cell centres.
    max_snap_m, speed_kmh_access, layer, threads, node_tolerance_m
        As for :func:`snap_points`.

    Returns
    -------
    Snapped
    """
    speed = _access_speed(network, max_snap_m, speed_kmh_access, node_tolerance_m)
    xy = lattice.coordinates()
    return _snap_xy(network, xy, np.zeros(len(xy), dtype=bool), pd.RangeIndex(len(xy)),
                    max_snap_m, speed, layer, threads, node_tolerance_m, lattice=lattice)


def _access_speed(network: Network, max_snap_m: float, speed_kmh_access: float | None,
                  node_tolerance_m: float) -> float:
    """Check the snapping parameters; return the access speed (km/h)."""
    if not node_tolerance_m >= 0:
        raise ValueError("node_tolerance_m must be a non-negative distance (metres), got "
                         f"{node_tolerance_m!r}")
    if not max_snap_m >= 0:
        raise ValueError(f"max_snap_m must be a non-negative distance (metres), got {max_snap_m!r}")
    speed = network.profile.access_speed_kmh
    if speed_kmh_access is not None:
        speed = float(speed_kmh_access)
    if not speed > 0:
        raise ValueError(f"speed_kmh_access must be positive (km/h), got {speed_kmh_access!r}")
    return speed


# Long on purpose: one vectorised pass (nearest edges, positions, the unreachable report)
# over arrays aligned with the points; split, they would be passed between helpers.
def _snap_xy(network: Network, xy: np.ndarray, missing: np.ndarray, index: pd.Index,
             max_snap_m: float, speed: float, layer: str, threads: int,
             node_tolerance_m: float, geoms: np.ndarray | None = None,
             lattice: Lattice | None = None) -> Snapped:
    """Snap points given as coordinates ``xy`` (NaN where ``missing``); see :func:`snap_points`."""
    n = len(xy)
    edge = np.full(n, -1, dtype=np.int64)
    dist = np.full(n, np.nan)
    candidates = np.flatnonzero(~missing)
    if len(candidates) and network.n_edges:
        edge[candidates], dist[candidates] = nearest_edges(
            network, xy[candidates], max_snap_m, threads=threads,
            lattice=lattice if len(candidates) == n else None)

    ok = edge >= 0
    frac = np.full(n, np.nan)
    snap_xy = np.full((n, 2), np.nan)
    if ok.any():
        d, f, sx, sy = point_edge_distance(network, xy[ok, 0], xy[ok, 1], edge[ok], locate=True)
        _onto_nodes(network, xy[ok, 0], xy[ok, 1], edge[ok], d, f, sx, sy, node_tolerance_m)
        dist[ok], frac[ok], snap_xy[ok, 0], snap_xy[ok, 1] = d, f, sx, sy

    far = ~ok & ~missing
    nearest = np.full(n, np.nan)
    if far.any() and network.n_edges:
        far_geoms = geoms[far] if geoms is not None else shapely.points(xy[far])
        hit, d = network.edge_tree.query_nearest(
            far_geoms, return_distance=True, all_matches=False
        )
        nearest[np.flatnonzero(far)[hit[0]]] = d
    bad = ~ok
    reason = np.where(missing[bad], "missing geometry", f"no usable road within {max_snap_m:g} m")
    unreachable = pd.DataFrame(
        {"reason": reason, "nearest_road_m": nearest[bad]}, index=index[bad]
    )
    if len(unreachable):
        logger.info("%s: %d of %d points unreachable (beyond %g m or missing)", layer,
                    len(unreachable), n, max_snap_m)
    return Snapped(
        index=index, edge=edge, frac=frac, access_m=dist,
        access_s=dist / (speed / 3.6), snap_x=snap_xy[:, 0], snap_y=snap_xy[:, 1],
        unreachable=unreachable, access_speed_kmh=speed, network_uid=network.uid,
    )
