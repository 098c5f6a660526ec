"""Points on or a hair off a node stand on that node (issue #25 item 1), against networkx.

Origins, facilities and travel-time grid cells are placed on network nodes, moved by 0 to
1e-6 m and passed through another CRS (EPSG:4326 and back to Gauss-Krüger or UTM), as
points given at node coordinates in WGS84 arrive. Their minutes must equal networkx's
between the nodes themselves, plus the straight access legs from the points to their
nodes, to 1e-9 min, on random networks with one-way streets digitised both ways.
"""

from __future__ import annotations

import functools

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from affine import Affine
from circles_fixtures import X0, Y0
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer
from shapely.geometry import LineString

from zonekit.analysis.circles.origins import Grid
from zonekit.analysis.circles.travel_grid import grid_minutes
from zonekit.analysis.network.engine import nearest_times
from zonekit.analysis.network.graph import build_network
from zonekit.analysis.network.snapping import NODE_TOLERANCE_M, snap_points
from zonekit.analysis.network.travel import load_travel_profile

GK, UTM, WGS84 = "EPSG:4548", "EPSG:32650", "EPSG:4326"  # CGCS2000 GK 117E; UTM 50N
TOL_MIN = 1e-9

EXACT = settings(max_examples=30, deadline=None, derandomize=True)


def town(seed: int, n_nodes: int = 30, n_edges: int = 70):
    """Random streets between nodes in EPSG:4548: bent or straight, a third one-way each way.

    Returns the plain layer (``oneway`` ``yes`` digitised along the travel direction,
    ``-1`` against it, ``no``; ``speed_kmh``), its end nodes ``a`` → ``b`` and node xy.
    """
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 1500, (n_nodes, 2)) + (X0, Y0)
    a, b = rng.integers(0, n_nodes, n_edges), rng.integers(0, n_nodes, n_edges)
    a, b = a[a != b], b[a != b]
    _, first = np.unique(np.c_[np.minimum(a, b), np.maximum(a, b)], axis=0, return_index=True)
    a, b = a[np.sort(first)], b[np.sort(first)]
    geoms = [LineString([xy[i], xy[j]]) if rng.random() < 0.5
             else LineString([xy[i], (xy[i] + xy[j]) / 2 + rng.normal(0, 80, 2), xy[j]])
             for i, j in zip(a, b, strict=True)]
    roads = gpd.GeoDataFrame({
        "highway": "residential",
        "oneway": rng.choice(np.array(["yes", "-1", "no"], dtype=object), len(a)),
        "speed_kmh": rng.uniform(15.0, 60.0, len(a)),
    }, geometry=geoms, crs=GK)
    return roads, a, b, xy


def osmnx_form(roads: gpd.GeoDataFrame, a: np.ndarray, b: np.ndarray) -> gpd.GeoDataFrame:
    """Osmnx directed rows: one-way streets once along their travel direction, two-way twice."""
    rows = []
    for r, (i, j) in enumerate(zip(a, b, strict=True)):
        rec = roads.iloc[r]
        ow, line = rec["oneway"], rec.geometry
        base = {"highway": rec["highway"], "speed_kmh": rec["speed_kmh"], "oneway": ow != "no"}
        if ow != "-1":
            rows.append({**base, "u": i, "v": j, "key": 0, "geometry": line})
        if ow != "yes":
            rows.append({**base, "u": j, "v": i, "key": 0, "geometry": line.reverse()})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=roads.crs)


def node_graph(roads: gpd.GeoDataFrame, a, b, mode: str) -> nx.DiGraph:
    """Networkx graph of the nodes: seconds at ``speed_kmh`` (drive, one-way) or 4.5 km/h.

    Lengths are measured in the layer's CRS (UTM's scale differs from GK's by ~4e-4).
    """
    drive = mode == "drive"
    kmh = roads["speed_kmh"].to_numpy() if drive else np.full(len(roads), 4.5)
    cost = roads.length.to_numpy() / (kmh / 3.6)
    g = nx.DiGraph()
    for i, j, ow, c in zip(a, b, roads["oneway"], cost, strict=True):
        for p, q, allowed in ((i, j, ow != "-1"), (j, i, ow != "yes")):
            if (allowed or not drive) and (not g.has_edge(p, q) or g[p][q]["s"] > c):
                g.add_edge(p, q, s=c)
    return g


