"""The zone map and the land-output choropleth, from the zones with their zone-table rows.

The maps draw the zone polygons joined with their rows of the zone table
(:func:`~zonekit.analysis.land.measures.zone_table`), as ``zk.zones`` gives them
(``ZonesResult.zones``): they compute nothing.

Each map is a list of :class:`~zonekit.maps.interactive.MapLayer` (features + style spec),
so the same layers become an HTML map (:func:`~zonekit.maps.interactive.make_map`),
a PNG/PDF (:func:`~zonekit.maps.static.plot_static`) and a styled GeoPackage layer
(:func:`~zonekit.maps.qgis_style.add_style_to_gpkg`).

Examples
--------
>>> import zonekit as zk
>>> [layer.title for layer in zone_layers(zk.zones().zones)]  # the synthetic sample
['功能分区']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zonekit.maps.interactive import MapLayer
from zonekit.maps.style import land_output_style, zone_kind_style

if TYPE_CHECKING:
    import geopandas as gpd

PARK_NAME_ZH = "中关村密云园"
DENOMINATOR_ZH = {"built": "建成建设用地", "all": "分区总面积", "industrial": "建成工业用地"}


def zone_frame(zones: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Zone polygons with their zone-table figures, and the maps' labels.

    Parameters
    ----------
    zones
        The zone polygons joined with their rows of the
        :func:`~zonekit.analysis.land.measures.zone_table` (``zone_id``, ``name_zh``,
        ``kind``, ``area_km2``, ``land_output_yi_per_km2`` …), as ``ZonesResult.zones``.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``zones`` plus ``label_zh`` (name and area) and ``label_output`` (name
        and land output).
    """
    import numpy as np

    frame = zones.copy()
    frame["label_zh"] = [f"{n}\n{a:.2f} km²" for n, a in zip(frame["name_zh"],
                                                             frame["area_km2"], strict=True)]
    frame["label_output"] = [
        f"{n}\n{v:.1f} 亿元/km²" if np.isfinite(v) else f"{n}\n无建成用地"
        for n, v in zip(frame["name_zh"], frame["land_output_yi_per_km2"].astype(float),
                        strict=True)]
    return frame


def zone_layers(zones: gpd.GeoDataFrame) -> list[MapLayer]:
    """Build the zone map: core zones and municipal blocks by kind, named, with areas.

    ``zones`` as for :func:`zone_frame`.
    """
    return [MapLayer(zone_frame(zones), zone_kind_style("label_zh"), name="功能分区")]


def land_output_layers(zones: gpd.GeoDataFrame, scheme: str = "FisherJenks",
                       k: int = 4) -> list[MapLayer]:
    """Build the land-output choropleth (亿元/km²), classes from mapclassify ``scheme``.

    ``zones`` as for :func:`zone_frame`.
    """
    frame = zone_frame(zones)
    spec = land_output_style(frame["land_output_yi_per_km2"], scheme=scheme, k=k,
                             label_column="label_output")
    return [MapLayer(frame, spec, name="地均产出")]


def zone_title(park: str = PARK_NAME_ZH) -> str:
    """Title of the zone map."""
    return f"{park} 功能分区与市级高新区区块"


def land_output_title(denominator: str = "built", park: str = PARK_NAME_ZH) -> str:
    """Title of the land-output map, naming the land used as denominator."""
    return f"{park} 各分区地均产出（亿元/km²，用地口径：{DENOMINATOR_ZH[denominator]}）"
