"""Land measures: areas, the land-output denominator, and the per-zone table.

Units: areas in km² (``*_km2``), revenue in 亿元 (``*_yi``; 1 亿元 = 10,000 万元),
land output in 亿元/km², output per employee in 万元/人. All areas come from geometry in
the park's projected CRS (metres); inputs in degrees are refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from zonekit.errors import CRSError
from zonekit.zones.landuse import CONSTRUCTION_CLASSES, land_use_class

if TYPE_CHECKING:
    import geopandas as gpd

WAN_PER_YI = 10_000.0
M2_PER_KM2 = 1_000_000.0
#: Statuses that count as built (建成): in use, or built but idle/stalled.
BUILT_STATUSES = ("in_use", "idle")
DENOMINATORS = ("built", "all", "industrial")
DENOMINATOR_DOC = {
    "built": "built construction land: parcels in use or idle whose land use is construction "
             "land (industrial, logistics, commercial, residential, public service)",
    "all": "all zone land: the zone polygons' area (plus the area of parcels in no zone)",
    "industrial": "built industrial land only (land-use class industrial, in use or idle)",
}


def area_m2(gdf: gpd.GeoDataFrame) -> pd.Series:
    """Polygon areas in m², refusing geographic coordinates.

    Raises
    ------
    zonekit.errors.CRSError
        When the layer has no CRS or a geographic one (areas in degrees² are meaningless).
    """
    if gdf.crs is None or not gdf.crs.is_projected:
        found = "none" if gdf.crs is None else gdf.crs.to_string()
        raise CRSError(f"areas need a projected CRS in metres; found CRS {found}")
    return gdf.geometry.area


def parcel_land(parcels: gpd.GeoDataFrame) -> pd.DataFrame:
    """Per parcel: area (m²), land-use class and the three denominator flags."""
    cls = land_use_class(parcels["land_use"])
    built = parcels["status"].isin(BUILT_STATUSES) & cls.isin(CONSTRUCTION_CLASSES)
    return pd.DataFrame({
        "area_m2": area_m2(parcels),
        "land_class": cls,
        "built": built,
        "industrial": built & (cls == "industrial"),
    }, index=parcels.index)


def enterprise_zone(enterprises: pd.DataFrame, parcels: pd.DataFrame) -> pd.Series:
    """Zone id of each enterprise through its parcel (NaN when the parcel is unknown)."""
    lookup = parcels.drop_duplicates("parcel_id").set_index("parcel_id")["zone_id"]
    return enterprises["parcel_id"].map(lookup)


def zone_table(
    zones: gpd.GeoDataFrame,
    parcels: gpd.GeoDataFrame,
    enterprises: gpd.GeoDataFrame,
    denominator: str = "built",
) -> pd.DataFrame:
    """Per zone/block: areas, parcels, enterprises, revenue and land output, plus totals.

    Parameters
    ----------
    zones, parcels, enterprises
        Layers in a projected CRS (see :mod:`zonekit.zones.schema`).
    denominator
        Land used for land output: ``built`` (default), ``all`` or ``industrial``
        (see :data:`DENOMINATOR_DOC`).

    Returns
    -------
    DataFrame with one row per zone, an ``(unassigned)`` row when enterprises match no
    parcel, and a final ``park`` row. Columns: ``zone_id``, ``name_zh``, ``name_en``,
    ``kind``, ``area_km2``, ``parcels``, ``built_land_km2``, ``industrial_land_km2``,
    ``land_km2`` (the denominator), ``enterprises``, ``employees``, ``revenue_yi``,
    ``land_output_yi_per_km2``, ``output_per_employee_wan``.

    Examples
    --------
    >>> from zonekit import load_park
    >>> park = load_park()  # the synthetic sample
    >>> table = zone_table(park.zones, park.parcels, park.enterprises)
    >>> round(float(table.iloc[-1]["land_output_yi_per_km2"]), 1)
    30.4
    """
    if denominator not in DENOMINATORS:
        raise ValueError(f"denominator must be one of {DENOMINATORS}, got {denominator!r}")
    return zone_table_from_sums(zones, *zone_land_sums(parcels, enterprises), denominator)


def on_footprint(totals: pd.Series, zones: gpd.GeoDataFrame, denominator: str,
                 m2_per_unit: float, area: str, land: str) -> None:
    """Take the park's area (and, with ``denominator="all"``, its land) on the footprint.

    Overlapping zones hold their shared land in each zone's row; the park total subtracts
    what the sum counts more than once (:func:`zonekit.zones.joins.zones_double_counted_m2`),
    in place. Parcels are in one zone each, so parcel land is never double counted.

    Parameters
    ----------
    totals
        Sums over the zone rows, changed in place.
    m2_per_unit
        m² per unit of ``totals[area]`` (1e6 for km², 1 for m²).
    """
    from zonekit.zones.joins import zones_double_counted_m2

    extra = zones_double_counted_m2(zones) / m2_per_unit
    totals[area] -= extra
    if denominator == "all":
        totals[land] -= extra


def zone_land_sums(parcels: pd.DataFrame,
                   enterprises: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sum parcels, land (km²) and enterprises by zone, for :func:`zone_table`.

    Sums add up across partitions of the data (:mod:`zonekit.analysis.land.zone_parts`).
    Parcels without a zone count under ``(no zone)``, enterprises with no known parcel
    under ``(unassigned)``.
    """
    land = parcel_land(parcels)
    area = land["area_m2"]
    by_zone = pd.DataFrame({
        # Parcels without a zone keep their land in the totals, in a "(no zone)" row.
        "zone_id": parcels["zone_id"].fillna("(no zone)").to_numpy(),
        "parcels": 1,
        "parcel_land_km2": area.to_numpy() / M2_PER_KM2,
        "built_land_km2": (area * land["built"]).to_numpy() / M2_PER_KM2,
        "industrial_land_km2": (area * land["industrial"]).to_numpy() / M2_PER_KM2,
    }).groupby("zone_id").sum()
    pid = enterprises["parcel_id"]
    has_parcel = (pid.notna() & pid.isin(set(parcels["parcel_id"]))).to_numpy()
    zone = enterprise_zone(enterprises, parcels).to_numpy(dtype=object)
    ents = pd.DataFrame({
        # firms on a parcel outside every zone belong with that parcel, in "(no zone)"
        "zone_id": np.select([~has_parcel, pd.isna(zone)], ["(unassigned)", "(no zone)"], zone),
        "revenue_wan": enterprises["revenue_wan"].to_numpy(dtype=float),
        "employees": enterprises["employees"].to_numpy(dtype=float),
    })
    ent_by_zone = ents.groupby("zone_id").agg(
        enterprises=("revenue_wan", "size"), employees=("employees", "sum"),
        revenue_wan=("revenue_wan", "sum"))
    return by_zone, ent_by_zone


