"""Time the network engine on a synthetic city: build, snap and query.

A perturbed square grid (~100k nodes, 100 m blocks, 10 % one-way streets), 12 facility
categories with 2,000 facilities and 50,000 origins. Run::

    .venv/bin/python benchmarks/bench_engine.py [side] [n_facilities] [n_origins] [n_jobs]

``side`` is the number of nodes per grid side (default 317 → ~100k nodes).
"""

from __future__ import annotations

import sys
from time import perf_counter

import geopandas as gpd
import numpy as np
import shapely

from zonekit.analysis.network.engine import nearest_times
from zonekit.analysis.network.graph import build_network
from zonekit.analysis.network.snapping import snap_points
from zonekit.analysis.network.travel import load_travel_profile

CRS = "EPSG:4548"
CATEGORIES = [f"cat{k:02d}" for k in range(12)]


def grid_roads(side: int, block_m: float = 100.0, seed: int = 0) -> gpd.GeoDataFrame:
    """Perturbed grid streets, split at every junction, with some one-way streets."""
    rng = np.random.default_rng(seed)
    ij = np.stack(np.meshgrid(np.arange(side), np.arange(side), indexing="ij"), -1).reshape(-1, 2)
    xy = ij * block_m + rng.normal(0, block_m * 0.15, ij.shape) + (500_000.0, 4_470_000.0)
    idx = np.arange(side * side).reshape(side, side)
    a = np.r_[idx[:-1, :].ravel(), idx[:, :-1].ravel()]
    b = np.r_[idx[1:, :].ravel(), idx[:, 1:].ravel()]
    m = len(a)
    geoms = shapely.linestrings(np.stack([xy[a], xy[b]], axis=1))
    classes = np.array(["primary", "secondary", "tertiary", "residential", "service", "footway"])
    return gpd.GeoDataFrame(
        {
            "highway": rng.choice(classes, m, p=[0.05, 0.1, 0.15, 0.5, 0.15, 0.05]),
            "oneway": rng.choice(
                np.array(["no", "yes", "-1"], dtype=object), m, p=[0.9, 0.05, 0.05]
            ),
            "maxspeed": rng.choice(
                np.array([None, "40", "60 km/h"], dtype=object), m, p=[0.8, 0.1, 0.1]
            ),
        },
        geometry=geoms,
        crs=CRS,
    )


def random_points(roads: gpd.GeoDataFrame, n: int, seed: int) -> gpd.GeoDataFrame:
    """Draw ``n`` uniform random points over the roads' bounding box."""
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = roads.total_bounds
    pts = shapely.points(rng.uniform(x0, x1, n), rng.uniform(y0, y1, n))
    return gpd.GeoDataFrame(geometry=pts, crs=CRS)


def main(side: int = 317, n_fac: int = 2000, n_orig: int = 50_000, n_jobs: int = 1) -> None:
    """Time build, snap and query on a ``side`` × ``side`` grid and print the steps."""
    t0 = perf_counter()
    roads = grid_roads(side)
    facilities = random_points(roads, n_fac, 1)
    origins = random_points(roads, n_orig, 2)
    cats = np.random.default_rng(3).choice(CATEGORIES, n_fac)
    print(
        f"data: {len(roads):,} road rows, {n_fac:,} facilities, {n_orig:,} origins "
        f"({perf_counter() - t0:.2f} s to generate)"
    )
    for mode, limit in (("walk", 15.0), ("drive", 15.0)):
        profile = load_travel_profile(mode)
        t = perf_counter()
        net = build_network(roads, profile)
        t_build = perf_counter() - t
        t = perf_counter()
        so = snap_points(net, origins)
        sf = snap_points(net, facilities)
        t_snap = perf_counter() - t
        t = perf_counter()
        res = nearest_times(net, so, sf, cats, limit, n_jobs=n_jobs)
        t_query = perf_counter() - t
        print(
            f"{mode:5s}: {net.n_nodes:,} nodes, {net.n_edges:,} edges, {net.graph.nnz:,} arcs | "
            f"build {t_build:.2f} s, snap {t_snap:.2f} s (incl. STRtree), "
            f"query {t_query:.2f} s for {len(CATEGORIES)} categories, n_jobs={n_jobs} "
            f"({t_query / len(CATEGORIES):.3f} s each) | "
            f"total {t_build + t_snap + t_query:.2f} s | "
            f"{res.notna().to_numpy().mean():.1%} of cells within {limit:g} min"
        )


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
