"""``zk.measure_zones``: each zone and block measured: area, built land, firms, land output."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zonekit.api.data import DataOptions, data_options_from, read_park
from zonekit.api.params import checked
from zonekit.api.results import Result, Timings, summary_base
from zonekit.errors import ZonekitError

if TYPE_CHECKING:
    import folium
    import geopandas as gpd
    import pandas as pd

    from zonekit.zones.park import Park

PARK_LAYERS = ("zones", "parcels", "enterprises")


def check_denominator(denominator: str) -> None:
    """Refuse an unknown land-output denominator before any work is done."""
    from zonekit.analysis.land.measures import DENOMINATORS

    if denominator not in DENOMINATORS:
        raise ZonekitError(f"denominator= must be one of {', '.join(DENOMINATORS)}, "
                           f"got {denominator!r}")


def park_for(park: Park | None, data: DataOptions | None, layers: tuple[str, ...],
             timings: Timings, required: tuple[str, ...] | None = None,
             mapping: Any = None) -> Park:
    """Return the park to analyse: the one given, else read from ``data`` (the sample if empty)."""
    if park is not None:
        missing = [name for name in (required or layers) if name not in park.layers]
        if missing:
            raise ZonekitError(f"the park given lacks the layer(s) {', '.join(missing)}; "
                               f"load it with {', '.join(f'{m}=FILE' for m in missing)}")
        return park
    with timings.step("read"):
        return read_park(data or DataOptions(), layers=layers,
                         required=layers if required is None else required, mapping=mapping)


@dataclass(repr=False)
class ZonesResult(Result):
    """Zone table (one row per zone/block plus ``park``) and the zone polygons with it.

    Attributes
    ----------
    table
        ``zone_id``, ``name_zh``, ``kind``, ``area_km2``, ``parcels``, ``built_land_km2``,
        ``enterprises``, ``employees``, ``revenue_yi``, ``land_output_yi_per_km2`` …
    zones
        The zone polygons (analysis CRS) joined with their rows of ``table``.
    denominator
        Land used for land output.
    """

    table: pd.DataFrame = None
    zones: gpd.GeoDataFrame = None
    denominator: str = "built"

    def _write(self, folder: Path) -> list[str]:
        from zonekit.maps.qgis_style import add_styles_to_gpkg
        from zonekit.maps.style import land_output_style, zone_kind_style
        from zonekit.zones.io import write_csv, write_gpkg

        write_csv(self.table, folder / "zones.csv")
        kinds = [("zones", zone_kind_style(label_column="name_zh"))]
        output = self.zones["land_output_yi_per_km2"]
        # land output by zone (not drawn when no zone has built land: nothing to classify)
        extra = [("zones", land_output_style(output, label_column="name_zh"))] \
            if output.notna().any() else []

        def styles(tmp: Path) -> None:
            add_styles_to_gpkg(tmp, kinds)
            if extra:
                add_styles_to_gpkg(tmp, extra, default=False)

        write_gpkg({"zones": self.zones}, folder / "zones.gpkg", finish=styles)
        return ["zones.csv", "zones.gpkg"]

    def map_layers(self, kind: str = "zones", scheme: str = "FisherJenks",
                   classes: int = 4) -> tuple[list, str]:
        """Layers and title of the ``zones`` or ``land-output`` map."""
        from zonekit.api.maps import with_park_base
        from zonekit.maps import zone_maps

        if kind == "zones":
            return (with_park_base(zone_maps.zone_layers(self.zones), self.park),
                    zone_maps.zone_title(self.park_name))
        if kind == "land-output":
            return (with_park_base(zone_maps.land_output_layers(self.zones, scheme, classes),
                                   self.park),
                    zone_maps.land_output_title(self.denominator, self.park_name))
        raise ZonekitError(f"a zones result draws the maps zones and land-output, not {kind!r}")

    def map(self, kind: str = "zones", basemap: str = "none", **options: Any) -> folium.Map:
        """Return an interactive map (folium) of the result, nothing written."""
        from zonekit.api.maps import to_folium

        layers, title = self.map_layers(kind, **options)
        return to_folium(layers, title, basemap, self.synthetic)


@checked
def measure_zones(park: Park | None = None, denominator: str = "built", *,
          options: DataOptions | None = None, **data_options: Any) -> ZonesResult:
    """Measure each zone and block: area, built land, enterprises, revenue, land output.

    Parameters
    ----------
    park
        A park from :func:`zonekit.load_park`; default: read with ``data``/``data_options``
        (the bundled synthetic sample when none is given).
    denominator
        Land for land output: ``built`` (construction land in use or idle), ``all`` (zone
        area, plus parcels in no zone) or ``industrial``.
    options, **data_options
        The data to read when no ``park`` is given: a :class:`~zonekit.api.data.DataOptions`,
        or its fields as keywords (``data="park/"``, ``parcels=…``, ``mapping=…``, ``crs=…``).

    Returns
    -------
    ZonesResult
    """
    from zonekit.analysis.land.measures import DENOMINATOR_DOC, park_summary, zone_table

    check_denominator(denominator)
    timings = Timings()
    park = park_for(park, options or data_options_from(data_options), PARK_LAYERS, timings)
    with timings.step("analyse"):
        table = zone_table(park.zones, park.parcels, park.enterprises, denominator)
    geo = park.zones[["zone_id", "geometry"]].merge(table, on="zone_id")
    summary = summary_base("zones", park) | park_summary(table)
    summary.update({"denominator": denominator,
                    "denominator_meaning": DENOMINATOR_DOC[denominator],
                    "zones": table.loc[table["zone_id"] != "park", "zone_id"].tolist()})
    return ZonesResult(summary=summary, park=park, timings=timings, table=table, zones=geo,
                       denominator=denominator)