@functools.cache
def network(seed: int, mode: str, crs: str, form: str):
    """The town as a zonekit network in ``crs``, with its reference graph and node xy."""
    roads, a, b, xy = town(seed)
    layer = osmnx_form(roads, a, b) if form == "osmnx" else roads
    layer = layer.to_crs(crs)
    net = build_network(layer, load_travel_profile(mode),
                        speed_col="speed_kmh" if mode == "drive" else None)
    node_xy = np.c_[Transformer.from_crs(GK, crs, always_xy=True).transform(*xy.T)]
    g = node_graph(roads.to_crs(crs), a, b, mode)
    return net, g, node_xy, np.unique(np.r_[a, b])


def a_hair_off(xy: np.ndarray, crs: str, rng) -> np.ndarray:
    """``xy`` (metres in ``crs``) moved 0–1e-6 m, given in WGS84 and reprojected back."""
    size = rng.choice([0.0, 1e-6, 1e-9], len(xy)) * (rng.random(len(xy)) < 0.3)
    size = np.where(size == 0.0, rng.uniform(0.0, 1e-6, len(xy)), size)
    size[rng.random(len(xy)) < 0.1] = 0.0
    angle = rng.uniform(0.0, 2 * np.pi, len(xy))
    moved = xy + size[:, None] * np.c_[np.cos(angle), np.sin(angle)]
    lon, lat = Transformer.from_crs(crs, WGS84, always_xy=True).transform(*moved.T)
    return np.c_[Transformer.from_crs(WGS84, crs, always_xy=True).transform(lon, lat)]


def reference_minutes(g: nx.DiGraph, o_nodes, o_leg_s, f_nodes, f_leg_s) -> np.ndarray:
    """Minutes from each origin node to the nearest facility node, access legs (s) added."""
    g = g.copy()
    for k, (node, leg) in enumerate(zip(f_nodes, f_leg_s, strict=True)):
        g.add_edge(node, ("F", k), s=leg)
    found = nx.multi_source_dijkstra_path_length(
        g.reverse(copy=False), [("F", k) for k in range(len(f_nodes))], weight="s")
    return (np.array([found.get(n, np.nan) for n in o_nodes]) + o_leg_s) / 60.0


@EXACT
@given(seed=st.integers(0, 5), mode=st.sampled_from(["walk", "drive"]),
       crs=st.sampled_from([GK, UTM]), form=st.sampled_from(["plain", "osmnx"]),
       points=st.integers(0, 2**32 - 1))
def test_points_a_hair_off_nodes_equal_networkx_at_the_nodes(seed, mode, crs, form, points):
    net, g, node_xy, used = network(seed, mode, crs, form)
    rng = np.random.default_rng(points)
    o_nodes = rng.choice(used, 25)
    f_nodes = rng.choice(used, int(rng.integers(1, 5)), replace=False)
    where = {}
    for name, nodes in (("o", o_nodes), ("f", f_nodes)):
        where[name] = a_hair_off(node_xy[nodes], crs, rng)
    o, f = (snap_points(net, gpd.GeoDataFrame(geometry=shapely.points(where[k]), crs=crs))
            for k in ("o", "f"))
    assert (o.frac[o.reachable] % 1 == 0).all() and (f.frac % 1 == 0).all()  # on the nodes
    got = nearest_times(net, o, f, np.zeros(len(f_nodes)), None).iloc[:, 0].to_numpy()
    speed = net.profile.access_speed_kmh / 3.6
    leg = {k: np.hypot(*(where[k] - node_xy[n]).T) / speed
           for k, n in (("o", o_nodes), ("f", f_nodes))}
    ref = reference_minutes(g, o_nodes, leg["o"], f_nodes, leg["f"])
    np.testing.assert_array_equal(np.isnan(got), np.isnan(ref))
    np.testing.assert_allclose(got, ref, rtol=0, atol=TOL_MIN)


