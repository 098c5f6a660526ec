"""Surfaces, isochrones, gaps and road pieces agree with the per-origin engine results."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from affine import Affine
from circles_fixtures import CRS, X0, Y0, planner_grid, points_near

from zonekit.analysis.circles.bands import isochrone_bands
from zonekit.analysis.circles.gaps import grid_gaps, origin_gaps
from zonekit.analysis.circles.kinds import circle_network, service_circle
from zonekit.analysis.circles.origins import layer_origins, population_cells
from zonekit.analysis.circles.profile import load_circles_profile
from zonekit.analysis.circles.road_coverage import road_coverage, road_pieces
from zonekit.analysis.circles.travel_grid import grid_minutes
from zonekit.analysis.network.engine import nearest_times
from zonekit.analysis.network.snapping import snap_points
from zonekit.zones.raster import Grid, read_population, write_surfaces

PROFILE = load_circles_profile()
NAMES = PROFILE.names_zh


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    """A 12 × 12 street grid, facilities of two categories and a 50 m population GeoTIFF."""
    _, plain = planner_grid(12, seed=6, island=False)
    x0, y0, x1, y1 = plain.total_bounds
    transform = Affine(50.0, 0, x0 - 200, 0, -50.0, y1 + 200)
    w, h = int((x1 - x0 + 400) / 50), int((y1 - y0 + 400) / 50)
    rng = np.random.default_rng(6)
    persons = np.where(rng.random((h, w)) < 0.6, rng.integers(1, 60, (h, w)), 0).astype("float32")
    path = tmp_path_factory.mktemp("pop") / "population.tif"
    with rasterio.open(path, "w", driver="GTiff", width=w, height=h, count=1, dtype="float32",
                       crs=CRS, transform=transform) as dst:
        dst.write(persons, 1)
    fac = points_near(plain, 8, seed=7, prefix="F")
    fac["category"] = ["pharmacy"] * 4 + ["supermarket"] * 4
    return plain, fac, path


def test_isochrones_and_surface_agree_with_population_origins(town, tmp_path):
    plain, fac, path = town
    grid, persons = read_population(path)
    net = circle_network(plain, "walk")
    origins = population_cells(grid, persons, CRS)
    assert origins.points["weight"].sum() == pytest.approx(persons.sum())
    limits = {"pharmacy": 5.0, "supermarket": 9.0}
    res = service_circle(net, origins, fac, PROFILE.circle("service"), limits, NAMES,
                         id_col="pid")
    sf = snap_points(net, fac)
    cat = pd.Series(pd.Categorical(fac["category"], categories=list(limits)))
    surf = grid_minutes(net, grid, sf, cat, 30.0)
    iso = isochrone_bands(surf, grid, limits, (5.0, 10.0, 15.0), NAMES, CRS,
                          {"population": persons})
    r, c = origins.points["row"].to_numpy(), origins.points["col"].to_numpy()
    for name, lim in limits.items():
        mins = res.origins[f"minutes_{name}"].to_numpy()
        on_grid = surf[name][r, c]
        # the surface (larger search limit) equals the per-origin minutes where covered
        np.testing.assert_allclose(on_grid[~np.isnan(mins)], mins[~np.isnan(mins)], atol=1e-9)
        assert (np.isnan(mins) == ~(on_grid <= lim + 1e-9)).all()
        # an origin lies inside its category's isochrone exactly when it is covered
        bands = iso[(iso["category"] == name) & (iso["minutes"] <= lim)]
        inside = shapely.contains_xy(bands.union_all(), *shapely.get_coordinates(
            origins.points.geometry.to_numpy()).T)
        assert (inside == ~np.isnan(mins)).all() and inside.any() and (~inside).any()
        covered_pop = bands["population"].sum()
        assert covered_pop == pytest.approx(res.coverage.set_index("category").loc[name,
                                                                                  "covered"])
    ph = iso[iso["category"] == "pharmacy"]
    assert ph["minutes"].tolist() == [5.0] and ph["minutes_from"].tolist() == [0.0]
    assert iso.loc[iso["category"] == "supermarket", "minutes"].tolist() == [5.0, 9.0]
    paths = write_surfaces(surf, grid, tmp_path / "surfaces", NAMES)
    with rasterio.open(paths[0]) as src:
        back = src.read(1)
        assert src.crs.to_epsg() == 4548 and src.transform == grid.transform
        assert src.tags()["category"] == "pharmacy" and np.isnan(src.nodata)
    np.testing.assert_allclose(back, surf["pharmacy"].astype("float32"), equal_nan=True)


def test_road_coverage_is_exact_along_edges():
    _, plain = planner_grid(9, seed=8, island=False)
    for mode in ("drive", "walk"):
        net = circle_network(plain, mode)
        fac = snap_points(net, points_near(plain, 3, seed=9, prefix="F"))
        limit = 1.0 if mode == "drive" else 4.0
        iv = road_coverage(net, fac, limit)
        # points exactly on the roads, 15 per edge
        e = np.repeat(np.arange(net.n_edges), 15)
        t = np.tile(np.linspace(0.013, 0.987, 15), net.n_edges)
        on = shapely.line_interpolate_point(net.edge_geom[e], t, normalized=True)
        o = snap_points(net, gpd.GeoDataFrame(geometry=on, crs=CRS))
        same = o.edge == e  # a point on a shared end could snap to the neighbour
        mins = nearest_times(net, o, fac, np.zeros(3, int), limit)["minutes_0"].to_numpy()
        inside = np.zeros(len(e), bool)
        margin = np.zeros(len(e), bool)
        for k in range(len(iv)):  # few intervals: fine in a test
            ed, a, b = iv.iloc[k][["edge", "t0", "t1"]]
            sel = e == int(ed)
            inside[sel] |= (t[sel] >= a) & (t[sel] <= b)
            margin[sel] |= (np.abs(t[sel] - a) < 1e-6) | (np.abs(t[sel] - b) < 1e-6)
        check = same & ~margin
        assert (inside[check] == ~np.isnan(mins[check])).all()
        assert 0.05 < inside.mean() < 0.95
        pieces = road_pieces(net, iv)
        assert pieces["length_m"].sum() == pytest.approx(net.edge_length_m.sum())
        covered_m = ((iv["t1"] - iv["t0"]) * net.edge_length_m[iv["edge"].astype(int)]).sum()
        assert pieces.loc[pieces["covered"], "length_m"].sum() == pytest.approx(covered_m)
        np.testing.assert_allclose(pieces.length, pieces["length_m"], rtol=1e-6, atol=1e-6)
        longer = road_coverage(net, fac, 2 * limit)
        assert ((longer["t1"] - longer["t0"]) * net.edge_length_m[longer["edge"].astype(int)]
                ).sum() >= covered_m


def test_grid_gaps_are_connected_pieces_with_sums():
    grid = Grid(Affine(100.0, 0, X0, 0, -100.0, Y0), 6, 4, gpd.GeoSeries(crs=CRS).crs)
    mask = np.zeros((4, 6), bool)
    mask[0, 0:2] = True  # piece of 2 cells
    mask[2:4, 4] = True  # piece of 2 cells
    mask[3, 0] = True  # single cell; touches nothing
    pop = np.arange(24, dtype=float).reshape(4, 6)
    gaps = grid_gaps({"pharmacy": mask}, grid, NAMES, CRS, {"population": pop})
    assert len(gaps) == 3 and gaps["cells"].sum() == 5
    assert gaps["population"].tolist() == [16 + 22, 18, 0 + 1]  # largest first
    assert gaps["area_km2"].sum() == pytest.approx(0.05)
    assert gaps["gap_id"].tolist() == ["pharmacy-1", "pharmacy-2", "pharmacy-3"]
    assert gaps["name_zh"].iloc[0] == "药店"


def test_origin_gaps_merge_touching_parcels():
    # Cell-aligned since the raster method: a 5 m grid, so the two touching 10 m
    # parcels share connected cells and the third (30 m away) is its own piece.
    squares = gpd.GeoSeries([shapely.box(X0, Y0, X0 + 10, Y0 + 10),
                             shapely.box(X0 + 10, Y0, X0 + 20, Y0 + 10),
                             shapely.box(X0 + 50, Y0, X0 + 60, Y0 + 10)], crs=CRS)
    o = layer_origins(gpd.GeoDataFrame(geometry=squares, crs=CRS))
    grid = Grid(Affine(5.0, 0, X0 - 20, 0, -5.0, Y0 + 30), 20, 10, o.points.crs)
    gaps = origin_gaps(o.points.geometry, {"clinic": np.array([True, True, True])},
                       np.array([1.0, 2.0, 4.0]), NAMES, grid, o.shapes)
    assert sorted(gaps["origins"].tolist()) == [1, 2]
    assert sorted(gaps["weight"].tolist()) == [3.0, 4.0]
    assert gaps["area_km2"].tolist() == pytest.approx([100e-6, 200e-6])  # the parcels' cells
    assert gaps.crs == squares.crs


def test_origin_gaps_extend_the_grid_and_skip_covered_origins():
    pts = gpd.GeoSeries(shapely.points([X0 + 50, X0 + 950, X0 + 960], [Y0 - 50] * 3), crs=CRS)
    grid = Grid(Affine(100.0, 0, X0, 0, -100.0, Y0), 3, 3, pts.crs)  # holds the first only
    unc = {"clinic": np.array([True, True, False]), "pharmacy": np.zeros(3, bool)}
    gaps = origin_gaps(pts, unc, np.array([1.0, 5.0, 7.0]), NAMES, grid)
    assert gaps["category"].tolist() == ["clinic", "clinic"]
    assert gaps["weight"].tolist() == [5.0, 1.0]  # covered origin 3 counts nowhere
    assert gaps["cells"].tolist() == [1, 1]
    assert shapely.contains(gaps.geometry.to_numpy(), pts.to_numpy()[[1, 0]]).all()
