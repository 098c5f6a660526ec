"""``read_osm_roads`` (arrays, zones/osm/ways+simplify+layer) against the osmnx path.

The osmnx path (:func:`zonekit.zones.osm.roads.osm_graph`: osmnx's ``_add_paths``,
``add_edge_lengths`` and ``simplify_graph`` on a networkx graph) is the reference: the same
edges ``(u, v, key)`` in the same order, the same ``osmid``/``highway``/``oneway``/
``reversed``/``maxspeed``/``name`` (lists compared as sets: osmnx lists ``set()`` order,
which for text changes from run to run), ``length`` to the last bit and the same lines.
On the real Aguascalientes extract (skipped when ../shared is absent), a tiled copy of it
(benchmarks/osm_city.py) and a hand-made file of awkward cases.
"""

from __future__ import annotations

import ast
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from zonekit.zones.osm.layer import LIST_TEXT, roads_layer
from zonekit.zones.osm.roads import edges_from_graph, osm_graph, read_osm_roads
from zonekit.zones.osm.simplify import simplify_segments
from zonekit.zones.osm.ways import read_segments

REAL = Path(__file__).resolve().parents[4] / "shared" / "data" / "real" / "osm"
PBF, BZ2 = REAL / "aguascalientes.osm.pbf", REAL / "aguascalientes.osm.bz2"


def _as_sets(value, sep):
    """A list value's text, its items sorted (osmnx's set order is arbitrary)."""
    if not isinstance(value, str):
        return value
    if sep is None:
        return str(sorted(ast.literal_eval(value))) if value.startswith("[") else value
    return sep.join(sorted(value.split(sep)))


def _normal(edges: gpd.GeoDataFrame) -> pd.DataFrame:
    out = edges.drop(columns="geometry").copy()
    for col, sep in LIST_TEXT.items():
        out[col] = out[col].map(lambda v, s=sep: _as_sets(v, s)).astype(object)
    return out


def _assert_same_as_osmnx(path: Path, mode: str) -> gpd.GeoDataFrame:
    seg = read_segments(path, mode)
    got = roads_layer(seg, simplify_segments(seg.u, seg.v, len(seg.node_id)),
                      keep=("reversed",))
    ref = edges_from_graph(osm_graph(path, mode), keep=("reversed",))
    pd.testing.assert_frame_equal(_normal(got), _normal(ref), check_exact=True)
    assert got.geometry.geom_equals_exact(ref.geometry, 0).all()
    fast = read_osm_roads(path, mode)
    pd.testing.assert_frame_equal(fast, got.drop(columns="reversed"))
    return got


@pytest.fixture(scope="module")
def real() -> Path:
    if not PBF.exists():
        pytest.skip(f"real OSM extract not found in {REAL} (../shared absent)")
    return PBF


@pytest.mark.parametrize("mode", ["walk", "bike", "drive"])
def test_real_extract_reads_as_osmnx_simplifies_it(real, mode):
    got = _assert_same_as_osmnx(real, mode)
    merged = got["osmid"].str.startswith("[")
    assert len(got) > 1000 and merged.sum() > 30  # lists really merged and compared
    assert (got["highway"].str.startswith("[") | got["name"].str.contains("; ")).any()


def test_tiled_city_reads_as_osmnx_simplifies_it(real, tmp_path):
    from benchmarks.osm_city import write_tiled_extract

    city = write_tiled_extract(tmp_path / "city.osm.bz2", tiles=2, source=real)
    got = _assert_same_as_osmnx(city, "drive")
    assert got["name"].eq("link").sum() >= 4  # the stitches are streets of the network


CASES = {  # way id: (nodes, tags)
    1: ([1, 2, 3, 4], {"highway": "residential"}),
    2: ([1, 2, 3, 4], {"highway": "residential", "name": "Twin"}),  # a duplicated way
    3: ([4, 5, 6, 7], {"highway": "primary", "oneway": "yes", "maxspeed": "50"}),
    4: ([7, 8, 9, 4], {"highway": "primary", "oneway": "-1", "maxspeed": "40"}),
    5: ([9, 10, 11, 12, 10], {"highway": "tertiary"}),  # a lollipop
    6: ([13, 14, 15, 13], {"highway": "tertiary", "junction": "roundabout"}),  # isolated ring
    7: ([16, 17, 99, 18, 19, 20], {"highway": "residential"}),  # node 99 is missing
    8: ([20, 21, 21, 22, 20], {"highway": "service"}),  # repeated node, closed way
    9: ([22, 23], {"highway": "footway"}),
    10: ([3, 24, 25], {"highway": "secondary", "oneway": "yes"}),
    11: ([25, 26, 3], {"highway": "secondary"}),  # one-way meets two-way
}


def _cases_xml(path: Path) -> Path:
    nodes = "".join(f'<node id="{i}" version="1" lat="{40 + (i % 5) * 1e-3}" '
                    f'lon="{116.8 + i * 1e-3}"/>' for i in range(1, 27))
    ways = "".join(f'<way id="{w}" version="1">' + "".join(f'<nd ref="{r}"/>' for r in refs)
                   + "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items()) + "</way>"
                   for w, (refs, tags) in CASES.items())
    path.write_text(f'<?xml version="1.0"?><osm version="0.6">{nodes}{ways}</osm>')
    return path


@pytest.mark.parametrize("mode", ["walk", "drive"])
def test_awkward_ways_read_as_osmnx_simplifies_them(tmp_path, mode):
    got = _assert_same_as_osmnx(_cases_xml(tmp_path / "cases.osm"), mode)
    assert not got["u"].isin([13, 14, 15]).any()  # the isolated roundabout is removed
    assert (got["key"] > 0).any()  # parallel edges numbered as networkx does
