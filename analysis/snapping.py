"""Snap points (homes, facilities) onto the nearest edge of a :class:`Network`.

Each point is placed on its nearest road edge (not node): the result records the
edge, the fraction along it (0 at ``u``, 1 at ``v``) and the straight access distance
between the point and the road, plus the time to cover that distance. Points farther
than ``max_snap_m`` from every usable road are *unreachable* and listed as such; they
are never snapped silently to a distant road.

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

from zonekit.errors import CRSError, SchemaError, format_rows

from .network import Network, check_projected

logger = logging.getLogger(__name__)


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
        Fraction along the edge from ``u`` (0) to ``v`` (1); NaN when unreachable.
    access_m
        Straight distance from the point to the road (metres); NaN when unreachable.
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


def _nearest_edges(network: Network, pts: np.ndarray, max_dist: float, chunk: int = 100_000):
    """Nearest edge and distance of each point within ``max_dist`` (-1/NaN otherwise).

    Fast path: edges whose boxes meet a square of half-side ``r`` (half the median edge
    length, at most ``max_dist``) around the point; the nearest of them is exact when
    it lies within ``r``, since every edge closer than ``r`` is a candidate. Ties go to
    the lowest edge index. Points left over use ``STRtree.query_nearest``.
    """
    edge = np.full(len(pts), -1, dtype=np.int64)
    dist = np.full(len(pts), np.nan)
    tree = network.edge_tree
    r = min(max_dist, max(1.0, float(np.median(network.edge_length_m)) / 2))
    xy = shapely.get_coordinates(pts)
    for lo in range(0, len(pts), chunk):  # chunks bound the memory of candidate pairs
        x, y = xy[lo:lo + chunk].T
        i, e = tree.query(shapely.box(x - r, y - r, x + r, y + r))
        d = shapely.distance(pts[lo + i], network.edge_geom[e])
        o = np.lexsort((e, d, i))
        i, e, d = i[o], e[o], d[o]
        best = np.r_[True, i[1:] != i[:-1]][: len(i)] & (d <= r)  # first per point, if close
        edge[lo + i[best]], dist[lo + i[best]] = e[best], d[best]
    rest = np.flatnonzero(edge < 0)
    if len(rest):
        hit, d = tree.query_nearest(pts[rest], max_distance=max_dist, return_distance=True,
                                    all_matches=False)
        edge[rest[hit[0]]], dist[rest[hit[0]]] = hit[1], d
    return edge, dist


def snap_points(
    network: Network,
    points_gdf: gpd.GeoDataFrame,
    max_snap_m: float = 250.0,
    speed_kmh_access: float | None = None,
    *,
    layer: str = "points",
) -> Snapped:
    """Snap points to their nearest network edge.

    Parameters
    ----------
    network
        Network built by :func:`zonekit.analysis.network.build_network`.
    points_gdf
        Point layer in the network's CRS (projected, metres).
    max_snap_m
        Largest accepted distance (metres) between a point and its road.
    speed_kmh_access
        Speed (km/h) of the access leg; the profile's ``access_speed_kmh`` when None.
    layer
        Layer name for error messages.

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
    if not max_snap_m >= 0:
        raise ValueError(f"max_snap_m must be a non-negative distance (metres), got {max_snap_m!r}")
    speed = network.profile.access_speed_kmh
    if speed_kmh_access is not None:
        speed = float(speed_kmh_access)
    if not speed > 0:
        raise ValueError(f"speed_kmh_access must be positive (km/h), got {speed_kmh_access!r}")

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

    edge = np.full(n, -1, dtype=np.int64)
    dist = np.full(n, np.nan)
    candidates = np.flatnonzero(~missing)
    if len(candidates) and network.n_edges:
        edge[candidates], dist[candidates] = _nearest_edges(network, geoms[candidates], max_snap_m)

    ok = edge >= 0
    frac = np.full(n, np.nan)
    snap_xy = np.full((n, 2), np.nan)
    if ok.any():
        lines = network.edge_geom[edge[ok]]
        f = shapely.line_locate_point(lines, geoms[ok], normalized=True)
        f = np.clip(np.nan_to_num(f, nan=0.0), 0.0, 1.0)  # NaN for zero-length edges
        frac[ok] = f
        on_road = shapely.line_interpolate_point(lines, f, normalized=True)
        snap_xy[ok] = shapely.get_coordinates(on_road)

    far = ~ok & ~missing
    nearest = np.full(n, np.nan)
    if far.any() and network.n_edges:
        hit, d = network.edge_tree.query_nearest(
            geoms[far], return_distance=True, all_matches=False
        )
        nearest[np.flatnonzero(far)[hit[0]]] = d
    bad = ~ok
    reason = np.where(missing[bad], "missing geometry", f"no usable road within {max_snap_m:g} m")
    unreachable = pd.DataFrame(
        {"reason": reason, "nearest_road_m": nearest[bad]}, index=points_gdf.index[bad]
    )
    if len(unreachable):
        logger.info("%s: %d of %d points unreachable (beyond %g m or missing)", layer,
                    len(unreachable), n, max_snap_m)
    return Snapped(
        index=points_gdf.index, edge=edge, frac=frac, access_m=dist,
        access_s=dist / (speed / 3.6), snap_x=snap_xy[:, 0], snap_y=snap_xy[:, 1],
        unreachable=unreachable, access_speed_kmh=speed, network_uid=network.uid,
    )
