"""Map images gathered through one warp of the cell index equal warping the values each time."""

from __future__ import annotations

import numpy as np
import pytest
from affine import Affine


def _warped_directly(grid, spec, opacity):
    """The image by GDAL's warp of the values themselves (nearest cell), as it was drawn."""
    from rasterio.transform import array_bounds, from_origin
    from rasterio.warp import Resampling, reproject, transform_bounds

    from zonekit.maps.grid_warp import IMAGE_MAX_PX, IMAGE_MIN_M
    from zonekit.maps.interactive import _merc_bounds, _png

    values = np.asarray(grid.values, dtype="float32")
    rows, cols = np.nonzero(np.isfinite(values))
    r0, r1, c0, c1 = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
    values = values[r0:r1, c0:c1]
    transform = grid.transform @ grid.transform.translation(c0, r0)
    west, south, east, north = array_bounds(r1 - r0, c1 - c0, transform)
    x0, y0, x1, y1 = transform_bounds(grid.crs, "EPSG:3857", west, south, east, north,
                                      densify_pts=21)
    px = max(IMAGE_MIN_M, max(x1 - x0, y1 - y0) / IMAGE_MAX_PX)
    width, height = max(1, int(np.ceil((x1 - x0) / px))), max(1, int(np.ceil((y1 - y0) / px)))
    merc = np.full((height, width), np.nan, dtype="float32")
    reproject(values, merc, src_transform=transform, src_crs=grid.crs, src_nodata=np.nan,
              dst_transform=from_origin(x0, y1, px, px), dst_crs="EPSG:3857",
              dst_nodata=np.nan, resampling=Resampling.nearest)
    present = np.unique(merc[np.isfinite(merc)])
    colors = spec.colors(present.tolist())
    palette = list(dict.fromkeys(colors))
    index = np.zeros(len(present) + 1, dtype="uint8")
    index[1:] = [palette.index(c) + 1 for c in colors]
    codes = np.searchsorted(present, merc) + 1
    codes[~np.isfinite(merc)] = 0
    return _png(index[codes], palette, opacity), _merc_bounds(x0, y0, x1, y1)


@pytest.mark.parametrize(("crs", "cell_m", "shape"), [
    ("EPSG:4548", 100.0, (159, 159)),  # a 25k-node city's travel-time grid
    ("EPSG:4548", 50.0, (120, 150)),
    ("EPSG:32650", 250.0, (37, 401)),  # long and thin; UTM
    ("EPSG:4548", 7.0, (300, 40)),  # cells finer than the finest pixel
])
def test_grid_images_equal_warping_each_grid(crs, cell_m, shape):
    """Every image of grids sharing cells: the same PNG and bounds as warping its values."""
    from zonekit.maps.interactive import GridImage, _grid_png
    from zonekit.maps.style import minutes_style

    rng = np.random.default_rng(int(cell_m))
    transform = Affine(cell_m, 0, 500_000.0, 0, -cell_m, 4_480_000.0)
    spec = minutes_style(np.array([5.0, 10.0, 15.0]))
    for k in range(4):  # several categories on one grid: the warp is shared
        values = rng.choice([5.0, 10.0, 15.0, np.nan], size=shape).astype("float32")
        if k == 1:  # a category reaching part of the grid: its own window
            values[: shape[0] // 3] = np.nan
        if k == 2:  # sparse cells, as gap grids are
            values[rng.random(shape) < 0.97] = np.nan
        grid = GridImage(values, transform, crs)
        assert _grid_png(grid, spec, 0.6) == _warped_directly(grid, spec, 0.6)


def test_an_empty_grid_draws_no_image():
    from zonekit.maps.interactive import GridImage, _grid_png
    from zonekit.maps.style import minutes_style

    grid = GridImage(np.full((5, 5), np.nan), Affine(10.0, 0, 5e5, 0, -10.0, 4.48e6), "EPSG:4548")
    assert _grid_png(grid, minutes_style(np.array([5.0])), 0.6) is None
