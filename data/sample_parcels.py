"""The sample park's parcels.

Blocks split into plots; land use, status and built land calibrated to the plan
(:mod:`zonekit.data.generate_sample`).
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import affinity
from shapely.geometry import Polygon

from zonekit.data.sample_spec import (
    BLOCK_USE_P,
    BUILT_TARGET_M2,
    PARCEL_TARGET_M2,
    PLOT_RATIO,
    ROAD_CLEARANCE_M,
    ZONES,
)
from zonekit.data.sample_zones_roads import _random_points, _round_geoms
from zonekit.zones.landuse import CODES_2020, CONSTRUCTION_CLASSES, land_use_class
from zonekit.zones.schema import DEFAULT_CRS


# =========================================================================================
# parcels
# =========================================================================================
def _split_block(rng, block: Polygon, target_m2: float) -> list[Polygon]:
    """Cut a block into ~``target_m2`` parcels, 1 m apart (strips if compact, else cells)."""
    n = int(np.clip(round(block.area / target_m2 * rng.uniform(0.7, 1.3)), 1, 40))
    if n == 1:
        return [block]
    rect = block.minimum_rotated_rectangle
    if block.area / rect.area > 0.85 and n <= 6:
        return _strips(rng, block, rect, n)
    return _cells(rng, block, n)


def _strips(rng, block: Polygon, rect: Polygon, n: int) -> list[Polygon]:
    """Cut a compact block across its long axis into ``n`` strips."""
    corners = np.asarray(rect.exterior.coords)
    sides = np.diff(corners[:3], axis=0)
    axis = sides[int(np.argmax(np.hypot(*sides.T)))]
    axis = axis / np.hypot(*axis)
    normal = np.array([-axis[1], axis[0]])
    along = np.asarray(block.exterior.coords) @ axis
    across = np.asarray(block.exterior.coords) @ normal
    lo_n, hi_n = (across.min() - 1) * normal, (across.max() + 1) * normal
    cuts = along.min() + np.ptp(along) * np.cumsum(rng.dirichlet(np.full(n, 5.0)))[:-1]
    bounds = np.concatenate([[along.min() - 1], cuts, [along.max() + 1]])
    parts = []
    for k in range(n):
        a, b = bounds[k] + (0.5 if k else 0), bounds[k + 1] - (0.5 if k < n - 1 else 0)
        strip = Polygon([a * axis + lo_n, b * axis + lo_n, b * axis + hi_n, a * axis + hi_n])
        parts.extend(shapely.get_parts(block.intersection(strip)))
    return [p for p in parts if p.geom_type == "Polygon"]


def _cells(rng, block: Polygon, n: int) -> list[Polygon]:
    """Cut an irregular block (e.g. the fringe along the zone edge) into ``n`` Voronoi cells."""
    pts = _random_points(rng, block, 30 * n)
    seeds = pts[:n].copy()
    for _ in range(8):  # a few Lloyd steps even out the cell sizes
        near = np.argmin(((pts[:, None, :] - seeds[None]) ** 2).sum(-1), axis=1)
        seeds = np.array([pts[near == k].mean(0) if (near == k).any() else seeds[k]
                          for k in range(n)])
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(seeds),
                                                       extend_to=block.envelope.buffer(100)))
    parts = [p for c in cells for p in shapely.get_parts(block.intersection(c.buffer(-0.5)))]
    return [p for p in parts if p.geom_type == "Polygon"]


def build_parcels(rng, zones: gpd.GeoDataFrame, roads: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Blocks between the roads, set back from them, cut into parcels with a land use."""
    clear = roads.geometry.buffer(roads.highway.map(ROAD_CLEARANCE_M).to_numpy(), quad_segs=4)
    road_space = shapely.union_all(clear.values)
    rows = []
    for zid, zone in zip(zones.zone_id, zones.geometry, strict=True):
        blocks = shapely.get_parts(zone.buffer(-5, quad_segs=4).difference(road_space))
        uses, p = zip(*BLOCK_USE_P[zid].items(), strict=True)
        for block in blocks:
            if block.area < 1_500:
                continue
            if block.area / block.minimum_rotated_rectangle.area < 0.85:
                # irregular fringe between the outer streets and the zone edge: cut it
                # into cells first, then give each cell its own use
                pieces = _cells(rng, block, max(1, round(block.area / 30_000)))
                rows += [{"zone_id": zid, "geometry": g, "land_use": str(rng.choice(uses, p=p))
                          if g.area >= 5_000 else "1402"} for g in pieces if g.area >= 800]
                continue
            use = str(rng.choice(uses, p=p)) if block.area >= 5_000 else "1402"
            pieces = _split_block(rng, block, PARCEL_TARGET_M2[use])
            rows += [{"zone_id": zid, "land_use": use, "geometry": g} for g in pieces
                     if g.area >= 800]
    parcels = gpd.GeoDataFrame(rows, crs=DEFAULT_CRS)
    parcels["geometry"] = shapely.make_valid(_round_geoms(parcels.geometry.values))
    return _number_parcels(parcels)


