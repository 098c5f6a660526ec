"""OpenStreetMap roads and facilities (zones/osm) and the `zonekit osm` commands.

Offline: the real Aguascalientes extract in ../shared/data/real/osm/ (© OpenStreetMap
contributors, ODbL) when present; small hand-made files otherwise; downloads go through a
replaced osmnx request function, never the network.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from typer.testing import CliRunner

from zonekit.cli.app import app
from zonekit.errors import DataFileError, ZonekitError
from zonekit.zones.osm import (
    OSM_ATTRIBUTION,
    download_facilities,
    download_roads,
    is_osm_file,
    read_osm_facilities,
    read_osm_roads,
)
from zonekit.zones.poi import read_poi_export

REAL = Path(__file__).resolve().parents[4] / "shared" / "data" / "real" / "osm"
BZ2, PBF = REAL / "aguascalientes.osm.bz2", REAL / "aguascalientes.osm.pbf"
UTM = "EPSG:32613"  # Aguascalientes, Mexico
runner = CliRunner()


@pytest.fixture(scope="module")
def real() -> tuple[Path, Path]:
    if not (BZ2.exists() and PBF.exists()):
        pytest.skip(f"real OSM extract not found in {REAL} (../shared absent)")
    return BZ2, PBF


def _osm_xml(path: Path, ways: str) -> Path:
    nodes = "".join(f'<node id="{i}" version="1" lat="{40 + i * 1e-3}" lon="116.8"/>'
                    for i in range(1, 6))
    path.write_text(f'<?xml version="1.0"?><osm version="0.6">{nodes}{ways}</osm>')
    return path


def test_is_osm_file():
    assert all(is_osm_file(p) for p in ("a.osm", "a.osm.gz", "A.OSM.BZ2", "a.osm.pbf"))
    assert not any(is_osm_file(p) for p in ("a.gpkg", "osm.csv", "a.shp"))


def test_bz2_gz_and_pbf_give_identical_networks(real, tmp_path):
    import bz2
    import gzip

    gz = tmp_path / "a.osm.gz"
    gz.write_bytes(gzip.compress(bz2.decompress(real[0].read_bytes())))
    pd.testing.assert_frame_equal(read_osm_roads(gz, mode="drive").drop(columns="geometry"),
                                  read_osm_roads(real[1], mode="drive").drop(columns="geometry"))
    for mode in ("walk", "bike", "drive"):
        a, b = (read_osm_roads(p, mode=mode) for p in real)
        assert len(a) > 1000 and a.crs == "EPSG:4326"
        pd.testing.assert_frame_equal(a.drop(columns="geometry"), b.drop(columns="geometry"))
        assert a.geometry.geom_equals_exact(b.geometry, 0).all()
    drive = read_osm_roads(real[1], mode="drive")
    walk = read_osm_roads(real[1], mode="walk")
    assert drive["oneway"].sum() > 100 and not walk["oneway"].any()  # walk: osmnx bidirectional
    assert not drive["highway"].str.contains("footway|service|pedestrian").any()
    assert list(drive.columns) == ["u", "v", "key", "osmid", "highway", "oneway", "maxspeed",
                                   "name", "length", "geometry"]


def test_ways_cut_at_the_extract_edge_are_kept_and_roundabouts_are_one_way(tmp_path):
    ways = ('<way id="10" version="1"><nd ref="1"/><nd ref="2"/><nd ref="99"/><nd ref="3"/>'
            '<nd ref="4"/><tag k="highway" v="residential"/></way>'
            '<way id="11" version="1"><nd ref="4"/><nd ref="5"/>'
            '<tag k="highway" v="tertiary"/><tag k="junction" v="roundabout"/></way>'
            '<way id="12" version="1"><nd ref="1"/><nd ref="5"/><tag k="highway" v="footway"/>'
            '</way>')
    edges = read_osm_roads(_osm_xml(tmp_path / "cut.osm", ways), mode="drive")
    pairs = set(zip(edges["u"], edges["v"], strict=True))
    # node 99 is missing: way 10 is cut there into 1-2 and 3-4 (both directions)
    assert pairs == {(1, 2), (2, 1), (3, 4), (4, 3), (4, 5)}
    assert edges.loc[edges["u"] == 4, "oneway"].tolist() == [False, True]
    walk = read_osm_roads(tmp_path / "cut.osm", mode="walk")
    # walk: every way two-way, the footway kept; 3-4-5-1-2 simplifies to one street
    assert set(zip(walk["u"], walk["v"], strict=True)) == {(2, 3), (3, 2)}
    assert walk["osmid"].iloc[0] == "[10, 11, 12]" and not walk["oneway"].any()


def test_unreadable_and_empty_osm_files(tmp_path):
    with pytest.raises(DataFileError, match="not found"):
        read_osm_roads(tmp_path / "none.osm.pbf")
    bad = tmp_path / "bad.osm"
    bad.write_text("this is not xml")
    with pytest.raises(DataFileError, match="bad.osm"):
        read_osm_roads(bad)
    with pytest.raises(DataFileError, match="no ways for mode 'drive'"):
        read_osm_roads(_osm_xml(tmp_path / "f.osm", '<way id="1" version="1"><nd ref="1"/>'
                                '<nd ref="2"/><tag k="highway" v="steps"/></way>'))


def _drive_edges(path: Path, monkeypatch) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """Edges in UTM and seconds of osmnx's own graph_from_xml graph, drive ways only."""
    import osmnx as ox

    from zonekit.analysis.network.travel import edge_speeds_kmh, load_travel_profile

    monkeypatch.setattr(ox.settings, "useful_tags_way",
                        [*ox.settings.useful_tags_way, "motor_vehicle", "motorcar"])
    graph = ox.graph_from_xml(path, simplify=False, retain_all=True)
    excluded = ("abandoned|bridleway|bus_guideway|construction|corridor|cycleway|elevator|"
                "escalator|footway|no|path|pedestrian|planned|platform|proposed|raceway|"
                "razed|rest_area|service|services|steps|track").split("|")

    def drivable(d: dict) -> bool:  # osmnx's "drive" network_type, written out
        hw = d.get("highway")
        return (hw is not None and d.get("area") != "yes" and d.get("access") != "private"
                and not any(x in hw for x in excluded)
                and d.get("motor_vehicle") != "no" and d.get("motorcar") != "no"
                and not any(x in d.get("service", "") for x in
                            ("alley", "driveway", "emergency_access", "parking", "private")))

    graph.remove_edges_from([(u, v, k) for u, v, k, d in graph.edges(keys=True, data=True)
                             if not drivable(d)])
    graph.remove_nodes_from([n for n in list(graph) if graph.degree(n) == 0])
    graph = ox.simplify_graph(graph)
    edges = ox.graph_to_gdfs(graph, nodes=False).to_crs(UTM)
    speed = edge_speeds_kmh(edges, load_travel_profile("drive"))
    return edges, edges.geometry.length.to_numpy() / (speed / 3.6)


