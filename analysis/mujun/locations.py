"""Where each renewal candidate is: coordinates, the firms on it, its lease end.

A director hands the plan to whoever visits the parcels; a parcel id alone does not say
where to go. Columns added to ``renewal_plan.csv`` by :func:`.pipeline.run`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    import geopandas as gpd

#: Columns :func:`plan_locations` adds, in order.
LOCATION_COLUMNS = ("lon", "lat", "firms", "firm_count", "lease_end_year")


def plan_locations(plan: pd.DataFrame, parcels: gpd.GeoDataFrame,
                   enterprises: pd.DataFrame) -> pd.DataFrame:
    """Return the location of each row of ``plan`` (by ``parcel_id``).

    Parameters
    ----------
    plan
        Renewal candidates with ``parcel_id``.
    parcels
        The parcels layer (projected CRS), optionally with ``lease_end_year``.
    enterprises
        The enterprises layer with ``parcel_id`` and, optionally, ``name``.

    Returns
    -------
    DataFrame indexed like ``plan``: ``lon``/``lat`` (WGS84 degrees, 6 places) of a point
    inside the parcel, ``firms`` (names joined by "、", "" when none), ``firm_count``
    and ``lease_end_year`` (``<NA>`` when the layer has none).
    """
    geo = parcels.set_index("parcel_id")
    pts = geo.geometry.reindex(plan["parcel_id"]).representative_point()
    pts = pts.set_crs(parcels.crs, allow_override=True).to_crs(4326)
    out = pd.DataFrame(index=plan.index)
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
