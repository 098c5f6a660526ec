"""``zk.osm_roads`` and ``zk.osm_facilities``: OpenStreetMap data for the circles.

An OSM file (``.osm``, ``.osm.gz``, ``.osm.bz2``, ``.osm.pbf``) is read offline; a place,
polygon or bounding box is downloaded through osmnx (its cache on). Everything made from
OSM data carries :data:`zonekit.zones.osm.OSM_ATTRIBUTION`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from zonekit.api.params import checked
from zonekit.errors import ZonekitError

if TYPE_CHECKING:
    import geopandas as gpd


def _one_source(source: Any, place: Any, polygon: Any, bbox: Any) -> None:
    given = [n for n, v in (("source", source), ("place", place), ("polygon", polygon),
                            ("bbox", bbox)) if v is not None]
    if len(given) != 1:
        raise ZonekitError("give one of a file (source=), place=, polygon= or bbox=; got "
                           + (", ".join(given) or "none"))


@checked
def osm_roads(source: str | Path | None = None, *, mode: str = "drive",
              place: str | None = None, polygon: Any = None,
              bbox: tuple[float, float, float, float] | None = None) -> gpd.GeoDataFrame:
    """Road network of one travel mode as osmnx-form edges (EPSG:4326).

    Parameters
    ----------
    source
        An OSM file, read offline.
    mode
        ``walk``, ``bike`` or ``drive``: the ways osmnx keeps for that mode.
    place, polygon, bbox
        An area to download through osmnx instead (bbox: west, south, east, north, degrees).

    Returns
    -------
    geopandas.GeoDataFrame
        ``u``, ``v``, ``key``, ``osmid``, ``highway``, ``oneway``, ``maxspeed``, ``name``,
        ``length`` (m), as ``zk.circles(roads=…)`` takes them.
    """
    from zonekit.zones import osm

    _one_source(source, place, polygon, bbox)
    if mode not in ("walk", "bike", "drive"):
        raise ZonekitError(f"mode= must be walk, bike or drive, got {mode!r}")
    if source is not None:
        return osm.read_osm_roads(Path(source), mode)
    return osm.download_roads(place=place, polygon=polygon, bbox=bbox, mode=mode)


@checked
def osm_facilities(source: str | Path | None = None, *, place: str | None = None,
                   polygon: Any = None, bbox: tuple[float, float, float, float] | None = None,
                   tags: Any = None) -> tuple[gpd.GeoDataFrame, dict[str, int]]:
    """Facilities mapped onto the circles' categories by a documented tag table.

    Parameters
    ----------
    source, place, polygon, bbox
        As for :func:`osm_roads`.
    tags
        A tag table (YAML file or dict) replacing the shipped ``zones/osm/tags.yaml``.

    Returns
    -------
    tuple
        Points (ways and areas as their centroid) with ``fac_id`` (``n123``/``w45``),
        ``category``, ``name``, ``osm_tags``; and the count of unmapped POIs per tag.
        Matching elements whose geometry cannot be built (a multipolygon cut by the
        extract's edge) are left out and named with the reason in the points'
        ``attrs["skipped"]`` (``{"r74727": "invalid multipolygon …"}``).
    """
    from zonekit.zones import osm

    _one_source(source, place, polygon, bbox)
    if source is not None:
        return osm.read_osm_facilities(Path(source), tags)
    return osm.download_facilities(place=place, polygon=polygon, bbox=bbox, tags=tags)
