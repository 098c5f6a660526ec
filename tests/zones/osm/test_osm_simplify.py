"""The array simplification (zones/osm/simplify.py) against ``osmnx.simplify_graph``.

Each generated graph is simplified both ways and compared edge for edge: the same
``(u, v, key)``, the same segments merged into each edge (each segment carries its own
index as ``osmid``) and the same node sequence (osmnx's geometry). Graphs: rings, self-loops,
parallel segments, one-way/two-way junctions, duplicated ways, random multigraphs.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zonekit.zones.osm.simplify import simplify_segments


def _osmnx(u: list[int], v: list[int], n: int) -> dict[tuple, tuple]:
    """Return osmnx's simplified edges: (u, v, key) → (merged segment ids, node sequence)."""
    import osmnx as ox

    g = nx.MultiDiGraph(crs="EPSG:4326")
    g.add_nodes_from((i, {"x": float(i), "y": float(i % 7)}) for i in range(n))
    for i, (a, b) in enumerate(zip(u, v, strict=True)):
        g.add_edge(a, b, osmid=i, length=1.0)
    out = {}
    for a, b, k, d in ox.simplify_graph(g).edges(keys=True, data=True):
        ids = d["osmid"] if isinstance(d["osmid"], list) else [d["osmid"]]
        nodes = ([int(x) for x, _ in d["geometry"].coords] if "geometry" in d else [a, b])
        out[a, b, k] = (tuple(sorted(ids)), tuple(nodes))
    return out


def _arrays(u: list[int], v: list[int], n: int) -> dict[tuple, tuple]:
    s = simplify_segments(np.array(u, dtype=np.int64), np.array(v, dtype=np.int64), n)
    out = {}
    for i in range(len(s.u)):
        a, b = s.offsets[i], s.offsets[i + 1]
        key = (int(s.u[i]), int(s.v[i]), int(s.key[i]))
        assert key not in out, f"duplicate edge {key}"
        out[key] = (tuple(sorted(set(s.members[a:b].tolist()))),
                    tuple(s.path[a + i:b + i + 1].tolist()))
    return out


def _same(u: list[int], v: list[int], n: int | None = None) -> None:
    n = n if n is not None else max([*u, *v], default=0) + 1
    assert _arrays(u, v, n) == _osmnx(u, v, n)


def _two_way(chain: list[int]) -> tuple[list[int], list[int]]:
    u, v = chain[:-1], chain[1:]
    return u + v, v + u


@pytest.mark.parametrize("u, v", [
    ([0, 1, 2, 3], [1, 2, 3, 0]),  # isolated one-way ring: removed
    (*_two_way([0, 1, 2, 3, 0]),),  # isolated two-way ring: removed
    ([0, 1, 2, 3, 4], [1, 2, 3, 1, 5]),  # a lollipop: ring closing on a junction
    ([0, 1, 2, 0, 0], [1, 2, 0, 3, 0]),  # self-loop at a junction
    (*_two_way([0, 1, 2, 3]),),  # a two-way street of 4 nodes: one edge each way
    ([0, 1, 2, 2, 3], [1, 2, 3, 3, 4]),  # parallel one-way pieces inside a chain
    ([0, 1, 0, 2], [1, 2, 3, 3]),  # two paths 0 → … → 3 and a direct segment: keys
    ([0, 0, 1, 2, 0], [1, 2, 3, 3, 3]),  # direct segment after the paths
    ([0, 1, 0, 2], [2, 3, 1, 3]),  # two paths 0 → 3: keys in 0's successor order
    ([0, 1, 2, 1, 2, 3], [1, 2, 3, 0, 1, 2]),  # one-way meets two-way
    ([0, 1, 1], [1, 0, 2]),  # a node with an edge back only
    ([0, 1, 2, 1], [1, 0, 1, 2]),  # digitisation quirks: duplicated one-way into two-way
    ([3, 1, 1, 2, 0, 2], [1, 0, 2, 1, 1, 3]),
])
def test_hand_made_graphs_simplify_as_osmnx(u, v):
    _same(u, v)


def test_street_grid_with_one_ways_simplifies_as_osmnx():
    rng = np.random.default_rng(3)
    side, u, v = 9, [], []
    for i in range(side):
        for j in range(side):
            here = i * side + j
            for there in ((i + 1) * side + j if i + 1 < side else None,
                          here + 1 if j + 1 < side else None):
                if there is None or rng.random() < 0.15:
                    continue
                u.append(here), v.append(there)
                if rng.random() < 0.7:
                    u.append(there), v.append(here)
    _same(u, v, side * side)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7)), min_size=1, max_size=24))
def test_random_multigraphs_simplify_as_osmnx(pairs):
    _same([a for a, _ in pairs], [b for _, b in pairs], 8)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.integers(0, 11), min_size=2, max_size=6), min_size=1,
                max_size=8), st.lists(st.booleans(), min_size=8, max_size=8))
def test_random_ways_simplify_as_osmnx(ways, one_way):
    """Ways as osmnx adds them: a way's segments, then (two-way) the same reversed."""
    u, v = [], []
    for w, nodes in enumerate(ways):
        nodes = [a for k, a in enumerate(nodes) if k == 0 or a != nodes[k - 1]]
        a, b = nodes[:-1], nodes[1:]
        u += a + ([] if one_way[w] else b)
        v += b + ([] if one_way[w] else a)
    if u:
        _same(u, v, 12)
