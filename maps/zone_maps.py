"""The zone map and the land-output choropleth, from a :class:`~zonekit.zones.park.Park`.

Each map is a list of :class:`~zonekit.maps.interactive.MapLayer` (features + style
spec), so the same layers become an HTML map (:func:`~zonekit.maps.interactive.make_map`),
a PNG/PDF (:func:`~zonekit.maps.static.plot_static`) and a styled GeoPackage layer
(:func:`~zonekit.maps.qgis_style.add_style_to_gpkg`).

Examples
--------
>>> from zonekit.zones.park import load_park
>>> park = load_park(layers=("zones", "parcels", "enterprises"))  # the synthetic sample
>>> [layer.title for layer in zone_layers(park)]
['功能分区']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zonekit.maps.interactive import MapLayer
from zonekit.maps.style import land_output_style, zone_kind_style

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

    from zonekit.zones.park import Park

PARK_NAME_ZH = "中关村密云园"
DENOMINATOR_ZH = {"built": "建成建设用地", "all": "分区总面积", "industrial": "建成工业用地"}


def zone_frame(park: Park, denominator: str = "built",
               table: pd.DataFrame | None = None) -> gpd.GeoDataFrame:
    """Zone polygons with the :func:`~zonekit.analysis.land.measures.zone_table` figures and labels.

    Parameters
    ----------
    park
        Park with ``zones``, ``parcels`` and ``enterprises`` layers.
    denominator
        Land for land output (``built``, ``all`` or ``industrial``).
    table
        A zone table already computed; computed when ``None``.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per zone in the park's CRS, with the table's columns plus ``label_zh``
        (name and area) and ``label_output`` (name and land output).
    """
    import numpy as np

    from zonekit.analysis.land.measures import zone_table

    if table is None:
        table = zone_table(park.zones, park.parcels, park.enterprises, denominator)
    frame = park.zones[["zone_id", "geometry"]].merge(
        table.drop(columns=["geometry"], errors="ignore"), on="zone_id", how="left")
    frame["label_zh"] = [f"{n}\n{a:.2f} km²" for n, a in zip(frame["name_zh"],
                                                             frame["area_km2"], strict=True)]
    frame["label_output"] = [
        f"{n}\n{v:.1f} 亿元/km²" if np.isfinite(v) else f"{n}\n无建成用地"
        for n, v in zip(frame["name_zh"], frame["land_output_yi_per_km2"].astype(float),
                        strict=True)]
    return frame


def zone_layers(park: Park, denominator: str = "built",
                table: pd.DataFrame | None = None) -> list[MapLayer]:
    """Build the zone map: core zones and municipal blocks by kind, named, with areas."""
    return [MapLayer(zone_frame(park, denominator, table), zone_kind_style("label_zh"),
                     name="功能分区")]


def land_output_layers(park: Park, denominator: str = "built", scheme: str = "FisherJenks",
                       k: int = 4, table: pd.DataFrame | None = None) -> list[MapLayer]:
    """Build the land-output choropleth (亿元/km²), classes from mapclassify ``scheme``."""
    frame = zone_frame(park, denominator, table)
    spec = land_output_style(frame["land_output_yi_per_km2"], scheme=scheme, k=k,
                             label_column="label_output")
    return [MapLayer(frame, spec, name="地均产出")]


def zone_title(park: str = PARK_NAME_ZH) -> str:
    """Title of the zone map."""
    return f"{park} 功能分区与市级高新区区块"


def land_output_title(denominator: str = "built", park: str = PARK_NAME_ZH) -> str:
    """Title of the land-output map, naming the land used as denominator."""
    return f"{park} 各分区地均产出（亿元/km²，用地口径：{DENOMINATOR_ZH[denominator]}）"
