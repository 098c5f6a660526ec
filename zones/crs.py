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


def check_geographic_extent(gdf: gpd.GeoDataFrame, source: str) -> None:
    """Catch projected numbers labelled as degrees and swapped lon/lat (China's ranges)."""
    if gdf.empty or gdf.crs is None or not gdf.crs.is_geographic:
        return
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
