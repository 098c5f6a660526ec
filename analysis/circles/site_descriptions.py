"""Where new sites are and what they bring, in words a planner can act on.

New facility sites are chosen among candidate points; a candidate id (``C0009``) says
nothing on the ground. :func:`locate` gives each point its zone, the nearest road that has
a name (within ``road_max_m``; ``"(unnamed)"`` otherwise) and its coordinates in WGS84
and in GCJ-02, the datum Amap (高德) and Tencent maps use in China. :func:`siting_answer`
states what each siting solution brings ("3 new sites bring 5-minute coverage of … from
83.3 % to 100 %") and which demand was optimised.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely

from zonekit.zones.coords import wgs84_to_gcj02
from zonekit.zones.wording import counted

if TYPE_CHECKING:
    import geopandas as gpd

UNNAMED = "(unnamed)"
OUTSIDE = "(outside every zone)"
#: Columns :func:`locate` returns.
PLACE_COLUMNS = ("zone_id", "zone_name_zh", "road_name", "road_distance_m", "lon_wgs84",
                 "lat_wgs84", "lon_gcj02", "lat_gcj02")


def locate(points: gpd.GeoSeries, zones: gpd.GeoDataFrame | None = None,
           roads: gpd.GeoDataFrame | None = None, road_max_m: float = 200.0) -> pd.DataFrame:
    """Zone, nearest named road and WGS84 / GCJ-02 coordinates of each point.

    Parameters
    ----------
    points
        Points in a projected CRS (metres).
    zones
        Zones with ``zone_id`` and ``name_zh`` (optional: columns left empty without).
    roads
        Roads with a ``name`` column (optional).
    road_max_m
        Nearest named road searched within this distance, m.

    Returns
    -------
    DataFrame indexed like ``points`` with :data:`PLACE_COLUMNS`: ``road_distance_m`` in
    metres (NaN when no named road is within reach), coordinates in degrees (6 decimals,
    ≈ 0.1 m).
    """
    out = pd.DataFrame(index=points.index)
    geoms = points.to_numpy()
    out["zone_id"], out["zone_name_zh"] = zone_of(geoms, zones)
    out["road_name"], out["road_distance_m"] = nearest_named_road(geoms, roads, road_max_m)
    wgs = points.to_crs(4326)
    lon, lat = wgs.x.to_numpy(), wgs.y.to_numpy()
    glon, glat = wgs84_to_gcj02(lon, lat)
    for col, values in (("lon_wgs84", lon), ("lat_wgs84", lat), ("lon_gcj02", glon),
                        ("lat_gcj02", glat)):
        out[col] = np.round(np.asarray(values, dtype=float), 6)
    return out


def zone_of(geoms: np.ndarray, zones: gpd.GeoDataFrame | None) -> tuple[np.ndarray, np.ndarray]:
    """Zone id and Chinese name of each geometry (:data:`OUTSIDE` and "" outside every zone)."""
    ids = np.full(len(geoms), OUTSIDE, dtype=object)
    names = np.full(len(geoms), "", dtype=object)
    if zones is None or not len(zones) or not len(geoms):
        return ids, names
    tree = shapely.STRtree(zones.geometry.to_numpy())
    p, z = tree.query(geoms, predicate="intersects")
    first = pd.Series(z).groupby(p).first()  # a point on a shared border takes one zone
    ids[first.index.to_numpy()] = zones["zone_id"].astype(str).to_numpy()[first.to_numpy()]
    if "name_zh" in zones:
        names[first.index.to_numpy()] = zones["name_zh"].astype(str).to_numpy()[first.to_numpy()]
    return ids, names


def nearest_named_road(geoms: np.ndarray, roads: gpd.GeoDataFrame | None,
                       max_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Name of the nearest road that has one, and its distance (m), for each geometry.

    Parameters
    ----------
    geoms
        Shapely geometries (points or polygons) in the roads' projected CRS.
    roads
        Roads with a ``name`` column (``None`` or no column: every geometry unnamed).
    max_m
        Search radius, m; a geometry touching a road is at 0 m.

    Returns
    -------
    ``(names, distances)``: :data:`UNNAMED` and NaN where no named road is within ``max_m``.
    """
    names = np.full(len(geoms), UNNAMED, dtype=object)
    dist = np.full(len(geoms), np.nan)
    if roads is None or "name" not in roads or not len(geoms):
        return names, dist
    label = roads["name"].astype("string").str.strip()
    named = roads.loc[label.notna() & (label != "")]
    if not len(named):
        return names, dist
    tree = shapely.STRtree(named.geometry.to_numpy())
    (p, r), d = tree.query_nearest(geoms, max_distance=max_m, return_distance=True,
                                   all_matches=False)
    names[p] = named["name"].astype(str).str.strip().to_numpy()[r]
    dist[p] = np.round(d, 1)
    return names, dist


