"""Roads and facilities downloaded from OpenStreetMap through osmnx (Overpass, Nominatim).

osmnx's response cache stays on (``osmnx.settings.use_cache``), so a second run of the
same area reads the cache. Network failures become a :class:`zonekit.errors.DataFileError`
saying the download needs the internet and how to work offline. Downloads are WGS84:
inside China, planners' layers digitised on Amap/Baidu (GCJ-02/BD-09) must be converted
with ``coords=`` to line up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from zonekit.errors import DataFileError, ZonekitError

if TYPE_CHECKING:
    import geopandas as gpd
    import networkx as nx

Area = dict[str, Any]


def _area(place: str | None, polygon: Any, bbox: tuple[float, float, float, float] | None
          ) -> Area:
    given = {k: v for k, v in (("place", place), ("polygon", polygon), ("bbox", bbox))
             if v is not None}
    if len(given) != 1:
        raise ZonekitError("give exactly one of place=, polygon= or bbox= (found "
                           f"{', '.join(given) or 'none'})")
    if bbox is not None:
        west, south, east, north = (float(v) for v in bbox)
        if not (west < east and south < north and -180 <= west and east <= 180
                and -90 <= south and north <= 90):
            raise ZonekitError(f"bbox= must be west, south, east, north in degrees (WGS84) "
                               f"with west < east and south < north, got {bbox}")
    return given


def _polygon(polygon: Any) -> Any:
    """Return a shapely (Multi)Polygon in EPSG:4326 from a geometry or a polygon file."""
    if not isinstance(polygon, (str, Path)):
        return polygon
    from zonekit.zones.io import read_vector

    gdf = read_vector(Path(polygon), label="polygon")
    if gdf.crs is None:
        raise DataFileError(f"{polygon}: the polygon layer has no CRS")
    shape = gdf.to_crs(4326).union_all()
    if shape.geom_type not in ("Polygon", "MultiPolygon"):
        raise DataFileError(f"{polygon}: expected polygons, found {shape.geom_type}")
    return shape


def _fetch(call: Any) -> Any:
    """Run an osmnx download, turning network failures into a clear message."""
    import osmnx as ox
    import requests

    ox.settings.use_cache = True
    try:
        return call()
    except requests.RequestException as exc:
        raise DataFileError(
            f"OpenStreetMap download failed ({type(exc).__name__}: {str(exc)[:200]}). It "
            "needs the internet; offline, pass an .osm/.osm.pbf extract of the area "
            "instead (e.g. from a Geofabrik region file)") from exc
    except (ox._errors.InsufficientResponseError, ValueError) as exc:
        if isinstance(exc, ZonekitError):
            raise
        raise DataFileError(f"OpenStreetMap download returned nothing usable: {exc}") from exc


def download_graph(*, place: str | None = None, polygon: Any = None,
                   bbox: tuple[float, float, float, float] | None = None,
                   mode: Literal["walk", "bike", "drive"] = "drive") -> nx.MultiDiGraph:
    """Download osmnx's simplified graph of an area (all connected pieces kept)."""
    import osmnx as ox

    area = _area(place, polygon, bbox)
    kw = {"network_type": mode, "retain_all": True}
    if "place" in area:
        return _fetch(lambda: ox.graph_from_place(place, **kw))
    if "bbox" in area:
        return _fetch(lambda: ox.graph_from_bbox(tuple(float(v) for v in bbox), **kw))
    shape = _polygon(polygon)
    return _fetch(lambda: ox.graph_from_polygon(shape, **kw))


def download_roads(*, place: str | None = None, polygon: Any = None,
                   bbox: tuple[float, float, float, float] | None = None,
                   mode: Literal["walk", "bike", "drive"] = "drive") -> gpd.GeoDataFrame:
    """Download the road network of an area for one travel mode, through osmnx.

    Parameters
    ----------
    place
        A place name Nominatim knows, e.g. ``"密云区, 北京市"``.
    polygon
        A shapely (Multi)Polygon in EPSG:4326, or a file holding polygons (any CRS).
    bbox
        ``(west, south, east, north)`` in degrees (WGS84).
    mode
        ``"walk"``, ``"bike"`` or ``"drive"`` (osmnx's network type).

    Returns
    -------
    geopandas.GeoDataFrame
        The edges as :func:`zonekit.zones.osm.read_osm_roads` returns them (EPSG:4326).

    Raises
    ------
    zonekit.errors.ZonekitError
        Not exactly one area given, or the download failed (offline, nothing found).
    """
    from zonekit.zones.osm.roads import edges_from_graph

    return edges_from_graph(download_graph(place=place, polygon=polygon, bbox=bbox, mode=mode))


def _query_tags(table: Any) -> dict[str, bool | list[str]]:
    """Return the Overpass tag query covering every rule's first tag."""
    query: dict[str, set[str] | bool] = {}
    for rule in table.rules:
        key, values = rule.tags[0]
        if values is None or query.get(key) is True:
            query[key] = True
        else:
            query[key] = set(query.get(key) or set()) | set(values)  # type: ignore[arg-type]
    return {k: (v if v is True else sorted(v)) for k, v in query.items()}  # type: ignore[arg-type]


def _feature_elements(features: gpd.GeoDataFrame) -> Iterable[tuple[str, Mapping, Any]]:
    import pandas as pd

    prefix = {"node": "n", "way": "w", "relation": "r"}
    cols = [c for c in features.columns if c != "geometry"]
    for (kind, osm_id), row, geom in zip(features.index, features[cols].itertuples(index=False),
                                         features.geometry, strict=True):
        tags = {c: str(v) for c, v in zip(cols, row, strict=True)
                if not isinstance(v, (list, dict)) and not pd.isna(v)}
        yield f"{prefix.get(kind, kind[:1])}{osm_id}", tags, geom


def download_facilities(*, place: str | None = None, polygon: Any = None,
                        bbox: tuple[float, float, float, float] | None = None,
                        tags: str | Path | Mapping[str, Any] | None = None
                        ) -> tuple[gpd.GeoDataFrame, dict[str, int]]:
    """Download the facilities of an area through osmnx, mapped by the tag table.

    Parameters are as for :func:`download_roads` (``place``, ``polygon``, ``bbox``) and
    :func:`zonekit.zones.osm.read_osm_facilities` (``tags``); returns the same
    ``(facilities, unmapped)`` pair.
    """
    import osmnx as ox

    from zonekit.zones.osm.facilities import facilities_frame
    from zonekit.zones.osm.tagtable import load_tag_table

    table = load_tag_table(tags)
    query = _query_tags(table)
    area = _area(place, polygon, bbox)
    if "place" in area:
        features = _fetch(lambda: ox.features_from_place(place, query))
    elif "bbox" in area:
        features = _fetch(lambda: ox.features_from_bbox(tuple(float(v) for v in bbox), query))
    else:
        shape = _polygon(polygon)
        features = _fetch(lambda: ox.features_from_polygon(shape, query))
    return facilities_frame(_feature_elements(features), table)
