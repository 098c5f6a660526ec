"""Maps of results: one set of layers becomes an HTML map, a PNG/PDF and a styled GeoPackage.

Every map is drawn from a result it is handed (``ZonesResult``, ``IntensityResult``,
``CirclesResult``): :func:`map_layers` asks the result for its layers and title, and
:func:`write_map` writes them. Nothing here runs an analysis.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from zonekit.errors import ZonekitError

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

    from zonekit.maps.interactive import MapLayer
    from zonekit.zones.park import Park

FORMATS = ("html", "png", "pdf", "all")

#: Map kinds besides the circle kinds (each circle kind of the profile is a map kind too,
#: drawn by its circles result): the result type that draws each, and what it shows.
MAP_KINDS: dict[str, tuple[str, str]] = {
    "zones": ("zones", "core zones and municipal blocks, named, with areas"),
    "land-output": ("zones", "land output 亿元/km² per zone (mapclassify classes)"),
    "mujun": ("intensity", "parcels by 亩均效益 class A–D, 未参评 grey"),
    "low-efficiency": ("intensity", "low-efficiency parcels by reason, renewal-plan parcels "
                       "outlined"),
    "isochrones": ("circles", "isochrones (5/10/15 minutes) of a circle's facilities"),
}

def map_kinds(profile: str | Path | None = None) -> dict[str, tuple[str, str]]:
    """Every map kind: :data:`MAP_KINDS` and the circle kinds of the profile."""
    from zonekit.analysis.circles.registry import circle_kinds

    circles = {k: ("circles", f"{s.name_zh}: reach, gaps"
                   + (", stations, new sites" if s.proposes_sites else ""))
               for k, s in circle_kinds(profile).items()}
    return {**MAP_KINDS, **circles}


def check_kind(kind: str, profile: str | Path | None = None) -> str:
    """Return the analysis (``zones``, ``intensity``, ``circles``) that draws map ``kind``."""
    kinds = map_kinds(profile)
    if kind not in kinds:
        raise ZonekitError(f"unknown map {kind!r}; choose one of {', '.join(kinds)}")
    return kinds[kind][0]


def check_formats(fmt: str) -> tuple[str, ...]:
    """Return the formats of ``fmt`` (``all``: html, png, pdf); PNG/PDF need a CJK font."""
    if fmt not in FORMATS:
        raise ZonekitError(f"format= must be one of {', '.join(FORMATS)}, got {fmt!r}")
    formats = ("html", "png", "pdf") if fmt == "all" else (fmt,)
    if "png" in formats or "pdf" in formats:
        from zonekit.maps.static import find_cjk_font

        find_cjk_font()  # fail before the work when Chinese text cannot be drawn
    return formats


def check_basemap(basemap: str, html: bool = True) -> None:
    """Refuse an unknown basemap (and ``tianditu`` without its key when HTML is drawn)."""
    import os

    from zonekit.maps.interactive import BASEMAPS

    if basemap not in BASEMAPS:
        raise ZonekitError(f"basemap= must be one of {', '.join(BASEMAPS)}, got {basemap!r}")
    if html and basemap == "tianditu" and not os.environ.get("TIANDITU_KEY"):
        raise ZonekitError("basemap 'tianditu' needs a 天地图 key in the environment variable "
                           "TIANDITU_KEY; or use osm, amap or none")


def to_folium(layers: list[MapLayer], title: str, basemap: str, synthetic: bool,
              attribution: str | None = None) -> folium.Map:
    """Return an interactive map of the layers (see :func:`zonekit.maps.interactive.make_map`)."""
    from zonekit.maps.interactive import make_map

    return make_map(layers, basemap=basemap, synthetic=synthetic, title=title,
                    attribution=attribution)


def write_map(layers: list[MapLayer], title: str, out: Path, stem: str,
              formats: tuple[str, ...], basemap: str = "osm", synthetic: bool = False,
              gpkg: bool = True, attribution: str | None = None) -> list[Path]:
    """Write a map's files: ``stem.html``/``.png``/``.pdf`` per ``formats``, and ``stem.gpkg``.

    The GeoPackage holds each layer, named after what it holds, with its QGIS default style.
    """
    written: list[Path] = []
    if "html" in formats:
        from zonekit.maps.interactive import save_map

        written.append(save_map(to_folium(layers, title, basemap, synthetic, attribution),
                                out / f"{stem}.html"))
    for fmt in ("png", "pdf"):
        if fmt in formats:
            from zonekit.maps.static import plot_static, save_static

            ax = plot_static(layers, title=title, synthetic=synthetic)
            written.append(save_static(ax, out / f"{stem}.{fmt}"))
    if not gpkg:
        return written
    from zonekit.maps.gpkg_layers import write_map_gpkg

    written.append(write_map_gpkg(layers, out / f"{stem}.gpkg", synthetic))
    return written


def draw(result: Any, kind: str, **options: Any) -> tuple[list[MapLayer], str]:
    """Return the layers and title of map ``kind`` of ``result`` (its ``map_layers`` method)."""
    return result.map_layers(kind, **options)


def with_park_base(layers: list[MapLayer], park: Park | None) -> list[MapLayer]:
    """Return ``layers`` with the park's roads and water drawn under them as a light base.

    The base (:mod:`zonekit.maps.base_layers`) comes from the park's own layers: its roads
    (read for the map when the analysis did not read them), its parcels of land-use
    class water, and the water of :func:`base_water`. Without a park, the layers are
    returned as they are.
    """
    from zonekit.maps.base_layers import with_base

    if park is None or not layers:
        return list(layers)
    return with_base(layers, park.crs, base_roads(park), park.layers.get("parcels"),
                     base_water(park))


def base_roads(park: Park) -> gpd.GeoDataFrame | None:
    """Return the park's roads: its layer, else read once as the park was read, or ``None``.

    Roads the layer model refuses (no ``highway``: a planner's own centrelines) are read
    as plain lines for the base. A roads layer that cannot be read at all leaves the map
    without streets (logged): a map of an analysis that does not use roads never stops.
    """
    if "roads" in park.layers:
        return park.layers["roads"]
    if "roads" not in park.context and park.options is not None:
        park.context["roads"] = _read_roads(park)
    return park.context.get("roads")


def _read_roads(park: Park) -> gpd.GeoDataFrame | None:
    import dataclasses
    import logging

    from zonekit.api.data import read_park

    log = logging.getLogger(__name__)
    opts = dataclasses.replace(park.options, analysis_crs=park.crs)
    try:
        return read_park(opts, layers=("roads",), mapping=park.mapping).layers.get("roads")
    except ZonekitError as exc:
        log.info("roads not read as the layer model (%s): read as plain lines", exc)
    try:
        return _plain_layer(park, "roads")
    except ZonekitError as exc:
        log.warning("the map's base has no roads: %s", exc)
        return None


def _plain_layer(park: Park, name: str) -> gpd.GeoDataFrame | None:
    """Read layer ``name`` of the park's data with its CRS checked, columns as they are."""
    from zonekit.api.data import user_layer
    from zonekit.zones.io import find_layer_source, read_vector
    from zonekit.zones.sources import split_layer

    opts = park.options
    if opts is None:
        return None
    source = opts.layers.get(name)
    if source is None:
        data = opts.data
        found = find_layer_source(Path(data), name) if data is not None and Path(
            data).exists() else None
        if found is None:
            return None
        source = read_vector(found[0], found[1], label=name)
    elif not hasattr(source, "geometry"):
        source = read_vector(*split_layer(source), label=name)
    return user_layer(source, opts, park.crs, name)


def base_water(park: Park) -> gpd.GeoDataFrame | None:
    """Return the water the park's data holds besides its parcels, or ``None`` (read once).

    The water areas and lines of the OSM file the roads were read from, else a layer
    named ``water`` in the data folder or GeoPackage (any CRS; a layer without one takes
    ``crs=``). Like :func:`base_roads`, a layer that cannot be read is logged and left out.
    """
    if "water" not in park.context:
        try:
            park.context["water"] = _read_water(park)
        except ZonekitError as exc:
            import logging

            logging.getLogger(__name__).warning("the map's base has no water layer: %s", exc)
            park.context["water"] = None
    return park.context["water"]


def _read_water(park: Park) -> gpd.GeoDataFrame | None:
    from zonekit.zones.osm.roads import is_osm_file

    roads = park.sources.get("roads")
    if roads and is_osm_file(Path(roads)):
        from zonekit.zones.osm.water import read_osm_water

        return read_osm_water(roads).to_crs(park.crs)
    return _plain_layer(park, "water")
