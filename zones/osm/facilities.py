"""Facilities (points of interest) from OpenStreetMap files, mapped onto circle categories.

:func:`read_osm_facilities` reads nodes, ways and multipolygon relations offline with
pyosmium; each element whose tags match a rule of the tag table (``tags.yaml``) becomes
one point (ways and areas: their centroid) with its category. Elements that carry a
counted key (``amenity``, ``shop`` …) but match no rule are counted, not written.

Tags are matched first and a geometry is built only for the elements that match (libosmium
assembles only the multipolygons that carry a key of the table). An element whose geometry
cannot be built (a multipolygon cut by the extract's edge, a way whose nodes are all
missing) is skipped and named, with the reason, in the layer's
``attrs["skipped"]``; the rest of the file is read on.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zonekit.errors import DataFileError

if TYPE_CHECKING:
    import geopandas as gpd

    from zonekit.zones.osm.tagtable import TagTable

logger = logging.getLogger(__name__)

#: Columns of the facility layer (then ``geometry``).
FACILITY_COLUMNS = ("fac_id", "category", "name", "osm_tags")

#: Key of the facility layer's ``attrs``: ``{fac_id: reason}`` of the matching elements
#: skipped because their geometry could not be built.
SKIPPED_ATTR = "skipped"

#: Relation types libosmium assembles into areas.
AREA_RELATIONS = ("multipolygon", "boundary")

#: Skipped elements named on the console (all of them go to the summary).
SHOWN_SKIPPED = 20


class GeometryError(Exception):
    """An element's geometry cannot be built; the message says why (``invalid multipolygon``)."""


def facilities_frame(elements: Iterable[tuple[str, Mapping[str, str], Any]], table: TagTable
                     ) -> tuple[gpd.GeoDataFrame, dict[str, int]]:
    """Categorise elements: the facility layer and the counts of unmapped ``key=value``.

    Parameters
    ----------
    elements
        ``(fac_id, tags, geometry)`` triples; geometry is a shapely point, line or polygon
        in EPSG:4326 (lines and polygons become their centroid), or a callable returning
        one, called only for matched elements and while the element is current; it raises
        :class:`GeometryError` when the geometry cannot be built.
    table
        The tag table.

    Returns
    -------
    facilities : geopandas.GeoDataFrame
        The matched elements with a geometry, sorted by ``fac_id``; ``attrs["skipped"]``
        (:data:`SKIPPED_ATTR`) maps each matched element without one to the reason.
    unmapped : dict
        Count of elements per ``key=value`` that carry a counted key but match no rule.
    """
    import geopandas as gpd
    import shapely

    rows, geoms, unmapped = [], [], Counter()
    skipped: dict[str, str] = {}
    for fac_id, tags, geom in elements:
        category = table.category(tags)
        if category is None:
            label = table.unmapped_label(tags)
            if label is not None:
                unmapped[label] += 1
            continue
        try:
            geom = geom() if callable(geom) else geom
        except GeometryError as exc:
            skipped[fac_id] = str(exc)
            continue
        if geom is None or geom.is_empty:
            skipped[fac_id] = "no location"
            continue
        rows.append((fac_id, category, tags.get("name"),
                     json.dumps(dict(tags), ensure_ascii=False, sort_keys=True)))
        geoms.append(geom)
    points = shapely.centroid(geoms) if geoms else []
    gdf = gpd.GeoDataFrame(rows, columns=list(FACILITY_COLUMNS), geometry=list(points),
                           crs="EPSG:4326").sort_values("fac_id", ignore_index=True)
    gdf.attrs[SKIPPED_ATTR] = dict(sorted(skipped.items()))
    if skipped:
        logger.info("%d matching element(s) skipped, their geometry cannot be built: %s",
                       len(skipped), skipped_text(gdf))
    return gdf, dict(sorted(unmapped.items()))


def skipped_elements(facilities: gpd.GeoDataFrame) -> dict[str, str]:
    """Return ``{fac_id: reason}`` of the matching elements a facility layer skipped."""
    return dict(facilities.attrs.get(SKIPPED_ATTR) or {})


