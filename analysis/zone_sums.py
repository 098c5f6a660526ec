"""Zone tables from per-partition sums: the same tables as one run over all the data.

:func:`zonekit.analysis.land.zone_table` and :func:`zonekit.analysis.intensity.zone_intensity`
are sums per zone (parcels, land, enterprises, revenue, employees, …) followed by ratios.
Sums add up across partitions, so a partitioned run (:mod:`zonekit.analysis.distributed`)
computes :func:`zone_parts` on each partition, and :func:`zone_table_from_parts` /
:func:`zone_intensity_from_parts` add them and finish the tables exactly as the one-piece
functions do. Counts are identical; sums agree to rounding (the order of the additions
differs), well within 1e-12 relative.

A zone may draw parcels and enterprises from several partitions; the ``(no zone)`` and
``(unassigned)`` rows always do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from zonekit.analysis.intensity import (
    NO_ZONE,
    UNASSIGNED,
    _check_denominator,
    _enterprise_sums,
    add_ratios,
)
from zonekit.analysis.land import (
    DENOMINATORS,
    M2_PER_KM2,
    WAN_PER_YI,
    area_m2,
    enterprise_zone,
    parcel_land,
)

if TYPE_CHECKING:
    import geopandas as gpd

#: Parts of one partition: table name → sums indexed by zone key.
ZoneParts = dict[str, pd.DataFrame]


def zone_parts(parcels: gpd.GeoDataFrame, enterprises: pd.DataFrame,
               ent_zone_id: pd.Series | None = None) -> ZoneParts:
    """Per-zone sums of one partition, for both zone tables.

    Parameters
    ----------
    parcels, enterprises
        The partition's layers (projected CRS); its enterprises' parcels must be in it.
    ent_zone_id
        Each enterprise's zone through its parcel (``zone_id`` of
        :func:`zonekit.analysis.intensity.enterprise_land`), when already computed.
    """
    land = parcel_land(parcels)
    area, built, ind = land["area_m2"], land["built"], land["industrial"]
    table_parcels = pd.DataFrame({
        "zone_id": parcels["zone_id"].fillna("(no zone)").to_numpy(), "parcels": 1,
        "built_land_km2": (area * built).to_numpy() / M2_PER_KM2,
        "industrial_land_km2": (area * ind).to_numpy() / M2_PER_KM2,
    }).groupby("zone_id").sum()
    ents = pd.DataFrame({
        "zone_id": enterprise_zone(enterprises, parcels).fillna("(unassigned)").to_numpy(),
        "revenue_wan": enterprises["revenue_wan"].to_numpy(dtype=float),
        "employees": enterprises["employees"].to_numpy(dtype=float),
    })
    table_ents = ents.groupby("zone_id").agg(
        enterprises=("revenue_wan", "size"), employees=("employees", "sum"),
        revenue_wan=("revenue_wan", "sum"))
    zone_key = parcels["zone_id"].astype(object).where(parcels["zone_id"].notna(), NO_ZONE)
    by_parcel = pd.DataFrame({
        "zone_id": zone_key.to_numpy(), "parcels": 1, "parcel_m2": area.to_numpy(),
        "built_m2": (area * built).to_numpy(), "industrial_m2": (area * ind).to_numpy(),
    }).groupby("zone_id").sum()
    pid = enterprises["parcel_id"]
    has = (pid.notna() & pid.isin(set(parcels["parcel_id"]))).to_numpy()
    if ent_zone_id is None:
        lookup = parcels.drop_duplicates("parcel_id").set_index("parcel_id")["zone_id"]
        ent_zone_id = pid.map(lookup)
    zone = ent_zone_id.to_numpy(dtype=object)
    ent_zone = np.select([~has, pd.isna(zone)], [UNASSIGNED, NO_ZONE], zone)
    return {"table_parcels": table_parcels, "table_ents": table_ents,
            "by_parcel": by_parcel, "ent_sums": _enterprise_sums(enterprises, ent_zone)}


def combine_zone_parts(parts: list[ZoneParts]) -> ZoneParts:
    """Add up the :func:`zone_parts` of several partitions.

    Enterprise sums keep ``sum(min_count=1)``: NaN only where no firm of the zone, in any
    partition, reports the figure.
    """
    out: ZoneParts = {}
    for key in parts[0]:
        frames = [p[key] for p in parts if len(p[key])]
        if not frames:
            out[key] = parts[0][key]
            continue
        both = pd.concat(frames)
        summed = both.groupby(level=0, sort=True).sum(min_count=1 if key == "ent_sums" else 0)
        out[key] = summed.astype({c: both[c].dtype for c in both.columns
                                  if both[c].dtype.kind in "iu"})
    return out


def zone_table_from_parts(zones: gpd.GeoDataFrame, parts: ZoneParts,
                          denominator: str = "built") -> pd.DataFrame:
    """:func:`zonekit.analysis.land.zone_table` from combined :func:`zone_parts`."""
    if denominator not in DENOMINATORS:
        raise ValueError(f"denominator must be one of {DENOMINATORS}, got {denominator!r}")
    by_zone, ent_by_zone = parts["table_parcels"], parts["table_ents"]
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
    table = table.fillna({c: 0.0 for c in ("built_land_km2", "industrial_land_km2",
                                           "employees", "revenue_wan")})
    totals = table[["area_km2", "parcels", "built_land_km2", "industrial_land_km2",
                    "enterprises", "employees", "revenue_wan"]].sum()
    table.loc[len(table)] = {"zone_id": "park", "name_zh": "园区合计", "name_en": "park total",
                             "kind": "total", **totals.to_dict()}
    table["land_km2"] = table[{"built": "built_land_km2", "all": "area_km2",
                               "industrial": "industrial_land_km2"}[denominator]]
    table["revenue_yi"] = table.pop("revenue_wan") / WAN_PER_YI
    with np.errstate(divide="ignore", invalid="ignore"):
        table["land_output_yi_per_km2"] = np.where(
            table["land_km2"] > 0, table["revenue_yi"] / table["land_km2"], np.nan)
        table["output_per_employee_wan"] = np.where(
            table["employees"] > 0, table["revenue_yi"] * WAN_PER_YI / table["employees"], np.nan)
    table["employees"] = table["employees"].astype(int)
    table["denominator"] = denominator
    return table


def zone_intensity_from_parts(zones: gpd.GeoDataFrame, parts: ZoneParts,
                              denominator: str = "built") -> pd.DataFrame:
    """:func:`zonekit.analysis.intensity.zone_intensity` from combined :func:`zone_parts`."""
    _check_denominator(denominator)
    by_parcel, sums = parts["by_parcel"], parts["ent_sums"]
    table = pd.DataFrame({
        "zone_id": zones["zone_id"].to_numpy(), "name_zh": zones["name_zh"].to_numpy(),
        "kind": zones["kind"].to_numpy(), "area_m2": area_m2(zones).to_numpy(),
    })
    extra = [(NO_ZONE, "无分区地块", by_parcel.index), (UNASSIGNED, "未匹配地块的企业", sums.index)]
    for zone_id, name, present in extra:
        if zone_id in present:
            table.loc[len(table)] = {"zone_id": zone_id, "name_zh": name, "kind": "",
                                     "area_m2": 0.0}
    table = table.join(by_parcel, on="zone_id").join(sums, on="zone_id")
    table[["parcels", "enterprises"]] = table[["parcels", "enterprises"]].fillna(0).astype(int)
    fill = ["parcel_m2", "built_m2", "industrial_m2", "revenue_wan", "employees"]
    table[fill] = table[fill].fillna(0.0)
    if denominator == "all":
        table["land_m2"] = np.where(table["zone_id"] == NO_ZONE, table["parcel_m2"],
                                    table["area_m2"])
    else:
        table["land_m2"] = table[f"{denominator}_m2"]
    total_cols = [c for c in table.columns if c not in ("zone_id", "name_zh", "kind")]
    totals = table[total_cols].sum(min_count=1)
    table.loc[len(table)] = {"zone_id": "park", "name_zh": "园区合计", "kind": "total", **totals}
    for m2, km2 in (("area_m2", "area_km2"), ("built_m2", "built_land_km2"),
                    ("industrial_m2", "industrial_land_km2")):
        table[km2] = table.pop(m2) / M2_PER_KM2
    table = table.drop(columns=["parcel_m2"])
    add_ratios(table)
    table["parcels"] = table["parcels"].astype(int)
    table["enterprises"] = table["enterprises"].astype(int)
    table["employees"] = table["employees"].round().astype(int)
    table["denominator"] = denominator
    first = ["zone_id", "name_zh", "kind", "area_km2", "parcels", "built_land_km2",
             "industrial_land_km2", "land_km2", "land_mu", "enterprises", "employees",
             "revenue_yi"]
    return table[first + [c for c in table if c not in first and c != "land_m2"]]


def park_table(zones: gpd.GeoDataFrame, zone_intensity: pd.DataFrame,
               by_zone: list[pd.DataFrame]) -> pd.DataFrame | None:
    """One row per park (zones' ``park_id``): sums of its zones, ratios, classes, low land.

    ``zone_intensity`` is :func:`zone_intensity_from_parts` output; ``by_zone`` are counts
    per zone (low-efficiency parcels and area, enterprises per class) from the partitions.
    None when the zones have no ``park_id``. The ``(no zone)`` and ``(unassigned)`` rows
    belong to no park; they stay in the zone table.
    """
    if "park_id" not in zones:
        return None
    park_of = pd.Series(zones["park_id"].to_numpy(), index=zones["zone_id"].to_numpy())
    rows = zone_intensity[zone_intensity["zone_id"].isin(park_of.index)]
    sum_cols = ["area_km2", "parcels", "built_land_km2", "industrial_land_km2", "land_km2",
                "enterprises", "revenue_wan", "tax_wan", "employees"]
    sums = rows[sum_cols].groupby(rows["zone_id"].map(park_of).to_numpy()).sum()
    counts = pd.concat(by_zone).groupby(level=0).sum()
    counts = counts[counts.index.isin(park_of.index)]
    sums = sums.join(counts.groupby(counts.index.map(park_of)).sum()).fillna(0)
    sums["land_m2"] = sums["land_km2"] * 1e6
    table = add_ratios(sums).drop(columns=["land_m2"]).reset_index(names="park_id")
    int_cols = [c for c in table if c in ("parcels", "enterprises", "employees",
                                          "low_efficiency_parcels") or c.startswith("enterprises_")]
    table[int_cols] = table[int_cols].round().astype(int)
    return table
