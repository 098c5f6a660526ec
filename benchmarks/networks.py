"""Seeded road-like networks, facilities and origins for the benchmarks.

A city is a perturbed square grid of streets (``block_m`` blocks, nodes moved by a normal
jitter of ``jitter`` × block), with a road hierarchy (primary roads every 10th line,
secondary every 5th, local streets in between), **missing links** (a share of local
street pieces removed, making dead ends and detours) and **one-way streets** (a share of
local pieces, half digitised with traffic, half against it: ``oneway`` ``yes``/``-1``).
Every street piece runs between two adjacent junctions, as an osmnx edge does.

Facilities (12 categories) and origins are placed **exactly on nodes** usable by every
mode, so that every tool gets the same points with no snapping question (see
``benchmarks/README.md``, "Snapping conventions").

Everything is a deterministic function of ``(n_nodes, seed)``: each benchmark
subprocess regenerates its inputs instead of loading them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

CRS = "EPSG:4548"  # CGCS2000 / 3-degree Gauss-Kruger CM 117E (metres), as in the sample park
CATEGORIES = [f"cat{k:02d}" for k in range(12)]
#: Limit of the service circle (minutes) per travel mode.
LIMIT_MINUTES = {"walk": 15.0, "drive": 15.0}
#: Named sizes (target node counts).
SIZES = {"tiny": 900, "1k": 1_000, "10k": 10_000, "100k": 100_000, "1M": 1_000_000}

_LOCAL_CLASSES = np.array(["residential", "tertiary", "service", "footway"], dtype=object)
_LOCAL_P = [0.7, 0.1, 0.1, 0.1]


def parse_size(label: str) -> int:
    """``"100k"`` → 100000, ``"1M"`` → 1000000, ``"2500"`` → 2500."""
    if label in SIZES:
        return SIZES[label]
    text = label.strip().lower()
    mult = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * mult)


@dataclass(frozen=True)
class City:
    """A generated street network with facilities and origins on its nodes.

    Attributes
    ----------
    node_x, node_y
        Node coordinates (metres, ``CRS``).
    edge_u, edge_v
        End nodes of each street piece (geometry runs ``u → v``).
    highway, oneway, maxspeed
        OSM-style attributes per street piece (``oneway``: ``"no"``, ``"yes"``, ``"-1"``).
    fac_node, fac_cat
        Node of each facility and its category index into ``CATEGORIES``.
    orig_node
        Node of each origin.
    """

    label: str
    seed: int
    node_x: np.ndarray
    node_y: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    highway: np.ndarray
    oneway: np.ndarray
    maxspeed: np.ndarray
    fac_node: np.ndarray
    fac_cat: np.ndarray
    orig_node: np.ndarray

    @property
    def n_nodes(self) -> int:
        """Number of nodes (all touch at least one street)."""
        return len(self.node_x)

    @property
    def n_edges(self) -> int:
        """Number of street pieces."""
        return len(self.edge_u)

    @cached_property
    def length_m(self) -> np.ndarray:
        """Straight length of each street piece (metres)."""
        return np.hypot(self.node_x[self.edge_v] - self.node_x[self.edge_u],
                        self.node_y[self.edge_v] - self.node_y[self.edge_u])

    def attributes(self) -> pd.DataFrame:
        """Return the road attribute table (no geometry)."""
        return pd.DataFrame({"highway": self.highway, "oneway": self.oneway,
                             "maxspeed": self.maxspeed})

    def roads_gdf(self):
        """Return the roads as two-point LineStrings (plain centreline form)."""
        import geopandas as gpd
        import shapely

        xy = np.stack([self.node_x, self.node_y], axis=1)
        geoms = shapely.linestrings(np.stack([xy[self.edge_u], xy[self.edge_v]], axis=1))
        return gpd.GeoDataFrame(self.attributes(), geometry=geoms, crs=CRS)

    def points_gdf(self, nodes: np.ndarray, displace_m: float = 0.0, seed: int = 0):
        """Points exactly on ``nodes``, or moved up to ``displace_m`` away in any direction."""
        import geopandas as gpd
        import shapely

        x, y = self.node_x[nodes], self.node_y[nodes]
        if displace_m > 0:
            rng = np.random.default_rng([self.seed, seed])
            r = displace_m * np.sqrt(rng.random(len(x)))
            a = rng.uniform(0, 2 * np.pi, len(x))
            x, y = x + r * np.cos(a), y + r * np.sin(a)
        return gpd.GeoDataFrame(geometry=shapely.points(x, y), crs=CRS)

    def edge_seconds(self, mode: str) -> tuple[np.ndarray, np.ndarray]:
        """Travel time (s) of each street piece for ``mode`` and whether the mode may use it.

        Uses zonekit's profile (``analysis/profiles/travel.yaml``) for class speeds and
        ``maxspeed``, so the peers get the very weights zonekit derives itself; computed
        outside any timed step.
        """
        from zonekit.analysis.network.graph import MIN_EDGE_COST_S
        from zonekit.analysis.network.travel import (
            edge_speeds_kmh,
            excluded_edges,
            load_travel_profile,
        )

        profile = load_travel_profile(mode)
        attrs = self.attributes()
        speed = edge_speeds_kmh(attrs, profile)
        usable = ~excluded_edges(attrs, profile)
        return np.maximum(self.length_m / (speed / 3.6), MIN_EDGE_COST_S), usable

    def arcs(self, mode: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Directed arcs ``(src, dst, seconds)`` of ``mode`` (one-ways respected if it does)."""
        from zonekit.analysis.network.travel import load_travel_profile

        secs, usable = self.edge_seconds(mode)
        ow = np.select([self.oneway == "yes", self.oneway == "-1"], [1, -1], 0)
        if not load_travel_profile(mode).oneway:
            ow[:] = 0
        fwd, bwd = usable & (ow >= 0), usable & (ow <= 0)
        return (np.concatenate([self.edge_u[fwd], self.edge_v[bwd]]),
                np.concatenate([self.edge_v[fwd], self.edge_u[bwd]]),
                np.concatenate([secs[fwd], secs[bwd]]))

    def describe(self) -> dict:
        """Return the counts recorded in the results file."""
        return {"n_nodes": self.n_nodes, "n_edges": self.n_edges,
                "n_facilities": len(self.fac_node), "n_origins": len(self.orig_node),
                "n_categories": len(CATEGORIES),
                "share_oneway": float(np.mean(self.oneway != "no")),
                "total_km": float(self.length_m.sum() / 1e3)}


