"""Where each renewal candidate is: nearest road, coordinates, the firms on it, its lease end.

A director hands the plan to whoever visits the parcels; a parcel id alone does not say
where to go. Columns added to ``renewal_plan.csv`` by :func:`.pipeline.run`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    import geopandas as gpd

#: Columns :func:`plan_locations` adds, in order.
LOCATION_COLUMNS = ("road_name", "road_distance_m", "lon", "lat", "firms", "firm_count",
                    "lease_end_year")
#: Radius within which a parcel's nearest named road is looked for, m (as for new sites).
ROAD_MAX_M = 200.0


def plan_locations(plan: pd.DataFrame, parcels: gpd.GeoDataFrame,
                   enterprises: pd.DataFrame,
                   roads: gpd.GeoDataFrame | None = None) -> pd.DataFrame:
    """Return the location of each row of ``plan`` (by ``parcel_id``).

    Parameters
    ----------
    plan
        Renewal candidates with ``parcel_id``.
    parcels
        The parcels layer (projected CRS), optionally with ``lease_end_year``.
    enterprises
        The enterprises layer with ``parcel_id`` and, optionally, ``name``.
    roads
        The roads layer (same CRS as ``parcels``), optionally with ``name``; ``None``
        when the data has none.

    Returns
    -------
    DataFrame indexed like ``plan``: ``road_name``, the nearest road with a name within
    :data:`ROAD_MAX_M` of the parcel's boundary (``"(unnamed)"`` when none, as for new
    sites), and ``road_distance_m`` (m, 0 when the parcel touches it; NaN when none or
    without roads); ``lon``/``lat`` (WGS84 degrees, 6 places) of a point
    inside the parcel, ``firms`` (names joined by "、", "" when none), ``firm_count``
    and ``lease_end_year`` (``<NA>`` when the layer has none).
    """
    from zonekit.analysis.circles.site_descriptions import nearest_named_road

    geo = parcels.set_index("parcel_id")
    shapes = geo.geometry.reindex(plan["parcel_id"])
    pts = shapes.representative_point()
    pts = pts.set_crs(parcels.crs, allow_override=True).to_crs(4326)
    out = pd.DataFrame(index=plan.index)
    if roads is not None and roads.crs is not None and roads.crs != parcels.crs:
        roads = roads.to_crs(parcels.crs)
    out["road_name"], out["road_distance_m"] = nearest_named_road(
        shapes.to_numpy(), roads, ROAD_MAX_M)
    out["lon"] = pts.x.round(6).to_numpy()
    out["lat"] = pts.y.round(6).to_numpy()
    names = (enterprises["name"] if "name" in enterprises else enterprises["ent_id"]).astype(str)
    on = names.groupby(enterprises["parcel_id"]).agg(lambda s: "、".join(sorted(s)))
    count = enterprises.groupby("parcel_id").size()
    out["firms"] = plan["parcel_id"].map(on).fillna("").to_numpy()
    out["firm_count"] = plan["parcel_id"].map(count).fillna(0).astype(int).to_numpy()
    lease = (pd.to_numeric(geo["lease_end_year"], errors="coerce")
             if "lease_end_year" in geo else pd.Series(dtype=float))
    out["lease_end_year"] = pd.array(plan["parcel_id"].map(lease).round().to_numpy(),
                                     dtype="Int64")
    return out
