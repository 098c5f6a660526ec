"""Road layers and points built in code for the service-circle tests.

:func:`planner_grid` makes the same streets twice: as a planner's osmnx edge layer (``u``,
``v``, ``key``, two rows per two-way street with the geometry reversed on the second,
list-valued ``highway`` strings, ``oneway`` True/False, ``maxspeed`` strings) and as a
plain centreline layer (one row per street, ``oneway`` yes/no). It has one-way streets,
footways, a disconnected piece and can be made large (tens of thousands of rows).
"""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

CRS = "EPSG:4548"
X0, Y0 = 487_000.0, 4_470_000.0


def planner_grid(n: int = 12, spacing_m: float = 120.0, seed: int = 0,
                 island: bool = True) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """A perturbed ``n × n`` street grid in osmnx edge form and as plain centrelines.

    Every 5th row and column is an arterial (``primary``/``secondary``); about 8 % of the
    local streets are one-way (either digitised direction), 5 % are footways; some local
    streets carry osmnx's merged class ``"['residential', 'tertiary']"``; arterials carry
    ``maxspeed`` as ``"50"``, ``"['40', '60']"`` or ``"30 mph"``. With ``island`` a 2 × 2
    block of streets lies 3 km east, connected to nothing.

    Returns
    -------
    osm, plain
        The osmnx-form layer (about ``4 n²`` rows) and the plain layer (``2 n²`` rows).
    """
    rng = np.random.default_rng(seed)
    ii, jj = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    xy = np.c_[ii.ravel() * spacing_m, jj.ravel() * spacing_m]
    xy += rng.uniform(-0.2, 0.2, xy.shape) * spacing_m
    xy += (X0, Y0)
    node = np.arange(n * n).reshape(n, n)
    a = np.r_[node[:-1, :].ravel(), node[:, :-1].ravel()]   # east-west, then north-south
    b = np.r_[node[1:, :].ravel(), node[:, 1:].ravel()]
    line_idx = np.r_[jj[:-1, :].ravel(), ii[:, :-1].ravel()]  # the grid line each street is on
    arterial = line_idx % 5 == 0
    m = len(a)
    local_cls = rng.choice(np.array(["residential", "tertiary", "service",
                                     "['residential', 'tertiary']"], dtype=object), m,
                           p=[0.55, 0.25, 0.1, 0.1])
    highway = np.where(arterial, np.where(line_idx % 10 == 0, "primary", "secondary"),
                       local_cls).astype(object)
    foot = ~arterial & (rng.random(m) < 0.05)
    highway[foot] = "footway"
    oneway = ~arterial & ~foot & (rng.random(m) < 0.08)
    flip = oneway & (rng.random(m) < 0.5)  # one-way against the grid direction
    a, b = np.where(flip, b, a), np.where(flip, a, b)
    maxspeed = np.full(m, None, dtype=object)
    maxspeed[arterial] = rng.choice(np.array(["50", "['40', '60']", "30 mph"], dtype=object),
                                    int(arterial.sum()))
    mid = (xy[a] + xy[b]) / 2 + rng.normal(0, 4, (m, 2))  # slightly bent streets
    coords = np.stack([xy[a], mid, xy[b]], axis=1)
    ids = 1_000_000 + np.arange(n * n) * 7  # OSM-like ids without spatial order
    if island:
        k = 3
        base = np.array([X0 + n * spacing_m + 3000.0, Y0])
        gi, gj = np.meshgrid(np.arange(k), np.arange(k), indexing="ij")
        ixy = base + np.c_[gi.ravel(), gj.ravel()] * spacing_m
        inode = np.arange(k * k).reshape(k, k) + n * n
        ia = np.r_[inode[:-1, :].ravel(), inode[:, :-1].ravel()]
        ib = np.r_[inode[1:, :].ravel(), inode[:, 1:].ravel()]
        xy_all = np.r_[xy, ixy]
        icoords = np.stack([xy_all[ia], (xy_all[ia] + xy_all[ib]) / 2, xy_all[ib]], axis=1)
        coords = np.r_[coords, icoords]
        a, b = np.r_[a, ia], np.r_[b, ib]
        highway = np.r_[highway, np.full(len(ia), "residential", dtype=object)]
        oneway = np.r_[oneway, np.zeros(len(ia), bool)]
        maxspeed = np.r_[maxspeed, np.full(len(ia), None, dtype=object)]
        ids = np.r_[ids, 9_000_000 + np.arange(k * k)]
    geoms = shapely.linestrings(coords)
    plain = gpd.GeoDataFrame({
        "highway": highway, "oneway": np.where(oneway, "yes", "no"), "maxspeed": maxspeed,
        "name": [f"街{k}" for k in range(len(a))],
    }, geometry=geoms, crs=CRS)
    two_way = ~oneway
    rev = shapely.linestrings(coords[two_way][:, ::-1])
    osm = gpd.GeoDataFrame({
        "u": np.r_[ids[a], ids[b][two_way]], "v": np.r_[ids[b], ids[a][two_way]],
        "key": 0,
        "highway": np.r_[highway, highway[two_way]],
        "oneway": np.r_[oneway, oneway[two_way]],
        "maxspeed": np.r_[maxspeed, maxspeed[two_way]],
        "name": np.r_[plain["name"].to_numpy(), plain["name"].to_numpy()[two_way]],
    }, geometry=np.r_[geoms, rev], crs=CRS)
    osm = osm.sample(frac=1.0, random_state=seed).reset_index(drop=True)  # files are unordered
    return osm, plain