def _number_parcels(parcels: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Ids like GZ-0001, numbered north to south, west to east within each zone."""
    rp = parcels.geometry.representative_point()
    parcels = parcels.assign(_y=-rp.y.round(-2), _x=rp.x)
    order = {z[0]: k for k, z in enumerate(ZONES)}
    parcels = parcels.sort_values(["zone_id", "_y", "_x"], key=lambda s: s.map(order)
                                  if s.name == "zone_id" else s).reset_index(drop=True)
    seq = parcels.groupby("zone_id").cumcount() + 1
    parcels["parcel_id"] = [f"{z}-{k:04d}" for z, k in zip(parcels.zone_id, seq, strict=True)]
    return parcels.drop(columns=["_y", "_x"])


def assign_status(rng, parcels: gpd.GeoDataFrame) -> None:
    """~6 % idle (industry/logistics) and ~6 % under construction, by count."""
    n = len(parcels)
    status = np.full(n, "in_use", dtype=object)
    ind = np.flatnonzero(parcels.land_use.isin(["1001", "1101"]).to_numpy())
    small = 1 / parcels.area.to_numpy()[ind]  # idle works are mostly the smaller, older ones
    idle = rng.choice(ind, round(0.06 * n), replace=False, p=small / small.sum())
    status[idle] = "idle"
    free = np.flatnonzero((status == "in_use") & (parcels.land_use != "1402").to_numpy())
    w = np.where(parcels.zone_id.iloc[free].isin(["KC", "SW"]), 2.0, 1.0)
    status[rng.choice(free, round(0.06 * n), replace=False, p=w / w.sum())] = "under_construction"
    parcels["status"] = status


def built_mask(parcels: pd.DataFrame) -> np.ndarray:
    """Parcels counted as built land: in use or idle, construction land-use class."""
    cls = land_use_class(parcels.land_use)
    return (parcels.status.isin(["in_use", "idle"]) & cls.isin(CONSTRUCTION_CLASSES)).to_numpy()


def calibrate_built_land(rng, parcels: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> None:
    """Turn edge parcels into protective green, then shrink one, to hit the built target."""
    excess = parcels.area[built_mask(parcels)].sum() - BUILT_TARGET_M2
    if excess < 0:
        raise RuntimeError(f"built land short of the target by {-excess:.0f} m²; enlarge zones")
    rims = zones.set_index("zone_id").boundary.loc[parcels.zone_id].to_numpy()
    edge = shapely.distance(parcels.geometry.to_numpy(), rims) < 40
    cand = np.flatnonzero(edge & (parcels.land_use == "1001").to_numpy()
                          & (parcels.status == "in_use").to_numpy())
    for k in rng.permutation(cand):
        if excess < 15_000:
            break
        if parcels.area.iloc[k] < excess:
            parcels.loc[k, "land_use"] = "1402"
            excess -= parcels.area.iloc[k]
    # shrink one compact industrial parcel about its centroid to remove the remainder
    compact = parcels.area / parcels.convex_hull.area > 0.995
    big = np.flatnonzero((compact & (parcels.area > 2 * excess) & built_mask(parcels)
                          & (parcels.land_use == "1001")).to_numpy())
    k = int(big[0])
    geom = parcels.geometry.iloc[k]
    scale = math.sqrt((geom.area - excess) / geom.area)
    parcels.loc[k, "geometry"] = _round_geoms(affinity.scale(geom, scale, scale, origin="centroid"))


def parcel_attributes(rng, parcels: gpd.GeoDataFrame) -> np.ndarray:
    """Land-use names, plot ratios → floor area, lease end years; returns low-yield mask."""
    n = len(parcels)
    parcels["land_use_name"] = [CODES_2020[c][0] for c in parcels.land_use]
    ratio = np.zeros(n)
    for use, (lo, hi) in PLOT_RATIO.items():
        m = (parcels.land_use == use).to_numpy()
        ratio[m] = rng.uniform(lo, hi, m.sum())
    ind = (parcels.land_use == "1001").to_numpy()
    ratio[ind] = np.clip(rng.lognormal(math.log(1.1), 0.35, ind.sum()), 0.6, 2.5)
    tail = ind & (rng.random(n) < 0.08)
    ratio[tail] = rng.uniform(0.3, 0.6, tail.sum())
    low = _pick_low_yield(rng, parcels)
    ratio[low] = rng.uniform(0.3, 0.58, low.sum())  # old, sparse single-storey works
    parcels["floor_area_m2"] = np.round(parcels.area.to_numpy() * ratio, 1)
    has_lease = (parcels.land_use != "1402").to_numpy() & (rng.random(n) < 0.79)
    lease = np.where(has_lease, rng.integers(2028, 2073, n), -1)
    parcels["lease_end_year"] = pd.array(np.where(lease > 0, lease, None), dtype="Int64")
    return low


def _pick_low_yield(rng, parcels) -> np.ndarray:
    """In-use industrial parcels to be 腾笼换鸟 candidates (~12 % of industrial land with idle)."""
    ind = (parcels.land_use == "1001") & parcels.status.isin(["in_use", "idle"])
    area = parcels.area
    target = max(0.04, 0.12 - area[ind & (parcels.status == "idle")].sum() / area[ind].sum())
    cand = np.flatnonzero((ind & (parcels.status == "in_use")).to_numpy())
    order = rng.choice(cand, len(cand), replace=False, p=area.iloc[cand] / area.iloc[cand].sum())
    low = np.zeros(len(parcels), dtype=bool)
    got = 0.0
    for k in order:
        if got >= target * area[ind].sum():
            break
        low[k], got = True, got + area.iloc[k]
    return low


