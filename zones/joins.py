"""Cross-layer checks of a park: statistics year, zone and parcel keys, land-use codes, overlaps.

Run by :func:`zonekit.zones.park.build_park` once every layer is read and projected; each
problem is an error (or, with ``drop_invalid``, dropped rows listed in the findings).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from zonekit.errors import SchemaError
from zonekit.settings import DataOptions
from zonekit.zones.schema import LAYERS
from zonekit.zones.validate import (
    Problem,
)

if TYPE_CHECKING:
    import geopandas as gpd

    from zonekit.zones.park import Park


def select_year(park: Park, settings: DataOptions) -> None:
    """Keep the enterprises of the statistics year (``settings.data_year``, else the latest).

    All years stay in ``park.enterprises_all_years``; an ``ent_id`` repeated within the
    year is recorded as an error finding.
    """
    ents = park.layers.get("enterprises")
    if ents is None:
        return
    if "year" not in ents.columns:
        _duplicate_ents(park, ents, "with no 'year' column, so each would be counted twice "
                        "(add a year column for several years' figures, or remove the repeats)")
        return
    years = ents["year"].dropna()
    year = settings.data_year if settings.data_year is not None else int(years.max())
    if year not in set(years.astype(int)):
        raise SchemaError(
            f"enterprises: no rows for year {year}; years present: "
            f"{', '.join(str(int(y)) for y in sorted(years.unique()))}"
        )
    park.enterprises_all_years = ents
    park.layers["enterprises"] = ents.loc[ents["year"] == year].copy()
    park.year = year
    _duplicate_ents(park, park.layers["enterprises"], f"within year {year}")


def _duplicate_ents(park: Park, ents: gpd.GeoDataFrame, context: str) -> None:
    """Record an ``ent_id`` repeated in the enterprises analysed as an error finding."""
    dup = ents["ent_id"].notna() & ents["ent_id"].duplicated(keep=False)
    if dup.any():
        park.findings.errors.append(Problem(
            "enterprises", park.sources["enterprises"], "ent_id",
            f"the same enterprise id on several rows, {context}",
            sorted(set(ents.loc[dup, "ent_id"]), key=str)))


def check_joins(park: Park, settings: DataOptions) -> None:
    """Parcels must name a known zone; enterprises a known parcel (else reported)."""
    layers = park.layers
    if "zones" in layers:
        _note_zone_overlaps(park)
    if "zones" in layers and "parcels" in layers:
        parcels = layers["parcels"]
        known = set(layers["zones"]["zone_id"])
        unknown = parcels["zone_id"].notna() & ~parcels["zone_id"].isin(known)
        if unknown.any():
            problem = Problem("parcels", park.sources["parcels"], "zone_id",
                              f"zone_id not found in zones (known: {', '.join(sorted(known))})",
                              parcels.loc[unknown, "parcel_id"].tolist())
            _error_or_drop(park, "parcels", unknown.to_numpy(), problem, settings)
        if parcels["zone_id"].isna().any():
            _assign_zones(park, settings)
    if "parcels" in layers:
        _check_land_use(park)
        _check_overlaps(park, settings)
    if "parcels" in layers and "enterprises" in layers:
        ents = layers["enterprises"]
        known = set(layers["parcels"]["parcel_id"])
        unmatched = ents["parcel_id"].isna() | ~ents["parcel_id"].isin(known)
        if unmatched.any():
            # Not an error: they still count in park totals, under zone "(none)".
            park.findings.notes.append(Problem(
                "enterprises", park.sources["enterprises"], "parcel_id",
                "enterprises with no matching parcel: counted in park totals, not in any zone",
                ents.loc[unmatched, "ent_id"].tolist()))


def _check_land_use(park: Park) -> None:
    """List land-use codes neither classification knows; fill missing Chinese names."""
    from zonekit.zones.landuse import classify_code

    parcels = park.layers["parcels"]
    known = {code: classify_code(code) for code in parcels["land_use"].dropna().unique()}
    unknown = sorted(str(c) for c, (_, cls) in known.items() if cls is None)
    if unknown:
        rows = parcels.loc[parcels["land_use"].isin(unknown), "parcel_id"].tolist()
        message = (f"unknown land-use codes {', '.join(unknown[:10])} (neither 2020 用地用海分类 "
                   "nor 三调): these parcels are not counted as construction land")
        if len(rows) == len(parcels):  # no known code at all: the column holds something else
            park.findings.errors.append(Problem(
                "parcels", park.sources["parcels"], "land_use",
                f"{message}, and no parcel has a known code: is the right column mapped to "
                "land_use?", []))
        else:
            park.findings.notes.append(Problem(
                "parcels", park.sources["parcels"], "land_use", message, rows))
    names = parcels["land_use"].map({c: n for c, (n, _) in known.items()})
    if "land_use_name" in parcels.columns:
        parcels["land_use_name"] = parcels["land_use_name"].fillna(names)
    else:
        parcels["land_use_name"] = names


def _overlapping_pairs(layer: gpd.GeoDataFrame, id_col: str, tolerance_m2: float,
                       unit: str) -> tuple[np.ndarray, list[str]]:
    """Polygons sharing more than ``tolerance_m2``: the second of each pair, and the pairs.

    The pairs read ``A↔B (area)``, the area in ``unit`` (``"m2"`` or ``"km2"``).
    """
    import shapely

    geoms = layer.geometry.to_numpy()
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    overlap = shapely.area(shapely.intersection(geoms[left], geoms[right]))
    hit = overlap > tolerance_m2
    ids = layer[id_col].to_numpy()
    shown = (lambda m2: f"{m2:,.0f} m²") if unit == "m2" else (lambda m2: f"{m2 / 1e6:,.3f} km²")
    return right[hit], [f"{ids[a]}↔{ids[b]} ({shown(m2)})" for a, b, m2 in
                        zip(left[hit], right[hit], overlap[hit], strict=True)]


def _check_overlaps(park: Park, settings: DataOptions, tolerance_m2: float = 1.0) -> None:
    """Overlapping parcels would count land twice: report each overlapping pair."""
    parcels = park.layers["parcels"]
    right, pairs = _overlapping_pairs(parcels, "parcel_id", tolerance_m2, "m2")
    if not pairs:
        return
    problem = Problem("parcels", park.sources["parcels"], "geometry",
                      "overlapping parcels (their shared land would be counted twice)", pairs)
    mask = np.zeros(len(parcels), bool)
    mask[right] = True  # with --drop-invalid, keep the first of each pair
    _error_or_drop(park, "parcels", mask, problem, settings)


#: Shared land between zones above this (m²) is an overlap, below it digitising noise.
ZONE_OVERLAP_M2 = 1_000.0


def zones_double_counted_m2(zones: gpd.GeoDataFrame) -> float:
    """Land (m²) a sum of zone areas counts more than once: the sum less the footprint.

    The footprint is the zones' union (one GEOS call); 0.0 unless that exceeds
    :data:`ZONE_OVERLAP_M2`, so zones that only touch keep their summed area exactly.
    """
    import shapely

    geoms = zones.geometry.to_numpy()
    extra = float(shapely.area(geoms).sum() - shapely.area(shapely.union_all(geoms)))
    return extra if extra > ZONE_OVERLAP_M2 else 0.0


def _note_zone_overlaps(park: Park, tolerance_m2: float = ZONE_OVERLAP_M2) -> None:
    """Zones that overlap count their shared land in each: say so, with each pair's area.

    A note, not an error: a 市级高新区 block may lie partly inside a core zone by design.
    The park's totals are taken on the footprint (:func:`zones_double_counted_m2`).
    """
    zones = park.layers["zones"]
    _, pairs = _overlapping_pairs(zones, "zone_id", tolerance_m2, "km2")
    if not pairs:
        return
    total = float(zones.geometry.area.sum())
    footprint = total - zones_double_counted_m2(zones)
    park.findings.notes.append(Problem(
        "zones", park.sources["zones"], "geometry",
        "zones overlap: their shared land is counted in each zone's own figures; the park's "
        f"totals (area, land output) are on the footprint, {footprint / 1e6:,.3f} km² (the "
        f"zones' areas add up to {total / 1e6:,.3f} km²)", pairs))


def _assign_zones(park: Park, settings: DataOptions) -> None:
    """Give parcels without a zone_id the zone containing their representative point."""
    import geopandas as gpd

    parcels = park.layers["parcels"]
    todo = parcels["zone_id"].isna()
    pts = gpd.GeoDataFrame(geometry=parcels.loc[todo].representative_point(), crs=park.crs)
    hit = gpd.sjoin(pts, park.layers["zones"][["zone_id", "geometry"]], predicate="within")
    hit = hit[~hit.index.duplicated()]
    parcels.loc[hit.index, "zone_id"] = hit["zone_id"]
    outside = parcels["zone_id"].isna()
    if outside.any():
        problem = Problem("parcels", park.sources["parcels"], "zone_id",
                          "parcels outside every zone (no zone_id and not inside any zone polygon)",
                          parcels.loc[outside, "parcel_id"].tolist())
        _error_or_drop(park, "parcels", outside.to_numpy(), problem, settings)


def _error_or_drop(park: Park, layer: str, mask: np.ndarray, problem: Problem,
                   settings: DataOptions) -> None:
    import pandas as pd

    if not settings.drop_invalid:
        park.findings.errors.append(problem)
        return
    gdf = park.layers[layer]
    id_col = LAYERS[layer].id_column
    park.findings.dropped.append(pd.DataFrame({
        "layer": layer, "row_id": gdf.loc[mask, id_col].to_numpy(),
        "reason": f"{problem.column}: {problem.message}"}))
    park.layers[layer] = gdf.loc[~mask].copy()
