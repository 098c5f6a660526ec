"""Zone tables from per-partition sums: the same tables as one run over all the data.

:func:`zonekit.analysis.land.measures.zone_table` and
:func:`zonekit.analysis.land.intensity.zone_intensity`
are sums per zone (parcels, land, enterprises, revenue, employees, …) followed by ratios.
Sums add up across partitions, so a partitioned run (:mod:`zonekit.analysis.scale.evaluation`)
computes :func:`zone_parts` on each partition, and :func:`zone_table_from_parts` /
:func:`zone_intensity_from_parts` add them and finish the tables exactly as the one-piece
functions do. Counts are identical; sums agree to rounding (the order of the additions
differs), well within 1e-12 relative.

A zone may draw parcels and enterprises from several partitions; the ``(no zone)`` and
``(unassigned)`` rows always do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from zonekit.analysis.land.intensity import (
    add_ratios,
    zone_intensity_from_sums,
    zone_intensity_sums,
)
from zonekit.analysis.land.measures import enterprise_zone, zone_land_sums, zone_table_from_sums

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
        :func:`zonekit.analysis.land.intensity.enterprise_land`), when already computed.
    """
    table_parcels, table_ents = zone_land_sums(parcels, enterprises)
    pid = enterprises["parcel_id"]
    has = (pid.notna() & pid.isin(set(parcels["parcel_id"]))).to_numpy()
    if ent_zone_id is None:
        ent_zone_id = enterprise_zone(enterprises, parcels)
    by_parcel, ent_sums = zone_intensity_sums(parcels, enterprises, has, ent_zone_id)
    return {"table_parcels": table_parcels, "table_ents": table_ents,
            "by_parcel": by_parcel, "ent_sums": ent_sums}


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
    """:func:`zonekit.analysis.land.measures.zone_table` from combined :func:`zone_parts`."""
    return zone_table_from_sums(zones, parts["table_parcels"], parts["table_ents"], denominator)


def zone_intensity_from_parts(zones: gpd.GeoDataFrame, parts: ZoneParts,
                              denominator: str = "built") -> pd.DataFrame:
    """:func:`zonekit.analysis.land.intensity.zone_intensity` from combined :func:`zone_parts`."""
    return zone_intensity_from_sums(zones, parts["by_parcel"], parts["ent_sums"], denominator)


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
