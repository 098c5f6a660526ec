"""The real-network case of the capacity tests and its independent travel times.

The reference times come from a networkx graph of the real Aguascalientes OSM network in
which every snapped point is a node of its own, spliced into its edge (the edge cut at the
points' fractions, in its allowed directions), with the access legs as arcs: Dijkstra there
is independent of zonekit's super-source and batched bounded searches.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest

from zonekit.analysis.circles import kinds as cc
from zonekit.analysis.circles.capacity import Setup, circle_capacity
from zonekit.analysis.circles.origins import layer_origins
from zonekit.analysis.circles.registry import circle_kind

PBF = Path(__file__).resolve().parents[2] / "shared" / "data" / "real" / "osm" / \
    "aguascalientes.osm.pbf"
UTM = "EPSG:32613"
LIMITS = {"school": 1.0, "clinic": 2.0}


def _arc(g: nx.DiGraph, a: object, b: object, s: float) -> None:
    if not g.has_edge(a, b) or g[a][b]["s"] > s:
        g.add_edge(a, b, s=float(s))


def _reference_graph(network, snapped: dict[str, object]) -> nx.DiGraph:
    """The network with each snapped point spliced into its edge as a node of its own."""
    g = nx.DiGraph()
    on_edge: dict[int, list[tuple[float, object]]] = {}
    for name, sp in snapped.items():
        for k in np.flatnonzero(sp.edge >= 0):
            on_edge.setdefault(int(sp.edge[k]), []).append((float(sp.frac[k]), (name, k)))
            # the access leg: origin → road, road → facility
            pair = (((name, k), ("road", name, k)) if name == "O"
                    else (("road", name, k), (name, k)))
            _arc(g, *pair, sp.access_s[k])
    for e in range(network.n_edges):
        u, v, c = int(network.edge_u[e]), int(network.edge_v[e]), network.edge_cost_s[e]
        pts = sorted(on_edge.get(e, []), key=lambda p: p[0])
        chain = [(0.0, u)] + [(f, ("road", *p)) for f, p in pts] + [(1.0, v)]
        for (fa, a), (fb, b) in zip(chain[:-1], chain[1:], strict=True):
            if network.edge_fwd[e]:
                _arc(g, a, b, (fb - fa) * c)
            if network.edge_bwd[e]:
                _arc(g, b, a, (fb - fa) * c)
        for f, p in pts:  # a point exactly on an end node is that node
            if f in (0.0, 1.0):
                end = u if f == 0.0 else v
                _arc(g, end, ("road", *p), 0.0)
                _arc(g, ("road", *p), end, 0.0)
    return g


def build_case():
    """The real-network case: network, circle result, 2SFCA summary and facilities."""
    if not PBF.exists():
        pytest.skip(f"real OSM extract not found at {PBF} (../shared absent)")
    from zonekit.zones.osm import read_osm_roads

    roads = read_osm_roads(PBF, mode="drive").to_crs(UTM)
    network = cc.circle_network(roads, "drive")
    rng = np.random.default_rng(30)
    lines = roads.geometry.to_numpy()
    cx, cy = np.median(roads.geometry.centroid.x), np.median(roads.geometry.centroid.y)
    dist = np.hypot(roads.geometry.centroid.x - cx, roads.geometry.centroid.y - cy).to_numpy()
    near = np.flatnonzero(dist < 700)
    pick = rng.choice(near, 400)
    pts = gpd.GeoSeries(lines[pick], crs=UTM).interpolate(rng.random(400), normalized=True)
    pts = gpd.points_from_xy(pts.x + rng.normal(0, 20, 400), pts.y + rng.normal(0, 20, 400))
    weight = rng.integers(0, 300, 400).astype(float)
    weight[:40] = 0.0  # origins with zero weight
    homes = gpd.GeoDataFrame({"oid": [f"O{i}" for i in range(400)], "w": weight},
                             geometry=pts, crs=UTM)
    far = np.argsort(dist)[-5:]  # roads at the extract's edge
    fpick = np.r_[rng.choice(near, 28), rng.choice(far, 2)]  # the last two: reached by nobody
    fpts = gpd.GeoSeries(lines[fpick], crs=UTM).interpolate(0.5, normalized=True)
    cap = rng.integers(0, 120, 30).astype(float)
    cap[[3, 17]] = 0.0  # facilities with zero capacity
    fac = gpd.GeoDataFrame({"fac_id": [f"F{i}" for i in range(30)],
                            "category": np.where(np.arange(30) % 2, "school", "clinic"),
                            "seats": cap}, geometry=fpts.to_numpy(), crs=UTM)
    origins = layer_origins(homes, "oid", "w")
    spec = circle_kind("service")
    res = cc.service_circle(network, origins, fac, spec, LIMITS, {}, basics=(),
                            id_col="fac_id", report_limit=30.0)
    summary = circle_capacity(network, res, cap[res.facilities.index], Setup(LIMITS), "seats")
    return network, res, summary, fac


def reference_times(network, res) -> pd.DataFrame:
    """Every (origin, facility) pair's minutes within 30 min, by networkx."""
    so, sf = res.snapped["origins"], res.snapped["facilities"]
    rev = _reference_graph(network, {"O": so, "F": sf}).reverse(copy=False)
    rows = []
    for j in np.flatnonzero(sf.edge >= 0):
        found = nx.single_source_dijkstra_path_length(rev, ("F", j), cutoff=30 * 60.0,
                                                      weight="s")
        rows += [(n[1], j, s / 60.0) for n, s in found.items()
                 if isinstance(n, tuple) and n[0] == "O"]
    return pd.DataFrame(rows, columns=["origin", "dest", "cost"])


def sample_charging(folder: Path, **options):
    """The sample park's charging circle, chargers as capacity, a county's norm of 3.

    Everyone on the population grid is counted (``study_area="all"``): with only the people
    inside the zones, no one falls below the norm and nothing would be ranked.
    """
    import zonekit as zk

    options.setdefault("study_area", "all")
    prof = folder / "county.yaml"
    prof.write_text("capacity_norms:\n  charging_station: {per1000: 3, unit: 充电桩, "
                    "clause: 示例县规划}\n", encoding="utf-8")
    return zk.circles("charging", capacity_col="chargers", profile=prof, jobs=1, **options)