def skipped_text(facilities: gpd.GeoDataFrame, shown: int = SHOWN_SKIPPED) -> str:
    """Name the skipped elements for the console: ``r74727: invalid multipolygon, …``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> fac = gpd.GeoDataFrame(geometry=[])
    >>> fac.attrs["skipped"] = {"r7": "invalid multipolygon", "w9": "no location"}
    >>> skipped_text(fac, shown=1)
    'r7: invalid multipolygon, … and 1 more'
    """
    skipped = skipped_elements(facilities)
    text = ", ".join(f"{k}: {v}" for k, v in list(skipped.items())[:shown])
    return text + (f", … and {len(skipped) - shown} more" if len(skipped) > shown else "")


def _way_geometry(coords: list[tuple[float, float]]) -> Any:
    import shapely

    if not coords:
        raise GeometryError("no node of the way is in the file")
    if len(coords) >= 4 and coords[0] == coords[-1]:
        return shapely.Polygon(coords)
    if len(coords) >= 2:
        return shapely.LineString(coords)
    return shapely.Point(coords[0])


def _failing(reason: str) -> Callable[[], Any]:
    def build() -> Any:
        raise GeometryError(reason)

    return build


def _table_keys(table: TagTable) -> list[str]:
    """Keys an element needs to match a rule (each rule's first) or to be counted."""
    return sorted({rule.tags[0][0] for rule in table.rules} | set(table.keys))


def _elements(path: Path, keys: list[str]) -> Iterator[tuple[str, dict[str, str], Any]]:
    """Yield ``(fac_id, tags, build)`` for nodes, ways and areas carrying one of ``keys``.

    ``build()`` makes the element's geometry while it is current. libosmium assembles only
    the multipolygon relations carrying one of ``keys``; one it cannot assemble (rings
    that do not close: a relation cut by the extract's edge) fails in its own ``build``,
    and one whose member ways are missing from the file (never assembled) comes last.
    """
    import osmium
    import shapely

    wkb = osmium.geom.WKBFactory()

    def area(obj: Any) -> Any:
        try:
            return shapely.from_wkb(wkb.create_multipolygon(obj))
        except RuntimeError:  # libosmium: "invalid area (area_id=…)"
            raise GeometryError("invalid multipolygon (its rings cannot be assembled)"
                                 ) from None

    reader = (osmium.FileProcessor(str(path)).with_locations()
              .with_areas(osmium.filter.KeyFilter(*keys))
              .with_filter(osmium.filter.KeyFilter(*keys)))
    pending: dict[int, dict[str, str]] = {}  # area relations not assembled (yet)
    for obj in reader:
        tags = {t.k: t.v for t in obj.tags}
        if obj.is_node():
            loc = obj.location
            yield (f"n{obj.id}", tags, (lambda loc=loc: shapely.Point(loc.lon, loc.lat))
                   if loc.valid() else _failing("node without a location"))
        elif obj.is_way():
            yield f"w{obj.id}", tags, lambda obj=obj: _way_geometry(
                [(n.location.lon, n.location.lat) for n in obj.nodes if n.location.valid()])
        elif obj.is_relation():
            if tags.pop("type", None) in AREA_RELATIONS:
                pending[obj.id] = tags
        elif not obj.from_way():  # an area from a relation; closed ways came as ways above
            pending.pop(obj.orig_id(), None)
            yield f"r{obj.orig_id()}", tags, lambda obj=obj: area(obj)
    for rel_id, tags in pending.items():
        yield f"r{rel_id}", tags, _failing("incomplete multipolygon (member ways missing "
                                           "from the file)")


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

    Notes
    -----
    Matching elements whose geometry cannot be built (a broken multipolygon) are not
    written: ``facilities.attrs["skipped"]`` names them with the reason (``{"r74727":
    "invalid multipolygon …"}``, see :func:`skipped_text`) and the file is read on.

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
        gdf, unmapped = facilities_frame(_elements(path, _table_keys(table)), table)
    except RuntimeError as exc:  # libosmium reports unreadable input as RuntimeError
        raise DataFileError(f"{path}: cannot read the OSM file ({exc})") from exc
    logger.info("%s: %d facilities, %d unmapped POIs, %d skipped", path, len(gdf),
                sum(unmapped.values()), len(skipped_elements(gdf)))
    return gdf, unmapped
