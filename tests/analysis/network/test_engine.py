"""Snapping and nearest-facility times, checked against a networkx reference."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, Point

from zonekit.analysis.network import engine
from zonekit.analysis.network.engine import nearest_times, node_times
from zonekit.analysis.network.graph import build_network
from zonekit.analysis.network.snapping import point_edge_distance, snap_points
from zonekit.analysis.network.travel import load_travel_profile
from zonekit.errors import SchemaError, ZonekitError

CRS = "EPSG:4548"
CLASS_KMH = {"primary": 50.0, "secondary": 40.0, "residential": 20.0, "service": 15.0}
ONEWAY = {
    "yes": (True, False),
    "单行": (True, False),
    "-1": (False, True),
    "反向": (False, True),
    "no": (True, True),
    "双向": (True, True),
    None: (True, True),
}


def directions(value) -> tuple[bool, bool]:
    """Return (a → b allowed, b → a allowed) for a generated one-way value (None may be NaN)."""
    return ONEWAY[value if isinstance(value, str) else None]


def random_roads(seed: int, n_nodes: int = 40, n_edges: int = 110):
    """Plain centrelines between random nodes, with one-way, parallel and loop edges.

    Returns the roads and, per row, the generator's end nodes ``a`` → ``b``.
    """
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 2000, (n_nodes, 2))
    a = rng.integers(0, n_nodes, n_edges)
    b = rng.integers(0, n_nodes, n_edges)
    a, b = a[a != b], b[a != b]
    _, first = np.unique(np.c_[np.minimum(a, b), np.maximum(a, b)], axis=0, return_index=True)
    a, b = a[np.sort(first)], b[np.sort(first)]  # identical straight streets would be twins
    dup = rng.choice(len(a), 15, replace=False)  # parallel streets, some digitised backwards
    swap = rng.random(15) < 0.5
    a, b = np.r_[a, np.where(swap, b[dup], a[dup])], np.r_[b, np.where(swap, a[dup], b[dup])]
    geoms = []
    for k, (i, j) in enumerate(zip(a, b, strict=True)):
        p, q = xy[i], xy[j]
        if rng.random() < 0.5 and k < len(a) - 15:  # duplicates are bent: distinct streets
            geoms.append(LineString([p, q]))
        else:
            geoms.append(LineString([p, (p + q) / 2 + rng.normal(0, 120, 2), q]))
    loops = rng.choice(n_nodes, 2, replace=False)  # self-loops (cul-de-sac rings)
    for k in loops:
        p = xy[k]
        geoms.append(LineString([p, p + (60, 0), p + (60, 60), p]))
    a, b = np.r_[a, loops], np.r_[b, loops]
    n = len(geoms)
    roads = gpd.GeoDataFrame(
        {
            "highway": rng.choice(list(CLASS_KMH), n),
            "oneway": rng.choice(np.array(list(ONEWAY), dtype=object), n),
            "maxspeed": rng.choice(np.array([None, "30", "60 km/h"], dtype=object), n),
        },
        geometry=geoms,
        crs=CRS,
    )
    return roads, a, b, xy


def random_points(roads: gpd.GeoDataFrame, xy: np.ndarray, n: int, rng) -> gpd.GeoDataFrame:
    """Points near random roads, some exactly on nodes, some off the network."""
    rows = rng.integers(0, len(roads), n)
    frac = rng.random(n)
    frac[rng.random(n) < 0.1] = 0.0
    pts = shapely.line_interpolate_point(roads.geometry.to_numpy()[rows], frac, normalized=True)
    pts = shapely.points(shapely.get_coordinates(pts) + rng.normal(0, 8, (n, 2)))
    pts[: max(1, n // 20)] = shapely.points(xy[: max(1, n // 20)])
    pts[-1] = Point(9000, 9000)  # far away
    return gpd.GeoDataFrame(geometry=pts, crs=CRS, index=pd.RangeIndex(100, 100 + n))


def reference_times(roads, a, b, net, origins, facilities, cats, mode) -> pd.DataFrame:
    """Networkx multi-source Dijkstra with snapped points inserted as nodes."""
    speed = roads["maxspeed"].map(lambda s: float(s.split()[0]) if isinstance(s, str) else np.nan)
    if mode == "drive":
        kmh = speed.fillna(roads["highway"].map(CLASS_KMH)).to_numpy(float)
        dirs = [directions(o) for o in roads["oneway"]]
    else:
        kmh = np.full(len(roads), 4.5)
        dirs = [(True, True)] * len(roads)
    cost = roads.length.to_numpy() / (kmh / 3.6)
    g = nx.DiGraph()

    def add(p, q, w):
        if not g.has_edge(p, q) or g[p][q]["weight"] > w:
            g.add_edge(p, q, weight=w)

    on_edge: dict[int, list] = {}
    for kind, snap in (("o", origins), ("f", facilities)):
        for i in np.flatnonzero(snap.reachable):
            on_edge.setdefault(snap.edge[i], []).append((snap.frac[i], (kind, i)))
            access = snap.access_s[i]
            if kind == "o":
                add(("O", i), (kind, i), access)
            else:
                add((kind, i), ("F", i), access)
    for e in range(net.n_edges):
        row = net.edge_row[e]
        fwd, bwd = dirs[row]
        pts = sorted(on_edge.get(e, []))
        chain = [("n", a[row])] + [p for _, p in pts] + [("n", b[row])]
        fr = [0.0] + [f for f, _ in pts] + [1.0]
        for k in range(len(chain) - 1):
            w = (fr[k + 1] - fr[k]) * cost[row]
            if w == 0.0:  # points at the same place on the road reach each other
                add(chain[k], chain[k + 1], 0.0)
                add(chain[k + 1], chain[k], 0.0)
            if fwd:
                add(chain[k], chain[k + 1], w)
            if bwd:
                add(chain[k + 1], chain[k], w)
        for f, p in pts:  # a point exactly at an end node stands on that node
            for end, at in ((a[row], 0.0), (b[row], 1.0)):
                if f == at:
                    add(("n", end), p, 0.0)
                    add(p, ("n", end), 0.0)
    rev = g.reverse(copy=False)
    out = {}
    for c in sorted(set(cats)):
        src = [("F", i) for i in np.flatnonzero((np.asarray(cats) == c) & facilities.reachable)]
        dist = nx.multi_source_dijkstra_path_length(rev, src) if src else {}
        out[f"minutes_{c}"] = [dist.get(("O", i), np.nan) / 60.0 for i in range(len(origins))]
    return pd.DataFrame(out, index=origins.index)


def to_osmnx_form(roads: gpd.GeoDataFrame, a, b) -> gpd.GeoDataFrame:
    """Convert to osmnx directed edges: two-way streets as two rows."""
    rows = []
    for r, (i, j) in enumerate(zip(a, b, strict=True)):
        rec = roads.iloc[r]
        fwd, bwd = directions(rec["oneway"])
        geom = rec.geometry
        base = {"highway": rec["highway"], "maxspeed": rec["maxspeed"], "oneway": not (fwd and bwd)}
        if fwd:
            rows.append({**base, "u": i, "v": j, "key": r, "reversed": False, "geometry": geom})
        if bwd:
            rows.append(
                {**base, "u": j, "v": i, "key": r, "reversed": fwd, "geometry": geom.reverse()}
            )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)


def setup(seed: int, mode: str):
    rng = np.random.default_rng(1000 + seed)
    roads, a, b, xy = random_roads(seed)
    net = build_network(roads, load_travel_profile(mode))
    opts = random_points(roads, xy, 70, rng)
    fpts = random_points(roads, xy, 30, rng)
    # some origins on the same edges as facilities, before and after them
    same = shapely.line_interpolate_point(
        roads.geometry.to_numpy()[rng.integers(0, len(roads), 10)], rng.random(10), normalized=True
    )
    opts.geometry.values[5:15] = fpts.geometry.values[5:15]
    opts.geometry.values[15:25] = same
    cats = rng.choice(np.array(["clinic", "school", "shop"], dtype=object), len(fpts))
    return roads, a, b, xy, net, opts, fpts, cats


@pytest.mark.parametrize("mode", ["drive", "walk"])
@pytest.mark.parametrize("seed", range(5))
def test_matches_networkx_reference(seed, mode):
    roads, a, b, xy, net, opts, fpts, cats = setup(seed, mode)
    origins = snap_points(net, opts, max_snap_m=300)
    facilities = snap_points(net, fpts, max_snap_m=300)
    got = nearest_times(net, origins, facilities, cats, None)
    ref = reference_times(roads, a, b, net, origins, facilities, cats, mode)
    pd.testing.assert_index_equal(got.columns, ref.columns)
    assert got.notna().to_numpy().sum() > 100
    np.testing.assert_array_equal(got.isna(), ref.isna())
    np.testing.assert_allclose(got.to_numpy() * 60, ref.to_numpy() * 60, atol=1e-6, rtol=0)
    # the same search with a limit: NaN exactly where the reference is above it
    limit = float(np.nanmedian(ref.to_numpy()))
    lim = nearest_times(net, origins, facilities, cats, limit)
    r = ref.to_numpy()
    inside, outside = r <= limit, ~(r <= limit + 1e-9)
    np.testing.assert_allclose(lim.to_numpy()[inside], r[inside], atol=1e-8)
    assert np.isnan(lim.to_numpy()[outside]).all()


@pytest.mark.parametrize("seed", range(3))
def test_snapping_matches_brute_force(seed):
    roads, a, b, xy, net, opts, fpts, cats = setup(seed, "drive")
    snap = snap_points(net, opts, max_snap_m=300)
    d = shapely.distance(opts.geometry.to_numpy()[:, None], net.edge_geom[None, :])
    best = d.min(axis=1)
    ok = best <= 300
    np.testing.assert_array_equal(snap.reachable, ok)
    np.testing.assert_allclose(snap.access_m[ok], best[ok], atol=1e-9)
    chosen = d[np.flatnonzero(ok), snap.edge[ok]]
    np.testing.assert_allclose(chosen, best[ok], atol=1e-9)
    snapped = shapely.points(np.c_[snap.snap_x, snap.snap_y])[ok]
    np.testing.assert_allclose(
        shapely.distance(opts.geometry.to_numpy()[ok], snapped), best[ok], atol=1e-6
    )
    np.testing.assert_allclose(snap.access_s[ok], snap.access_m[ok] / (5.0 / 3.6))
    assert snap.unreachable.index.tolist() == opts.index[~ok].tolist()


@pytest.mark.parametrize("seed", range(3))
def test_vectorised_point_edge_geometry_matches_geos(seed):
    """Distances, fractions and positions agree with shapely/GEOS on wiggly lines."""
    rng = np.random.default_rng(seed)
    lines = []
    for k in range(60):
        n = int(rng.integers(2, 7))
        pts = np.cumsum(rng.normal(0, 30, (n, 2)), axis=0) + rng.uniform(0, 500, 2)
        if k % 10 == 0:
            pts[1:] = pts[0]  # zero-length edge
        elif k % 7 == 0:
            pts[2:3] = pts[1:2] if n > 2 else pts[2:3]  # a repeated vertex
        lines.append(LineString(pts))
    roads = gpd.GeoDataFrame(geometry=lines, crs=CRS)
    net = build_network(roads, load_travel_profile("walk"))
    vxy, offsets, measure = net.edge_vertices
    np.testing.assert_array_equal(measure[offsets[1:] - 1], net.edge_length_m)
    m = 2_000
    e = rng.integers(0, net.n_edges, m)
    xy = rng.uniform(-100, 600, (m, 2))
    n_verts = offsets[e + 1] - offsets[e]
    vertex = offsets[e] + (rng.random(m) * n_verts).astype(int)
    xy[:300] = vxy[vertex[:300]]  # points on their edge's vertices, ends included
    pts = shapely.points(xy)
    dist, frac, nx_, ny_ = point_edge_distance(net, xy[:, 0], xy[:, 1], e, locate=True)
    lines_e = net.edge_geom[e]
    np.testing.assert_allclose(dist, shapely.distance(pts, lines_e), rtol=0, atol=1e-9)
    want = np.nan_to_num(shapely.line_locate_point(lines_e, pts, normalized=True), nan=0.0)
    np.testing.assert_allclose(frac, want, rtol=0, atol=1e-12)
    on_end = (xy[:, 0] == nx_) & (xy[:, 1] == ny_)
    assert on_end[:300].all()  # a point on a vertex is its own nearest position
    near = shapely.line_interpolate_point(lines_e, want, normalized=True)
    np.testing.assert_allclose(np.c_[nx_, ny_], shapely.get_coordinates(near), atol=1e-6)
    real = net.edge_length_m[e] > 0
    at_u = (vertex == offsets[e]) & (np.arange(m) < 300) & real
    at_v = (vertex == offsets[e + 1] - 1) & (np.arange(m) < 300) & real
    assert at_u.any() and at_v.any()
    assert (frac[at_u] == 0.0).all() and (frac[at_v] == 1.0).all()  # exactly on the nodes


def test_snapping_fallback_beyond_the_fast_radius():
    # 10 m blocks: the box search covers 5 m, farther points need the nearest-tree search
    rng = np.random.default_rng(7)
    coords = [((x, y), (x + 10, y)) for x in range(0, 100, 10) for y in range(0, 100, 10)]
    roads = line_roads([{"geometry": LineString(c)} for c in coords])
    net = build_network(roads, load_travel_profile("walk"))
    p = pts(*rng.uniform(-200, 300, (300, 2)))
    snap = snap_points(net, p, max_snap_m=150)
    d = shapely.distance(p.geometry.to_numpy()[:, None], net.edge_geom[None, :])
    ok = d.min(axis=1) <= 150
    assert (~ok).any() and (d.min(axis=1)[ok] > 5).any()
    np.testing.assert_array_equal(snap.reachable, ok)
    np.testing.assert_allclose(snap.access_m[ok], d.min(axis=1)[ok], atol=1e-9)
    assert len(snap.unreachable) == (~ok).sum()


def test_parallel_categories_give_the_same_result(monkeypatch):
    roads, a, b, xy, net, opts, fpts, cats = setup(0, "drive")
    origins, facilities = snap_points(net, opts, 300), snap_points(net, fpts, 300)
    assert pd.Series(cats).nunique() > 2
    one = nearest_times(net, origins, facilities, cats, 10)
    forked = []
    real_pool = engine.ProcessPoolExecutor

    def pool(*args, **kwargs):
        forked.append(args)
        return real_pool(*args, **kwargs)

    monkeypatch.setattr(engine, "ProcessPoolExecutor", pool)
    engine.forget_node_times(net)
    small = nearest_times(net, origins, facilities, cats, 10, n_jobs=2)
    assert not forked  # tiny network: the first category's time says forking won't pay
    monkeypatch.setattr(engine, "PARALLEL_MIN_S", 0.0)
    monkeypatch.setattr(engine, "FRESH_WORKER_MIN_S", 0.0)  # workers not forked here
    again = nearest_times(net, origins, facilities, cats, 10, n_jobs=2)
    assert not forked  # every category's node times are remembered: nothing to fork for
    engine.forget_node_times(net)
    two = nearest_times(net, origins, facilities, cats, 10, n_jobs=2)
    assert forked  # the workers really ran
    pd.testing.assert_frame_equal(one, small)
    pd.testing.assert_frame_equal(one, again)
    pd.testing.assert_frame_equal(one, two)
    # the workers' node times came back: a second origin set needs no Dijkstra
    monkeypatch.setattr(engine, "_dijkstra", lambda *a: pytest.fail("searched again"))
    grid = snap_points(net, opts.iloc[::-1], 300)
    flipped = nearest_times(net, grid, facilities, cats, 10, n_jobs=2)
    pd.testing.assert_frame_equal(flipped.iloc[::-1], one)


def test_node_times_are_remembered_and_read_only(monkeypatch):
    """Two calls asking for the same times share one search; the shared array is read-only."""
    roads, a, b, xy, net, opts, fpts, cats = setup(1, "walk")
    facilities = snap_points(net, fpts, 300)
    engine.forget_node_times()
    calls = []
    real = engine._dijkstra
    monkeypatch.setattr(engine, "_dijkstra", lambda *a: calls.append(1) or real(*a))
    first = node_times(net, facilities, 10.0, direction="to")
    again = node_times(net, snap_points(net, fpts, 300), 10.0, direction="to")  # snapped anew
    assert len(calls) == 1 and again is first and not first.flags.writeable
    node_times(net, facilities, 12.0, direction="to")  # another limit: another search
    node_times(net, facilities, 10.0, direction="from")  # another direction: another search
    node_times(net, facilities, 10.0, direction="to", select=np.arange(len(fpts) // 2))
    assert len(calls) == 4
    engine.forget_node_times(net)
    np.testing.assert_array_equal(node_times(net, facilities, 10.0, direction="to"), first)
    assert len(calls) == 5


def test_empty_first_category_does_not_decide_the_workers(monkeypatch):
    """The time of a category without facilities says nothing about the others'."""
    roads, a, b, xy, net, opts, fpts, cats = setup(0, "drive")
    origins, facilities = snap_points(net, opts, 300), snap_points(net, fpts, 300)
    cats = pd.Categorical(cats, categories=["(none)", *sorted(set(cats))])
    asked = []
    real = engine._forking_pays

    def forking_pays(n_jobs, seconds, left):
        asked.append(left)
        return real(n_jobs, seconds, left)

    monkeypatch.setattr(engine, "_forking_pays", forking_pays)
    monkeypatch.setattr(engine, "PARALLEL_MIN_S", 0.0)
    monkeypatch.setattr(engine, "FRESH_WORKER_MIN_S", 0.0)  # workers not forked here
    two = nearest_times(net, origins, facilities, cats, 10, n_jobs=2)
    assert asked == [len(cats.categories) - 2]  # decided after the first real category
    assert two["minutes_(none)"].isna().all()
    pd.testing.assert_frame_equal(two, nearest_times(net, origins, facilities, cats, 10))


