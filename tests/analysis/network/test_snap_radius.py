"""Nearest-edge search at growing radii: every point gets GEOS's nearest distance.

The search looks for edges within half the median edge length first and doubles the
radius for the points left over, up to the snap distance; points between roads (a grid's
cells, origins in a field) must get the same nearest distance as shapely's brute force,
the lowest edge index among equally near edges, and no edge beyond the snap distance.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from circles_fixtures import X0, Y0
from shapely.geometry import LineString

from zonekit.analysis.network.graph import build_network
from zonekit.analysis.network.snapping import snap_points
from zonekit.analysis.network.travel import load_travel_profile

GK = "EPSG:4548"


def _short_streets(seed: int) -> gpd.GeoDataFrame:
    """Short pieces (10–30 m) in clusters 200–600 m apart: half the median length is small."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, 3000, (12, 2)) + (X0, Y0)
    lines = []
    for c in centres:
        start = c + rng.uniform(-40, 40, (15, 2))
        end = start + rng.uniform(-30, 30, (15, 2))
        bend = (start + end) / 2 + rng.normal(0, 3, (15, 2))
        lines += [LineString([s, b, e]) for s, b, e in zip(start, bend, end, strict=True)]
    return gpd.GeoDataFrame({"highway": ["residential"] * len(lines)}, geometry=lines, crs=GK)


def test_far_points_get_the_brute_force_nearest_edge():
    roads = _short_streets(3)
    net = build_network(roads, load_travel_profile("walk"))
    rng = np.random.default_rng(4)
    xy = rng.uniform(-300, 3300, (3000, 2)) + (X0, Y0)
    pts = gpd.GeoDataFrame(geometry=shapely.points(xy), crs=GK)
    max_snap = 250.0
    snapped = snap_points(net, pts, max_snap, node_tolerance_m=0.0)

    d_all = shapely.distance(pts.geometry.to_numpy()[:, None], net.edge_geom[None, :])
    best = d_all.min(axis=1)
    within = best <= max_snap
    assert within.sum() > 500 and (~within).sum() > 500  # both kinds of points are tested
    r0 = float(np.median(net.edge_length_m)) / 2
    assert (best[within] > 4 * r0).sum() > 100  # several doublings of the radius are needed
    ok = snapped.edge >= 0
    np.testing.assert_array_equal(ok, within)
    np.testing.assert_allclose(snapped.access_m[ok], best[ok], rtol=0, atol=1e-9)
    lowest = np.argmax(d_all <= best[:, None] + 1e-9, axis=1)  # first edge at the minimum
    np.testing.assert_array_equal(snapped.edge[ok], lowest[ok])
    assert np.isnan(snapped.access_m[~ok]).all()
    np.testing.assert_allclose(snapped.unreachable["nearest_road_m"].to_numpy(),
                               best[~within], rtol=1e-12)
