"""The sample park's service facilities and population raster.

Facilities per category and zone, the chain platforms and people per cell
(:mod:`zonekit.data.generate_sample`).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import shapely
from rasterio.features import rasterize
from shapely.geometry import Point

from zonekit.data.sample_spec import (
    BRANDS,
    CHAIN_PLATFORMS,
    DAILY_SERVICES,
    FACILITY_NAME,
    FACILITY_PLAN,
    GZ_HUB_ONLY,
    GZ_HUB_RADIUS_M,
    TOPICS,
    ZONES,
)
from zonekit.data.sample_zones_roads import population_frame
from zonekit.zones.schema import DEFAULT_CRS


# =========================================================================================
# facilities and population
# =========================================================================================
def _gz_hub(zones: gpd.GeoDataFrame) -> Point:
    """GZ's service hub: 1 km from its centroid towards the eco-business zone."""
    z = zones.set_index("zone_id").geometry
    c, t = np.array(z["GZ"].centroid.coords[0]), np.array(z["SW"].centroid.coords[0])
    return Point(c + 1_000 * (t - c) / np.linalg.norm(t - c))


def _place_near_road(rng, road_tree, zone, cand: pd.DataFrame, weight: np.ndarray):
    """Pick a point 5-40 m off a weighted-random candidate road, inside ``zone``."""
    for _ in range(200):
        k = rng.choice(len(cand), p=weight / weight.sum())
        line = cand.geometry.iloc[k]
        at = line.interpolate(rng.uniform(0.15, 0.85), normalized=True)
        ahead = line.interpolate(min(line.project(at) + 1, line.length))
        d = np.array([ahead.x - at.x, ahead.y - at.y])
        normal = np.array([-d[1], d[0]]) / (np.hypot(*d) or 1)
        pt = Point(np.round(np.array([at.x, at.y]) + rng.choice([-1, 1]) * rng.uniform(9, 34)
                            * normal, 2))
        _, dist = road_tree.query_nearest(pt, return_distance=True)
        if 5 <= dist[0] <= 40 and zone.contains(pt):
            return pt, cand["name"].iloc[k]
    raise RuntimeError("could not place a facility")


def build_facilities(rng, zones, roads, parcels) -> gpd.GeoDataFrame:
    """Daily services, industry platforms and charging stations, with deliberate gaps."""
    tree = shapely.STRtree(roads.geometry.values)
    zone_geom = zones.set_index("zone_id").geometry
    homes = shapely.union_all(parcels.geometry[parcels.land_use == "0701"].values)
    hub = _gz_hub(zones)
    base = roads[roads.zone_id.notna() & (roads.highway != "footway")
                 & roads.geometry.length.gt(60)]
    # Daily services cluster around housing estates (most within a few hundred metres).
    near_home = np.exp(-base.distance(homes).to_numpy() / 150) + 0.02
    rows = []
    for cat, per_zone in FACILITY_PLAN.items():
        for zid, count in per_zone.items():
            m = (base.zone_id == zid).to_numpy()
            if cat in GZ_HUB_ONLY and zid == "GZ":
                m = m & (base.distance(hub) < GZ_HUB_RADIUS_M - 300).to_numpy()
            w = base.length.to_numpy()[m] * (near_home[m] if cat in DAILY_SERVICES else 1.0)
            for _ in range(count):
                pt, road = _place_near_road(rng, tree, zone_geom[zid], base[m], w)
                rows.append(_facility_row(rng, cat, zid, road, pt))
    fac = gpd.GeoDataFrame(rows, crs=DEFAULT_CRS)
    fac.insert(0, "fac_id", [f"F{k + 1:04d}" for k in range(len(fac))])
    fac["chargers"] = pd.array(fac.chargers, dtype="Int64")
    return fac


def place_chain_platforms(rng, zones, roads, facilities: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Re-place the rows of :data:`CHAIN_PLATFORMS` categories; ids and other rows unchanged.

    ``rng`` is a stream of its own, so the main sequence (population after facilities)
    draws exactly what it drew before.
    """
    tree = shapely.STRtree(roads.geometry.values)
    zone_geom = zones.set_index("zone_id").geometry
    base = roads[roads.zone_id.notna() & (roads.highway != "footway")
                 & roads.geometry.length.gt(60)]
    fac = facilities.copy()
    for cat, per_zone in CHAIN_PLATFORMS.items():
        rows = np.flatnonzero((fac["category"] == cat).to_numpy())
        if len(rows) != sum(per_zone.values()):
            raise ValueError(f"CHAIN_PLATFORMS[{cat!r}] must place {len(rows)} facilities "
                             f"(FACILITY_PLAN's count), found {sum(per_zone.values())}")
        new = []
        for zid, count in per_zone.items():
            m = (base.zone_id == zid).to_numpy()
            for _ in range(count):
                pt, road = _place_near_road(rng, tree, zone_geom[zid], base[m],
                                            base.length.to_numpy()[m])
                new.append(_facility_row(rng, cat, zid, road, pt))
        for col in ("name", "geometry"):
            fac.iloc[rows, fac.columns.get_loc(col)] = [r[col] for r in new]
    return fac


def _facility_row(rng, cat: str, zid: str, road: str | None, pt: Point) -> dict:
    label = road or next(z[1] for z in ZONES if z[0] == zid)
    name = FACILITY_NAME[cat].format(b=rng.choice(BRANDS), r=label, t=rng.choice(TOPICS))
    row = {"category": cat, "name": name, "chargers": None, "power_kw": np.nan, "geometry": pt}
    if cat == "charging_station":
        fast = rng.random() < 0.6
        row["chargers"] = int(rng.integers(6, 25) if fast else rng.integers(4, 13))
        row["power_kw"] = float(rng.choice([60, 90, 120, 160] if fast else [7, 11, 22]))
    return row


def build_population(rng, zones, parcels, villages: np.ndarray) -> tuple[np.ndarray, object]:
    """Persons per 100 m cell: dense housing estates, the villages, sparse farmsteads."""
    x0, y0, x1, y1 = population_frame(zones)
    w, h = int((x1 - x0) / 100), int((y1 - y0) / 100)
    transform = rasterio.Affine(100, 0, x0, 0, -100, y1)
    homes = parcels[(parcels.land_use == "0701") & (parcels.status == "in_use")]
    dens = rng.uniform(200, 450, len(homes)) / 100  # persons per 10 m sub-cell
    fine = rasterize(zip(homes.geometry, dens, strict=True), out_shape=(h * 10, w * 10),
                     transform=rasterio.Affine(10, 0, x0, 0, -10, y1), dtype="float32")
    pop = fine.reshape(h, 10, w, 10).sum(axis=(1, 3)).astype(np.float64)
    cx = x0 + 50 + 100 * np.arange(w)
    cy = y1 - 50 - 100 * np.arange(h)
    gx, gy = np.meshgrid(cx, cy)
    for vx, vy, sigma, persons in villages:
        bump = np.exp(-((gx - vx) ** 2 + (gy - vy) ** 2) / (2 * sigma ** 2))
        pop += persons * bump / bump.sum()
    in_zone = shapely.contains_xy(zones.geometry.union_all(), gx, gy)
    farm = ~in_zone & (rng.random(pop.shape) < 0.06)
    pop[farm] += rng.uniform(0.5, 4, farm.sum())
    return np.round(pop, 2).astype("float32"), transform