@pytest.mark.parametrize("mode", ["drive", "walk"])
@pytest.mark.parametrize("seed", range(3))
def test_osmnx_and_plain_forms_agree(seed, mode):
    roads, a, b, xy, net, opts, fpts, cats = setup(seed, mode)
    osm = to_osmnx_form(roads, a, b)
    net2 = build_network(osm, load_travel_profile(mode))
    assert net2.n_nodes == net.n_nodes
    times = []
    for n in (net, net2):
        times.append(
            nearest_times(n, snap_points(n, opts, 300), snap_points(n, fpts, 300), cats, 20)
        )
    pd.testing.assert_frame_equal(times[0], times[1], atol=1e-9, rtol=0)


def line_roads(rows):
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)


def pts(*xy, index=None):
    return gpd.GeoDataFrame(geometry=[Point(p) for p in xy], crs=CRS, index=index)


@pytest.fixture
def loop_roads():
    """Build a one-way street A(0,0) → B(300,0) and a two-way detour back via y = 300."""
    return line_roads(
        [
            {"highway": "residential", "oneway": "yes", "geometry": LineString([(0, 0), (300, 0)])},
            {
                "highway": "residential",
                "oneway": "no",
                "geometry": LineString([(300, 0), (300, 300), (0, 300), (0, 0)]),
            },
        ]
    )


