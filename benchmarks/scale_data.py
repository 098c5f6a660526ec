"""Generate a synthetic province for ``zonekit scale``: many parks, a city for the circles.

Seeded and vectorised (1M enterprises in well under a minute). Run from the repository
root::

    .venv/bin/python -m benchmarks.scale_data --parks 200 --enterprises 5000 --out /tmp/zk-province
    .venv/bin/python -m benchmarks.scale_data --parks 12 --enterprises 300 --city-side 40 \
        --out /tmp/zk-small

writes GeoParquet partitions (covering bbox columns, EPSG:4548), co-partitioned by park::

    OUT/zones/part-0000.parquet        OUT/parcels/part-0000.parquet
    OUT/enterprises/part-0000.parquet  ...                       (parks grouped into --parts)
    OUT/roads/part-0000.parquet        OUT/facilities/part-0000.parquet
    OUT/population/part-0000.parquet   (the city: street grid, facilities, population cells)

Parks are ``--park-side-km`` squares 20 km apart, four zones each, a grid of parcels
(industrial, logistics, commercial, public service, residential, green, road land; in use,
idle or under construction) and enterprises with skewed revenue, tax, staff, energy, R&D
and patents. A few parcels have no zone and a few enterprises no known parcel, so the
``(no zone)`` and ``(unassigned)`` rows and the ``no_parcel`` status are exercised.
Nothing here is real data.
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

CRS = "EPSG:4548"
X0, Y0 = 300_000.0, 4_300_000.0
PARK_SPACING_M = 20_000.0
LAND_USES = np.array(["1001", "1101", "0901", "0802", "0701", "1402", "1207"])
LAND_USE_P = np.array([0.62, 0.10, 0.08, 0.06, 0.04, 0.06, 0.04])
FIRM_LAND = np.array([True, True, True, True, True, False, False])  # firms sit on these uses
INDUSTRIES = np.array(["新能源智能汽车", "生命健康", "生态环保", "先进装备", "科技服务",
                       "商贸服务"])
STATUSES = np.array(["in_use", "idle", "under_construction"])
CATEGORIES = ("clinic", "school", "grocery", "park")


def make_parks(n_parks: int, enterprises_per_park: int, seed: int = 0,
               park_side_km: float = 6.0) -> dict[str, gpd.GeoDataFrame]:
    """Zones, parcels and enterprises of ``n_parks`` parks (each row carries ``park_id``)."""
    rng = np.random.default_rng(seed)
    side = park_side_km * 1000.0
    cols = math.ceil(math.sqrt(n_parks))
    park = np.arange(n_parks)
    px = X0 + (park % cols) * PARK_SPACING_M
    py = Y0 + (park // cols) * PARK_SPACING_M
    park_ids = np.array([f"P{k:03d}" for k in park], dtype=object)

    # zones: the four quadrants of each park
    q = np.tile(np.arange(4), n_parks)
    zp = np.repeat(park, 4)
    zx, zy = px[zp] + (q % 2) * side / 2, py[zp] + (q // 2) * side / 2
    zones = gpd.GeoDataFrame({
        "zone_id": [f"{park_ids[p]}-Z{k}" for p, k in zip(zp, q, strict=True)],
        "name_zh": [f"{park_ids[p]}园第{k + 1}分区" for p, k in zip(zp, q, strict=True)],
        "name_en": [f"park {park_ids[p]} zone {k + 1}" for p, k in zip(zp, q, strict=True)],
        "kind": np.where(q < 2, "core_zone", "municipal_block"),
        "park_id": park_ids[zp],
    }, geometry=shapely.box(zx, zy, zx + side / 2, zy + side / 2), crs=CRS)

    # parcels: a g × g grid per park, shrunk by a street margin
    g = max(2, math.ceil(math.sqrt(enterprises_per_park / 5)))
    cell = side / g
    ij = np.arange(g * g)
    pp = np.repeat(park, g * g)
    ci, cj = np.tile(ij % g, n_parks), np.tile(ij // g, n_parks)
    n_parcels = len(pp)
    margin = rng.uniform(0.04, 0.12, n_parcels) * cell
    x0, y0 = px[pp] + ci * cell + margin, py[pp] + cj * cell + margin
    x1, y1 = px[pp] + (ci + 1) * cell - margin, py[pp] + (cj + 1) * cell - margin
    quadrant = (ci >= g / 2).astype(int) + 2 * (cj >= g / 2).astype(int)
    zone_id = np.array([f"{park_ids[p]}-Z{k}" for p, k in zip(pp, quadrant, strict=True)],
                       dtype=object)
    zone_id[rng.random(n_parcels) < 0.005] = None
    use_k = rng.choice(len(LAND_USES), n_parcels, p=LAND_USE_P)
    status = STATUSES[rng.choice(3, n_parcels, p=[0.85, 0.07, 0.08])]
    geom = shapely.box(x0, y0, x1, y1)
    area = shapely.area(geom)
    floor = np.round(area * np.clip(rng.lognormal(0.2, 0.5, n_parcels), 0.1, 4.0), 1)
    floor[rng.random(n_parcels) < 0.03] = np.nan
    parcel_id = np.array([f"{park_ids[p]}-L{k:05d}" for p, k in zip(pp, np.tile(ij, n_parks),
                                                                      strict=True)], dtype=object)
    parcels = gpd.GeoDataFrame({
        "parcel_id": parcel_id, "zone_id": zone_id, "land_use": LAND_USES[use_k],
        "floor_area_m2": floor, "status": status,
        "lease_end_year": pd.array(rng.integers(2035, 2070, n_parcels), dtype="Int64"),
        "park_id": park_ids[pp],
    }, geometry=geom, crs=CRS)

    # enterprises: skewed counts per parcel (incubators hold many firms), within each park
    n_ent = n_parks * enterprises_per_park
    ep = np.repeat(park, enterprises_per_park)
    weight = rng.gamma(1.5, 1.0, n_parcels) * FIRM_LAND[use_k]
    local = np.empty(n_ent, dtype=np.int64)
    for p in park:  # one weighted draw per park (parcels of park p are a contiguous block)
        w = weight[p * g * g:(p + 1) * g * g]
        local[p * enterprises_per_park:(p + 1) * enterprises_per_park] = (
            p * g * g + rng.choice(g * g, enterprises_per_park, p=w / w.sum()))
    ent_parcel = parcel_id[local].copy()
    lost = rng.random(n_ent)
    ent_parcel[lost < 0.003] = None
    ent_parcel[(lost >= 0.003) & (lost < 0.005)] = "UNKNOWN-PARCEL"
    cx, cy = (x0[local] + x1[local]) / 2, (y0[local] + y1[local]) / 2
    half = (x1[local] - x0[local]) / 2 * 0.8
    revenue = np.round(np.clip(rng.lognormal(np.log(3000), 1.5, n_ent), 0, 2e7), 1)
    revenue[rng.random(n_ent) < 0.02] = 0.0
    tax = np.round(revenue * rng.uniform(0.01, 0.1, n_ent), 2)
    tax[rng.random(n_ent) < 0.05] = np.nan
    employees = np.clip(np.round(revenue / rng.uniform(50, 300, n_ent)), 0, 200_000).astype(int)
    energy = np.round(revenue / rng.uniform(1, 30, n_ent), 2)
    energy[rng.random(n_ent) < 0.2] = np.nan
    rnd = np.round(revenue * rng.uniform(0, 0.08, n_ent), 2)
    rnd[rng.random(n_ent) < 0.1] = np.nan
    founded = rng.integers(1990, 2025, n_ent)
    seq = np.tile(np.arange(enterprises_per_park), n_parks)
    enterprises = gpd.GeoDataFrame({
        "ent_id": [f"{park_ids[p]}-E{k:06d}" for p, k in zip(ep, seq, strict=True)],
        "parcel_id": ent_parcel,
        "name": [f"{park_ids[p]}企业{k}" for p, k in zip(ep, seq, strict=True)],
        "industry": INDUSTRIES[rng.integers(0, len(INDUSTRIES), n_ent)],
        "revenue_wan": revenue, "tax_wan": tax, "employees": employees, "energy_tce": energy,
        "rnd_wan": rnd, "patents": rng.poisson(employees / 50.0), "founded_year": founded,
        "high_tech": rng.random(n_ent) < 0.2, "specialized": rng.random(n_ent) < 0.1,
        "listed": rng.random(n_ent) < 0.01, "park_id": park_ids[ep],
    }, geometry=shapely.points(cx + rng.uniform(-1, 1, n_ent) * half,
                               cy + rng.uniform(-1, 1, n_ent) * half), crs=CRS)
    return {"zones": zones, "parcels": parcels, "enterprises": enterprises}


def make_city(side: int, block_m: float = 150.0, cells_per_block: int = 3,
              facilities: int | None = None, seed: int = 1) -> dict[str, gpd.GeoDataFrame]:
    """Build a city: a perturbed street grid (``side``² junctions), facilities, population cells.

    Population cells are the centres of a regular grid (``block_m / cells_per_block``
    metres) with a Poisson ``population``; facilities (default two per km²) carry a
    ``category`` from :data:`CATEGORIES`; roads have ``highway``, ``oneway`` and
    ``maxspeed``.
    """
    rng = np.random.default_rng(seed)
    ij = np.stack(np.meshgrid(np.arange(side), np.arange(side), indexing="ij"), -1).reshape(-1, 2)
    ox, oy = X0 - 60_000.0, Y0
    xy = ij * block_m + rng.normal(0, block_m * 0.12, ij.shape) + (ox, oy)
    idx = np.arange(side * side).reshape(side, side)
    a = np.r_[idx[:-1, :].ravel(), idx[:, :-1].ravel()]
    b = np.r_[idx[1:, :].ravel(), idx[:, 1:].ravel()]
    m = len(a)
    classes = np.array(["primary", "secondary", "tertiary", "residential", "service", "footway"])
    roads = gpd.GeoDataFrame({
        "highway": rng.choice(classes, m, p=[0.05, 0.1, 0.15, 0.5, 0.15, 0.05]),
        "oneway": rng.choice(np.array(["no", "yes", "-1"], dtype=object), m, p=[0.9, 0.05, 0.05]),
        "maxspeed": rng.choice(np.array([np.nan, 40.0, 60.0]), m, p=[0.8, 0.1, 0.1]),
    }, geometry=shapely.linestrings(np.stack([xy[a], xy[b]], axis=1)), crs=CRS)
    extent = (side - 1) * block_m
    if facilities is None:
        facilities = max(len(CATEGORIES), round(2.0 * (extent / 1000.0) ** 2))
    step = block_m / cells_per_block
    n = int(extent // step)
    gx, gy = np.meshgrid(np.arange(n) * step + step / 2, np.arange(n) * step + step / 2)
    population = gpd.GeoDataFrame({
        "cell_id": np.arange(n * n, dtype=np.int64),
        "population": rng.poisson(rng.gamma(1.5, 20.0, n * n)),
    }, geometry=shapely.points(gx.ravel() + ox, gy.ravel() + oy), crs=CRS)
    facilities_gdf = gpd.GeoDataFrame({
        "fac_id": [f"F{k:06d}" for k in range(facilities)],
        "category": rng.choice(np.array(CATEGORIES), facilities),
    }, geometry=shapely.points(rng.uniform(0, extent, facilities) + ox,
                               rng.uniform(0, extent, facilities) + oy), crs=CRS)
    return {"roads": roads, "population": population, "facilities": facilities_gdf}


def write_layer(gdf: gpd.GeoDataFrame, folder: Path, groups: np.ndarray) -> list[Path]:
    """Write ``gdf`` as GeoParquet files ``part-NNNN.parquet``, one per value of ``groups``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for k in np.unique(groups):
        path = folder / f"part-{int(k):04d}.parquet"
        gdf.loc[groups == k].to_parquet(path, write_covering_bbox=True, index=False)
        paths.append(path)
    return paths


