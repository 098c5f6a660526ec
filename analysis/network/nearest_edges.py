"""Nearest edge of each point and exact point-to-edge distances, vectorised.

:func:`nearest_edges` finds every point's nearest edge within a distance: candidates
from the edge tree (squares around the points) or, for the centres of a grid, from the
edges' boxes (:mod:`~zonekit.analysis.network.lattice_snap`); :func:`point_edge_distance`
measures point-to-edge distances pair by pair as GEOS does. Used by
:mod:`~zonekit.analysis.network.snapping`.
"""

from __future__ import annotations

import numpy as np
import shapely

from zonekit.analysis.network.graph import Network
from zonekit.analysis.network.lattice_snap import Lattice, candidate_chunks, edge_boxes


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


def nearest_edges(network: Network, xy: np.ndarray, max_dist: float, chunk: int = 100_000,
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