def test_one_way_asymmetry_drive_and_symmetry_walk(loop_roads):
    a, b = (30, -10), (270, -10)  # 10 m off the one-way street, 30 m from its ends
    drive = build_network(loop_roads, load_travel_profile("drive"))
    v = 20 / 3.6
    walk_leg = 10 / (5 / 3.6)
    ab = nearest_times(drive, snap_points(drive, pts(a)), snap_points(drive, pts(b)), ["x"], None)
    ba = nearest_times(drive, snap_points(drive, pts(b)), snap_points(drive, pts(a)), ["x"], None)
    assert ab.iloc[0, 0] * 60 == pytest.approx(240 / v + 2 * walk_leg)
    assert ba.iloc[0, 0] * 60 == pytest.approx((30 + 900 + 30) / v + 2 * walk_leg)
    walk = build_network(loop_roads, load_travel_profile("walk"))
    w_ab = nearest_times(walk, snap_points(walk, pts(a)), snap_points(walk, pts(b)), ["x"], None)
    w_ba = nearest_times(walk, snap_points(walk, pts(b)), snap_points(walk, pts(a)), ["x"], None)
    assert w_ab.iloc[0, 0] == pytest.approx(w_ba.iloc[0, 0])
    assert w_ab.iloc[0, 0] * 60 == pytest.approx(260 / (4.5 / 3.6))