def points_near(roads: gpd.GeoDataFrame, n: int, seed: int, spread_m: float = 30.0,
                far: int = 0, prefix: str = "P") -> gpd.GeoDataFrame:
    """``n`` points scattered near random streets, plus ``far`` points 2 km from any road."""
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, len(roads), n)
    pts = shapely.line_interpolate_point(roads.geometry.to_numpy()[rows], rng.random(n),
                                         normalized=True)
    xy = shapely.get_coordinates(pts) + rng.normal(0, spread_m, (n, 2))
    if far:
        x0, y0, x1, y1 = roads.total_bounds
        xy = np.r_[xy, np.c_[np.full(far, x0 - 2000.0), np.linspace(y0, y1, far)]]
    k = len(xy)
    return gpd.GeoDataFrame({"pid": [f"{prefix}{i:04d}" for i in range(k)]},
                            geometry=shapely.points(xy), crs=CRS)


def hand_oneway() -> gpd.GeoDataFrame:
    """A square loop whose east side is one-way northwards, drawn as plain centrelines.

    Nodes: A (0, 0), B (400, 0), C (400, 400), D (0, 400) relative to (X0, Y0). A → B,
    C → D, D → A are two-way ``residential`` (20 km/h); B → C is one-way ``yes``
    (northwards, 20 km/h). Driving from near B to near C takes the one-way street
    (400 m, 72 s); from near C to near B it must go round C → D → A → B (1,200 m, 216 s).
    """
    def line(p, q):
        return shapely.linestrings([(X0 + p[0], Y0 + p[1]), (X0 + q[0], Y0 + q[1])])

    return gpd.GeoDataFrame({
        "highway": ["residential"] * 4,
        "oneway": ["no", "yes", "no", "no"],
    }, geometry=[line((0, 0), (400, 0)), line((400, 0), (400, 400)),
                 line((400, 400), (0, 400)), line((0, 400), (0, 0))], crs=CRS)


def table(rows: list[dict]) -> pd.DataFrame:
    """A DataFrame (small helper for readable tests)."""
    return pd.DataFrame(rows)


#: The installed console script beside this Python.
ZONEKIT = Path(sys.executable).with_name("zonekit")

COUNTY = """\
circles:
  elderly:
    like: service
    name_zh: 10分钟养老服务圈
    mode: walk
    categories:
      elderly_care: {minutes: 10}
"""
