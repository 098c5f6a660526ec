"""Raster grids: the :class:`Grid` of cells, the population GeoTIFF read, GeoTIFFs written.

:class:`Grid` describes a north-up raster grid (the population grid, read by
:func:`read_population`, or one made over an extent with :func:`grid_over`): cell centres,
cells of points, cell squares. Travel-time surfaces, isochrones and gap areas are computed
on it; :func:`write_surfaces` writes such surfaces as one GeoTIFF per category.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from zonekit.errors import CRSError, DataFileError, SchemaError, format_rows, where


@dataclass(frozen=True)
class Grid:
    """A north-up raster grid.

    Attributes
    ----------
    transform
        ``affine.Affine`` from (col, row) to the CRS's x, y (cell corners).
    width, height
        Number of columns and rows.
    crs
        The grid's CRS (``pyproj.CRS``).
    """

    transform: Any
    width: int
    height: int
    crs: Any

    @property
    def cell_m(self) -> float:
        """Cell width (metres)."""
        return float(abs(self.transform.a))

    @property
    def size(self) -> int:
        """Number of cells."""
        return self.width * self.height

    def centres(self, rows: np.ndarray | None = None,
                cols: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """x, y of cell centres (all cells row by row when ``rows`` is None)."""
        if rows is None or cols is None:
            rows, cols = np.divmod(np.arange(self.size), self.width)
        t = self.transform
        x = t.c + (cols + 0.5) * t.a + (rows + 0.5) * t.b
        y = t.f + (cols + 0.5) * t.d + (rows + 0.5) * t.e
        return x, y

    def cell_of(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Row and column of the cells holding points x, y (-1 outside the grid)."""
        inv = ~self.transform
        col = np.floor(inv.a * x + inv.b * y + inv.c).astype(np.int64)
        row = np.floor(inv.d * x + inv.e * y + inv.f).astype(np.int64)
        out = (col < 0) | (col >= self.width) | (row < 0) | (row >= self.height)
        return np.where(out, -1, row), np.where(out, -1, col)

    def boxes(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Cell squares (shapely polygons) of cells ``rows``, ``cols``, in the grid's CRS."""
        import shapely

        x, y = self.centres(rows, cols)
        hx, hy = abs(self.transform.a) / 2, abs(self.transform.e) / 2
        return shapely.box(x - hx, y - hy, x + hx, y + hy)


def read_population(path: str | Path) -> tuple[Grid, np.ndarray]:
    """Read a population GeoTIFF (persons per cell, band 1).

    Returns
    -------
    grid, persons
        The grid and a float array (rows × cols); nodata and NaN cells hold 0.

    Raises
    ------
    DataFileError
        Unreadable file.
    CRSError
        No CRS, or a geographic CRS, or a rotated grid.
    SchemaError
        Negative values (the rows and columns are named).
    """
    import rasterio
    from pyproj import CRS

    path = Path(path)
    try:
        with rasterio.open(path) as src:
            values = src.read(1, masked=True).astype(float).filled(0.0)
            transform, width, height, crs = src.transform, src.width, src.height, src.crs
    except rasterio.errors.RasterioIOError as exc:
        raise DataFileError(f"{where(path, 'population')}: cannot read the GeoTIFF "
                            f"({exc})") from exc
    if crs is None:
        raise CRSError(f"{where(path, 'population')}: the GeoTIFF has no CRS; expected a "
                       "projected CRS in metres such as EPSG:4548")
    crs = CRS.from_user_input(crs.to_wkt())
    if crs.is_geographic or transform.b != 0 or transform.d != 0:
        raise CRSError(f"{where(path, 'population')}: expected a north-up grid in a projected "
                       f"CRS in metres, found {crs.name}"
                       + (" (rotated)" if transform.b or transform.d else ""))
    values[~np.isfinite(values)] = 0.0
    neg = values < 0
    if neg.any():
        r, c = np.nonzero(neg)
        raise SchemaError(f"{where(path, 'population')}: expected persons ≥ 0 per cell, found "
                          f"{int(neg.sum())} negative cells (row, col: "
                          f"{format_rows(zip(r.tolist(), c.tolist(), strict=True), 5)})")
    return Grid(transform, int(width), int(height), crs), values


def grid_over(bounds: tuple[float, float, float, float], cell_m: float, crs: Any) -> Grid:
    """Make a grid of ``cell_m`` squares covering ``bounds`` (minx, miny, maxx, maxy)."""
    from affine import Affine
    from pyproj import CRS

    x0 = np.floor(bounds[0] / cell_m) * cell_m
    y1 = np.ceil(bounds[3] / cell_m) * cell_m
    width = max(1, int(np.ceil((bounds[2] - x0) / cell_m)))
    height = max(1, int(np.ceil((y1 - bounds[1]) / cell_m)))
    return Grid(Affine(cell_m, 0, x0, 0, -cell_m, y1), width, height,
                CRS.from_user_input(crs))


def write_surfaces(surfaces: dict[str, np.ndarray], grid: Grid, folder: Path,
                   names_zh: dict[str, str], unit: str = "minutes",
                   scale: float = 1.0) -> list[Path]:
    """Write one float32 GeoTIFF per category, ``<unit>_<category>.tif`` (nodata NaN).

    Parameters
    ----------
    surfaces
        Category → float array (rows × cols) on ``grid``.
    grid
        The grid the arrays lie on (its transform and CRS are written).
    folder
        Folder written into (made when missing); each file is written atomically.
    names_zh
        Chinese category names, for the band description and tags.
    unit
        What the values are (``minutes``, ``metres``): file prefix, description and tag.
    scale
        Multiplies the values (60 turns the engine's minutes into metres when the
        network was built with a cost of one second per metre).

    Returns
    -------
    list of pathlib.Path
        The files written, in the order of ``surfaces``.
    """
    import rasterio

    from zonekit.zones.io import atomic_path

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for cat, arr in surfaces.items():
        path = folder / f"{unit}_{cat}.tif"
        with atomic_path(path) as tmp:
            with rasterio.open(tmp, "w", driver="GTiff", width=grid.width, height=grid.height,
                               count=1, dtype="float32", crs=grid.crs.to_wkt(),
                               transform=grid.transform, nodata=np.nan,
                               compress="deflate") as dst:
                dst.write((arr * scale).astype("float32"), 1)
                dst.set_band_description(1, f"{unit} to nearest {cat} ({names_zh.get(cat, cat)})")
                dst.update_tags(category=cat, name_zh=names_zh.get(cat, cat), unit=unit)
        paths.append(path)
    return paths
