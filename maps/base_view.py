"""The features of a layer in the map's view box: clipped when kept, only counted when not.

The base of a map (:mod:`zonekit.maps.base_layers`) keeps a city's main roads and counts
the minor streets it leaves out. Both steps work from each feature's bounds first: a
feature whose bounds lie inside the box is kept whole, one whose bounds miss it is out,
and only those across the box's edge are tested and cut exactly (``shapely.intersects``,
``clip_by_rect``), so the result is the same as clipping every feature, at the cost of the
few that cross the edge. Features in another CRS than the map's are reprojected only when
they may be kept (or, for a count, when they lie near the box's edge).

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import LineString
>>> roads = gpd.GeoDataFrame(geometry=[LineString([(0, 0), (900, 0)]),
...     LineString([(-50, 50), (50, 50)]), LineString([(5000, 0), (6000, 0)])], crs="EPSG:4548")
>>> count_in_view(roads, (-10, -10, 1000, 100), "EPSG:4548")
2
>>> clipped(roads, (-10, -10, 1000, 100), "EPSG:4548").length.round().tolist()
[900.0, 60.0]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import geopandas as gpd
    import numpy as np

#: Simplification tolerance as a share of the view's longer side (1/4000: about a
#: quarter of a pixel on a 1,000-pixel-wide map).
SIMPLIFY_SHARE = 1 / 4000
#: Margin, as a share of the box's longer side, around the box taken into another CRS:
#: wide enough for the turn of a projected grid against lon/lat (a few degrees), so a
#: feature outside the grown box (inside the shrunk one) is surely out of (in) the view.
CRS_MARGIN_SHARE = 0.1

Box = tuple[float, float, float, float]


def simplified(geoms: Any, box: Box) -> Any:
    """Geometries simplified to :data:`SIMPLIFY_SHARE` of the view's longer side.

    LineStrings of two vertices (most edges of a street grid) are what simplifying leaves
    of them: only the others go through GEOS's topology-preserving simplifier.
    """
    import numpy as np
    import shapely

    geoms = np.asarray(geoms)
    more = (shapely.get_type_id(geoms) != 1) | (shapely.get_num_coordinates(geoms) > 2)
    out = geoms.copy()
    out[more] = shapely.simplify(geoms[more],
                                 SIMPLIFY_SHARE * max(box[2] - box[0], box[3] - box[1]))
    return out


def _sides(bounds: np.ndarray, box: Box) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(inside, outside)``: bounds strictly inside ``box``, bounds missing it.

    Empty geometries (NaN bounds) count as outside; the rest touch the box's edge.
    """
    import numpy as np

    x0, y0, x1, y1 = box
    with np.errstate(invalid="ignore"):
        inside = ((bounds[:, 0] > x0) & (bounds[:, 1] > y0)
                  & (bounds[:, 2] < x1) & (bounds[:, 3] < y1))
        outside = ~((bounds[:, 2] >= x0) & (bounds[:, 0] <= x1)
                    & (bounds[:, 3] >= y0) & (bounds[:, 1] <= y1))
    return inside, outside


