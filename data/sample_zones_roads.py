"""The sample park's zones and roads.

Zone outlines, a planar street graph per zone, connectors and villages
(:mod:`zonekit.data.generate_sample`).
"""

from __future__ import annotations

import math

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely import affinity
from shapely.geometry import LineString, Point, Polygon

from zonekit.data.sample_spec import CONNECTORS, STREET_SUFFIXES, STREET_WORDS, ZONES
from zonekit.zones.schema import DEFAULT_CRS


# =========================================================================================
# geometry helpers
# =========================================================================================
def _round_geoms(geoms):
    """Round coordinates to 0.01 m (the sample's stated precision)."""
    return shapely.transform(geoms, lambda c: np.round(c, 2))


def _rxy(xy) -> tuple[float, float]:
    return (round(float(xy[0]), 2), round(float(xy[1]), 2))


def _cn_number(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


def _random_points(rng: np.random.Generator, poly, n: int) -> np.ndarray:
    """``n`` uniform random points inside ``poly`` (rejection sampling), shape (n, 2)."""
    minx, miny, maxx, maxy = poly.bounds
    out = np.empty((0, 2))
    while len(out) < n:
        cand = rng.uniform((minx, miny), (maxx, maxy), size=(4 * n + 8, 2))
        out = np.vstack([out, cand[shapely.contains_xy(poly, cand[:, 0], cand[:, 1])]])
    return out[:n]


def _zone_polygon(rng, centre_xy, area_m2, elongation, angle_deg) -> Polygon:
    """Draw a boxy, irregular blob of ``area_m2`` (before rounding) around ``centre_xy``."""
    theta = np.linspace(0, 2 * np.pi, 72, endpoint=False)
    radius = np.ones_like(theta)
    for k in range(2, 6):  # low harmonics: smooth, star-shaped irregularity
        radius += rng.uniform(0.03, 0.08) * np.cos(k * theta + rng.uniform(0, 2 * np.pi))
    cos, sin = np.cos(theta), np.sin(theta)
    # superellipse (exponent 3) gives squarer corners, as planned zones tend to have
    x = np.sign(cos) * np.abs(cos) ** (2 / 3) * radius * math.sqrt(elongation)
    y = np.sign(sin) * np.abs(sin) ** (2 / 3) * radius / math.sqrt(elongation)
    poly = Polygon(np.column_stack([x, y]))
    poly = affinity.scale(poly, *(2 * [math.sqrt(area_m2 / poly.area)]), origin=(0, 0))
    poly = affinity.rotate(poly, angle_deg, origin=(0, 0))
    return _round_geoms(affinity.translate(poly, *centre_xy))


def build_zones(rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Generate the six zone polygons directly in EPSG:4548."""
    to_gk = Transformer.from_crs("EPSG:4326", DEFAULT_CRS, always_xy=True)
    rows = []
    for zid, zh, en, kind, lon, lat, area_km2, elong, angle, _ in ZONES:
        centre = to_gk.transform(lon, lat)
        geom = _zone_polygon(rng, centre, area_km2 * 1e6, elong, angle)
        rows.append({"zone_id": zid, "name_zh": zh, "name_en": en, "kind": kind, "geometry": geom})
    zones = gpd.GeoDataFrame(rows, crs=DEFAULT_CRS)
    overlap = zones.geometry.union_all().area - zones.area.sum()
    if abs(overlap) > 1.0:
        raise RuntimeError("generated zones overlap")
    return zones


# =========================================================================================
# roads: a planar graph whose nodes are shared, rounded coordinates
# =========================================================================================
class RoadNet:
    """Road centrelines as a planar graph: every edge runs between two shared nodes."""

    def __init__(self) -> None:
        self.xy: list[tuple[float, float]] = []
        self._ids: dict[tuple[float, float], int] = {}
        self.edges: list[dict | None] = []

    def node(self, xy) -> int:
        """Id of the node at ``xy`` (rounded to 0.01 m), created if new."""
        key = _rxy(xy)
        if key not in self._ids:
            self._ids[key] = len(self.xy)
            self.xy.append(key)
        return self._ids[key]

    def add_edge(self, u: int, v: int, inner=(), **attrs) -> None:
        """Add an edge from node ``u`` to ``v`` through the ``inner`` vertices."""
        self.edges.append({"u": u, "v": v, "coords": [self.xy[u], *inner, self.xy[v]], **attrs})

    def live(self) -> list[int]:
        """Return the indices of the edges not removed."""
        return [i for i, e in enumerate(self.edges) if e is not None]

    def geoms(self, ids: list[int]) -> np.ndarray:
        """Edge geometries for ``ids``."""
        return np.array([LineString(self.edges[i]["coords"]) for i in ids], dtype=object)

    def _near_node(self, pt: Point, tol_m: float) -> int | None:
        xy = np.asarray(self.xy)
        d = np.hypot(xy[:, 0] - pt.x, xy[:, 1] - pt.y)
        i = int(np.argmin(d))
        return i if d[i] < tol_m else None

    def _split(self, eid: int, pt: Point) -> int:
        """Split edge ``eid`` at ``pt``; return the new node."""
        edge = self.edges[eid]
        self.edges[eid] = None
        nid = self.node((pt.x, pt.y))
        line = LineString(edge["coords"])
        at = line.project(pt)
        cum = np.concatenate([[0], np.cumsum(np.hypot(*np.diff(edge["coords"], axis=0).T))])
        inner = edge["coords"][1:-1]
        before = [c for c, d in zip(inner, cum[1:-1], strict=True) if d < at]
        after = [c for c, d in zip(inner, cum[1:-1], strict=True) if d > at]
        attrs = {k: v for k, v in edge.items() if k not in ("u", "v", "coords")}
        self.add_edge(edge["u"], nid, before, **attrs)
        self.add_edge(nid, edge["v"], after, **attrs)
        return nid

    def add_noded(self, u: int, v: int, inner: list, **attrs) -> None:
        """Add a polyline from ``u`` to ``v``, splitting it and every road it crosses."""
        line = LineString([self.xy[u], *inner, self.xy[v]])
        ids = self.live()
        geoms = self.geoms(ids)
        hits = shapely.STRtree(geoms).query(line, predicate="intersects")
        points = [p for h in hits for p in shapely.get_parts(line.intersection(geoms[h]))]
        if any(p.geom_type != "Point" for p in points):
            raise RuntimeError("connector overlaps a road")
        cuts = [(0.0, u), (line.length, v)]
        for pt in sorted(points, key=line.project):
            nid = self._near_node(pt, 1.0)
            if nid is None:  # a crossing in an edge's interior: split that edge there
                ids = self.live()
                eid = ids[int(np.argmin(shapely.distance(self.geoms(ids), pt)))]
                nid = self._split(eid, pt)
            cuts.append((line.project(Point(self.xy[nid])), nid))
        cuts.sort()
        cum = np.concatenate([[0], np.cumsum(np.hypot(*np.diff(line.coords, axis=0).T))])
        for (d0, n0), (d1, n1) in zip(cuts[:-1], cuts[1:], strict=True):
            if n0 != n1:
                mid = [c for c, d in zip(inner, cum[1:-1], strict=True) if d0 < d < d1]
                self.add_edge(n0, n1, mid, **attrs)


def _line_positions(rng, lo: float, hi: float) -> tuple[np.ndarray, np.ndarray]:
    """Street positions across ``lo..hi`` (~230-290 m apart); every third is an arterial."""
    pos = [lo + rng.uniform(90, 220)]
    while pos[-1] + 300 < hi:
        pos.append(pos[-1] + rng.uniform(230, 290))
    pos = np.asarray(pos)
    arterial = (np.arange(len(pos)) % 3) == rng.integers(0, 3)
    return pos, arterial


def _line_attrs(rng, key, arterial, is_central, core, prefix, counter) -> dict:
    """Highway class, name and speed for one street of the grid."""
    family, _ = key
    if arterial:
        highway = "primary" if (core and is_central) else "secondary"
        speed = {"primary": 60.0, "secondary": float(rng.choice([40.0, 50.0, 60.0]))}[highway]
        maxspeed = speed if rng.random() < 0.5 else np.nan
    else:
        highway = str(rng.choice(["tertiary", "residential", "service"], p=[.3, .5, .2]))
        maxspeed = np.nan
    name = None
    if arterial or rng.random() < 0.6:
        if family == "x":  # numbered series, e.g. 云西三路
            counter[0] += 1
            name = f"{prefix}{_cn_number(counter[0])}路"
        else:
            name = f"{rng.choice(STREET_WORDS)}{rng.choice(STREET_SUFFIXES)}"
    return {"highway": highway, "name": name, "maxspeed": maxspeed, "arterial": arterial}


def _grid_candidates(rng, zone_poly, angle_deg):
    """Perturbed grid nodes and the edges that fit inside the zone."""
    centre = zone_poly.centroid
    local = affinity.rotate(zone_poly, -angle_deg, origin=centre)
    minx, miny, maxx, maxy = local.bounds
    xs, x_art = _line_positions(rng, minx, maxx)
    ys, y_art = _line_positions(rng, miny, maxy)
    gx, gy = np.meshgrid(xs, ys, indexing="ij")
    phase = rng.uniform(0, 2 * np.pi, 2)
    # gentle bends plus survey jitter: a planned grid, not a perfect one
    wx = gx + 20 * np.sin(gy / 850 + phase[0]) + rng.normal(0, 4, gx.shape)
    wy = gy + 20 * np.sin(gx / 1050 + phase[1]) + rng.normal(0, 4, gy.shape)
    a = math.radians(angle_deg)
    px = centre.x + (wx - centre.x) * math.cos(a) - (wy - centre.y) * math.sin(a)
    py = centre.y + (wx - centre.x) * math.sin(a) + (wy - centre.y) * math.cos(a)
    pts = np.round(np.stack([px, py], axis=-1), 2)
    inner = zone_poly.buffer(-12)
    cand = []
    for i in range(len(xs)):
        for j in range(len(ys)):
            for di, dj, key in ((1, 0, ("y", j)), (0, 1, ("x", i))):
                if i + di < len(xs) and j + dj < len(ys):
                    seg = LineString([pts[i, j], pts[i + di, j + dj]])
                    if inner.contains(seg):
                        cand.append(((i, j), (i + di, j + dj), key))
    lines = {("x", i): (x_art[i], xs[i] - centre.x) for i in range(len(xs))}
    lines |= {("y", j): (y_art[j], ys[j] - centre.y) for j in range(len(ys))}
    return pts, cand, lines


def _prune_grid(rng, cand, lines) -> list:
    """Keep the largest connected piece and drop ~9 % of local links (never a bridge)."""
    g = nx.Graph()
    for a, b, key in cand:
        g.add_edge(a, b, key=key)
    keep = max(nx.connected_components(g), key=lambda c: (len(c), min(c)))
    g = g.subgraph(keep).copy()
    local = [(a, b) for a, b, key in cand if a in keep and not lines[key][0]]
    for k in rng.permutation(len(local))[: int(0.09 * len(local))]:
        a, b = local[k]
        key = g.edges[a, b]["key"]
        g.remove_edge(a, b)
        if not nx.has_path(g, a, b):
            g.add_edge(a, b, key=key)
    return [(a, b, g.edges[a, b]["key"]) for a, b, _ in cand if g.has_edge(a, b)]


def _add_zone_grid(rng, net: RoadNet, zone_id, zone_poly, spec) -> None:
    """Lay a perturbed street grid over one zone and add it to ``net``."""
    angle, prefix, core = spec[8], spec[9], spec[3] == "core_zone"
    pts, cand, lines = _grid_candidates(rng, zone_poly, angle)
    edges = _prune_grid(rng, cand, lines)
    used = sorted({key for _, _, key in edges})
    attrs, counter = {}, [0]
    for family in ("x", "y"):
        fam = [k for k in used if k[0] == family]
        art = [k for k in fam if lines[k][0]]
        central = min(art, key=lambda k: abs(lines[k][1])) if art else None
        for key in fam:
            attrs[key] = _line_attrs(rng, key, lines[key][0], key == central, core, prefix, counter)
    for a, b, key in edges:
        net.add_edge(net.node(pts[a]), net.node(pts[b]), zone_id=zone_id, **attrs[key])


def _add_connectors(rng, net: RoadNet, zones: gpd.GeoDataFrame) -> None:
    """Trunk and primary roads from each zone's outermost grid node to the next zone."""
    centre = {z: np.array(g.centroid.coords[0])
              for z, g in zip(zones.zone_id, zones.geometry, strict=True)}
    for a, b, highway, name, speed in CONNECTORS:
        d = (centre[b] - centre[a]) / np.linalg.norm(centre[b] - centre[a])
        gate = {}
        for zid, sign in ((a, 1), (b, -1)):
            nodes = sorted({e[k] for e in net.edges if e and e.get("zone_id") == zid
                            and e["arterial"] for k in ("u", "v")})
            xy = np.asarray([net.xy[n] for n in nodes])
            gate[zid] = nodes[int(np.argmax((xy - centre[zid]) @ (sign * d)))]
        p0, p1 = np.asarray(net.xy[gate[a]]), np.asarray(net.xy[gate[b]])
        length = float(np.linalg.norm(p1 - p0))
        t = np.linspace(0, 1, max(2, int(length / 300)) + 1)[1:-1]
        normal = np.array([-(p1 - p0)[1], (p1 - p0)[0]]) / length
        offset = rng.normal(0, 0.05 * length) * np.sin(np.pi * t) + rng.normal(0, 6, len(t))
        inner = [_rxy(p0 + ti * (p1 - p0) + oi * normal) for ti, oi in zip(t, offset, strict=True)]
        net.add_noded(gate[a], gate[b], inner, zone_id=None, highway=highway, name=name,
                      maxspeed=speed, arterial=True)


def _finish_local_streets(rng, net: RoadNet) -> None:
    """Mark a few footways in the core zones and ~4-5 % one-way local streets."""
    for e in net.edges:
        if e is None:
            continue
        e["oneway"] = "no"
        if e["arterial"]:
            continue
        if e["zone_id"] in ("GZ", "KC", "SW") and rng.random() < 0.025:
            e["highway"], e["name"] = "footway", None
        elif rng.random() < 0.05:
            e["oneway"] = "yes"  # one-way in the digitised direction


def _assert_planar(geoms: np.ndarray) -> None:
    """Fail unless lines meet only at shared endpoints."""
    ends = [{g.coords[0], g.coords[-1]} for g in geoms]
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    for i, j in zip(left, right, strict=True):
        if i < j:
            inter = shapely.get_coordinates(geoms[i].intersection(geoms[j]))
            if not {tuple(c) for c in inter} <= (ends[i] & ends[j]):
                raise RuntimeError(f"roads {i} and {j} cross without a shared node")


def population_frame(zones: gpd.GeoDataFrame) -> tuple[float, float, float, float]:
    """Bounds (x0, y0, x1, y1) of the 100 m population grid: the zones plus 1.5 km."""
    minx, miny, maxx, maxy = zones.total_bounds
    return (math.floor((minx - 1_500) / 100) * 100, math.floor((miny - 1_500) / 100) * 100,
            math.ceil((maxx + 1_500) / 100) * 100, math.ceil((maxy + 1_500) / 100) * 100)


def village_sites(rng, zones: gpd.GeoDataFrame, n: int = 18) -> np.ndarray:
    """Villages around the park: rows of (x, y, spread sigma m, persons)."""
    outside = zones.geometry.union_all().buffer(400)
    area = shapely.box(*population_frame(zones)).difference(outside)
    xy = _random_points(rng, area, n)
    return np.column_stack([xy, rng.uniform(70, 140, n), rng.uniform(400, 2_500, n)])


def _add_village_roads(net: RoadNet, villages: np.ndarray) -> None:
    """Each village gets a cross of lanes and a road to the nearest node of the network.

    Villages are where many residents live; without roads they could not be routed and
    would only show that a sample was generated carelessly, not a service gap.
    """
    for k, (vx, vy, _, _) in enumerate(villages):
        live = net.live()
        nodes = sorted({net.edges[i][end] for i in live for end in ("u", "v")})
        xy = np.asarray([net.xy[n] for n in nodes])
        target = nodes[int(np.argmin(np.hypot(xy[:, 0] - vx, xy[:, 1] - vy)))]
        centre = net.node((vx, vy))
        attrs = {"zone_id": None, "highway": "residential", "maxspeed": np.nan,
                 "arterial": False, "oneway": "no"}
        net.add_noded(centre, target, [], name=f"{_cn_number(k + 1)}村路", **attrs)
        for dx, dy in ((220, 0), (-220, 0), (0, 220), (0, -220)):
            net.add_noded(centre, net.node((vx + dx, vy + dy)), [], name=None, **attrs)


def build_road_net(rng, zones: gpd.GeoDataFrame, villages: np.ndarray) -> RoadNet:
    """Grids in every zone, joined by connectors and to the villages, split at crossings."""
    net = RoadNet()
    for spec, geom in zip(ZONES, zones.geometry, strict=True):
        _add_zone_grid(rng, net, spec[0], geom, spec)
    _add_connectors(rng, net, zones)
    _finish_local_streets(rng, net)
    _add_village_roads(net, villages)
    return net


def roads_frame(net: RoadNet, extra: list[dict]) -> gpd.GeoDataFrame:
    """Build the ``roads`` layer (plain centrelines, no u/v) from the graph and ``extra``."""
    rows = [e for e in net.edges if e is not None] + extra
    roads = gpd.GeoDataFrame({
        "highway": [e["highway"] for e in rows], "oneway": [e["oneway"] for e in rows],
        "maxspeed": np.array([e["maxspeed"] for e in rows], dtype=float),
        "name": pd.Series([e["name"] for e in rows], dtype=object),
        "zone_id": [e["zone_id"] for e in rows],
    }, geometry=[LineString(e["coords"]) for e in rows], crs=DEFAULT_CRS)
    _assert_planar(roads.geometry.values)
    return roads


def service_loop(net_roads: gpd.GeoDataFrame, parcel, zone_id: str,
                 angle_deg: float) -> list[dict]:
    """Draw the deliberately disconnected piece: a 4-segment service loop in ``parcel``."""
    core = parcel.buffer(-25)
    c = core.representative_point()
    for half_w, half_h in ((45, 30), (30, 20), (20, 14)):
        square = affinity.rotate(shapely.box(c.x - half_w, c.y - half_h, c.x + half_w,
                                             c.y + half_h), angle_deg, origin=c)
        if core.contains(square) and not net_roads.intersects(square).any():
            break
    else:
        raise RuntimeError("no room for the service loop")
    xy = [_rxy(p) for p in square.exterior.coords[:4]]
    return [{"highway": "service", "oneway": "no", "maxspeed": np.nan, "name": None,
             "zone_id": zone_id, "coords": [xy[k], xy[(k + 1) % 4]]} for k in range(4)]


