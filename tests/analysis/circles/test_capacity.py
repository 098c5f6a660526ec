"""2SFCA capacity per 1,000 persons (issue #30) against PySAL ``access`` on networkx times.

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
from zonekit.analysis.circles.capacity import circle_capacity
from zonekit.analysis.circles.origins import layer_origins
from zonekit.analysis.circles.registry import circle_kind

PBF = Path(__file__).resolve().parents[4] / "shared" / "data" / "real" / "osm" / \
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


@pytest.fixture(scope="module")
def case():
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
    summary = circle_capacity(network, res, cap[res.facilities.index], LIMITS, "minutes",
                              "seats")
    return network, res, summary, fac


def _reference_times(network, res) -> pd.DataFrame:
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


def test_2sfca_equals_pysal_access_on_networkx_times(case):
    access = pytest.importorskip("access", reason="pip install access (the test extra)")
    network, res, summary, _ = case
    times = _reference_times(network, res)
    fac, org = res.facilities.reset_index(drop=True), res.origins.reset_index(drop=True)
    demand = pd.DataFrame({"demand": org["weight"].to_numpy()}, index=org.index)
    for cat, limit in LIMITS.items():
        # the circle's minutes are the nearest of these times
        near = times[times["dest"].isin(np.flatnonzero(fac["category"] == cat))]
        best = near.groupby("origin")["cost"].min().reindex(org.index)
        mine = org[f"minutes_{cat}"]
        np.testing.assert_array_equal(mine.isna(), best.isna())
        np.testing.assert_allclose(mine.dropna(), best.dropna(), rtol=1e-9, atol=1e-9)
        sel = fac["category"] == cat
        catch = near[near["cost"] <= limit].merge(demand, left_on="origin", right_index=True)
        catch = catch.groupby("dest")["demand"].sum().reindex(fac.index[sel]).fillna(0.0)
        # access divides by a zero catchment (inf); the R_j is blank there and adds
        # nothing: such facilities are given no supply
        keep = sel & fac.index.isin(catch.index[catch > 0])
        supply = pd.DataFrame({"supply": fac["capacity"].where(keep, 0.0)}, index=fac.index)
        ref = access.fca.two_stage_fca(demand, supply, near, max_cost=limit,
                                       demand_index=True, demand_name="demand",
                                       supply_name="supply", cost_origin="origin",
                                       cost_dest="dest", cost_name="cost")
        ref = ref.reindex(org.index).fillna(0.0)
        np.testing.assert_allclose(org[f"per1000_{cat}"], 1000 * ref, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(fac.loc[sel, "catchment_persons"], catch, rtol=1e-9)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(catch > 0, fac.loc[sel, "capacity"] / catch, np.nan)
        np.testing.assert_allclose(fac.loc[sel, "per1000"], 1000 * ratio, rtol=1e-9)
        assert (org[f"per1000_{cat}"] > 0).sum() > 20
    # the cases the issue names are all present
    assert (fac["capacity"] == 0).sum() == 2 and (org["weight"] == 0).sum() == 40
    assert (fac["catchment_persons"] == 0).sum() >= 2
    assert fac["per1000"].isna().sum() >= 2
    assert summary["categories"]["school"]["facilities"] == 15


def test_capacity_per_1000_sums_to_the_capacity_reached(case):
    """Σ P_i·A_i = Σ S_j over the facilities someone reaches (2SFCA preserves supply)."""
    _, res, _, _ = case
    fac, org = res.facilities, res.origins
    for cat in LIMITS:
        reached = (fac["category"] == cat) & (fac["catchment_persons"] > 0)
        total = float((org["weight"] * org[f"per1000_{cat}"]).sum()) / 1000
        assert total == pytest.approx(float(fac.loc[reached, "capacity"].sum()), rel=1e-9)


@pytest.fixture(scope="module")
def charging(tmp_path_factory):
    """The sample park's charging circle, chargers as capacity, a county's norm of 3."""
    import zonekit as zk

    prof = tmp_path_factory.mktemp("county") / "county.yaml"
    prof.write_text("capacity_norms:\n  charging_station: {per1000: 3, unit: 充电桩, "
                    "clause: 示例县规划}\n", encoding="utf-8")
    return zk.circles("charging", capacity_col="chargers", profile=prof, jobs=1)


def test_sample_charging_capacity_with_a_county_norm(charging):
    """Chargers per 1,000 persons on the sample park; a county's norm flags origins below it."""
    r = charging
    cap = r.summary["capacity"]["categories"]["charging_station"]
    org = r.origins
    below = org["per1000_charging_station"] < 3
    assert org["below_norm_charging_station"].tolist() == below.tolist()
    assert cap["below_norm_weight"] == pytest.approx(float(org.loc[below, "weight"].sum()))
    assert cap["norm"]["clause"] == "示例县规划" and 0 < below.mean() < 1
    row = r.coverage[r.coverage["measure"] == "below_norm"].iloc[0]
    assert row["covered"] == pytest.approx(cap["below_norm_weight"])
    fac = r.facilities
    assert fac["capacity"].sum() == cap["capacity_total"] > 0
    crowded = pd.DataFrame(cap["most_crowded"]).set_index("facility_id")
    mine = fac.set_index("facility_id").loc[crowded.index]
    np.testing.assert_allclose(crowded["per1000"], mine["per1000"])
    assert crowded["per1000"].is_monotonic_increasing  # fewest per 1,000 persons first


def test_capacity_column_checked_before_the_search(tmp_path):
    from zonekit.analysis.circles.capacity import capacities, load_norms
    from zonekit.errors import ProfileError, SchemaError

    fac = pd.DataFrame({"seats": [3, None, -1, "x"]})
    with pytest.raises(SchemaError, match=r"'seats'.*rows 1, 2, 3"):
        capacities(fac, "seats")
    with pytest.raises(SchemaError, match="column not found"):
        capacities(fac, "beds")
    assert load_norms() == {}  # the shipped norms quote no value (see the file)
    bad = tmp_path / "bad.yaml"
    bad.write_text("capacity_norms:\n  kindergarten: {per1000: -2}\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="per1000"):
        load_norms(bad)


def test_capacity_in_worker_processes_is_the_same(case):
    import copy

    network, res, summary, _ = case
    again = copy.copy(res)
    again.origins, again.facilities = res.origins.copy(), res.facilities.copy()
    cap = res.facilities["capacity"].to_numpy()
    assert circle_capacity(network, again, cap, LIMITS, "minutes", "seats", n_jobs=2) == summary
    pd.testing.assert_frame_equal(again.origins, res.origins)
    pd.testing.assert_frame_equal(again.facilities, res.facilities)


def test_report_capacity_section_reads_the_run(charging):
    from types import SimpleNamespace

    from zonekit.maps.report_capacity import capacity_tables

    tables = capacity_tables(SimpleNamespace(circles={"charging": charging.as_run()}))
    per_cat, crowded = tables.values()
    cap = charging.summary["capacity"]["categories"]["charging_station"]
    row = per_cat.iloc[0]
    assert row["类别"] == "充电站" and row["千人指标"] == "3.00 充电桩"
    assert row["低于指标的人口"] == f"{cap['below_norm_weight']:,.0f}"
    assert row["平均千人容量"] == f"{cap['per1000_mean']:,.2f}"
    assert crowded["设施"].tolist() == [r["facility_id"] for r in cap["most_crowded"]]
    assert capacity_tables(SimpleNamespace(circles={})) == {}