def test_point_at_node_may_use_it_both_ways(loop_roads):
    net = build_network(loop_roads, load_travel_profile("drive"))
    # (-5, -5) projects onto node A = (0, 0); whichever edge it snaps to, it may leave A east
    got = nearest_times(
        net, snap_points(net, pts((-5, -5))), snap_points(net, pts((300, -1))), ["x"], None
    )
    assert got.iloc[0, 0] * 60 == pytest.approx(300 / (20 / 3.6) + (50**0.5 + 1) / (5 / 3.6))


def test_limit_respected_and_unreachable_origins(loop_roads):
    walk = build_network(loop_roads, load_travel_profile("walk"))
    speed = 4.5 / 3.6
    origins = snap_points(walk, pts((0, 100), (150, 0), (5000, 5000), index=["o1", "o2", "far"]))
    assert origins.unreachable.index.tolist() == ["far"]
    assert origins.unreachable["nearest_road_m"].iloc[0] > 4000
    facility = snap_points(walk, pts((0, 0)))
    exact = 100 / speed / 60  # o1 is 100 m from the facility along the road
    just_in = nearest_times(walk, origins, facility, ["clinic"], exact + 1e-6)
    just_out = nearest_times(walk, origins, facility, ["clinic"], exact - 1e-6)
    assert just_in.loc["o1", "minutes_clinic"] == pytest.approx(exact)
    assert np.isnan(just_out.loc["o1", "minutes_clinic"])
    assert np.isnan(just_in.loc["o2", "minutes_clinic"])  # 150 m: beyond the limit
    wide = nearest_times(walk, origins, facility, ["clinic"], 15)
    assert wide.loc["o2", "minutes_clinic"] == pytest.approx(150 / speed / 60)
    assert just_in.index.tolist() == ["o1", "o2", "far"] and np.isnan(just_in.loc["far"]).all()


