"""Coordinate reference systems: refuse to guess, project to metres.

Every area and distance in zonekit is computed in a projected CRS chosen from the user's
data alone (:func:`choose_analysis_crs`): inside China the CGCS2000 3-degree Gauss-Krüger
zone whose central meridian is nearest the data's centre (EPSG:4534 for 75°E … EPSG:4554
for 135°E; EPSG:4548, CM 117°E, for Miyun); elsewhere the WGS84 UTM zone of the centre.
"Inside China" is a point-in-polygon test of the centre against ``china_outline.wkt``:
Natural Earth's 1:110m outline of China and Taiwan (public domain), buffered by 0.5° so
that coastal and border parks count, and simplified to 0.1°.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from zonekit.errors import CRSError, where

if TYPE_CHECKING:
    import geopandas as gpd

# China's rough extent in degrees, used to catch swapped or mislabelled coordinates.
CHINA_LON = (73.0, 136.0)
CHINA_LAT = (3.0, 54.0)


def gk_cgcs2000_epsg(lon_deg: float) -> int:
    """EPSG code of the CGCS2000 3-degree GK zone (no zone prefix) for a longitude.

    Parameters
    ----------
    lon_deg
        Longitude in degrees east.

    Examples
    --------
    >>> gk_cgcs2000_epsg(116.85)
    4548
    """
    cm = int(3 * round(lon_deg / 3.0))
    if not 75 <= cm <= 135:
        raise CRSError(
            f"no CGCS2000 3-degree Gauss-Krüger zone for longitude {lon_deg:.3f}°: expected "
            "data in China (75–135°E); pass a projected CRS as analysis_crs="
        )
    return 4534 + (cm - 75) // 3


def suggest_crs(x: np.ndarray, y: np.ndarray) -> str:
    """Describe what bare coordinates look like, for a layer that has no CRS."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.size == 0:
        return "the layer has no coordinates to inspect."
    mx, my = float(np.nanmedian(x)), float(np.nanmedian(y))
    if -180 <= mx <= 180 and -90 <= my <= 90:
        return (
            f"the coordinates look like degrees (median {mx:.4f}, {my:.4f}): probably "
            "EPSG:4490 (CGCS2000) or EPSG:4326 (WGS84); if they come from Amap or Baidu, "
            "also pass coords='gcj02' or 'bd09'"
        )
    if 1e7 <= mx < 1e8 and 1e6 <= my <= 6.1e6:
        zone = int(mx // 1_000_000)
        if 25 <= zone <= 45:
            return (
                f"the eastings carry a zone prefix (median {mx:,.0f} E, {my:,.0f} N): "
                f"CGCS2000 3-degree Gauss-Krüger zone {zone}, EPSG:{4513 + zone - 25}"
            )
    if 3e5 <= mx <= 7e5 and 1e6 <= my <= 6.1e6:
        return (
            f"the eastings lie near 500,000 m (median {mx:,.0f} E, {my:,.0f} N): a Gauss-Krüger "
            "or UTM projection without zone prefix, e.g. CGCS2000 GK CM 117E (EPSG:4548) "
            "for Miyun, or the zone whose central meridian is nearest your data"
        )
    return (
        f"the coordinates (median {mx:,.1f}, {my:,.1f}) match no national system zonekit "
        "recognises; they may be in a local city system (e.g. Beijing's), which cannot be "
        "recognised: ask the data provider for the EPSG code or control points"
    )


def _sample_xy(gdf: gpd.GeoDataFrame, n: int = 2000) -> tuple[np.ndarray, np.ndarray]:
    import shapely

    geoms = gdf.geometry.values[:n]
    pts = shapely.get_coordinates(np.asarray(geoms))
    if pts.size == 0:
        return np.array([]), np.array([])
    return pts[:, 0], pts[:, 1]


def check_geographic_extent(gdf: gpd.GeoDataFrame, source: str,
                            coordinates: bool = True) -> None:
    """Catch coordinates that do not fit the layer's CRS.

    Projected numbers labelled as degrees and swapped lon/lat; and, for every CRS, degrees
    under a projected label, numbers outside the CRS's area of use and NaN/infinite or
    stray coordinates (see :func:`check_coordinates`; callers that want
    to report or drop such rows one by one use :func:`coordinate_problems` first, and then
    pass ``coordinates=False`` to skip checking the same coordinates twice).
    """
    if gdf.empty or gdf.crs is None:
        return
    nonfinite, outside = (check_coordinates(gdf, source) if coordinates
                          else (np.zeros(len(gdf), bool),) * 2)
    if nonfinite.any() or outside.any():
        rows = np.flatnonzero(nonfinite | outside)
        raise CRSError(f"{source}: features {', '.join(f'#{i}' for i in rows[:20])} have "
                       "coordinates that are not numbers (NaN, infinity) or lie far outside "
                       f"where the CRS applies ({_area_text(gdf.crs)}); fix their geometry")
    if gdf.crs.is_geographic:
        _check_degrees(gdf, source)


def _check_degrees(gdf: gpd.GeoDataFrame, source: str) -> None:
    """Projected numbers labelled as degrees, swapped lon/lat (data anywhere else is fine)."""
    x, y = _sample_xy(gdf)
    if x.size == 0:
        return
    mx, my = float(np.nanmedian(x)), float(np.nanmedian(y))
    swapped = CHINA_LON[0] <= my <= CHINA_LON[1] and CHINA_LAT[0] <= mx <= CHINA_LAT[1]
    if swapped:
        raise CRSError(
            f"{source}: coordinates centre on ({mx:.4f}, {my:.4f}): longitude and latitude "
            "look swapped (x holds latitudes, y longitudes); swap the columns or axis order."
        )
    if np.nanmax(np.abs(x)) > 180 or np.nanmax(np.abs(y)) > 90:
        raise CRSError(
            f"{source}: the layer says it is in {gdf.crs.to_string()} (degrees) but holds "
            f"coordinates such as ({x[0]:,.1f}, {y[0]:,.1f}), which are not degrees; "
            f"{suggest_crs(x, y)}. Fix the .prj, or pass crs= with the right code."
        )


def utm_epsg(lon_deg: float, lat_deg: float) -> int:
    """EPSG code of the WGS84 UTM zone holding a point (326xx north, 327xx south).

    Examples
    --------
    >>> utm_epsg(7.42, 43.74)  # Monaco
    32632
    >>> utm_epsg(-54.6, -20.5)  # Campo Grande
    32721
    """
    zone = min(int((lon_deg + 180.0) // 6.0) + 1, 60)
    return (32600 if lat_deg >= 0 else 32700) + zone


def in_china(lon_deg: float, lat_deg: float) -> bool:
    """Whether a point lies in China's outline (buffered 0.5°; see the module notes)."""
    import shapely

    return bool(shapely.contains_xy(_china_outline(), lon_deg, lat_deg))


@cache
def _china_outline() -> object:
    import shapely

    text = Path(__file__).with_name("china_outline.wkt").read_text(encoding="ascii")
    geom = shapely.from_wkt(text)
    shapely.prepare(geom)
    return geom


def data_centre(layers: list[gpd.GeoDataFrame]) -> tuple[float, float] | None:
    """Centre (lon, lat in degrees) of the combined extent of the layers that have a CRS."""
    from pyproj import CRS, Transformer

    boxes = []
    for gdf in layers:
        if gdf is None or gdf.empty or gdf.crs is None:
            continue
        bounds = np.asarray(gdf.total_bounds, dtype=float)
        if not np.isfinite(bounds).all():
            continue
        to_wgs84 = Transformer.from_crs(gdf.crs, CRS.from_epsg(4326), always_xy=True)
        boxes.append(to_wgs84.transform_bounds(*bounds))
    if not boxes:
        return None
    b = np.asarray(boxes)
    return (float(b[:, 0].min() + b[:, 2].max()) / 2, float(b[:, 1].min() + b[:, 3].max()) / 2)


def choose_analysis_crs(layers: list[gpd.GeoDataFrame],
                        crs: str | None = None) -> tuple[str, str]:
    """Pick the analysis CRS and say why.

    Parameters
    ----------
    layers
        The user's layers (any CRS; those without one are ignored).
    crs
        A projected CRS the user asked for; it wins when given.

    Returns
    -------
    tuple of str
        The CRS (``"EPSG:…"``) and a sentence giving the reason.

    Raises
    ------
    CRSError
        ``crs`` is not projected, or no layer has a CRS to take the centre from.
    """
    from pyproj import CRS

    if crs is not None:
        parsed = CRS.from_user_input(crs)
        if not parsed.is_projected:
            raise CRSError(
                f"analysis CRS must be projected (metres), got {parsed.to_string()} "
                f"({parsed.name}); pass e.g. analysis_crs='EPSG:4548'"
            )
        return parsed.to_string(), f"given by the user ({parsed.name})"
    centre = data_centre(layers)
    if centre is None:
        raise CRSError("no layer with coordinates to choose the analysis CRS from; "
                       "pass analysis_crs='EPSG:…'")
    lon, lat = centre
    where_ = f"the data's centre ({lon:.4f}°, {lat:.4f}°)"
    if in_china(lon, lat):
        epsg = gk_cgcs2000_epsg(lon)
        return f"EPSG:{epsg}", (f"{where_} lies in China: CGCS2000 3-degree Gauss-Krüger zone "
                                f"with central meridian {3 * round(lon / 3)}°E")
    epsg = utm_epsg(lon, lat)
    zone = f"{epsg % 100}{'N' if epsg < 32700 else 'S'}"
    return f"EPSG:{epsg}", f"{where_} lies outside China: WGS84 UTM zone {zone}"


def choose_crs(layers: list[gpd.GeoDataFrame], crs: str | None = None) -> str:
    """Pick the analysis CRS (see :func:`choose_analysis_crs`, which also gives the reason)."""
    return choose_analysis_crs(layers, crs)[0]


def is_undefined(crs: object) -> bool:
    """Whether ``crs`` is GDAL's placeholder for none (a GeoPackage ``srs_id`` of 0 or -1).

    Such a layer reads with "Undefined geographic SRS" or "Undefined Cartesian SRS": no
    CRS at all, not WGS84.
    """
    return crs is not None and str(getattr(crs, "name", "")).lower().startswith("undefined")


def require_crs(gdf: gpd.GeoDataFrame, file: object, layer: str) -> None:
    """Raise a :class:`CRSError` with a suggestion when a layer has no CRS."""
    if gdf.crs is None:
        x, y = _sample_xy(gdf)
        raise CRSError(
            f"{where(file, layer)}: the layer has no coordinate reference system (no .prj or "
            f"CRS definition). zonekit never guesses one: {suggest_crs(x, y)}. "
            "Say which it is with crs='EPSG:XXXX', or add a .prj file."
        )


def to_crs(gdf: gpd.GeoDataFrame, crs: str) -> gpd.GeoDataFrame:
    """Project to ``crs`` (a copy; the input is never modified)."""
    if gdf.crs is not None and gdf.crs.equals(crs):
        return gdf.copy()
    return gdf.to_crs(crs)


#: How far (degrees) beyond a CRS's area of use coordinates may lie before they count as
#: wrong: wide enough for data in a neighbouring UTM / Gauss-Krüger zone.
AREA_MARGIN_DEG = 10.0


def _area_box(crs: object) -> tuple[float, float, float, float] | None:
    """Return the CRS's area of use, widened by :data:`AREA_MARGIN_DEG`, in its own units."""
    from pyproj import CRS, Transformer

    crs = CRS.from_user_input(crs)
    area = crs.area_of_use
    if area is None:
        return None
    m = AREA_MARGIN_DEG
    west, east = max(area.west - m, -180.0), min(area.east + m, 180.0)
    south, north = max(area.south - m, -89.0), min(area.north + m, 89.0)
    if area.west > area.east:  # crosses the antimeridian: do not judge
        return None
    if crs.is_geographic:
        return west, south, east, north
    try:
        box = Transformer.from_crs(crs.geodetic_crs, crs, always_xy=True).transform_bounds(
            west, south, east, north, densify_pts=21)
    except Exception:  # noqa: BLE001  (pyproj cannot bound every projection)
        return None
    return box if all(np.isfinite(box)) else None


def _area_text(crs: object) -> str:
    from pyproj import CRS

    crs = CRS.from_user_input(crs)
    area = crs.area_of_use
    where_used = f"{area.name.split('.')[0]} ({area.west:g}…{area.east:g}°E, " \
                 f"{area.south:g}…{area.north:g}°N)" if area else "its area of use"
    return f"{crs.to_string()} ({crs.name}) is used in {where_used}"


def check_coordinates(gdf: gpd.GeoDataFrame, source: str) -> tuple[np.ndarray, np.ndarray]:
    """Check coordinates against the layer's CRS: finite numbers, inside its area of use.

    Parameters
    ----------
    gdf
        A layer with a CRS.
    source
        File (and layer) for messages.

    Returns
    -------
    Two boolean row masks: rows with NaN/infinite coordinates, and rows with vertices far
    (more than :data:`AREA_MARGIN_DEG` degrees) outside the CRS's area of use.

    Raises
    ------
    zonekit.errors.CRSError
        When most of the layer lies outside the CRS's area of use, or when a projected
        layer holds only degree-sized numbers: the label does not fit the coordinates.
    """
    import shapely

    # Per-feature bounds, not every vertex: a vertex is non-finite or outside a box exactly
    # when its feature's bounds are (and a 1M-edge network has millions of vertices).
    geoms = np.asarray(gdf.geometry.values)
    bounds = shapely.bounds(geoms)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    finite = np.isfinite(bounds).all(axis=1)
    if np.isfinite(shapely.get_coordinates(geoms)).all():  # the usual case: one C pass
        nonfinite = present & ~finite
    else:  # GEOS envelopes may skip NaN: find the rows from the vertices
        coords, idx = shapely.get_coordinates(geoms, return_index=True)
        bad = np.bincount(idx[~np.isfinite(coords).all(axis=1)], minlength=len(gdf)) > 0
        nonfinite = present & (bad | ~finite)
        finite &= ~bad
    outside = np.zeros(len(gdf), bool)
    good = present & finite
    if gdf.crs is None or not good.any():
        return nonfinite, outside
    b = bounds[good]
    box = _area_box(gdf.crs)
    if box is not None:
        off = (b[:, 0] < box[0]) | (b[:, 1] < box[1]) | (b[:, 2] > box[2]) | (b[:, 3] > box[3])
        outside[np.flatnonzero(good)[off]] = True
    good_rows = int(good.sum())
    x, y = (b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2
    degrees = (np.abs(b[:, [0, 2]]) <= 180).all() and (np.abs(b[:, [1, 3]]) <= 90).all()
    if gdf.crs.is_projected and degrees:
        raise CRSError(
            f"{source}: the layer says it is in {gdf.crs.to_string()} (metres) but holds "
            f"coordinates such as ({x[0]:.5f}, {y[0]:.5f}), which look like degrees "
            "(longitude/latitude): the CRS label is wrong. Probably EPSG:4490 (CGCS2000) or "
            "EPSG:4326 (WGS84): fix the .prj, or re-save the layer with the right CRS."
        )
    if outside.sum() > good_rows / 2:
        if gdf.crs.is_geographic:
            _check_degrees(gdf[~nonfinite & outside], source)
        mx, my = float(np.median(x)), float(np.median(y))
        raise CRSError(
            f"{source}: coordinates centre on ({mx:,.1f}, {my:,.1f}), far outside where the "
            f"layer's CRS applies: {_area_text(gdf.crs)}. The CRS label does not fit the "
            f"numbers; {suggest_crs(x, y)}."
        )
    return nonfinite, outside


def coordinate_problems(gdf: gpd.GeoDataFrame, source: str, layer: str,
                        id_column: str | None) -> tuple[np.ndarray, list]:
    """Run :func:`check_coordinates`; describe the bad rows as validation problems.

    Returns the mask of rows to treat as invalid and a list of
    :class:`zonekit.zones.validate.Problem`.
    """
    from zonekit.zones.validate import Problem, _row_ids

    nonfinite, outside = check_coordinates(gdf, source)
    problems = []
    if nonfinite.any():
        problems.append(Problem(layer, source, "geometry",
                                "coordinates that are not numbers (NaN or infinity)",
                                _row_ids(gdf, nonfinite, id_column)))
    if outside.any():
        problems.append(Problem(layer, source, "geometry",
                                "vertices far outside where the CRS applies "
                                f"({_area_text(gdf.crs)}): a stray vertex, or a wrong CRS label",
                                _row_ids(gdf, outside, id_column)))
    return nonfinite | outside, problems
