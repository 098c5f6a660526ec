"""Road speeds: ``maxspeed`` in every OSM/osmnx form, a design-speed column against networkx."""

from __future__ import annotations

import math

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from circles_fixtures import planner_grid

from zonekit.analysis.circles.kinds import circle_network
from zonekit.analysis.network.engine import nearest_times
from zonekit.analysis.network.maxspeed import invalid_maxspeeds, parse_maxspeed
from zonekit.analysis.network.snapping import snap_points

MPH = 1.609344


@pytest.mark.parametrize(("value", "kmh"), [
    (50, 50.0), ("50", 50.0), ("50 mph", 50 * MPH), ("50;30", 30.0),
    ("['50', '30']", 30.0),  # osmnx's list text in a GeoPackage
    (["50", "30"], 30.0), ("none", math.inf), ("walk", 5.0), ("RU:urban", 60.0),
    ("GB:nsl_single", 60 * MPH), ("50;none", 50.0), ("CN:urban", math.nan),
    ("fast", math.nan), ("0", math.nan), ("999", math.nan), (None, math.nan),
])
def test_maxspeed_forms(value, kmh):
    got = parse_maxspeed(pd.Series([value], dtype=object))[0]
    assert got == pytest.approx(kmh, nan_ok=True)


def test_invalid_maxspeeds_are_listed_with_counts():
    s = pd.Series(["50", "CN:urban", "CN:urban", "fast", None, "none"], dtype=object)
    assert invalid_maxspeeds(s) == {"CN:urban": 2, "fast": 1}


def _expected_speed(design: float, maxspeed: object) -> float:
    caps = {"50": 50.0, "['40', '60']": 40.0, "30 mph": 30 * MPH}
    return min(design, caps.get(maxspeed, math.inf))


def test_speed_col_drive_equals_networkx_on_one_way_streets():
    _, roads = planner_grid(10, seed=5, island=False)
    roads = roads[roads["highway"] != "footway"].reset_index(drop=True)
    rng = np.random.default_rng(5)
    roads["design"] = rng.choice([15.0, 25.0, 35.0, 45.0, 60.0], len(roads))
    oneway = roads["oneway"].eq("yes").to_numpy()
    assert oneway.sum() >= 3  # one-way streets, digitised both ways round (planner_grid)
    net = circle_network(roads, "drive", speed_col="design")
    g = nx.DiGraph()
    geoms = roads.geometry.to_numpy()
    for k, geom in enumerate(geoms):
        a, b = (tuple(c) for c in shapely.get_coordinates(geom)[[0, -1]])
        secs = geom.length / (_expected_speed(roads["design"][k], roads["maxspeed"][k]) / 3.6)
        for u, v in ((a, b), (b, a)) if not oneway[k] else ((a, b),):
            if g.has_edge(u, v):
                secs = min(secs, g[u][v]["s"])
            g.add_edge(u, v, s=secs)
    nodes = list(g.nodes)
    pts = gpd.GeoDataFrame(geometry=shapely.points(np.array(nodes)), crs=roads.crs)
    so = snap_points(net, pts, 50.0)
    target = len(nodes) // 2
    sf = snap_points(net, pts.iloc[[target]].reset_index(drop=True), 50.0)
    got = nearest_times(net, so, sf, pd.Series(["x"]), None)["minutes_x"].to_numpy() * 60
    to_target = nx.single_source_dijkstra_path_length(g.reverse(), nodes[target], weight="s")
    want = np.array([to_target.get(n, np.nan) for n in nodes])
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)
    assert np.isfinite(want).sum() > 0.9 * len(nodes)
