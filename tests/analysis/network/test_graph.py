"""Travel profiles, attribute parsing and network construction."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, MultiLineString, Point

from zonekit.analysis.network.graph import build_network, csr_from_arcs
from zonekit.analysis.network.snapping import snap_points
from zonekit.analysis.network.travel import (
    edge_speeds_kmh,
    excluded_edges,
    load_travel_profile,
    parse_maxspeed,
    parse_oneway,
)
from zonekit.errors import CRSError, ProfileError, SchemaError

CRS = "EPSG:4548"


def gdf(rows: list[dict], crs=CRS) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=crs)


# --- profiles -------------------------------------------------------------------------


def test_packaged_profiles():
    walk, bike, drive = (load_travel_profile(m) for m in ("walk", "bike", "drive"))
    assert walk.default_speed_kmh == 4.5 and not walk.oneway
    assert walk.excluded == {"motorway", "motorway_link"} and "trunk" not in walk.excluded
    assert bike.default_speed_kmh == 15.0 and not bike.oneway and "motorway" in bike.excluded
    assert drive.oneway and drive.use_maxspeed and drive.maxspeed_factor == 1.0
    assert drive.speeds_kmh["primary"] == 50 and drive.speeds_kmh["residential"] == 20
    assert {"footway", "path", "pedestrian", "steps", "cycleway"} <= drive.excluded
    assert drive.access_speed_kmh == 5.0


def test_profile_overrides():
    p = load_travel_profile("drive",
                            overrides={"maxspeed_factor": 0.7, "speeds_kmh": {"primary": 45}})
    assert p.maxspeed_factor == 0.7
    assert p.speeds_kmh["primary"] == 45 and p.speeds_kmh["secondary"] == 40


def test_profile_errors(tmp_path):
    with pytest.raises(ProfileError, match="unknown travel mode 'boat'.*walk"):
        load_travel_profile("boat")
    bad = tmp_path / "bad.yaml"
    bad.write_text("profiles: [walk: {\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="bad.yaml.*not valid YAML"):
        load_travel_profile("walk", bad)
    typo = tmp_path / "typo.yaml"
    typo.write_text(
        "profiles:\n  walk:\n    default_speed_kmh: fast\n    oneway: false\n", encoding="utf-8"
    )
    with pytest.raises(ProfileError, match="typo.yaml.*'default_speed_kmh'.*'fast'"):
        load_travel_profile("walk", typo)
    with pytest.raises(ProfileError, match="'oneway': required"):
        typo.write_text("profiles:\n  walk:\n    default_speed_kmh: 4\n", encoding="utf-8")
        load_travel_profile("walk", typo)
    with pytest.raises(ProfileError, match="unknown key.*speed_kmh"):
        load_travel_profile("walk", overrides={"speed_kmh": 5})


# --- attribute parsing -----------------------------------------------------------------


def test_parse_oneway_spellings():
    values = [
        "yes",
        "no",
        "-1",
        "1",
        "0",
        "true",
        "false",
        "True",
        "False",
        "T",
        "F",
        "FT",
        "TF",
        "B",
        "reverse",
        "单行",
        "双向",
        "正向",
        "反向",
        True,
        False,
        1,
        0,
        -1,
        np.nan,
        None,
        " Yes ",
    ]
    expected = [
        1,
        0,
        -1,
        1,
        0,
        1,
        0,
        1,
        0,
        1,
        0,
        1,
        -1,
        0,
        -1,
        1,
        0,
        1,
        -1,
        1,
        0,
        1,
        0,
        -1,
        0,
        0,
        1,
    ]
    got = parse_oneway(pd.Series(values, dtype=object, name="oneway"))
    assert got.dtype == np.int8
    assert got.tolist() == expected
    assert parse_oneway(pd.Series([True, False, True])).tolist() == [1, 0, 1]
    assert parse_oneway(pd.Series([1.0, np.nan, -1.0])).tolist() == [1, 0, -1]


def test_parse_oneway_unknown_names_values_and_rows():
    s = pd.Series(
        ["yes", "maybe", "no", "maybe", "单程"], index=[10, 11, 12, 13, 14], name="oneway"
    )
    with pytest.raises(SchemaError) as err:
        parse_oneway(s)
    msg = str(err.value)
    assert "column 'oneway'" in msg
    assert "'maybe' (rows 11, 13)" in msg and "'单程' (rows 14)" in msg
    assert "yes" in msg.split("expected")[1]


def test_parse_maxspeed():
    s = pd.Series(
        [
            "50",
            "50 km/h",
            "30 mph",
            "40;60",
            ["60", "40"],
            "none",
            "CN:urban",
            0,
            70,
            None,
            "signals",
            "999",
        ],
        dtype=object,
    )
    got = parse_maxspeed(s)
    np.testing.assert_allclose(got[:5], [50, 50, 30 * 1.609344, 40, 40])
    assert np.isnan(got[[6, 7, 9, 11]]).all()  # unknown code, 0, missing, implausible
    assert np.isinf(got[[5, 10]]).all()  # "none", "signals": no posted limit
    assert got[8] == 70


def test_edge_speeds_precedence():
    roads = pd.DataFrame(
        {
            "highway": [
                "primary",
                "residential",
                "unknown_class",
                ["tertiary", "primary"],
                "primary",
                None,
            ],
            "maxspeed": [None, "60", None, None, "bogus", "30 mph"],
            "design": [np.nan, np.nan, np.nan, 45, np.nan, "x"],
        }
    )
    drive = load_travel_profile("drive")
    np.testing.assert_allclose(edge_speeds_kmh(roads, drive), [50, 60, 20, 30, 50, 30 * 1.609344])
    slow = load_travel_profile("drive", overrides={"maxspeed_factor": 0.5})
    np.testing.assert_allclose(
        edge_speeds_kmh(roads, slow)[:2], [50, 30]
    )  # factor only on maxspeed
    with pytest.raises(SchemaError, match=r"column 'design'.*not a speed.*'x' \(rows 5\)"):
        edge_speeds_kmh(roads, slow, speed_col="design")
    roads.loc[5, "design"] = ""  # blank: the profile's speed
    np.testing.assert_allclose(edge_speeds_kmh(roads, slow, speed_col="design")[3:],
                               [45, 50, 30 * 1.609344 / 2])
    np.testing.assert_allclose(edge_speeds_kmh(roads, load_travel_profile("walk")), 4.5)
    with pytest.raises(SchemaError, match="'nope'.*not found"):
        edge_speeds_kmh(roads, drive, speed_col="nope")


def test_excluded_edges():
    roads = pd.DataFrame(
        {"highway": ["footway", "motorway", "trunk", "['residential', 'footway']", None]}
    )
    assert excluded_edges(roads, load_travel_profile("drive")).tolist() == [
        True,
        False,
        False,
        True,
        False,
    ]
    assert excluded_edges(roads, load_travel_profile("walk")).tolist() == [
        False,
        True,
        False,
        False,
        False,
    ]


# --- network building ------------------------------------------------------------------


def test_csr_keeps_minimum_of_parallel_arcs():
    src, dst = np.array([0, 0, 0, 1, 1]), np.array([1, 1, 1, 0, 2])
    g = csr_from_arcs(src, dst, np.array([5.0, 3.0, 4.0, 7.0, 1.0]), 3)
    assert g[0, 1] == 3.0 and g[1, 0] == 7.0 and g[1, 2] == 1.0 and g.nnz == 3
    assert g.has_canonical_format


@pytest.mark.parametrize("seed", range(5))
def test_csr_random_parallel_arcs_match_groupby_minimum(seed):
    """Many duplicates in random order: every entry is the minimum of its arcs."""
    rng = np.random.default_rng(seed)
    n, m = 30, 400
    src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
    cost = rng.uniform(1, 100, m)
    g = csr_from_arcs(src, dst, cost, n).tocoo()
    want = pd.DataFrame({"s": src, "d": dst, "c": cost}).groupby(["s", "d"])["c"].min()
    got = pd.Series(g.data, index=pd.MultiIndex.from_arrays([g.row, g.col])).sort_index()
    assert len(got) == len(want)
    np.testing.assert_array_equal(got.to_numpy(), want.to_numpy())


def test_crs_checks():
    roads = gdf([{"geometry": LineString([(0, 0), (1, 0)])}], crs=None)
    with pytest.raises(CRSError, match="no CRS"):
        build_network(roads, load_travel_profile("walk"))
    with pytest.raises(CRSError, match="geographic"):
        build_network(roads.set_crs("EPSG:4326"), load_travel_profile("walk"))
    net = build_network(roads.set_crs(CRS), load_travel_profile("walk"))
    pts = gpd.GeoDataFrame(geometry=[Point(0, 0)], crs="EPSG:32650")
    with pytest.raises(CRSError, match="network's CRS"):
        snap_points(net, pts)


def test_non_line_geometry_is_an_error():
    roads = gdf([{"geometry": LineString([(0, 0), (1, 0)])}, {"geometry": Point(0, 0)}])
    with pytest.raises(SchemaError, match="rows 1"):
        build_network(roads, load_travel_profile("walk"))


def test_plain_topology_costs_and_multilines():
    roads = gdf(
        [
            {"highway": "residential", "geometry": LineString([(0, 0), (100, 0)])},
            {
                "highway": "residential",
                "geometry": LineString([(100.004, 0), (100, 100)]),
            },  # within 1 cm
            {
                "highway": "residential",
                "geometry": MultiLineString([[(0, 0), (0, 50)], [(0, 50), (0, 100)]]),
            },
        ]
    )
    net = build_network(roads, load_travel_profile("walk"))
    assert net.n_nodes == 5 and net.n_edges == 4
    assert net.edge_row.tolist() == [0, 1, 2, 2]
    np.testing.assert_allclose(net.edge_cost_s[0], 100 / (4.5 / 3.6))
    assert len(net.components_report()) == 1


def test_parallel_streets_min_not_sum():
    # osmnx form: a two-way street as two directed rows; plain form: two different streets
    osm = gdf(
        [
            {"u": 1, "v": 2, "key": 0, "oneway": False, "geometry": LineString([(0, 0), (100, 0)])},
            {"u": 2, "v": 1, "key": 0, "oneway": False, "geometry": LineString([(100, 0), (0, 0)])},
        ]
    )
    net = build_network(osm, load_travel_profile("walk"))
    c = 100 / (4.5 / 3.6)
    assert net.graph.nnz == 2
    np.testing.assert_allclose([net.graph[0, 1], net.graph[1, 0]], [c, c])
    plain = gdf(
        [
            {"geometry": LineString([(0, 0), (100, 0)])},
            {"geometry": LineString([(0, 0), (50, 50), (100, 0)])},
        ]
    )
    net = build_network(plain, load_travel_profile("walk"))
    np.testing.assert_allclose([net.graph[0, 1], net.graph[1, 0]], [c, c])


def test_oneway_directions_and_walk_ignores_them():
    roads = gdf(
        [
            {"highway": "residential", "oneway": "yes", "geometry": LineString([(0, 0), (100, 0)])},
            {
                "highway": "residential",
                "oneway": "-1",
                "geometry": LineString([(100, 0), (200, 0)]),
            },
            {
                "highway": "residential",
                "oneway": "反向",
                "geometry": LineString([(200, 0), (300, 0)]),
            },
        ]
    )
    drive = build_network(roads, load_travel_profile("drive"))
    assert drive.edge_fwd.tolist() == [True, False, False]
    assert drive.edge_bwd.tolist() == [False, True, True]
    assert drive.graph[0, 1] > 0 and drive.graph[1, 0] == 0 and drive.graph[2, 1] > 0
    np.testing.assert_array_equal(drive.graph_reversed.toarray(), drive.graph.toarray().T)
    walk = build_network(roads, load_travel_profile("walk"))
    assert walk.edge_fwd.all() and walk.edge_bwd.all()
    assert len(drive.components_report("strong")) == 4


def test_footways_excluded_for_drive():
    roads = gdf(
        [
            {"highway": "residential", "geometry": LineString([(0, 0), (100, 0)])},
            {"highway": "footway", "geometry": LineString([(100, 0), (200, 0)])},
            {"highway": "steps", "geometry": LineString([(200, 0), (200, 50)])},
        ]
    )
    assert build_network(roads, load_travel_profile("drive")).n_edges == 1
    assert build_network(roads, load_travel_profile("walk")).n_edges == 3


def test_speed_col_and_maxspeed_in_costs():
    roads = gdf(
        [
            {
                "highway": "primary",
                "maxspeed": "60",
                "design": 36.0,
                "geometry": LineString([(0, 0), (1000, 0)]),
            },
            {
                "highway": "primary",
                "maxspeed": "30 mph",
                "design": None,
                "geometry": LineString([(1000, 0), (2000, 0)]),
            },
        ]
    )
    net = build_network(roads, load_travel_profile("drive"), speed_col="design")
    np.testing.assert_allclose(net.edge_cost_s, [100.0, 1000 / (30 * 1.609344 / 3.6)])


def test_disconnected_pieces_reported():
    roads = gdf(
        [
            {"geometry": LineString([(0, 0), (100, 0)])},
            {"geometry": LineString([(100, 0), (100, 100)])},
            {"geometry": LineString([(5000, 0), (5300, 0)])},
            {"geometry": LineString([(9000, 0), (9000, 10)])},
        ]
    )
    net = build_network(roads, load_travel_profile("walk"))
    rep = net.components_report()
    assert rep["n_nodes"].tolist() == [3, 2, 2]
    np.testing.assert_allclose(rep["length_km"], [0.2, 0.3, 0.01])
    assert rep["is_main"].tolist() == [True, False, False]
    assert len(np.unique(net.components)) == 3


def test_osmnx_multiindex_and_reversed_geometry():
    rows = gdf(
        [
            {
                "u": 10,
                "v": 20,
                "key": 0,
                "oneway": True,
                "geometry": LineString([(0, 0), (100, 0)]),
            },
            {
                "u": 20,
                "v": 30,
                "key": 0,
                "oneway": True,
                "geometry": LineString([(100, 0), (100, 100)]),
            },
            {
                "u": 30,
                "v": 10,
                "key": 0,
                "oneway": True,
                "geometry": LineString([(0, 0), (100, 100)]),
            },  # v→u
            {
                "u": 10,
                "v": 40,
                "key": 0,
                "oneway": True,
                "geometry": LineString([(0, 0), (-100, 0)]),
            },
        ]
    )
    net = build_network(rows.set_index(["u", "v", "key"]), load_travel_profile("drive"))
    at = dict(zip(net.node_id.tolist(), zip(net.node_x, net.node_y, strict=True), strict=True))
    assert at == {10: (0, 0), 20: (100, 0), 30: (100, 100), 40: (-100, 0)}
    start = np.array(net.edge_geom[2].coords[0])
    np.testing.assert_allclose(start, [100, 100])  # reoriented to run u → v
    assert net.edge_row[0] == (10, 20, 0)


def test_twin_rows_merge_into_one_street():
    # osmnx: a two-way street as two rows becomes one edge usable both ways
    osm = gdf(
        [
            {
                "u": 1,
                "v": 2,
                "key": 0,
                "oneway": False,
                "geometry": LineString([(0, 0), (50, 20), (100, 0)]),
            },
            {
                "u": 2,
                "v": 1,
                "key": 0,
                "oneway": False,
                "geometry": LineString([(100, 0), (50, 20), (0, 0)]),
            },
            {
                "u": 2,
                "v": 3,
                "key": 0,
                "oneway": True,
                "geometry": LineString([(100, 0), (200, 0)]),
            },
        ]
    )
    net = build_network(osm, load_travel_profile("drive"))
    assert net.n_edges == 2
    assert net.edge_fwd.tolist() == [True, True] and net.edge_bwd.tolist() == [True, False]
    # plain: the same line digitised twice, one-way in opposite directions → two-way
    plain = gdf(
        [
            {"oneway": "yes", "geometry": LineString([(0, 0), (100, 0)])},
            {"oneway": "yes", "geometry": LineString([(100, 0), (0, 0)])},
        ]
    )
    net = build_network(plain, load_travel_profile("drive"))
    assert net.n_edges == 1 and net.edge_fwd[0] and net.edge_bwd[0]


def test_zero_length_edges_keep_a_tiny_positive_cost():
    osm = gdf(
        [
            {"u": 1, "v": 2, "key": 0, "geometry": LineString([(0, 0), (0, 0)])},
            {"u": 2, "v": 3, "key": 0, "geometry": LineString([(0, 0), (100, 0)])},
        ]
    )
    net = build_network(osm, load_travel_profile("walk"))
    assert net.edge_cost_s[0] > 0 and net.graph.nnz == 4
    from scipy.sparse.csgraph import dijkstra

    d = dijkstra(net.graph, indices=0)
    assert d[1] == pytest.approx(0, abs=1e-8) and d[2] == pytest.approx(100 / (4.5 / 3.6))
