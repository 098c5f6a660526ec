"""Water of an OSM file, offline: lakes, reservoirs and river areas, rivers and canals as lines.

Read for the light base of the maps (:mod:`zonekit.maps.base_layers`) when the roads come
from an OSM extract: only elements with a water tag get a geometry (the elements are
those of :func:`zonekit.zones.osm.facilities._elements`); one whose geometry cannot be
built (a multipolygon cut by the extract's edge) is left out and counted.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from zonekit.errors import DataFileError

if TYPE_CHECKING:
    import geopandas as gpd

log = logging.getLogger(__name__)

#: Tags of water areas and water lines (key → values; ``None``: any value).
WATER_TAGS: dict[str, tuple[str, ...] | None] = {
    "natural": ("water", "bay", "strait"),
    "water": None,
    "waterway": ("river", "stream", "canal", "riverbank", "dock", "drain", "ditch"),
    "landuse": ("reservoir", "basin"),
}


def is_water(tags: dict[str, str]) -> bool:
    """Whether an element's tags make it water (:data:`WATER_TAGS`)."""
    return any(k in tags and (values is None or tags[k] in values)
               for k, values in WATER_TAGS.items())


def read_osm_water(path: str | Path) -> gpd.GeoDataFrame:
    """Read the water areas and lines of an OSM file (EPSG:4326; ``osm_id``, ``geometry``).

    Raises
    ------
    zonekit.errors.DataFileError
        Missing or unreadable file.
    """
    import geopandas as gpd
    import shapely

    from zonekit.zones.osm.facilities import GeometryError, _elements
    from zonekit.zones.osm.roads import _check_file

    path = Path(path)
    _check_file(path)
    ids, geoms, skipped = [], [], 0
    try:
        for osm_id, tags, build in _elements(path, sorted(WATER_TAGS)):
            if not is_water(tags):
                continue
            try:
                geom = build()
            except GeometryError:
                skipped += 1
                continue
            if shapely.get_type_id(geom) != 0:  # a water point draws nothing
                ids.append(osm_id)
                geoms.append(geom)
    except RuntimeError as exc:  # libosmium reports unreadable input as RuntimeError
        raise DataFileError(f"{path}: cannot read the OSM file ({exc})") from exc
    if skipped:
        log.info("%s: %d water elements without a geometry left out", path, skipped)
    return gpd.GeoDataFrame({"osm_id": ids}, geometry=geoms, crs="EPSG:4326")


__all__ = ["WATER_TAGS", "is_water", "read_osm_water"]