def write_province(layers: dict[str, gpd.GeoDataFrame], out: Path, parts: int) -> None:
    """Write the park layers co-partitioned: whole parks per part, ``parts`` parts."""
    parks = np.unique(layers["zones"]["park_id"])
    per = math.ceil(len(parks) / parts)
    part_of = pd.Series(np.arange(len(parks)) // per, index=parks)
    for name in ("zones", "parcels", "enterprises"):
        gdf = layers[name]
        write_layer(gdf, out / name, part_of[gdf["park_id"]].to_numpy())


def write_city(city: dict[str, gpd.GeoDataFrame], out: Path, tiles: int = 4) -> None:
    """Write the city's layers as GeoParquet, cut into ``tiles`` × ``tiles`` spatial files."""
    for name, gdf in city.items():
        xy = shapely.get_coordinates(gdf.geometry.centroid)
        lo, hi = xy.min(axis=0), xy.max(axis=0) + 1e-6
        cell = np.floor((xy - lo) / (hi - lo) * tiles).astype(int)
        write_layer(gdf, out / name, cell[:, 0] * tiles + cell[:, 1])


def main() -> None:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--parks", type=int, default=200)
    ap.add_argument("--enterprises", type=int, default=5000, help="enterprises per park")
    ap.add_argument("--parts", type=int, default=20, help="partitions (whole parks each)")
    ap.add_argument("--park-side-km", type=float, default=6.0)
    ap.add_argument("--city-side", type=int, default=0,
                    help="junctions per side of the city grid (0: no city)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    t = time.perf_counter()
    layers = make_parks(args.parks, args.enterprises, args.seed, args.park_side_km)
    write_province(layers, args.out, args.parts)
    print(f"{args.parks} parks: {len(layers['parcels']):,} parcels, "
          f"{len(layers['enterprises']):,} enterprises in {args.parts} parts "
          f"({time.perf_counter() - t:.1f} s) → {args.out}")
    if args.city_side:
        t = time.perf_counter()
        city = make_city(args.city_side, seed=args.seed + 1)
        write_city(city, args.out)
        print(f"city: {len(city['roads']):,} roads, {len(city['population']):,} population "
              f"cells, {len(city['facilities']):,} facilities ({time.perf_counter() - t:.1f} s)")


if __name__ == "__main__":
    main()
