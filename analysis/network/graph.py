"""Routable road networks: travel-time graphs built from road GeoDataFrames.

:func:`build_network` turns a road layer (projected, metres) into a :class:`Network`:
node coordinates, a forward and a reversed ``scipy.sparse.csr_matrix`` of travel times
(seconds) and per-edge arrays used for snapping points onto the roads.

Two input forms are accepted:

* **osmnx edges** — ``u`` and ``v`` columns (or index levels, as returned by
  ``osmnx.graph_to_gdfs``). Each row is an edge from node ``u`` to node ``v`` whose
  geometry runs from ``u`` to ``v``; a two-way street usually appears twice, once per
  direction.
* **plain centrelines** — no ``u``/``v``. One row per street; nodes are the line
  endpoints, merged when they coincide after rounding to ``node_tolerance_m``.

In both forms only line *endpoints* become nodes: lines must already be split at
intersections (as osmnx output and most cleaned road layers are); a line crossing
another without a shared vertex does not connect to it. MultiLineStrings are exploded
into their parts (plain form) or merged (osmnx form). The direction of travel comes
from the ``oneway`` column (see :func:`zonekit.analysis.network.travel.parse_oneway`) relative
to the edge's direction (``u`` → ``v``, or first → last vertex): +1 allows only that
direction, -1 only the reverse, 0 or missing both. Profiles with ``oneway: false``
make every edge two-way. osmnx's directed rows of a two-way street carry
``oneway=False`` and so allow both directions; the duplicates reduce to one arc.
"""

# Module size: ~490 lines on purpose — the two road forms (osmnx edges, plain centrelines)
# meet in one CSR build; splitting them would duplicate the edge-array plumbing.

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components

from zonekit.analysis.network.travel import (
    TravelProfile,
    edge_speeds_kmh,
    excluded_edges,
    parse_oneway,
    road_classes,
)
from zonekit.errors import CRSError, SchemaError, format_rows

logger = logging.getLogger(__name__)

#: Cost (seconds) given to zero-length edges so every arc has a strictly positive weight.
MIN_EDGE_COST_S = 1e-9

_uid = itertools.count(1)


def check_projected(gdf: gpd.GeoDataFrame, layer: str) -> None:
    """Raise :class:`CRSError` unless ``gdf`` has a projected CRS in metres."""
    crs = gdf.crs
    hint = "project it first, e.g. gdf.to_crs('EPSG:4548') (CGCS2000 / 3° GK CM 117E)"
    if crs is None:
        raise CRSError(f"layer '{layer}': expected a projected CRS in metres, found no CRS; {hint}")
    if crs.is_geographic:
        raise CRSError(
            f"layer '{layer}': expected a projected CRS in metres, found geographic "
            f"{crs.name} (degrees); {hint}"
        )
    unit = crs.axis_info[0].unit_name if crs.axis_info else None
    if unit not in ("metre", "meter", "m"):
        raise CRSError(
            f"layer '{layer}': expected a CRS in metres, found {crs.name} in {unit}; {hint}"
        )