def make_city(
    n_nodes: int,
    *,
    label: str | None = None,
    seed: int = 0,
    n_facilities: int | None = None,
    n_origins: int | None = None,
    block_m: float = 100.0,
    jitter: float = 0.15,
    p_missing: float = 0.08,
    p_oneway: float = 0.06,
) -> City:
    """Generate a city of about ``n_nodes`` junctions.

    Parameters
    ----------
    n_nodes
        Target number of nodes; the grid side is ``round(sqrt(n_nodes))``.
    label, seed
        Name of the size and random seed.
    n_facilities, n_origins
        Default ``n_nodes / 100`` facilities (at least 24) and ``n_nodes / 5`` origins.
    block_m, jitter
        Block size (metres) and node jitter (share of a block, standard deviation).
    p_missing, p_oneway
        Share of local street pieces removed, and of local pieces made one-way
        (arterials are kept whole and two-way), about 5 % of all pieces.
    """
    rng = np.random.default_rng(seed)
    side = max(3, round(math.sqrt(n_nodes)))
    ii, jj = np.meshgrid(np.arange(side), np.arange(side), indexing="ij")
    idx = np.arange(side * side).reshape(side, side)
    # horizontal pieces (along a row i: level i) then vertical ones (along a column j)
    a = np.r_[idx[:, :-1].ravel(), idx[:-1, :].ravel()]
    b = np.r_[idx[:, 1:].ravel(), idx[1:, :].ravel()]
    line = np.r_[ii[:, :-1].ravel(), jj[:-1, :].ravel()]  # which street line a piece is on
    m = len(a)
    highway = rng.choice(_LOCAL_CLASSES, m, p=_LOCAL_P)
    highway[line % 5 == 0] = "secondary"
    highway[line % 10 == 0] = "primary"
    local = (line % 5) != 0
    keep = ~(local & (rng.random(m) < p_missing))
    oneway = np.full(m, "no", dtype=object)
    ow = local & (rng.random(m) < p_oneway)
    oneway[ow] = np.where(rng.random(int(ow.sum())) < 0.5, "yes", "-1")
    maxspeed = np.full(m, None, dtype=object)
    r = rng.random(m)
    maxspeed[(highway == "primary") & (r < 0.5)] = "60"
    maxspeed[(highway == "secondary") & (r < 0.3)] = "40 km/h"
    xy = (np.stack([ii.ravel(), jj.ravel()], axis=1) * block_m
          + rng.normal(0.0, block_m * jitter, (side * side, 2)) + (500_000.0, 4_470_000.0))

    a, b, highway, oneway, maxspeed = a[keep], b[keep], highway[keep], oneway[keep], maxspeed[keep]
    used = np.zeros(side * side, bool)
    used[a] = used[b] = True
    new = np.cumsum(used) - 1
    a, b, xy = new[a], new[b], xy[used]
    n = len(xy)

    # points go on nodes that touch a street every mode may use (not footway-only)
    drivable = highway != "footway"
    cand = np.zeros(n, bool)
    cand[a[drivable]] = cand[b[drivable]] = True
    cand = np.flatnonzero(cand)
    n_fac = n_facilities if n_facilities is not None else max(24, n // 100)
    n_orig = n_origins if n_origins is not None else max(50, n // 5)
    prng = np.random.default_rng(seed + 1)
    fac_node = prng.choice(cand, min(n_fac, len(cand)), replace=False)
    fac_cat = prng.integers(0, len(CATEGORIES), len(fac_node))
    fac_cat[: len(CATEGORIES)] = np.arange(min(len(CATEGORIES), len(fac_node)))  # none empty
    orig_node = prng.choice(cand, min(n_orig, len(cand)), replace=False)
    return City(label=label or str(n_nodes), seed=seed, node_x=xy[:, 0].copy(),
                node_y=xy[:, 1].copy(), edge_u=a.astype(np.int64), edge_v=b.astype(np.int64),
                highway=highway, oneway=oneway, maxspeed=maxspeed, fac_node=fac_node,
                fac_cat=fac_cat, orig_node=orig_node)
