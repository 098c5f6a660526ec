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
from zonekit.analysis.network.lattice_snap import Lattice, candidate_chunks, edge_boxes
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


def _segments(network: Network, edges: np.ndarray):
    """Expand (point, edge) pairs into (pair, segment) rows; segment = index of its 1st vertex."""
    xy, offsets, _ = network.edge_vertices
    first = offsets[edges]
    nseg = offsets[edges + 1] - first - 1  # >= 1: every line has two vertices or more
    pair = np.repeat(np.arange(len(edges)), nseg)
    seg = np.repeat(first - (np.cumsum(nseg) - nseg), nseg) + np.arange(len(pair))
    return pair, seg, nseg


def point_edge_distance(network: Network, x: np.ndarray, y: np.ndarray, edges: np.ndarray,
                        *, locate: bool = False):
    """Distance from points to edges, pair by pair, computed as GEOS does, vectorised.

    GEOS (``shapely.distance``, ``line_locate_point``) takes the minimum over the line's
    segments of the point-to-segment distance, and locates the point on the first
    segment reaching it; the same formulas are used here on all pairs at once, which
    avoids creating and visiting geometry objects pair by pair (several times faster).

    Parameters
    ----------
    network
        The network (its ``edge_vertices`` are used).
    x, y
        Point coordinates (metres), one per pair.
    edges
        Edge of each pair.
    locate
        Also return where on the edge the nearest position lies.

    Returns
    -------
    dist_m or (dist_m, frac, near_x, near_y)
        Distance (metres); with ``locate``, the fraction along the edge from ``u``
        (0–1, as ``line_locate_point(..., normalized=True)``; 0 on zero-length edges)
        and the nearest position's coordinates (metres).
    """
    edges = np.asarray(edges, dtype=np.int64)
    if not len(edges):
        empty = np.zeros(0)
        return (empty, empty, empty, empty) if locate else empty
    vxy, _, measure = network.edge_vertices
    pair, seg, nseg = _segments(network, edges)
    px, py = x[pair], y[pair]
    ax, ay, bx, by = vxy[seg, 0], vxy[seg, 1], vxy[seg + 1, 0], vxy[seg + 1, 1]
    dx, dy = bx - ax, by - ay
    len2 = dx * dx + dy * dy
    with np.errstate(divide="ignore", invalid="ignore"):  # zero-length segments
        r = ((px - ax) * dx + (py - ay) * dy) / len2
        s = ((ay - py) * dx - (ax - px) * dy) / len2
    d = np.abs(s) * np.sqrt(len2)
    d = np.where(r >= 1.0, np.sqrt((px - bx) * (px - bx) + (py - by) * (py - by)), d)
    at_a = ~(r > 0.0)  # r <= 0, or NaN for a zero-length segment
    d[at_a] = np.sqrt((px - ax) * (px - ax) + (py - ay) * (py - ay))[at_a]
    start = np.cumsum(nseg) - nseg
    dist = np.minimum.reduceat(d, start)
    if not locate:
        return dist
    hit = np.flatnonzero(d == np.repeat(dist, nseg))
    best = hit[np.r_[True, pair[hit][1:] != pair[hit][:-1]]]  # first segment at the minimum
    # GEOS's projection factor: 0 at A, 1 at B (exactly), NaN on a zero-length segment
    pf = np.where((px == ax) & (py == ay), 0.0, np.where((px == bx) & (py == by), 1.0, r))[best]
    pf = np.clip(np.nan_to_num(pf, nan=1.0), 0.0, 1.0)
    length = network.edge_length_m[edges]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = (measure[seg[best]] + pf * np.sqrt(len2[best])) / length
    frac = np.clip(np.nan_to_num(frac, nan=0.0), 0.0, 1.0)
    ax, ay, bx, by = ax[best], ay[best], bx[best], by[best]
    near_x = np.where(pf == 1.0, bx, ax + pf * (bx - ax))  # exactly B, not A + (B - A)
    near_y = np.where(pf == 1.0, by, ay + pf * (by - ay))
    return dist, frac, near_x, near_y


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


