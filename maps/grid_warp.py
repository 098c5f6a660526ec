"""Where each Web Mercator pixel of a grid's map image comes from: warped once per grid.

The map of a circle draws one image per category from grids that share their cells (the
travel-time grid): warping each category's values anew asks GDAL for the same
transformation every time (tens of milliseconds each, most of the map's time). Here the
*cell index* of a grid window is warped once (nearest cell, as the values would be) and
every image of that window is a gather of its values by that index: the same pixels as
warping the values themselves (tested), for the price of one warp.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

#: Longest side (pixels) and finest pixel (metres, Web Mercator) of a map image.
IMAGE_MAX_PX, IMAGE_MIN_M = 1_024, 5.0


@dataclass(frozen=True)
class Warp:
    """A grid window's image in Web Mercator: its box and the cell behind each pixel.

    Attributes
    ----------
    bounds
        ``(x0, y0, x1, y1)`` of the image (metres, EPSG:3857).
    cell
        Int array (height × width): flat index of the window's cell whose value a pixel
        takes (nearest cell); rows × cols (the ``fill`` of :meth:`image`) outside it.
    seen
        The distinct cells (sorted) some pixel takes.
    """

    bounds: tuple[float, float, float, float]
    cell: np.ndarray
    seen: np.ndarray

    def image(self, values: np.ndarray, fill: Any) -> np.ndarray:
        """Return the image of the window's ``values`` (``fill`` outside the window)."""
        flat = np.append(np.asarray(values).ravel(), fill)
        return flat[self.cell]


def grid_warp(transform: Any, crs: Any, shape: tuple[int, int]) -> Warp:
    """Return the warp of a grid window to Web Mercator, computed once per window.

    Parameters
    ----------
    transform
        ``affine.Affine`` of the window (its corner cell).
    crs
        The grid's CRS (anything rasterio reads).
    shape
        Rows × columns of the window.
    """
    from rasterio.crs import CRS

    wkt = CRS.from_user_input(crs).to_wkt()
    return _warp(tuple(transform)[:6], wkt, int(shape[0]), int(shape[1]))


@lru_cache(maxsize=4)
def _warp(transform: tuple[float, ...], wkt: str, rows: int, cols: int) -> Warp:
    from affine import Affine
    from rasterio.crs import CRS
    from rasterio.transform import array_bounds, from_origin
    from rasterio.warp import Resampling, reproject, transform_bounds

    src, crs = Affine(*transform), CRS.from_wkt(wkt)
    west, south, east, north = array_bounds(rows, cols, src)
    x0, y0, x1, y1 = transform_bounds(crs, "EPSG:3857", west, south, east, north,
                                      densify_pts=21)
    px = max(IMAGE_MIN_M, max(x1 - x0, y1 - y0) / IMAGE_MAX_PX)
    width, height = max(1, int(np.ceil((x1 - x0) / px))), max(1, int(np.ceil((y1 - y0) / px)))
    # float32, as the values are, keeps GDAL's chunks of the warp (and so its pixels) those
    # of warping the values; it holds every cell index exactly up to 2**24 cells
    dtype = "float32" if rows * cols <= 2 ** 24 else "float64"
    index = np.arange(rows * cols, dtype=dtype).reshape(rows, cols)
    merc = np.full((height, width), -1.0, dtype=dtype)
    reproject(index, merc, src_transform=src, src_crs=crs, src_nodata=None,
              dst_transform=from_origin(x0, y1, px, px), dst_crs="EPSG:3857", dst_nodata=-1.0,
              resampling=Resampling.nearest)
    cell = merc.astype(np.int64)
    cell[cell < 0] = rows * cols  # the fill value appended by Warp.image
    # the distinct cells, sorted: a count per cell (linear) instead of np.unique's sort
    seen = np.flatnonzero(np.bincount(cell.ravel(), minlength=rows * cols + 1)[:-1])
    return Warp((x0, y0, x1, y1), cell, seen)