def _cut(geoms: np.ndarray, box: Box) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(kept, geometries)``: which of ``geoms`` are in ``box`` and their clipped shapes.

    As ``intersects`` then ``clip_by_rect`` of those not properly inside, then dropping
    the empty results; the tests run only on the features whose bounds cross the edge.
    """
    import numpy as np
    import shapely

    inside, outside = _sides(shapely.bounds(geoms), box)
    edge = np.flatnonzero(~inside & ~outside)
    rect = shapely.box(*box)
    shapely.prepare(rect)
    hit = edge[shapely.intersects(rect, geoms[edge])]
    cut = hit[~shapely.contains_properly(rect, geoms[hit])]
    out = geoms.copy()
    out[cut] = shapely.clip_by_rect(geoms[cut], *box)
    kept = inside.copy()
    kept[hit] = True
    kept[cut] = ~shapely.is_empty(out[cut])
    return kept, out


def _source_boxes(box: Box, crs: Any, source: Any) -> tuple[Box, Box | None] | None:
    """Return ``(grown, shrunk)``: boxes in ``source`` around and within ``box`` of ``crs``.

    A feature whose bounds in ``source`` miss ``grown`` lies out of ``box``; one whose
    bounds lie inside ``shrunk`` lies inside (``shrunk`` is checked: ``None`` when its
    outline, taken back to ``crs``, leaves the box). ``None`` when the box cannot be
    taken into ``source`` (the features are then all reprojected).
    """
    import numpy as np
    from pyproj import Transformer
    from rasterio.warp import transform_bounds

    try:
        sx0, sy0, sx1, sy1 = transform_bounds(crs, source, *box, densify_pts=101)
        pad = CRS_MARGIN_SHARE * max(box[2] - box[0], box[3] - box[1])
        inner = (box[0] + pad, box[1] + pad, box[2] - pad, box[3] - pad)
        ix0, iy0, ix1, iy1 = transform_bounds(crs, source, *inner, densify_pts=101)
    except Exception:  # noqa: BLE001 - a box off the CRS's area: reproject all
        return None
    if not (np.isfinite([sx0, sy0, sx1, sy1, ix0, iy0, ix1, iy1]).all() and sx0 < sx1):
        return None
    grow = CRS_MARGIN_SHARE * max(sx1 - sx0, sy1 - sy0)
    grown = (sx0 - grow, sy0 - grow, sx1 + grow, sy1 + grow)
    t = np.linspace(0.0, 1.0, 101)
    xs = np.concatenate([ix0 + (ix1 - ix0) * t, np.full(101, ix1),
                         ix1 - (ix1 - ix0) * t, np.full(101, ix0)])
    ys = np.concatenate([np.full(101, iy0), iy0 + (iy1 - iy0) * t,
                         np.full(101, iy1), iy1 - (iy1 - iy0) * t])
    bx, by = Transformer.from_crs(source, crs, always_xy=True).transform(xs, ys)
    ok = ix0 < ix1 and iy0 < iy1 and bool(((bx > box[0]) & (bx < box[2])
                                           & (by > box[1]) & (by < box[3])).all())
    return grown, ((ix0, iy0, ix1, iy1) if ok else None)


def _near(gdf: gpd.GeoDataFrame, box: Box, crs: Any,
          counting: bool = False) -> tuple[gpd.GeoDataFrame, int]:
    """Return ``(features in crs that may be in box, how many surely inside were left out)``.

    In the map's CRS that is ``gdf`` itself; in another, the features near the box are
    reprojected: not those surely out, nor (when ``counting``) those surely inside.
    """
    if gdf.crs is None or gdf.crs.equals(crs):
        return gdf, 0
    import numpy as np
    import shapely

    boxes = _source_boxes(box, crs, gdf.crs)
    if boxes is None:
        return gdf.to_crs(crs), 0
    bounds = shapely.bounds(gdf.geometry.to_numpy())
    _, out = _sides(bounds, boxes[0])
    inside = np.zeros(len(gdf), bool)
    if counting and boxes[1] is not None:
        inside = _sides(bounds, boxes[1])[0]
    return gdf.loc[~out & ~inside].to_crs(crs), int(inside.sum())


def count_in_view(gdf: gpd.GeoDataFrame, box: Box, crs: Any) -> int:
    """Return how many features of ``gdf`` :func:`clipped` would keep, without building them."""
    near, inside = _near(gdf[[gdf.geometry.name]], box, crs, counting=True)
    return inside + int(_cut(near.geometry.to_numpy(), box)[0].sum())


def clipped(gdf: gpd.GeoDataFrame, box: Box, crs: Any,
            simplify: bool = True) -> gpd.GeoDataFrame:
    """Features of ``gdf`` in ``crs``, clipped to ``box`` and simplified for the view.

    Only the geometry and ``highway`` are kept, and only features crossing the box's edge
    are cut, so a city's roads are not copied column by column or rebuilt one by one.
    """
    import shapely

    gdf = _near(gdf[[c for c in ("highway",) if c in gdf] + [gdf.geometry.name]], box, crs)[0]
    keep, geoms = _cut(gdf.geometry.to_numpy(), box)
    part, geoms = gdf.loc[keep], geoms[keep]
    if simplify:
        geoms = simplified(geoms, box)
    out = part.set_geometry(geoms, crs=crs)
    return out.loc[~shapely.is_empty(geoms)]


__all__ = ["SIMPLIFY_SHARE", "clipped", "count_in_view", "simplified"]
