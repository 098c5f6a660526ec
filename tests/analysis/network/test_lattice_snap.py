"""A grid's centres snapped by index arithmetic equal the same centres snapped as points.

:func:`~zonekit.analysis.network.snapping.snap_lattice` finds the candidate edges of a
grid's cell centres from the edges' boxes (no query square, no point object per cell);
:func:`~zonekit.analysis.network.snapping.snap_points` asks the edge tree. Every field of
the result must be the same array, on random towns with grids whose centres fall exactly
on nodes, on box edges and between roads farther than the snap distance, north-up and
south-up, small and large snap radii.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from affine import Affine
from circles_fixtures import X0, Y0
from hypothesis import given, settings
from hypothesis import strategies as st
from test_snapping import GK, town

from zonekit.analysis.circles.origins import Grid
from zonekit.analysis.circles.travel_grid import grid_lattice
from zonekit.analysis.network import lattice_snap
from zonekit.analysis.network.graph import build_network
from zonekit.analysis.network.snapping import snap_lattice, snap_points
from zonekit.analysis.network.travel import load_travel_profile

FIELDS = ("edge", "frac", "access_m", "access_s", "snap_x", "snap_y")


def _grid(cell: float, width: int, height: int, north_up: bool = True) -> Grid:
    # the origin on a whole metre of the towns' nodes' range: many centres land on the
    # boxes' edges and, with cells of 50 m, on vertices
    if north_up:
        t = Affine(cell, 0, X0 - 100.0, 0, -cell, Y0 + 1600.0)
    else:
        t = Affine(cell, 0, X0 - 100.0, 0, cell, Y0 - 100.0)
    return Grid(t, width, height, GK)


def _assert_same(a, b) -> None:
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert a.index.equals(b.index)
    assert a.unreachable.equals(b.unreachable)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(seed=st.integers(0, 10_000), cell=st.sampled_from([37.0, 50.0, 100.0, 250.0]),
       snap=st.sampled_from([0.0, 20.0, 80.0, 250.0]), north_up=st.booleans())
def test_lattice_equals_points(seed, cell, snap, north_up):
    roads, *_ = town(seed)
    network = build_network(roads, load_travel_profile("walk"))
    side = int(1800 // cell) + 1
    grid = _grid(cell, side, side - 3, north_up)
    lattice = grid_lattice(grid, network.crs)
    x, y = grid.centres()
    pts = gpd.GeoDataFrame(geometry=shapely.points(x, y), crs=GK)
    _assert_same(snap_lattice(network, lattice, snap), snap_points(network, pts, snap))


def test_chunks_split_edges_and_keep_ties_to_the_lowest_edge(monkeypatch):
    """Small chunks: the pairs of one centre fall in several chunks; ties stay put."""
    roads, *_ = town(3)
    # a copy of every road: each centre is equally near an edge and its twin
    twin = gpd.GeoDataFrame(roads.assign(highway="service"), crs=GK)
    doubled = gpd.GeoDataFrame(
        gpd.pd.concat([roads, twin], ignore_index=True), crs=GK)
    network = build_network(doubled, load_travel_profile("walk"))
    grid = _grid(50.0, 37, 33)
    x, y = grid.centres()
    pts = gpd.GeoDataFrame(geometry=shapely.points(x, y), crs=GK)
    want = snap_points(network, pts, 120.0)
    monkeypatch.setattr(lattice_snap, "_PAIRS_PER_CHUNK", 7)
    _assert_same(snap_lattice(network, grid_lattice(grid, network.crs), 120.0), want)


def test_grids_in_another_crs_are_not_lattices():
    grid = _grid(100.0, 4, 4)
    assert grid_lattice(grid, "EPSG:32650") is None
    rotated = Grid(Affine(100.0, 1.0, X0, 0, -100.0, Y0), 4, 4, GK)
    assert grid_lattice(rotated, GK) is None
    lattice = grid_lattice(grid, GK)
    np.testing.assert_array_equal(lattice.coordinates(), np.c_[grid.centres()])


@pytest.mark.parametrize("lo, hi, want", [(-1.0, 0.0, (0, 0)), (0.5, 0.9, (1, 0)),
                                          (0.0, 30.0, (0, 3)), (31.0, 40.0, (4, 3))])
def test_span_of_ascending_and_descending_centres(lo, hi, want):
    lat = lattice_snap.Lattice(xs=np.array([0.0, 10.0, 20.0, 30.0]),
                               ys=np.array([30.0, 20.0, 10.0, 0.0]))
    first, last = lat.span(np.array([lo]), np.array([hi]), axis=0)
    assert (int(first[0]), int(last[0])) == want
    first, last = lat.span(np.array([lo]), np.array([hi]), axis=1)  # north to south
    f_desc, l_desc = 3 - want[1], 3 - want[0]
    assert (int(first[0]), int(last[0])) == (f_desc, l_desc)


def test_centres_just_inside_the_snap_distance_of_a_straight_road_are_snapped():
    """A road along the x axis: its box is the road itself, so the window is exact."""
    from shapely.geometry import LineString

    road = gpd.GeoDataFrame({"highway": ["residential"]},
                            geometry=[LineString([(X0, Y0), (X0 + 1000.0, Y0)])], crs=GK)
    network = build_network(road, load_travel_profile("walk"))
    # rows of centres 19.5 m and 20.5 m north of the road, every 10 m along it
    grid = Grid(Affine(10.0, 0, X0 - 5.0, 0, -1.0, Y0 + 21.0), 101, 2, GK)
    got = snap_lattice(network, grid_lattice(grid, network.crs), 20.0)
    edge, access = got.edge.reshape(2, 101), got.access_m.reshape(2, 101)
    assert (edge[0] == -1).all() and np.isnan(access[0]).all()  # 20.5 m: beyond 20 m
    assert (edge[1] == 0).all()  # 19.5 m: on the road
    np.testing.assert_allclose(access[1], 19.5)