def test_same_edge_direct_and_around(loop_roads):
    net = build_network(loop_roads, load_travel_profile("drive"))
    v = 20 / 3.6
    origins = snap_points(net, pts((50, 0), (250, 0)))
    facility = snap_points(net, pts((200, 0)))
    got = nearest_times(net, origins, facility, ["x"], None)["minutes_x"].to_numpy() * 60
    np.testing.assert_allclose(got, [150 / v, (50 + 900 + 200) / v])


def test_disconnected_piece_gives_nan():
    roads = line_roads(
        [
            {"geometry": LineString([(0, 0), (100, 0)])},
            {"geometry": LineString([(1000, 0), (1100, 0)])},
        ]
    )
    net = build_network(roads, load_travel_profile("walk"))
    assert len(net.components_report()) == 2
    got = nearest_times(
        net, snap_points(net, pts((10, 0), (1010, 0))), snap_points(net, pts((90, 0))), ["a"], None
    )
    assert np.isfinite(got.iloc[0, 0]) and np.isnan(got.iloc[1, 0])


def test_categories_limits_and_errors(loop_roads):
    net = build_network(loop_roads, load_travel_profile("walk"))
    origins = snap_points(net, pts((0, 50)))
    fac = snap_points(net, pts((0, 100), (0, 300)))
    cats = pd.Categorical(["学校", "诊所"], categories=["诊所", "学校", "超市"])
    got = nearest_times(net, origins, fac, cats, {"学校": 0.5, "诊所": None, "超市": 5})
    assert got.columns.tolist() == ["minutes_诊所", "minutes_学校", "minutes_超市"]
    assert np.isnan(got["minutes_学校"].iloc[0]) and np.isnan(got["minutes_超市"].iloc[0])
    assert got["minutes_诊所"].iloc[0] == pytest.approx(250 / (4.5 / 3.6) / 60)
    with pytest.raises(ZonekitError, match="missing 诊所"):
        nearest_times(net, origins, fac, cats, {"学校": 1.0, "超市": 5})
    with pytest.raises(SchemaError, match="facility rows 1"):
        nearest_times(net, origins, fac, ["a", None], 10)
    with pytest.raises(SchemaError, match="one value per facility"):
        nearest_times(net, origins, fac, ["a"], 10)
    other = build_network(loop_roads, load_travel_profile("walk"))
    with pytest.raises(ZonekitError, match="snapped to this network"):
        nearest_times(other, origins, fac, ["a", "b"], 10)


def test_node_times_directions(loop_roads):
    net = build_network(loop_roads, load_travel_profile("drive"))
    v = 20 / 3.6
    src = snap_points(net, pts((100, 0)))  # on the one-way street A → B
    to = node_times(net, src, direction="to")
    frm = node_times(net, src, direction="from")
    a = int(np.argmin(np.hypot(net.node_x, net.node_y)))
    b = 1 - a
    np.testing.assert_allclose([to[a], to[b]], [100 / v, 1000 / v])
    np.testing.assert_allclose([frm[a], frm[b]], [1100 / v, 200 / v])
    limited = node_times(net, src, 3.0, direction="from")
    assert np.isinf(limited[a]) and limited[b] == pytest.approx(200 / v)