@dataclass(eq=False)
class Network:
    """A directed travel-time graph with the road geometry it was built from.

    Attributes
    ----------
    crs, profile
        CRS of the road layer (projected, metres) and the travel profile used.
    node_x, node_y, node_id
        Node coordinates (metres) and original ids (osmnx ``u``/``v``, else ``0..n-1``);
        nodes are numbered along a Z-order curve.
    graph, graph_reversed
        ``csr_matrix`` (n_nodes × n_nodes) of arc travel times (seconds), parallel arcs
        reduced to their minimum, and its transpose.
    edge_u, edge_v, edge_fwd, edge_bwd
        End nodes of each edge (the geometry runs ``u → v``) and whether travel
        ``u → v`` / ``v → u`` is allowed.
    edge_cost_s, edge_length_m, edge_speed_kmh
        Whole-edge travel time (seconds, > 0), length (metres) and speed (km/h).
    edge_geom, edge_row
        shapely LineStrings (oriented ``u → v``) and the road row label of each edge.
    components
        Weakly connected component label of each node (int32).
    """

    crs: Any
    profile: TravelProfile
    node_x: np.ndarray
    node_y: np.ndarray
    node_id: np.ndarray
    graph: csr_matrix
    graph_reversed: csr_matrix
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_fwd: np.ndarray
    edge_bwd: np.ndarray
    edge_cost_s: np.ndarray
    edge_length_m: np.ndarray
    edge_speed_kmh: np.ndarray
    edge_geom: np.ndarray
    edge_row: np.ndarray
    components: np.ndarray
    uid: int = 0

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.node_x)

    @property
    def n_edges(self) -> int:
        """Number of edges (road pieces, not arcs)."""
        return len(self.edge_u)

    @cached_property
    def edge_tree(self) -> shapely.STRtree:
        """Spatial index of ``edge_geom`` (built on first use)."""
        return shapely.STRtree(self.edge_geom)

    @cached_property
    def edge_vertices(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Vertices of all edges, for vectorised point-to-edge geometry (built on first use).

        Returns
        -------
        xy, offsets, measure_m
            Vertex coordinates (metres, shape (k, 2)); offsets (``n_edges + 1``): edge
            ``e`` owns vertices ``offsets[e]:offsets[e + 1]``; distance along its edge of
            each vertex (metres), summed segment by segment as GEOS does, so that the
            last vertex's measure equals ``edge_length_m`` exactly.
        """
        xy = shapely.get_coordinates(self.edge_geom)
        offsets = np.zeros(self.n_edges + 1, dtype=np.int64)
        np.cumsum(shapely.get_num_coordinates(self.edge_geom), out=offsets[1:])
        dx, dy = np.diff(xy[:, 0]), np.diff(xy[:, 1])
        seg_len = np.sqrt(dx * dx + dy * dy)  # GEOS's formula: same rounding
        measure = np.zeros(len(xy))
        first, last = offsets[:-1], offsets[1:] - 1
        measure[first + 1] = seg_len[first]  # most edges have one segment: no running sum
        # longer edges: add segment by segment, in order, as GEOS does (numpy's cumsum and
        # pandas' grouped cumsum may round differently); one step per vertex position
        nseg = last - first
        active, j = np.flatnonzero(nseg > 1), 1
        while len(active):
            pos = first[active] + j
            measure[pos + 1] = measure[pos] + seg_len[pos]
            j += 1
            active = active[nseg[active] > j]
        return xy, offsets, measure

    def components_report(self, connection: str = "weak") -> pd.DataFrame:
        """Describe the connected pieces of the network, largest first.

        Parameters
        ----------
        connection
            ``"weak"`` (ignore directions; pieces no route can ever join) or
            ``"strong"`` (mutually reachable; reveals one-way traps for driving).

        Returns
        -------
        pandas.DataFrame
            One row per piece: ``component`` (label), ``n_nodes``, ``n_edges`` and
            ``length_km`` (edges with both ends in the piece), ``share_nodes`` (0–1) and
            ``is_main`` (the largest piece).
        """
        if connection == "weak":
            labels = self.components
        elif connection == "strong":
            labels = connected_components(self.graph, directed=True, connection="strong")[1]
        else:
            raise ValueError(f"connection must be 'weak' or 'strong', got {connection!r}")
        n = int(labels.max()) + 1 if len(labels) else 0
        lu, lv = labels[self.edge_u], labels[self.edge_v]
        inside = lu == lv
        report = pd.DataFrame({
            "component": np.arange(n),
            "n_nodes": np.bincount(labels, minlength=n),
            "n_edges": np.bincount(lu[inside], minlength=n),
            "length_km": np.bincount(lu[inside], self.edge_length_m[inside], minlength=n) / 1e3,
        })
        report["share_nodes"] = report["n_nodes"] / max(len(labels), 1)
        report = report.sort_values(["n_nodes", "length_km"], ascending=False, ignore_index=True)
        report["is_main"] = report.index == 0
        return report


def csr_from_arcs(src: np.ndarray, dst: np.ndarray, cost: np.ndarray, n: int) -> csr_matrix:
    """Build a canonical CSR matrix, keeping the minimum cost of parallel arcs.

    ``scipy.sparse`` sums duplicate entries when converting COO to CSR, which would add up
    the times of parallel streets. The conversion itself (a counting sort in compiled
    code) is kept; when it merged anything, the merged entries are set to the minimum
    cost of their arcs.
    """
    cost = np.asarray(cost, dtype=float)
    graph = coo_matrix((cost, (src, dst)), shape=(n, n)).tocsr()
    if graph.nnz == len(cost):
        return graph  # no parallel arcs: nothing was summed
    ones = coo_matrix((np.ones(len(cost)), (src, dst)), shape=(n, n)).tocsr()
    merged = np.flatnonzero(ones.data > 1)  # same structure as graph: both canonical
    row = np.searchsorted(graph.indptr, merged, side="right") - 1
    merged_key = row.astype(np.int64) * n + graph.indices[merged]  # ascending
    key = np.asarray(src, dtype=np.int64) * n + dst
    at = np.minimum(np.searchsorted(merged_key, key), len(merged_key) - 1)
    hit = merged_key[at] == key
    low = np.full(len(merged), np.inf)
    np.minimum.at(low, at[hit], cost[hit])
    graph.data[merged] = low
    return graph


def _endpoints(geoms: np.ndarray, chunk: int = 250_000) -> tuple[np.ndarray, np.ndarray]:
    """First and last vertex of each line (metres), without creating point objects."""
    start = np.empty((len(geoms), 2))
    end = np.empty((len(geoms), 2))
    for lo in range(0, len(geoms), chunk):  # chunks bound the memory of the vertex array
        part = geoms[lo:lo + chunk]
        coords = shapely.get_coordinates(part)
        last = np.cumsum(shapely.get_num_coordinates(part)) - 1
        end[lo:lo + chunk] = coords[last]
        start[lo:lo + chunk] = coords[np.r_[0, last[:-1] + 1]]
    return start, end


def _nodes_from_endpoints(start: np.ndarray, end: np.ndarray, tol: float):
    """Merge endpoints that round to the same ``tol`` grid cell; return u, v, node xy."""
    xy = np.concatenate([start, end])
    # per-column 1-D arrays: reductions along axis 0 of an (n, 2) array are strided, slow
    cx, cy = (np.rint(xy[:, k] / tol).astype(np.int64) for k in (0, 1))
    lo_x, lo_y = (int(c.min()) if len(c) else 0 for c in (cx, cy))
    span_x, span_y = (int(c.max()) - lo + 1 if len(c) else 1 for c, lo in ((cx, lo_x), (cy, lo_y)))
    if float(span_x) * float(span_y) < 2.0**62:
        codes, _ = pd.factorize((cx - lo_x) * span_y + (cy - lo_y))
    else:  # extent too large for one int64 key
        _, codes = np.unique(np.column_stack([cx, cy]), axis=0, return_inverse=True)
        codes = codes.ravel()
    # factorize numbers nodes in order of first appearance: new codes are running maxima
    running = np.maximum.accumulate(codes) if len(codes) else codes
    first = np.flatnonzero(np.r_[True, running[1:] > running[:-1]]) if len(codes) else codes
    m = len(start)
    return codes[:m], codes[m:], xy[first]


def _nodes_from_uv(u: np.ndarray, v: np.ndarray, geoms: np.ndarray):
    """Osmnx form: factorize node ids, check geometry orientation, node xy = median end."""
    codes, ids = pd.factorize(np.concatenate([u, v]))
    m = len(u)
    cu, cv = codes[:m], codes[m:]
    start, end = _endpoints(geoms)

    def node_xy() -> np.ndarray:
        pts = pd.DataFrame(np.concatenate([start, end]), columns=["x", "y"])
        return pts.groupby(codes, sort=True).median().to_numpy()

    xy = node_xy()
    d_fwd = np.hypot(*(start - xy[cu]).T) + np.hypot(*(end - xy[cv]).T)
    d_rev = np.hypot(*(start - xy[cv]).T) + np.hypot(*(end - xy[cu]).T)
    flip = d_rev + 1e-6 < d_fwd
    if flip.any():
        logger.warning("%d osmnx edge geometries ran v → u; reversed them", int(flip.sum()))
        geoms[flip] = shapely.reverse(geoms[flip])
        start[flip], end[flip] = end[flip].copy(), start[flip].copy()
        xy = node_xy()
    return cu, cv, xy, np.asarray(ids)


def _spatial_order(xy: np.ndarray) -> np.ndarray:
    """Node order along a Z-order (Morton) curve: near in space → near in memory.

    Numbering nodes this way keeps Dijkstra's memory accesses local (2-3x faster on
    large graphs whose node ids, e.g. OSM ids, carry no spatial order).
    """
    if len(xy) < 2:
        return np.arange(len(xy))
    x, y = xy[:, 0], xy[:, 1]
    x0, y0 = x.min(), y.min()
    span = max(float(x.max() - x0), float(y.max() - y0), 1e-9)
    q = (np.column_stack([x - x0, y - y0]) / span * 65535).astype(np.uint64)
    for shift, mask in ((8, 0x00FF00FF), (4, 0x0F0F0F0F), (2, 0x33333333), (1, 0x55555555)):
        q = (q | (q << np.uint64(shift))) & np.uint64(mask)
    return np.argsort(q[:, 0] | (q[:, 1] << np.uint64(1)), kind="stable")


def _merge_twins(u, v, geoms, length, fwd, bwd, cost) -> np.ndarray | None:
    """Merge rows that are the same street (same end nodes and shape, either direction).

    osmnx stores a two-way street as two rows, ``u → v`` and ``v → u``, with the same
    geometry reversed; kept apart, a point snapped to one could not reach a point snapped
    to the other along the street. The first row of each group is kept (modified in
    place), allowing every direction a twin allows at the lowest twin cost. Returns the
    positions to keep, or None when there are no twins.
    """
    n = int(max(u.max(), v.max())) + 1 if len(u) else 0
    pair = np.minimum(u, v) * n + np.maximum(u, v)
    order = np.argsort(pair)
    same_pair = pair[order][1:] == pair[order][:-1]
    cand = np.unique(np.r_[order[1:][same_pair], order[:-1][same_pair]])
    if not len(cand):
        return None
    lines = geoms[cand]
    mid = shapely.get_coordinates(shapely.line_interpolate_point(lines, 0.5, normalized=True))
    mid = np.round(mid, 3)
    key = pd.DataFrame(
        {"p": pair[cand], "l": np.round(length[cand], 3), "x": mid[:, 0], "y": mid[:, 1]}
    )
    group = key.groupby(["p", "l", "x", "y"], sort=False).ngroup().to_numpy()
    first = np.full(group.max() + 1, len(cand))
    np.minimum.at(first, group, np.arange(len(cand)))
    if len(first) == len(cand):
        return None
    rep = cand[first[group]]
    quarter = shapely.line_interpolate_point(lines, 0.25, normalized=True)
    same = (u[cand] == u[rep]) & (v[cand] == v[rep])
    same &= shapely.distance(quarter, quarter[first[group]]) < 1e-3  # loops: which way round
    f = np.bincount(group, weights=np.where(same, fwd[cand], bwd[cand]), minlength=len(first)) > 0
    b = np.bincount(group, weights=np.where(same, bwd[cand], fwd[cand]), minlength=len(first)) > 0
    c = np.full(len(first), np.inf)
    np.minimum.at(c, group, cost[cand])  # twins with per-direction speeds: the lower cost
    heads = cand[first]
    fwd[heads], bwd[heads], cost[heads] = f, b, c
    drop = np.zeros(len(u), dtype=bool)
    drop[cand] = True
    drop[heads] = False
    logger.info("merged %d twin rows (two-way streets stored once per direction)", int(drop.sum()))
    return np.flatnonzero(~drop)


# One function on purpose: it is the network build's hot path, measured in benchmarks/;
# its steps share a dozen edge arrays that would otherwise be passed around or copied.
def build_network(
    roads: gpd.GeoDataFrame,
    profile: TravelProfile,
    speed_col: str | None = None,
    node_tolerance_m: float = 0.01,
    *,
    class_col: str = "highway",
    oneway_col: str = "oneway",
) -> Network:
    """Build a travel-time network from road lines.

    Parameters
    ----------
    roads
        Road lines in a projected CRS in metres, osmnx edge form (``u``/``v``) or plain
        centrelines (see the module docstring). Optional columns: ``highway`` (class),
        ``maxspeed``, ``oneway``.
    profile
        Travel profile; edges of excluded classes are dropped.
    speed_col
        Optional column of speeds (km/h) overriding profile speeds where valid.
    node_tolerance_m
        Plain form only: endpoints are rounded to a grid of this size (metres) to decide
        which lines meet. Endpoints closer than this but in different grid cells stay
        apart, so clean the topology beforehand when in doubt.
    class_col, oneway_col
        Names of the road-class and one-way columns.

    Returns
    -------
    Network
        Arc cost = edge length (metres) / speed (m/s), in seconds; zero-length edges get
        :data:`MIN_EDGE_COST_S`. Self-loops are kept as edges (points may snap to them)
        but add no arc.

    Raises
    ------
    CRSError
        ``roads`` has no CRS, a geographic CRS or a non-metre unit.
    SchemaError
        Non-line geometries, unknown one-way spellings, osmnx ``u`` without ``v``.
    """
    check_projected(roads, "roads")
    if not node_tolerance_m > 0:
        raise ValueError(f"node_tolerance_m must be positive (metres), got {node_tolerance_m!r}")
    names = [n for n in (roads.index.names or []) if n is not None]
    if {"u", "v"} <= set(names) and not {"u", "v"} <= set(roads.columns):
        labels = roads.index  # osmnx graph_to_gdfs MultiIndex (u, v, key): keep as row labels
        roads = roads.reset_index(level=["u", "v"])
        roads.index = labels
    osmnx_form = {"u", "v"} <= set(roads.columns)
    if ("u" in roads.columns) != ("v" in roads.columns):
        raise SchemaError(
            "layer 'roads': expected both 'u' and 'v' columns (osmnx edges) or neither"
        )

    geoms = roads.geometry.to_numpy()
    kind = shapely.get_type_id(geoms)
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    bad = ~empty & ~np.isin(kind, (1, 2, 5))
    if bad.any():
        raise SchemaError(
            f"layer 'roads', column 'geometry': expected LineString or MultiLineString, "
            f"found {', '.join(sorted(set(shapely.get_type_id(geoms[bad]).astype(str))))} "
            "(GEOS type ids) "
            f"on rows {format_rows(roads.index[bad])}"
        )
    if empty.any():
        logger.info("dropping %d roads without geometry", int(empty.sum()))
    classes = road_classes(roads, class_col)
    drop = excluded_edges(roads, profile, class_col, classes=classes)
    keep = np.flatnonzero(~empty & ~drop)
    logger.info("%s: %d of %d road rows usable (%d excluded by class)",
                profile.name, len(keep), len(roads), int((drop & ~empty).sum()))

    speeds = edge_speeds_kmh(roads, profile, speed_col, class_col=class_col,
                             classes=classes)[keep]
    if profile.oneway and oneway_col in roads.columns:
        ow = parse_oneway(roads[oneway_col].iloc[keep])
    else:
        ow = np.zeros(len(keep), dtype=np.int8)
    geoms, kind = geoms[keep], kind[keep]
    rows = roads.index.to_numpy()[keep]

    if osmnx_form:
        multi = kind == 5
        if multi.any():
            geoms[multi] = shapely.line_merge(geoms[multi])
            still = shapely.get_type_id(geoms) == 5
            if still.any():
                raise SchemaError(
                    f"layer 'roads' (osmnx form): edges must be single lines from u to v, found "
                    f"disjoint MultiLineStrings on rows {format_rows(rows[still])}"
                )
        u, v, xy, node_id = _nodes_from_uv(
            roads["u"].to_numpy()[keep], roads["v"].to_numpy()[keep], geoms
        )
    else:
        multi = np.flatnonzero(kind == 5)
        if len(multi):  # explode only the multi-part lines (get_parts copies every geometry)
            parts, part_of = shapely.get_parts(geoms[multi], return_index=True)
            nonempty = ~shapely.is_empty(parts)
            parts, part_of = parts[nonempty], multi[part_of[nonempty]]
            single = np.setdiff1d(np.arange(len(geoms)), multi)
            order = np.argsort(np.r_[single, part_of], kind="stable")  # keep row order
            src = np.r_[single, part_of][order]
            geoms = np.concatenate([geoms[single], parts])[order]
            speeds, ow, rows = speeds[src], ow[src], rows[src]
        start, end = _endpoints(geoms)
        u, v, xy = _nodes_from_endpoints(start, end, node_tolerance_m)
        node_id = np.arange(len(xy))

    order = _spatial_order(xy)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    u, v, xy, node_id = rank[u], rank[v], xy[order], node_id[order]
    n = len(xy)
    length = shapely.length(geoms)
    cost = np.maximum(length / (speeds / 3.6), MIN_EDGE_COST_S)
    fwd, bwd = ow >= 0, ow <= 0
    keep = _merge_twins(u, v, geoms, length, fwd, bwd, cost)
    if keep is not None:
        u, v, geoms, length, fwd, bwd, cost, speeds, rows = (
            arr[keep] for arr in (u, v, geoms, length, fwd, bwd, cost, speeds, rows)
        )
    loop = u == v
    a, b = fwd & ~loop, bwd & ~loop
    src = np.concatenate([u[a], v[b]])
    dst = np.concatenate([v[a], u[b]])
    arc_cost = np.concatenate([cost[a], cost[b]])
    graph = csr_from_arcs(src, dst, arc_cost, n)
    graph_rev = graph.T.tocsr()  # no duplicates left, so nothing is summed
    n_comp, labels = connected_components(graph, directed=True, connection="weak")
    if n_comp > 1:
        logger.info("%s network has %d disconnected pieces; see components_report()",
                    profile.name, n_comp)
    return Network(
        crs=roads.crs, profile=profile, node_x=xy[:, 0].copy(), node_y=xy[:, 1].copy(),
        node_id=node_id, graph=graph, graph_reversed=graph_rev, edge_u=u, edge_v=v,
        edge_fwd=fwd, edge_bwd=bwd, edge_cost_s=cost, edge_length_m=length,
        edge_speed_kmh=speeds, edge_geom=geoms, edge_row=rows,
        components=labels.astype(np.int32), uid=next(_uid),
    )
