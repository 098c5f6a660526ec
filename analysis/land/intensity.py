"""Land-use intensity: land output, output per employee, 亩均营业收入 and 亩均税收.

Figures for each parcel, each zone/block (plus the park) and each industry. Units:
revenue and tax in 万元 (``*_wan``) or 亿元 (``*_yi``; 1 亿元 = 10,000 万元), areas in m²,
km² or 亩 (``*_mu``; 1 亩 = 10,000/15 m² ≈ 666.67 m²), land output in 亿元/km²,
``*_per_mu_wan`` in 万元/亩, output per employee in 万元/人.

The land denominator is a stated choice (see
:data:`zonekit.analysis.land.measures.DENOMINATOR_DOC`):
``built`` construction land (default), ``all`` zone land or ``industrial`` land. It is
written into every table in a ``denominator`` column.

Enterprises sharing a parcel share its land: each gets a fraction of the parcel area
(by employees by default, see :func:`enterprise_land`), so the land of a parcel is counted
once however many firms it holds. Enterprises with no known parcel keep their revenue in
the park and industry totals (row ``(unassigned)``) but hold no land; parcels with no zone
are reported in a ``(no zone)`` row. Nothing is dropped silently.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from zonekit.analysis.land.measures import (
    DENOMINATORS,
    M2_PER_KM2,
    WAN_PER_YI,
    area_m2,
    on_footprint,
    parcel_land,
)

if TYPE_CHECKING:
    import geopandas as gpd

logger = logging.getLogger(__name__)

#: One 亩 in m² (exactly 10,000/15 = 666.67 m²).
M2_PER_MU = 10_000.0 / 15.0
LAND_SHARE_METHODS = ("employees", "equal")
#: Enterprise figures summed per parcel, zone and industry.
SUM_COLUMNS = ("revenue_wan", "tax_wan", "employees", "energy_tce", "rnd_wan", "patents")
UNASSIGNED = "(unassigned)"
NO_ZONE = "(no zone)"


def _check_denominator(denominator: str) -> None:
    if denominator not in DENOMINATORS:
        raise ValueError(f"denominator must be one of {', '.join(DENOMINATORS)}, "
                         f"got {denominator!r}")


def _floats(series: pd.Series) -> np.ndarray:
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def add_ratios(df: pd.DataFrame, land_m2: str = "land_m2") -> pd.DataFrame:
    """Add the intensity ratios to a table of sums (in place; also returned).

    ``df`` needs ``revenue_wan``, ``tax_wan``, ``employees`` and the land column (m²).
    Ratios with a zero denominator are NaN, never infinite.

    Examples
    --------
    >>> t = pd.DataFrame({"revenue_wan": [20_000.0], "tax_wan": [1_000.0],
    ...                   "employees": [100], "land_m2": [666_666.67]})
    >>> round(float(add_ratios(t)["revenue_per_mu_wan"].iloc[0]), 2)
    20.0
    """
    land = df[land_m2].to_numpy(dtype=float)
    rev = _floats(df["revenue_wan"])
    tax = _floats(df["tax_wan"])
    emp = _floats(df["employees"])
    with np.errstate(divide="ignore", invalid="ignore"):
        df["land_km2"] = land / M2_PER_KM2
        df["land_mu"] = land / M2_PER_MU
        df["revenue_yi"] = rev / WAN_PER_YI
        df["land_output_yi_per_km2"] = np.where(land > 0, (rev / WAN_PER_YI) / (land / M2_PER_KM2),
                                                np.nan)
        df["revenue_per_mu_wan"] = np.where(land > 0, rev / (land / M2_PER_MU), np.nan)
        df["tax_per_mu_wan"] = np.where(land > 0, tax / (land / M2_PER_MU), np.nan)
        df["output_per_employee_wan"] = np.where(emp > 0, rev / emp, np.nan)
    return df


def enterprise_land(
    enterprises: pd.DataFrame, parcels: gpd.GeoDataFrame, share: str = "employees"
) -> pd.DataFrame:
    """Give each enterprise its land: its share of its parcel, and the parcel's attributes.

    Parameters
    ----------
    enterprises
        Enterprise layer (``parcel_id``, ``employees``).
    parcels
        Parcel layer in a projected CRS.
    share
        How firms sharing a parcel split its area: ``employees`` (in proportion to their
        employees, a proxy for the space they use; equal shares when none report any) or
        ``equal``. Shares on a parcel sum to 1, so a parcel is never counted twice.

    Returns
    -------
    DataFrame indexed like ``enterprises``: ``has_parcel``, ``zone_id``, ``land_class``,
    ``parcel_status``, ``built``, ``industrial`` (the parcel's denominator flags),
    ``land_share``, ``land_m2``, ``land_mu``. Firms without a known parcel get
    ``has_parcel`` False and zero land.
    """
    if share not in LAND_SHARE_METHODS:
        raise ValueError(f"land share must be one of {', '.join(LAND_SHARE_METHODS)}, "
                         f"got {share!r}")
    land = parcel_land(parcels)
    info = pd.DataFrame({
        "zone_id": parcels["zone_id"].to_numpy(), "land_class": land["land_class"].to_numpy(),
        "parcel_status": parcels["status"].to_numpy(), "built": land["built"].to_numpy(),
        "industrial": land["industrial"].to_numpy(), "parcel_m2": land["area_m2"].to_numpy(),
    }, index=parcels["parcel_id"].to_numpy())
    info = info[~info.index.duplicated()]
    pid = enterprises["parcel_id"]
    has = pid.notna() & pid.isin(info.index)
    out = info.reindex(pid.where(has).to_numpy())
    out.index = enterprises.index
    out.insert(0, "has_parcel", has.to_numpy())
    out["built"] = out["built"].fillna(False).astype(bool)
    out["industrial"] = out["industrial"].fillna(False).astype(bool)
    emp = pd.Series(np.nan_to_num(_floats(enterprises["employees"])), index=enterprises.index)
    key = pid.where(has)
    count = key.map(key.value_counts())
    if share == "employees":
        total = emp.groupby(key).transform("sum")
        frac = np.where(total > 0, emp / total.where(total > 0, 1.0), 1.0 / count)
    else:
        frac = 1.0 / count
    out["land_share"] = np.where(has, frac, 0.0)
    out["land_m2"] = out["land_share"] * out.pop("parcel_m2").fillna(0.0)
    out["land_mu"] = out["land_m2"] / M2_PER_MU
    return out


def in_denominator(land: pd.DataFrame, denominator: str) -> pd.Series:
    """Whether each parcel's land counts in ``denominator`` (``all``: every parcel)."""
    _check_denominator(denominator)
    if denominator == "all":
        return pd.Series(True, index=land.index)
    return land[denominator].astype(bool)


def parcel_intensity(
    parcels: gpd.GeoDataFrame, enterprises: pd.DataFrame, denominator: str = "built"
) -> pd.DataFrame:
    """Per parcel: land, floor area, plot ratio, enterprise sums and intensity ratios.

    Ratios use the parcel's own area whatever the denominator; ``in_denominator`` says
    whether the parcel's land counts in the park's denominator.

    Returns
    -------
    DataFrame indexed like ``parcels`` with ``parcel_id``, ``zone_id``, ``land_use``,
    ``land_class``, ``status``, ``area_m2``, ``area_mu``, ``floor_area_m2``, ``plot_ratio``,
    ``in_denominator``, ``enterprises``, the sums of :data:`SUM_COLUMNS`, the ratios of
    :func:`add_ratios` and ``denominator``.
    """
    _check_denominator(denominator)
    land = parcel_land(parcels)
    out = pd.DataFrame({
        "parcel_id": parcels["parcel_id"].to_numpy(), "zone_id": parcels["zone_id"].to_numpy(),
        "land_use": parcels["land_use"].to_numpy(), "land_class": land["land_class"].to_numpy(),
        "status": parcels["status"].to_numpy(), "area_m2": land["area_m2"].to_numpy(),
    }, index=parcels.index)
    out["area_mu"] = out["area_m2"] / M2_PER_MU
    floor = _floats(parcels["floor_area_m2"]) if "floor_area_m2" in parcels else np.nan
    out["floor_area_m2"] = floor
    with np.errstate(divide="ignore", invalid="ignore"):
        out["plot_ratio"] = np.where(out["area_m2"] > 0,
                                     out["floor_area_m2"] / out["area_m2"], np.nan)
    out["in_denominator"] = in_denominator(land, denominator).to_numpy()
    sums = _enterprise_sums(enterprises, enterprises["parcel_id"])
    joined = sums.reindex(out["parcel_id"].to_numpy())
    joined.index = out.index
    out["enterprises"] = joined["enterprises"].fillna(0).astype(int)
    for col in SUM_COLUMNS:
        if col in joined:
            # NaN only where firms exist but none reports the figure; no firms → 0.
            out[col] = joined[col].where(out["enterprises"] > 0, 0.0)
    out["land_m2"] = out["area_m2"]
    add_ratios(out)
    out = out.drop(columns=["land_m2"])
    out["denominator"] = denominator
    return out


def _enterprise_sums(enterprises: pd.DataFrame, key: pd.Series | np.ndarray) -> pd.DataFrame:
    """Sum :data:`SUM_COLUMNS` by ``key`` (NaN when every value in a group is missing)."""
    data = pd.DataFrame({"key": np.asarray(key, dtype=object)}, index=enterprises.index)
    data["enterprises"] = 1
    for col in SUM_COLUMNS:
        if col in enterprises:
            data[col] = _floats(enterprises[col])
    grouped = data.groupby("key", dropna=True)
    sums = grouped[[c for c in data.columns if c not in ("key",)]].sum(min_count=1)
    sums["enterprises"] = grouped.size()
    return sums


def zone_intensity(
    zones: gpd.GeoDataFrame, parcels: gpd.GeoDataFrame, enterprises: pd.DataFrame,
    denominator: str = "built", share: str = "employees",
) -> pd.DataFrame:
    """Per zone/block, plus ``(no zone)``, ``(unassigned)`` and the ``park`` total.

    Zone revenue is that of the firms on the zone's parcels; firms with no known parcel
    form the ``(unassigned)`` row (revenue, no land) and parcels without a zone the
    ``(no zone)`` row. The rows above ``park`` sum to it, for land and revenue alike.
    With ``denominator="all"`` a zone's land is its polygon area (roads and green space
    included) and the ``(no zone)`` row holds its parcels' area.

    Returns
    -------
    DataFrame with ``zone_id``, ``name_zh``, ``kind``, ``area_km2``, ``parcels``,
    ``built_land_km2``, ``industrial_land_km2``, ``land_km2`` (the denominator),
    ``enterprises``, sums of :data:`SUM_COLUMNS`, the ratios and ``denominator``.
    """
    _check_denominator(denominator)
    ent = enterprise_land(enterprises, parcels, share)
    sums = zone_intensity_sums(parcels, enterprises, ent["has_parcel"].to_numpy(),
                               ent["zone_id"])
    return zone_intensity_from_sums(zones, *sums, denominator)


def zone_intensity_sums(parcels: pd.DataFrame, enterprises: pd.DataFrame,
                        has_parcel: np.ndarray,
                        ent_zone_id: pd.Series) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sum parcels, land (m²) and enterprises by zone, for :func:`zone_intensity`.

    Sums add up across partitions of the data (:mod:`zonekit.analysis.land.zone_parts`).

    Parameters
    ----------
    parcels, enterprises
        The layers (projected CRS).
    has_parcel, ent_zone_id
        Whether each enterprise's parcel is known, and its zone through the parcel
        (columns of :func:`enterprise_land`).
    """
    land = parcel_land(parcels)
    area = land["area_m2"]
    zone_key = parcels["zone_id"].astype(object).where(parcels["zone_id"].notna(), NO_ZONE)
    by_parcel = pd.DataFrame({
        "zone_id": zone_key.to_numpy(), "parcels": 1, "parcel_m2": area.to_numpy(),
        "built_m2": (area * land["built"]).to_numpy(),
        "industrial_m2": (area * land["industrial"]).to_numpy(),
    }).groupby("zone_id").sum()
    zone = np.asarray(ent_zone_id, dtype=object)
    ent_zone = np.select([~has_parcel, pd.isna(zone)], [UNASSIGNED, NO_ZONE], zone)
    return by_parcel, _enterprise_sums(enterprises, ent_zone)


def zone_intensity_from_sums(zones: gpd.GeoDataFrame, by_parcel: pd.DataFrame,
                             sums: pd.DataFrame, denominator: str = "built") -> pd.DataFrame:
    """Finish :func:`zone_intensity` from :func:`zone_intensity_sums` (whole, or added).

    Adds the rows of the zones, ``(no zone)`` and ``(unassigned)``, the ``park`` total
    and the ratios.
    """
    _check_denominator(denominator)
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
    on_footprint(totals, zones, denominator, 1.0, "area_m2", "land_m2")
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


def industry_intensity(
    enterprises: pd.DataFrame, parcels: gpd.GeoDataFrame, denominator: str = "built",
    share: str = "employees",
) -> pd.DataFrame:
    """Per industry, plus the ``park`` total: sums, land and intensity ratios.

    An industry's land is the sum of its firms' parcel shares (:func:`enterprise_land`) on
    parcels in the denominator. With ``denominator="all"`` that is their parcel land:
    roads and green space cannot be attributed to an industry.

    Returns
    -------
    DataFrame with ``industry``, ``enterprises``, sums of :data:`SUM_COLUMNS`,
    ``land_km2``, ``land_mu``, the ratios, ``revenue_share_pct`` and ``denominator``.
    """
    _check_denominator(denominator)
    ent = enterprise_land(enterprises, parcels, share)
    counted = ent["has_parcel"] if denominator == "all" else ent[denominator]
    industry = enterprises["industry"].astype(object).fillna("(unknown)").to_numpy()
    sums = _enterprise_sums(enterprises, industry)
    land = pd.Series(ent["land_m2"].to_numpy() * counted.to_numpy(), index=enterprises.index)
    sums["land_m2"] = land.groupby(industry).sum()
    sums = sums.sort_values("revenue_wan", ascending=False)
    sums.loc["park"] = sums.sum(min_count=1)
    table = sums.reset_index(names="industry")
    add_ratios(table)
    park_revenue = float(table["revenue_wan"].iloc[-1])
    table["revenue_share_pct"] = (100 * table["revenue_wan"] / park_revenue if park_revenue > 0
                                  else np.nan)
    table["enterprises"] = table["enterprises"].astype(int)
    table["denominator"] = denominator
    return table.drop(columns=["land_m2"])


def park_row(table: pd.DataFrame) -> pd.Series:
    """Return the ``park`` row of :func:`zone_intensity` or :func:`industry_intensity`."""
    key = "zone_id" if "zone_id" in table else "industry"
    return table.loc[table[key] == "park"].iloc[0]