def _node_digraph(edges: gpd.GeoDataFrame, seconds: np.ndarray) -> nx.DiGraph:
    """Directed graph of the edges' nodes, parallel edges reduced to the quickest."""
    digraph = nx.DiGraph()
    for (u, v, _), s in zip(edges.index, seconds, strict=True):
        if not digraph.has_edge(u, v) or digraph[u][v]["s"] > s:
            digraph.add_edge(u, v, s=s)
    return digraph


def _reference_minutes(path: Path, origins: list[int], targets: list[int], monkeypatch
                       ) -> pd.Series:
    """Minutes by networkx over osmnx's own graph_from_xml graph, drive ways only."""
    digraph = _node_digraph(*_drive_edges(path, monkeypatch))
    # time from each origin to its nearest target = from the targets on the reversed graph
    found = nx.multi_source_dijkstra_path_length(digraph.reverse(), targets, weight="s")
    return pd.Series([found.get(o, np.nan) / 60 for o in origins], index=origins)


def _run_circles(folder: Path, roads: Path, out: Path) -> dict:
    result = runner.invoke(app, [
        "circles", "--data", str(folder), "--roads", str(roads), "--mode", "drive",
        "--facilities", str(folder / "fac.gpkg"), "--facility-id", "facid",
        "--origins", str(folder / "homes.gpkg"), "--origin-id", "oid", "--minutes", "30",
        "--analysis-crs", UTM, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


def test_circle_minutes_equal_networkx_on_osmnx_graph_and_agree_across_formats(
        real, tmp_path, monkeypatch):
    edges = read_osm_roads(real[1], mode="drive")
    xy = pd.DataFrame(shapely.get_coordinates(shapely.get_point(edges.geometry.values, 0)),
                      index=edges["u"], columns=["x", "y"])
    xy = xy[~xy.index.duplicated()].sort_index()
    nodes = gpd.GeoDataFrame(index=xy.index, geometry=gpd.points_from_xy(xy.x, xy.y),
                             crs=4326).to_crs(UTM)  # a planner's layers, in metres
    rng = np.random.default_rng(16)
    targets = sorted(rng.choice(nodes.index, 12, replace=False).tolist())
    origins = sorted(rng.choice(nodes.index, 200, replace=False).tolist())
    folder = tmp_path / "data"
    folder.mkdir()
    gpd.GeoDataFrame({"facid": [f"F{n}" for n in targets]}, geometry=nodes.loc[targets].geometry
                     .values, crs=UTM).to_file(folder / "fac.gpkg")
    gpd.GeoDataFrame({"oid": [f"O{n}" for n in origins]}, geometry=nodes.loc[origins].geometry
                     .values, crs=UTM).to_file(folder / "homes.gpkg")
    runs = [_run_circles(folder, p, tmp_path / p.name) for p in real]
    assert all(s["attribution"] == OSM_ATTRIBUTION for s in runs)
    a, b = (pd.read_csv(tmp_path / p.name / "origins.csv") for p in real)
    pd.testing.assert_series_equal(a["minutes_service"], b["minutes_service"])
    ref = _reference_minutes(real[0], origins, targets, monkeypatch)
    got = a.set_index("origin_id")["minutes_service"]
    got.index = [int(o[1:]) for o in got.index]
    within = ref <= 30
    assert within.sum() > 150 and (a["snap_m"] < 1e-6).all()
    np.testing.assert_allclose(got[ref.index[within]], ref[within], rtol=0, atol=1e-6)
    assert got[ref.index[~within]].isna().all()


def _category_circle(folder: Path, roads: Path, mode: str, out: Path) -> None:
    """Run a service circle on ``folder``'s fac.gpkg (fac_id, category) and homes.gpkg (oid)."""
    run = runner.invoke(app, [
        "circles", "--data", str(folder), "--roads", str(roads), "--mode", mode,
        "--facilities", str(folder / "fac.gpkg"), "--facility-id", "fac_id",
        "--category-col", "category", "--origins", str(folder / "homes.gpkg"),
        "--origin-id", "oid", "--analysis-crs", UTM, "--out", str(out)])
    assert run.exit_code == 0, run.output


def _with_facilities(digraph: nx.DiGraph, edges: gpd.GeoDataFrame, seconds: np.ndarray,
                     fac: gpd.GeoDataFrame, max_snap_m: float, access_kmh: float) -> None:
    """Add each facility to ``digraph`` as node ``("F", i)``, on its nearest edges (brute force).

    A facility whose nearest position lies within ``NODE_TOLERANCE_M`` of an edge's end
    stands on that node; otherwise it is reached along the edge, in its direction only.
    Access legs at ``access_kmh``; facilities beyond ``max_snap_m`` are left out.
    """
    from zonekit.analysis.network.snapping import NODE_TOLERANCE_M

    geoms = edges.geometry.to_numpy()
    length = shapely.length(geoms)
    speed = access_kmh / 3.6
    for i, p in enumerate(fac.geometry.to_numpy()):
        d = shapely.distance(p, geoms)
        if d.min() > max_snap_m:
            continue
        for k in np.flatnonzero(d <= d.min() + 1e-9):  # twins: both directions of a street
            (u, v, _), along = edges.index[k], shapely.line_locate_point(geoms[k], p)
            if min(along, length[k] - along) <= NODE_TOLERANCE_M:
                at_u = along <= length[k] - along
                end = shapely.get_point(geoms[k], 0 if at_u else -1)
                digraph.add_edge(u if at_u else v, ("F", i), s=shapely.distance(p, end) / speed)
            else:
                digraph.add_edge(u, ("P", i, k), s=along / length[k] * seconds[k])
                digraph.add_edge(("P", i, k), ("F", i), s=d[k] / speed)


def test_drive_minutes_from_wgs84_nodes_to_osm_facilities_equal_networkx(
        real, tmp_path, monkeypatch):
    """Origins on every road node in WGS84 leave their node every allowed way (issue #25).

    The nodes are a planner's UTM points exported to WGS84: reprojected, they lie about
    1e-9 m off their nodes, often just inside a one-way edge.
    """
    edges, seconds = _drive_edges(real[0], monkeypatch)
    ends = {}
    for (u, v, _), line in zip(edges.index, edges.geometry.to_numpy(), strict=True):
        ends[u], ends[v] = shapely.get_point(line, 0), shapely.get_point(line, -1)
    ids = sorted(ends)
    folder = tmp_path / "d"
    folder.mkdir()
    gpd.GeoDataFrame({"oid": [f"O{n}" for n in ids]}, geometry=[ends[n] for n in ids],
                     crs=UTM).to_crs(4326).to_file(folder / "homes.gpkg")
    made = runner.invoke(app, ["osm", "facilities", str(real[1]), "--out",
                               str(folder / "fac.gpkg")])
    assert made.exit_code == 0, made.output
    _category_circle(folder, real[1], "drive", tmp_path / "c")
    summary = json.loads((tmp_path / "c" / "summary.json").read_text(encoding="utf-8"))
    got = pd.read_csv(tmp_path / "c" / "origins.csv").set_index("origin_id")
    homes = gpd.read_file(folder / "homes.gpkg").to_crs(UTM)  # what zonekit routes
    fac = gpd.read_file(folder / "fac.gpkg")
    assert fac.crs == "EPSG:4326"
    fac = fac.to_crs(UTM)
    off = shapely.distance(homes.geometry.to_numpy(), np.array([ends[n] for n in ids]))
    assert (off > 0).sum() > 100 and off.max() < 1e-6  # a hair off their nodes
    digraph = _node_digraph(edges, seconds)
    _with_facilities(digraph, edges, seconds, fac, summary["max_snap_m"], 5.0)
    rev = digraph.reverse(copy=False)
    worst = 0.0
    for cat in summary["categories"]:
        src = [("F", i) for i in np.flatnonzero(fac["category"] == cat["id"]) if ("F", i) in rev]
        found = nx.multi_source_dijkstra_path_length(rev, src, weight="s")
        ref = np.array([found.get(n, np.nan) for n in ids]) + off / (5.0 / 3.6)
        ref /= 60.0
        mine = got.loc[[f"O{n}" for n in ids], f"minutes_{cat['id']}"].to_numpy()
        within = ref <= cat["threshold"]
        assert within.sum() > 50
        np.testing.assert_array_equal(np.isnan(mine), ~within)
        worst = max(worst, float(np.abs(mine[within] - ref[within]).max()))
    print(f"largest difference from networkx: {worst:.3g} min")
    assert worst <= 1e-6, worst


def test_osm_facilities_command_and_a_circle_on_them(real, tmp_path):
    out = tmp_path / "fac.gpkg"
    result = runner.invoke(app, ["osm", "facilities", str(real[1]), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert OSM_ATTRIBUTION in result.output and "amenity=college (2)" in result.output
    fac = gpd.read_file(out)
    counts = fac["category"].value_counts().to_dict()
    assert counts == {"school": 15, "kindergarten": 11, "convenience_store": 2,
                      "hairdresser": 2, "supermarket": 1, "fresh_market": 1}
    assert fac["fac_id"].str.match(r"^[nwr]\d+$").all() and fac.crs == "EPSG:4326"
    tags = fac.set_index("fac_id")["osm_tags"].map(json.loads)
    assert all(t.get("amenity") == "kindergarten" for t in
               tags[fac.set_index("fac_id")["category"] == "kindergarten"])
    summary = json.loads((tmp_path / "fac.summary.json").read_text(encoding="utf-8"))
    assert summary["attribution"] == OSM_ATTRIBUTION and summary["unmapped"]["leisure=park"] == 6
    same, _ = read_osm_facilities(real[0])
    assert same["fac_id"].tolist() == sorted(fac["fac_id"])
    # the written layer goes into a circle as it is (projected: the extract is outside China)
    folder = tmp_path / "d"
    folder.mkdir()
    fac.to_crs(UTM).to_file(folder / "fac.gpkg")
    homes = fac.to_crs(UTM).assign(oid=[f"H{i}" for i in range(len(fac))])[["oid", "geometry"]]
    homes.to_file(folder / "homes.gpkg")
    _category_circle(folder, real[1], "walk", tmp_path / "c")
    table = pd.read_csv(tmp_path / "c" / "origins.csv")
    assert table["minutes_supermarket"].notna().sum() > 5  # reached on the walk network


def test_osm_roads_command_writes_what_circles_read_back(real, tmp_path):
    out = tmp_path / "roads.gpkg"
    result = runner.invoke(app, ["osm", "roads", str(real[0]), "--mode", "drive", "--out",
                                 str(out)])
    assert result.exit_code == 0, result.output
    back = gpd.read_file(out)
    mem = read_osm_roads(real[0], mode="drive")
    assert len(back) == len(mem) and back["oneway"].sum() == mem["oneway"].sum()
    assert back["osmid"].str.startswith("[").any()  # merged ways: lists written as text
    summary = json.loads((tmp_path / "roads.summary.json").read_text(encoding="utf-8"))
    assert summary["attribution"] == OSM_ATTRIBUTION and summary["edges"] == len(mem)
    bad = runner.invoke(app, ["osm", "roads", str(real[0]), "--place", "x", "--out", str(out)])
    assert bad.exit_code == 2 and "exactly one of FILE, --place" in bad.output


def _fake_overpass(monkeypatch, answer) -> list:
    from osmnx import _overpass

    calls: list = []

    def fake(data):
        calls.append(data["data"])
        if isinstance(answer, Exception):
            raise answer
        return answer

    monkeypatch.setattr(_overpass, "_overpass_request", fake)
    return calls


def _elements() -> dict:
    nodes = [{"type": "node", "id": i, "lat": 40.0 + i * 1e-3, "lon": 116.8} for i in (1, 2, 3, 4)]
    nodes[0]["tags"] = {"amenity": "pharmacy", "name": "药店"}
    ways = [{"type": "way", "id": 10, "nodes": [1, 2, 3], "tags": {"highway": "residential"}},
            {"type": "way", "id": 11, "nodes": [3, 4],
             "tags": {"highway": "primary", "oneway": "yes", "maxspeed": "50"}}]
    return {"elements": nodes + ways}


def test_downloads_through_osmnx_with_its_request_replaced(monkeypatch, tmp_path):
    import osmnx as ox

    monkeypatch.setattr(ox.settings, "cache_folder", str(tmp_path / "cache"))
    calls = _fake_overpass(monkeypatch, _elements())
    bbox = (116.79, 39.99, 116.81, 40.01)
    roads = download_roads(bbox=bbox, mode="drive")
    assert calls and 'way["highway"]' in calls[0] and "footway" in calls[0]
    assert set(zip(roads["u"], roads["v"], roads["oneway"], strict=True)) == {
        (1, 3, False), (3, 1, False), (3, 4, True)}
    fac, unmapped = download_facilities(bbox=bbox)
    assert fac[["fac_id", "category", "name"]].values.tolist() == [["n1", "pharmacy", "药店"]]
    assert "'amenity'='pharmacy'" in calls[-1] and unmapped == {}
    import requests

    _fake_overpass(monkeypatch, requests.ConnectionError("no route to host"))
    with pytest.raises(DataFileError, match="needs the internet"):
        download_roads(bbox=bbox, mode="walk")
    with pytest.raises(ZonekitError, match="exactly one of place=, polygon= or bbox="):
        download_roads(place="x", bbox=bbox)


def test_download_command_says_how_to_line_up_gcj02(monkeypatch, tmp_path):
    import osmnx as ox

    monkeypatch.setattr(ox.settings, "cache_folder", str(tmp_path / "cache"))
    _fake_overpass(monkeypatch, _elements())
    result = runner.invoke(app, ["osm", "roads", "--bbox", "116.79,39.99,116.81,40.01",
                                 "--mode", "drive", "--out", str(tmp_path / "r.gpkg")])
    assert result.exit_code == 0, result.output
    assert "--coords gcj02" in result.output and OSM_ATTRIBUTION in result.output


def test_amap_and_baidu_exports(tmp_path):
    from zonekit.zones.coords import wgs84_to_bd09, wgs84_to_gcj02

    lon, lat = np.array([116.85, 116.86, 116.87]), np.array([40.37, 40.38, 40.39])
    gx, gy = wgs84_to_gcj02(lon, lat)
    pd.DataFrame({"id": ["B1", "B2", "B3"], "name": ["便利店甲", "幼儿园乙", "餐厅"],
                  "typecode": ["060200", "141204", "050100"],
                  "location": [f"{x},{y}" for x, y in zip(gx, gy, strict=True)]}
                 ).to_csv(tmp_path / "amap.csv", index=False)
    fac, unmapped = read_poi_export(tmp_path / "amap.csv", "amap")
    assert fac["category"].tolist() == ["convenience_store", "kindergarten"]
    assert unmapped == {"typecode=050100": 1}
    np.testing.assert_allclose(shapely.get_coordinates(fac.geometry.values),
                               np.column_stack([lon, lat])[:2], atol=1e-6)
    bx, by = wgs84_to_bd09(lon, lat)
    pd.DataFrame({"uid": ["u1", "u2", "u3"], "name": ["a", "b", "c"],
                  "tag": ["医疗;药店", "教育培训;小学", "美食;中餐厅"], "lng": bx, "lat": by}
                 ).to_csv(tmp_path / "baidu.csv", index=False)
    fac, unmapped = read_poi_export(tmp_path / "baidu.csv", "baidu")
    assert fac["category"].tolist() == ["pharmacy", "primary_school"]
    np.testing.assert_allclose(fac.geometry.x, lon[:2], atol=1e-6)
    pd.DataFrame({"typecode": ["060200"], "name": ["x"]}).to_csv(tmp_path / "n.csv")
    with pytest.raises(ZonekitError, match="no coordinate columns"):
        read_poi_export(tmp_path / "n.csv", "amap")


def test_poi_command_writes_wgs84_facilities(tmp_path):
    """`zonekit poi FILE --source amap|baidu` (zk.poi_facilities): WGS84 points, a summary."""
    from zonekit.zones.coords import wgs84_to_bd09, wgs84_to_gcj02

    lon, lat = np.array([116.85, 116.86, 116.87]), np.array([40.37, 40.38, 40.39])
    gx, gy = wgs84_to_gcj02(lon, lat)
    pd.DataFrame({"id": ["A1", "A2", "A3"], "name": ["便利店", "幼儿园", "餐厅"],
                  "typecode": ["060200", "141204", "050100"], "lng": gx, "lat": gy}
                 ).to_csv(tmp_path / "amap.csv", index=False, encoding="gbk")
    out = tmp_path / "facilities.gpkg"
    result = runner.invoke(app, ["poi", str(tmp_path / "amap.csv"), "--source", "amap",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "2 facilities" in result.output and "typecode=050100 (1)" in result.output
    fac = gpd.read_file(out)
    assert fac.crs.to_epsg() == 4326 and fac["fac_id"].tolist() == ["A1", "A2"]
    assert fac["category"].tolist() == ["convenience_store", "kindergarten"]
    np.testing.assert_allclose(shapely.get_coordinates(fac.geometry.values),
                               np.column_stack([lon, lat])[:2], atol=1e-6)
    summary = json.loads((tmp_path / "facilities.summary.json").read_text(encoding="utf-8"))
    assert summary["command"] == "poi" and summary["converted_from"] == "gcj02"
    assert summary["by_category"] == {"convenience_store": 1, "kindergarten": 1}
    assert summary["unmapped"] == {"typecode=050100": 1}
    bx, by = wgs84_to_bd09(lon, lat)
    pd.DataFrame({"uid": ["u1", "u2", "u3"], "tag": ["医疗;药店", "教育培训;小学", "美食;中餐厅"],
                  "经度": bx, "纬度": by}).to_csv(tmp_path / "baidu.csv", index=False)
    result = runner.invoke(app, ["poi", str(tmp_path / "baidu.csv"), "--source", "baidu",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    np.testing.assert_allclose(gpd.read_file(out).geometry.x, lon[:2], atol=1e-6)
    # bad input: a clear message and exit code 2, never a traceback
    pd.DataFrame({"typecode": ["060200"], "name": ["x"]}).to_csv(tmp_path / "n.csv")
    for args, message in (
            ([str(tmp_path / "amap.csv"), "--source", "google"], "is not one of amap, baidu"),
            ([str(tmp_path / "n.csv"), "--source", "amap"], "no coordinate columns"),
            ([str(tmp_path / "baidu.csv"), "--source", "amap"], "column 'typecode'"),
            ([str(tmp_path / "none.csv"), "--source", "amap"], "file not found")):
        bad = runner.invoke(app, ["poi", *args, "--out", str(tmp_path / "x.gpkg")])
        assert bad.exit_code == 2 and message in bad.output, bad.output
        assert bad.exception is None or isinstance(bad.exception, SystemExit)
    bad = runner.invoke(app, ["poi", str(tmp_path / "amap.csv"), "--source", "amap",
                              "--out", str(tmp_path / "x.csv")])
    assert bad.exit_code == 2 and "GeoPackage" in bad.output


def test_tag_table_override_and_isced_levels(tmp_path):
    ways = ""
    xml = _osm_xml(tmp_path / "p.osm", ways)
    text = xml.read_text().replace(
        '<node id="1" version="1" lat="40.001" lon="116.8"/>',
        '<node id="1" version="1" lat="40.001" lon="116.8"><tag k="amenity" v="school"/>'
        '<tag k="isced:level" v="2;3"/></node>')
    xml.write_text(text)
    fac, _ = read_osm_facilities(xml)
    assert fac["category"].tolist() == ["middle_school"]
    table = tmp_path / "t.yaml"
    table.write_text("rules:\n  - {category: 学校, tags: {amenity: school}}\n")
    fac, _ = read_osm_facilities(xml, tags=table)
    assert fac["category"].tolist() == ["学校"]
    table.write_text("rules:\n  - {category: x}\n")
    with pytest.raises(ZonekitError, match=r"t.yaml, rules\[0\]"):
        read_osm_facilities(xml, tags=table)


def test_osm_roads_through_load_park_are_never_shifted_by_coords(tmp_path):
    from zonekit.api.data import DataOptions, read_park

    ways = ('<way id="10" version="1"><nd ref="1"/><nd ref="2"/><nd ref="3"/>'
            '<tag k="highway" v="residential"/><tag k="maxspeed" v="30"/></way>')
    osm = _osm_xml(tmp_path / "china.osm", ways)
    parks = [read_park(DataOptions(layers={"roads": osm}, coords=coords), layers=("roads",),
                       osm_mode="walk") for coords in (None, "gcj02")]
    a, b = (p.roads for p in parks)
    from zonekit.analysis.network.travel import parse_oneway

    assert len(a) == 2 and a.crs == "EPSG:4548" and not parse_oneway(a["oneway"]).any()
    assert a.geometry.geom_equals_exact(b.geometry, 0).all()


def test_osm_through_the_api(tmp_path: Path) -> None:
    """`zk.osm_roads` / `zk.osm_facilities` read the file; a circle runs on them, attributed."""
    import zonekit as zk

    pbf = PBF
    if not pbf.exists():
        pytest.skip(f"{pbf} absent: the shared OSM extract is needed")
    roads = zk.osm_roads(pbf, mode="walk")
    fac, unmapped = zk.osm_facilities(pbf)
    assert {"u", "v", "highway", "maxspeed"} <= set(roads.columns) and len(fac) and unmapped
    c = zk.circles("service", roads=pbf, facilities=fac, category_col="category",
                   facility_id="fac_id", origins=fac, origin_id="fac_id", mode="walk",
                   minutes=10)
    assert c.summary["attribution"] == "© OpenStreetMap contributors (ODbL)"
    assert c.summary["crs"].startswith("EPSG:326")  # Mexico: UTM, not a Chinese zone
    with pytest.raises(ZonekitError, match="one of"):
        zk.osm_roads(pbf, place="Aguascalientes")


def _broken_extract(path: Path) -> Path:
    """Amenities beside multipolygons libosmium cannot assemble, as at an extract's edge.

    r74727 (a boundary, no shop or amenity tag) and r75 (a school) are rings left open by
    the cut, r76's member way and w30's nodes are missing from the file; w11 and r77 are
    whole.
    """
    coords = {1: (40.000, 116.800), 2: (40.000, 116.810), 3: (40.010, 116.810),
              4: (40.010, 116.800), 5: (40.020, 116.800), 6: (40.020, 116.810),
              7: (40.030, 116.800), 8: (40.030, 116.810)}
    nodes = "".join(f'<node id="{i}" version="1" lat="{y}" lon="{x}"/>'
                    for i, (y, x) in coords.items())
    nodes = nodes.replace('lon="116.8"/>', 'lon="116.8"><tag k="amenity" v="pharmacy"/>'
                          '<tag k="name" v="药店"/></node>', 1)

    def way(wid: int, refs: tuple[int, ...], tags: str = "") -> str:
        return (f'<way id="{wid}" version="1">' + "".join(f'<nd ref="{r}"/>' for r in refs)
                + tags + "</way>")

    def relation(rid: int, ways: tuple[int, ...], tags: str) -> str:
        return (f'<relation id="{rid}" version="1">'
                + "".join(f'<member type="way" ref="{w}" role="outer"/>' for w in ways)
                + tags + "</relation>")

    school = '<tag k="amenity" v="school"/>'
    mp = '<tag k="type" v="multipolygon"/>'
    elements = (
        way(11, (1, 2, 3, 4, 1), '<tag k="amenity" v="kindergarten"/>')
        + way(20, (4, 5, 6)) + way(21, (2, 3)) + way(22, (5, 6, 8, 7, 5))
        + way(30, (91, 92, 93, 91), school)
        + relation(74727, (20, 21), '<tag k="type" v="boundary"/>'
                   '<tag k="boundary" v="administrative"/><tag k="admin_level" v="8"/>')
        + relation(75, (20, 21), mp + school)
        + relation(76, (20, 999), mp + school)
        + relation(77, (22,), mp + '<tag k="shop" v="supermarket"/>'))
    path.write_text(f'<?xml version="1.0"?><osm version="0.6">{nodes}{elements}</osm>',
                    encoding="utf-8")
    return path


def test_a_broken_multipolygon_is_skipped_and_named_the_rest_written(tmp_path):
    osm = _broken_extract(tmp_path / "edge.osm")
    fac, unmapped = read_osm_facilities(osm)
    assert fac[["fac_id", "category"]].values.tolist() == [
        ["n1", "pharmacy"], ["r77", "supermarket"], ["w11", "kindergarten"]]
    np.testing.assert_allclose(fac.geometry.y, [40.0, 40.025, 40.005])
    assert fac.attrs["skipped"] == {
        "r75": "invalid multipolygon (its rings cannot be assembled)",
        "r76": "incomplete multipolygon (member ways missing from the file)",
        "w30": "no node of the way is in the file"}  # r74727 matches nothing: never built
    assert unmapped == {}
    out = tmp_path / "fac.gpkg"
    result = runner.invoke(app, ["osm", "facilities", str(osm), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "3 facilities" in result.output
    assert "r75: invalid multipolygon" in result.output and "r74727" not in result.output
    assert sorted(gpd.read_file(out)["fac_id"]) == ["n1", "r77", "w11"]
    summary = json.loads((tmp_path / "fac.summary.json").read_text(encoding="utf-8"))
    assert summary["facilities"] == 3 and summary["skipped"] == fac.attrs["skipped"]
    # a table whose rules match the boundary: it is the one skipped, the file still read
    table = tmp_path / "t.yaml"
    table.write_text("rules:\n  - {category: town, tags: {boundary: administrative}}\n")
    towns, _ = read_osm_facilities(osm, tags=table)
    assert towns.empty and towns.attrs["skipped"] == {
        "r74727": "invalid multipolygon (its rings cannot be assembled)"}