def _nearest_edges(network: Network, xy: np.ndarray, max_dist: float, chunk: int = 100_000,
                   threads: int = 1, lattice: Lattice | None = None):
    """Nearest edge and distance of each point within ``max_dist`` (-1/NaN otherwise).

    Edges whose boxes meet a square of half-side ``r`` around the point are its
    candidates; the nearest of them is exact when it lies within ``r``, since every edge
    closer than ``r`` is a candidate. Ties go to the lowest edge index. ``r`` starts at
    half the median edge length (at most ``max_dist``) and doubles, up to ``max_dist``,
    for the points left over (a grid's cells between roads), so that GEOS's per-point
    nearest search (ten times slower per point) is never needed. Chunks of points run on
    ``threads`` threads (GEOS and numpy release the GIL). When the points are the centres
    of a grid (``lattice``, ``xy`` its coordinates), the first round finds the candidates
    from the edges' boxes by index arithmetic (:mod:`~zonekit.analysis.network.lattice_snap`).
    """
    edge = np.full(len(xy), -1, dtype=np.int64)
    dist = np.full(len(xy), np.nan)
    network.edge_vertices  # noqa: B018 - built once here, not by several threads
    r = min(max_dist, max(1.0, float(np.median(network.edge_length_m)) / 2))
    rest = np.arange(len(xy))
    while len(rest):
        if lattice is not None and len(rest) == len(xy):
            _within_lattice(network, lattice, xy, r, edge, dist)
        else:
            _within(network, xy, rest, r, edge, dist, chunk, threads)
        if r >= max_dist:
            break
        r = min(max_dist, 2 * r)
        rest = rest[edge[rest] < 0]
    return edge, dist


def _within_lattice(network: Network, lattice: Lattice, xy: np.ndarray, r: float,
                    edge: np.ndarray, dist: np.ndarray) -> None:
    """:func:`_within` for all centres of ``lattice``: candidates from the edges' boxes."""
    vxy, offsets, _ = network.edge_vertices
    best_d = np.full(len(xy), np.inf)
    best_e = np.full(len(xy), network.n_edges, dtype=np.int64)
    for pt, e in candidate_chunks(lattice, edge_boxes(vxy, offsets), r):
        d = point_edge_distance(network, xy[pt, 0], xy[pt, 1], e)
        low = np.full(len(xy), np.inf)
        np.minimum.at(low, pt, d)
        at_low = d == low[pt]
        first = np.full(len(xy), network.n_edges, dtype=np.int64)
        np.minimum.at(first, pt[at_low], e[at_low])  # ties: the lowest edge of the chunk
        # chunks come in ascending edges: an earlier chunk wins a tie
        better = low < best_d
        best_d[better], best_e[better] = low[better], first[better]
    close = best_d <= r
    edge[close], dist[close] = best_e[close], best_d[close]


def _within(network: Network, xy: np.ndarray, which: np.ndarray, r: float, edge: np.ndarray,
            dist: np.ndarray, chunk: int, threads: int) -> None:
    """Set ``edge``/``dist`` of the points ``which`` whose nearest edge lies within ``r`` m."""
    tree = network.edge_tree

    def run(lo: int) -> None:  # chunks bound the memory of candidate pairs
        pos = which[lo:lo + chunk]
        x, y = xy[pos, 0], xy[pos, 1]
        i, e = tree.query(shapely.box(x - r, y - r, x + r, y + r))
        if not len(i):
            return
        if (np.diff(i) < 0).any():  # grouped by point (GEOS returns them so; not promised)
            o = np.argsort(i, kind="stable")
            i, e = i[o], e[o]
        d = point_edge_distance(network, x[i], y[i], e)
        start = np.flatnonzero(np.r_[True, i[1:] != i[:-1]])
        size = np.diff(np.r_[start, len(i)])
        dmin = np.minimum.reduceat(d, start)
        emin = np.minimum.reduceat(np.where(d == np.repeat(dmin, size), e, network.n_edges), start)
        close = dmin <= r
        pt = pos[i[start[close]]]
        edge[pt], dist[pt] = emin[close], dmin[close]  # chunks write disjoint rows

    starts = range(0, len(which), chunk)
    if threads > 1 and len(starts) > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(min(threads, len(starts))) as pool:
            list(pool.map(run, starts))
    else:
        for lo in starts:
            run(lo)


# Long on purpose: one vectorised pass over the points (STRtree query, legs, report);
# split, the candidate arrays would be rebuilt or passed between helpers.
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
        edge[candidates], dist[candidates] = _nearest_edges(
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
