"""Layers that lie apart: found from their extents alone, before any grid or network is built.

Roads of one city and facilities of another make every facility unreachable; worse, a grid
or network spanning both may need tens of GiB. :func:`check_apart` compares bounding boxes
(four numbers a layer) and refuses a run whose layers cannot meet, saying which layers lie
apart and how far.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zonekit.errors import ZonekitError

if TYPE_CHECKING:
    import geopandas as gpd


class ApartError(ZonekitError):
    """Two layers of a run lie apart: no feature of one can meet the other."""


def box_gap_m(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """Return the distance between two boxes (minx, miny, maxx, maxy) of one CRS; 0 if they meet.

    A lower bound of the distance between any point of one box and any point of the other.
    """
    dx = max(0.0, b[0] - a[2], a[0] - b[2])
    dy = max(0.0, b[1] - a[3], a[1] - b[3])
    return float((dx * dx + dy * dy) ** 0.5)


def _geodesic_km(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> float:
    """Return the great-circle distance (km) between the centres of two layers' extents.

    On the ellipsoid: far apart, the metres of one projected CRS mean little.
    """
    from pyproj import Geod

    def centre(gdf: gpd.GeoDataFrame) -> tuple[float, float]:
        x0, y0, x1, y1 = gdf.to_crs(4326).total_bounds
        return (x0 + x1) / 2, (y0 + y1) / 2

    (lon1, lat1), (lon2, lat2) = centre(a), centre(b)
    return float(Geod(ellps="WGS84").inv(lon1, lat1, lon2, lat2)[2]) / 1000.0


def check_apart(reference: tuple[str, str, gpd.GeoDataFrame],
                others: list[tuple[str, str, gpd.GeoDataFrame]], reach_m: float,
                why: str) -> None:
    """Refuse layers whose extents lie farther than ``reach_m`` from the reference layer's.

    Parameters
    ----------
    reference
        (layer name, source, layer) that the others must meet, e.g. the roads.
    others
        (layer name, source, layer) of the layers that must lie within ``reach_m`` of it.
    reach_m
        How far (m, in the layers' CRS, which must be one projected CRS) a feature may lie
        from the reference and still be used (e.g. the snapping distance).
    why
        What is lost when they lie apart, for the message ("no facility can reach a road").

    Raises
    ------
    ApartError
        Naming each layer that lies apart, its source and the distance (km) between the
        layers' extents.
    """
    name, source, ref = reference
    if ref is None or not len(ref):
        return
    box = tuple(ref.total_bounds)
    apart = []
    for other_name, other_source, gdf in others:
        if gdf is None or not len(gdf):
            continue
        gap = box_gap_m(box, tuple(gdf.total_bounds))
        if gap > reach_m:
            apart.append(f"{other_name} ({other_source}) lie about {_geodesic_km(ref, gdf):,.0f}"
                         f" km from the {name} ({source}), centre to centre of their extents")
    if apart:
        raise ApartError("; ".join(apart) + f": the layers do not overlap, so {why}. Are they "
                         "of the same place, and is each layer's CRS right? Nothing was "
                         "computed.")