def zone_table_from_sums(zones: gpd.GeoDataFrame, by_zone: pd.DataFrame,
                         ent_by_zone: pd.DataFrame, denominator: str = "built") -> pd.DataFrame:
    """Finish :func:`zone_table` from :func:`zone_land_sums` (whole, or added over partitions).

    Adds the rows of the zones, ``(no zone)`` and ``(unassigned)``, the ``park`` total
    and the ratios.
    """
    if denominator not in DENOMINATORS:
        raise ValueError(f"denominator must be one of {DENOMINATORS}, got {denominator!r}")
    table = pd.DataFrame({
        "zone_id": zones["zone_id"].to_numpy(),
        "name_zh": zones["name_zh"].to_numpy(),
        "name_en": zones["name_en"].to_numpy() if "name_en" in zones else None,
        "kind": zones["kind"].to_numpy(),
        "area_km2": area_m2(zones).to_numpy() / M2_PER_KM2,
    })
    if by_zone.index.isin(["(no zone)"]).any():
        table.loc[len(table)] = {"zone_id": "(no zone)", "name_zh": "未落入分区的地块",
                                 "name_en": "parcels in no zone", "kind": "", "area_km2": 0.0}
    if "(unassigned)" in ent_by_zone.index:
        table.loc[len(table)] = {"zone_id": "(unassigned)", "name_zh": "未匹配地块",
                                 "name_en": "enterprises with no parcel", "kind": "",
                                 "area_km2": 0.0}
    table = table.join(by_zone, on="zone_id").join(ent_by_zone, on="zone_id")
    count_cols = ["parcels", "enterprises"]
    table[count_cols] = table[count_cols].fillna(0).astype(int)
    table = table.fillna({c: 0.0 for c in ("parcel_land_km2", "built_land_km2",
                                           "industrial_land_km2", "employees", "revenue_wan")})
    if denominator == "all":  # zone polygons; parcels in no zone bring their own area
        table["land_km2"] = np.where(table["zone_id"] == "(no zone)",
                                     table["parcel_land_km2"], table["area_km2"])
    else:
        table["land_km2"] = table[f"{denominator}_land_km2"]
    totals = table[["area_km2", "parcels", "built_land_km2", "industrial_land_km2", "land_km2",
                    "enterprises", "employees", "revenue_wan"]].sum()
    on_footprint(totals, zones, denominator, M2_PER_KM2, "area_km2", "land_km2")
    table.loc[len(table)] = {"zone_id": "park", "name_zh": "园区合计", "name_en": "park total",
                             "kind": "total", **totals.to_dict()}
    table = table.drop(columns=["parcel_land_km2"])
    table["revenue_yi"] = table.pop("revenue_wan") / WAN_PER_YI
    with np.errstate(divide="ignore", invalid="ignore"):
        table["land_output_yi_per_km2"] = np.where(
            table["land_km2"] > 0, table["revenue_yi"] / table["land_km2"], np.nan)
        table["output_per_employee_wan"] = np.where(
            table["employees"] > 0, table["revenue_yi"] * WAN_PER_YI / table["employees"], np.nan)
    table["employees"] = table["employees"].astype(int)
    table["denominator"] = denominator
    return table


def park_summary(table: pd.DataFrame) -> dict[str, float]:
    """Headline figures from the ``park`` row of :func:`zone_table`."""
    park = table.loc[table["zone_id"] == "park"].iloc[0]
    return {
        "total_revenue_yi": round(float(park["revenue_yi"]), 4),
        "built_land_km2": round(float(park["built_land_km2"]), 4),
        "zone_area_km2": round(float(park["area_km2"]), 4),
        "land_km2": round(float(park["land_km2"]), 4),
        "land_output_yi_per_km2": round(float(park["land_output_yi_per_km2"]), 4),
        "output_per_employee_wan": round(float(park["output_per_employee_wan"]), 4),
        "employees": int(park["employees"]),
        "enterprises": int(park["enterprises"]),
        "parcels": int(park["parcels"]),
    }