@settings(max_examples=8, deadline=None, derandomize=True)
@given(seed=st.integers(0, 5), mode=st.sampled_from(["walk", "drive"]),
       points=st.integers(0, 2**32 - 1))
def test_grid_cells_a_hair_off_nodes_equal_networkx_at_the_nodes(seed, mode, points):
    """A WGS84 grid whose cell centres are (to 1e-6 m) the nodes of a GK street lattice."""
    rng = np.random.default_rng(points)
    n, step = 6, 0.002  # degrees: ~170 m × 220 m cells near Miyun
    grid = Grid(Affine(step, 0.0, 116.83, 0.0, -step, 40.38), n, n, WGS84)
    cx, cy = Transformer.from_crs(WGS84, GK, always_xy=True).transform(*grid.centres())
    centre = np.c_[cx, cy]
    angle = rng.uniform(0.0, 2 * np.pi, n * n)
    node_xy = centre + rng.uniform(0.0, 1e-6, (n * n, 1)) * np.c_[np.cos(angle), np.sin(angle)]
    node = np.arange(n * n).reshape(n, n)
    a = np.r_[node[:, :-1].ravel(), node[:-1, :].ravel()]
    b = np.r_[node[:, 1:].ravel(), node[1:, :].ravel()]
    flip = rng.random(len(a)) < 0.5  # digitised either way
    a, b = np.where(flip, b, a), np.where(flip, a, b)
    roads = gpd.GeoDataFrame({
        "highway": "residential",
        "oneway": rng.choice(np.array(["yes", "-1", "no"], dtype=object), len(a)),
        "speed_kmh": rng.uniform(15.0, 60.0, len(a)),
    }, geometry=shapely.linestrings(np.stack([node_xy[a], node_xy[b]], axis=1)), crs=GK)
    net = build_network(roads, load_travel_profile(mode),
                        speed_col="speed_kmh" if mode == "drive" else None)
    f_nodes = rng.choice(n * n, 3, replace=False)
    f_xy = a_hair_off(node_xy[f_nodes], GK, rng)
    fac = snap_points(net, gpd.GeoDataFrame(geometry=shapely.points(f_xy), crs=GK))
    got = grid_minutes(net, grid, fac, pd.Series(["x"] * 3), 1e6)["x"].ravel()
    speed = net.profile.access_speed_kmh / 3.6
    ref = reference_minutes(node_graph(roads, a, b, mode), np.arange(n * n),
                            np.hypot(*(centre - node_xy).T) / speed, f_nodes,
                            np.hypot(*(f_xy - node_xy[f_nodes]).T) / speed)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(ref))
    np.testing.assert_allclose(got, ref, rtol=0, atol=TOL_MIN)


def test_interior_of_a_one_way_edge_still_leaves_forward_only():
    """2 mm past the start of a one-way street is on the street, not at its start node."""
    line = LineString([(X0, Y0), (X0 + 100, Y0)])
    back = LineString([(X0 + 100, Y0), (X0 + 100, Y0 + 100), (X0, Y0 + 100), (X0, Y0)])
    roads = gpd.GeoDataFrame({"highway": "residential", "oneway": ["yes", "no"],
                              "speed_kmh": 36.0}, geometry=[line, back], crs=GK)
    net = build_network(roads, load_travel_profile("drive"), speed_col="speed_kmh")
    near, inside = 0.5 * NODE_TOLERANCE_M, 2 * NODE_TOLERANCE_M
    o = snap_points(net, gpd.GeoDataFrame(
        geometry=shapely.points([(X0 + near, Y0), (X0 + inside, Y0)]), crs=GK))
    assert o.frac[0] == 0.0 and 0.0 < o.frac[1] < 1e-4
    f = snap_points(net, gpd.GeoDataFrame(geometry=shapely.points([(X0, Y0 + 50)]), crs=GK))
    minutes = nearest_times(net, o, f, ["x"], None).iloc[:, 0].to_numpy() * 60
    assert abs(minutes[0] - (50 / 10.0 + near / (5 / 3.6))) < 1e-9  # from the node, north
    assert abs(minutes[1] - ((100 - inside) + 300 - 50) / 10.0) < 1e-9  # forward, round