#: Names of the charging siting demands (what the sites were chosen to cover).
DEMAND_NAMES = {
    "built_land_km2": ("建设用地（含在建）", "construction land incl. land under construction"),
    "origins": ("人口", "population"), "parcels": ("地块", "parcels"),
    "enterprises": ("企业", "enterprises"), "employees": ("从业人员", "employees"),
}
_UNIT_WORDS = {"minutes": ("分钟", "minute"), "metres": ("米", "metre")}


def pct_text(share: float, decimals: int = 1) -> str:
    """Format a share (0–1) as a percentage that never rounds up to 100 % unless it is.

    Examples
    --------
    >>> pct_text(0.9996), pct_text(1.0), pct_text(0.8333)
    ('99.96 %', '100 %', '83.3 %')
    """
    from zonekit.analysis.mujun.low_efficiency import below_text

    value = 100 * share
    if value >= 100 - 1e-9:
        return "100 %"
    return f"{below_text(value, 100.0, decimals)} %"


def siting_answer(summary: dict, demand: str, demand_unit: str, limit: float,
                  measure: str = "minutes") -> dict:
    """Sentences (English and Chinese) stating what each siting solution brings.

    Parameters
    ----------
    summary
        :func:`zonekit.analysis.circles.siting.site_facilities` summary (``share_before``,
        and per solution ``sites`` and ``share_after``, or ``share_after_engine``).
    demand, demand_unit
        The demand optimised (``built_land_km2``, ``origins``, …) and its unit.
    limit, measure
        The circle's limit and its measure (``minutes`` or ``metres``).

    Returns
    -------
    ``{"demand_optimised": {...}, "<solution>": {"sentence": …, "sentence_zh": …}, …}``.
    """
    zh, en = DEMAND_NAMES.get(demand, (demand, demand))
    shown = demand_unit.replace("km2", "km²")
    unit_zh, unit_en = _UNIT_WORDS.get(measure, (measure, measure))
    out: dict = {"demand_optimised": {
        "demand": demand, "name_zh": zh, "name_en": en, "unit": demand_unit,
        "note": f"sites were chosen to cover {en} ({shown}); shares of other measures "
                f"(population on the headline card) follow from them, not optimised",
        "note_zh": f"选址以{zh}（{shown}）覆盖最大化为目标；人口等其他口径的覆盖率随之变化，"
                   f"并非优化目标"}}
    before = pct_text(summary.get("share_before", 0.0))
    for name in ("mclp", "set_cover"):
        sol = summary.get(name)
        if not isinstance(sol, dict):
            continue
        n = int(sol.get("sites", 0))
        after = pct_text(sol.get("share_after_engine", sol.get("share_after", 0.0)))
        out[name] = {
            "sentence": f"{counted(n, 'new site')} bring{'s' if n == 1 else ''} "
                        f"{limit:g}-{unit_en} coverage of {en} from {before} to {after}",
            "sentence_zh": f"新增 {n} 处站点，{limit:g} {unit_zh}{zh}覆盖率由 {before} 提高到 "
                           f"{after}"}
    return out
