"""``roads=`` given as the networkx graph osmnx returns (zones/osm/graph.py).

The graph is osmnx's own, built offline with ``osmnx.graph_from_xml`` from a small street
grid written here (one-way streets, ``oneway=-1``, a primary road with a speed limit):
circle minutes equal networkx shortest paths on it, one-way respected when driving and
ignored when walking.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest

from zonekit.errors import CRSError, SchemaError
from zonekit.zones.osm.graph import is_graph, roads_from_graph

N, STEP = 5, 0.002  # 5 × 5 nodes, ~160 m × 220 m blocks at Monaco (UTM 32N)


def _grid_xml(path: Path) -> Path:
    """Streets on a grid: row 1 one-way east, column 2 one-way south (oneway=-1)."""
    def nid(i: int, j: int) -> int:
        return 1 + i * N + j

    nodes = "".join(f'<node id="{nid(i, j)}" version="1" lat="{43.73 + j * STEP}" '
                    f'lon="{7.42 + i * STEP}"/>' for i in range(N) for j in range(N))
    ways = []
    for j in range(N):  # rows, west → east
        tags = {1: '<tag k="oneway" v="yes"/>',
                3: '<tag k="highway" v="primary"/><tag k="maxspeed" v="50"/>'}.get(j, "")
        if j != 3:
            tags += '<tag k="highway" v="residential"/>'
        ways.append((100 + j, [nid(i, j) for i in range(N)], tags))
    for i in range(N):  # columns, south → north
        tags = '<tag k="highway" v="residential"/>' + (
            '<tag k="oneway" v="-1"/>' if i == 2 else "")
        ways.append((200 + i, [nid(i, j) for j in range(N)], tags))
    text = "".join(f'<way id="{w}" version="1">' + "".join(f'<nd ref="{r}"/>' for r in refs)
                   + tags + "</way>" for w, refs, tags in ways)
    path.write_text(f'<?xml version="1.0"?><osm version="0.6">{nodes}{text}</osm>')
    return path


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> nx.MultiDiGraph:
    import osmnx as ox

    return ox.graph_from_xml(_grid_xml(tmp_path_factory.mktemp("g") / "grid.osm"),
                             retain_all=True)


def _points(graph: nx.MultiDiGraph, ids: list[int], col: str, crs: str) -> gpd.GeoDataFrame:
    import osmnx as ox

    nodes = ox.graph_to_gdfs(graph, edges=False).to_crs(crs)
    return gpd.GeoDataFrame({col: [f"N{n}" for n in ids]}, geometry=nodes.geometry.loc[ids]
                            .values, crs=crs)


def _networkx_minutes(graph: nx.MultiDiGraph, mode: str, crs: str, target: int,
                      directed: bool) -> pd.Series:
    """Minutes from every node to ``target`` by networkx, edge times as the profile gives."""
    import osmnx as ox

    from zonekit.analysis.network.travel import edge_speeds_kmh, load_travel_profile

    edges = ox.graph_to_gdfs(graph, nodes=False).to_crs(crs)
    seconds = edges.geometry.length.to_numpy() / (
        edge_speeds_kmh(edges, load_travel_profile(mode)) / 3.6)
    g = nx.DiGraph() if directed else nx.Graph()
    for (u, v, _), s in zip(edges.index, seconds, strict=True):
        if not g.has_edge(u, v) or g[u][v]["s"] > s:
            g.add_edge(u, v, s=s)
    found = nx.single_source_dijkstra_path_length(g.reverse() if directed else g, target,
                                                  weight="s")
    return pd.Series({n: found[n] / 60 for n in graph.nodes}).sort_index()


def _circle_minutes(graph: nx.Graph, mode: str, target: int, nodes: list[int]
                    ) -> tuple[pd.Series, str]:
    import zonekit as zk

    crs = "EPSG:32632"
    c = zk.circles("charging", roads=graph, facilities=_points(graph, [target], "fid", crs),
                   facility_id="fid", origins=_points(graph, nodes, "oid", crs),
                   origin_id="oid", category_col=None, mode=mode, minutes=60)
    assert c.park.crs == crs and (c.origins["snap_m"] < 1e-6).all()
    got = c.origins.set_index("origin_id")["minutes_charging"]
    got.index = [int(o[1:]) for o in got.index]
    return got.sort_index(), c.park.crs


def test_drive_minutes_on_an_osmnx_graph_equal_networkx_one_way_respected(graph):
    target = 1 + 1 * N + 1  # column 1 on row 1: one-way east, no way back west along it
    got, crs = _circle_minutes(graph, "drive", target, sorted(graph.nodes))
    ref = _networkx_minutes(graph, "drive", crs, target, directed=True)
    np.testing.assert_allclose(got.to_numpy(), ref.loc[got.index].to_numpy(), rtol=0,
                               atol=1e-6)
    two_way = _networkx_minutes(graph, "drive", crs, target, directed=False)
    assert (ref.loc[got.index] > two_way.loc[got.index] + 1e-3).sum() >= 3  # one-way detours


def test_walking_ignores_the_graphs_one_way_flags(graph):
    target = 1 + 1 * N + 1
    got, crs = _circle_minutes(graph, "walk", target, sorted(graph.nodes))
    ref = _networkx_minutes(graph, "walk", crs, target, directed=False)
    np.testing.assert_allclose(got.to_numpy(), ref.loc[got.index].to_numpy(), rtol=0,
                               atol=1e-6)


def test_undirected_graph_is_two_way_and_its_lines_run_u_to_v(graph):
    import osmnx as ox
    import shapely

    undirected = ox.convert.to_undirected(graph)
    roads = roads_from_graph(undirected)
    assert not roads["oneway"].any() and len(roads) == undirected.number_of_edges()
    nodes = ox.graph_to_gdfs(undirected, edges=False)
    start = shapely.get_point(roads.geometry.values, 0)
    assert shapely.equals(start, nodes.geometry.loc[roads["u"]].values).all()
    target = 1 + 3 * N + 2
    got, crs = _circle_minutes(undirected, "drive", target, sorted(undirected.nodes))
    ref = _networkx_minutes(graph, "drive", crs, target, directed=False)
    np.testing.assert_allclose(got.to_numpy(), ref.loc[got.index].to_numpy(), atol=1e-6)


def test_graph_edges_keep_osmnx_one_way_and_reversed(graph):
    import osmnx as ox

    roads = roads_from_graph(graph)
    ref = ox.graph_to_gdfs(graph, nodes=False).sort_index()
    assert list(roads.columns) == ["u", "v", "key", "osmid", "highway", "oneway", "maxspeed",
                                   "name", "length", "reversed", "geometry"]
    assert roads.crs == graph.graph["crs"] and len(roads) == len(ref)
    assert roads["oneway"].tolist() == ref["oneway"].tolist() and roads["oneway"].sum() > 4
    assert roads["reversed"].tolist() == [str(r) if isinstance(r, list) else r
                                          for r in ref["reversed"]]
    assert set(roads.loc[roads["highway"] == "primary", "maxspeed"]) == {"50"}
    assert is_graph(graph) and not is_graph(roads) and not is_graph("roads.gpkg")


def test_graph_without_crs_edges_or_coordinates_is_refused(graph):
    import zonekit as zk

    bare = graph.copy()
    del bare.graph["crs"]
    with pytest.raises(CRSError, match=r"roads=: the MultiDiGraph carries no CRS"):
        zk.circles("charging", roads=bare, facilities=_points(graph, [7], "fid", "EPSG:32632"),
                   facility_id="fid", category_col=None, mode="drive")
    with pytest.raises(SchemaError, match="has no edges"):
        roads_from_graph(nx.MultiDiGraph(crs="EPSG:4326"))
    plain = nx.DiGraph(crs="EPSG:4326")
    plain.add_node(1, x=7.42, y=43.73)
    plain.add_edge(1, 2, highway="residential")
    with pytest.raises(SchemaError, match="'x' and 'y' on every node"):
        roads_from_graph(plain)
    plain.nodes[2].update(x=7.421, y=43.73)
    assert roads_from_graph(plain)[["u", "v", "key", "oneway"]].values.tolist() == [
        [1, 2, 0, False]]
