"""Facilities (points of interest) from OpenStreetMap files, mapped onto circle categories.

:func:`read_osm_facilities` reads nodes, ways and multipolygon relations offline with
pyosmium; each element whose tags match a rule of the tag table (``tags.yaml``) becomes
one point (ways and areas: their centroid) with its category. Elements that carry a
counted key (``amenity``, ``shop`` …) but match no rule are counted, not written.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zonekit.errors import DataFileError

if TYPE_CHECKING:
    import geopandas as gpd

    from zonekit.zones.osm.tagtable import TagTable

logger = logging.getLogger(__name__)

#: Columns of the facility layer (then ``geometry``).
FACILITY_COLUMNS = ("fac_id", "category", "name", "osm_tags")


def facilities_frame(elements: Iterable[tuple[str, Mapping[str, str], Any]], table: TagTable
                     ) -> tuple[gpd.GeoDataFrame, dict[str, int]]:
    """Categorise elements: the facility layer and the counts of unmapped ``key=value``.

    Parameters
    ----------
    elements
        ``(fac_id, tags, geometry)`` triples; geometry is a shapely point, line or polygon
        in EPSG:4326 (lines and polygons become their centroid), or a callable returning
        one (built only for matched elements).
    table
        The tag table.
    """
    import geopandas as gpd
    import shapely

    rows, geoms, unmapped = [], [], Counter()
    for fac_id, tags, geom in elements:
        category = table.category(tags)
        if category is None:
            label = table.unmapped_label(tags)
            if label is not None:
                unmapped[label] += 1
            continue
        geom = geom() if callable(geom) else geom
        if geom is None or geom.is_empty:
            unmapped[f"{category} (no location)"] += 1
            continue
        rows.append((fac_id, category, tags.get("name"),
                     json.dumps(dict(tags), ensure_ascii=False, sort_keys=True)))
        geoms.append(geom)
    points = shapely.centroid(geoms) if geoms else []
    gdf = gpd.GeoDataFrame(rows, columns=list(FACILITY_COLUMNS), geometry=list(points),
                           crs="EPSG:4326")
    return gdf.sort_values("fac_id", ignore_index=True), dict(sorted(unmapped.items()))


def _way_geometry(coords: list[tuple[float, float]]) -> Any:
    import shapely

    if len(coords) >= 4 and coords[0] == coords[-1]:
        return shapely.Polygon(coords)
    if len(coords) >= 2:
        return shapely.LineString(coords)
    return shapely.Point(coords[0]) if coords else None


def _elements(path: Path) -> Iterable[tuple[str, dict[str, str], Any]]:
    """Yield ``(fac_id, tags, geometry)`` for tagged nodes, ways and multipolygon areas."""
    import osmium
    import shapely

    wkb = osmium.geom.WKBFactory()
    for obj in osmium.FileProcessor(str(path)).with_locations().with_areas():
        if not len(obj.tags):
            continue
        tags = {t.k: t.v for t in obj.tags}
        if obj.is_node():
            yield f"n{obj.id}", tags, shapely.Point(obj.location.lon, obj.location.lat)
        elif obj.is_way():
            coords = [(n.location.lon, n.location.lat) for n in obj.nodes if n.location.valid()]
            yield f"w{obj.id}", tags, _way_geometry(coords)
        elif obj.is_area() and not obj.from_way():  # closed ways came as ways above
            area_wkb = wkb.create_multipolygon(obj)
            yield f"r{obj.orig_id()}", tags, shapely.from_wkb(area_wkb)


def read_osm_facilities(path: str | Path, tags: str | Path | Mapping[str, Any] | None = None
                        ) -> tuple[gpd.GeoDataFrame, dict[str, int]]:
    """Read the facilities of an OSM file, offline, mapped onto zonekit's categories.

    Parameters
    ----------
    path
        ``.osm``, ``.osm.gz``, ``.osm.bz2`` or ``.osm.pbf`` file.
    tags
        Tag table (YAML file or parsed mapping) replacing the shipped ``tags.yaml``.

    Returns
    -------
    facilities : geopandas.GeoDataFrame
        Points in EPSG:4326 with ``fac_id`` (``"n123"`` node, ``"w45"`` way, ``"r6"``
        relation), ``category``, ``name`` and ``osm_tags`` (the element's tags as JSON).
    unmapped : dict
        Count of elements per ``key=value`` that carry a counted key but match no rule.

    Raises
    ------
    zonekit.errors.DataFileError
        Missing or unreadable file.
    zonekit.errors.ProfileError
        Malformed tag table.

    Examples
    --------
    >>> fac, unmapped = read_osm_facilities("city.osm.pbf")  # doctest: +SKIP
    >>> fac["category"].value_counts()  # doctest: +SKIP
    """
    from zonekit.zones.osm.roads import _check_file
    from zonekit.zones.osm.tagtable import load_tag_table

    table = load_tag_table(tags)
    path = Path(path)
    _check_file(path)
    try:
        gdf, unmapped = facilities_frame(_elements(path), table)
    except RuntimeError as exc:  # libosmium reports unreadable input as RuntimeError
        raise DataFileError(f"{path}: cannot read the OSM file ({exc})") from exc
    logger.info("%s: %d facilities, %d unmapped POIs", path, len(gdf), sum(unmapped.values()))
    return gdf, unmapped
