"""A geometry column written as WKT text in a CSV or Excel table.

Planners export layers from GIS software or databases to spreadsheets with the geometry as
text (``POLYGON ((…))`` in a column ``geometry``, ``wkt``, ``几何`` or ``shape``; PostGIS
writes ``SRID=4326;POINT (…)``). :func:`wkt_geometries` reads such a column in one vectorised
call and names the rows it cannot read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from collections.abc import Callable

#: Column names that may hold WKT (compared in lower case).
WKT_NAMES = ("geometry", "wkt", "几何", "shape", "geom", "the_geom", "空间信息")
_TAG = (r"(?:SRID=\d+;\s*)?(?:MULTI)?(?:POINT|LINESTRING|POLYGON)|GEOMETRYCOLLECTION")
_SRID = r"^\s*SRID=(\d+);\s*"
#: Excel cuts a cell at this many characters: a longer WKT polygon arrives truncated.
EXCEL_CELL_LIMIT = 32_767


def wkt_column(df: pd.DataFrame) -> str | None:
    """Return the column holding WKT, or ``None``.

    A column named as in :data:`WKT_NAMES` counts only when some cell starts with a WKT
    tag: ArcGIS tables exported to Excel have a ``Shape`` column reading ``Polygon``.
    """
    for col in df.columns:
        if str(col).strip().lower() in WKT_NAMES:
            text = df[col].astype("string").str.strip()
            if text.str.match(_TAG, case=False).fillna(False).any():
                return str(col)
    return None


def wkt_geometries(values: pd.Series, labels: Callable[[np.ndarray], list[str]]
                   ) -> tuple[np.ndarray, str | None, str | None]:
    """Parse WKT cells (EWKT's ``SRID=…;`` prefix too) into shapely geometries.

    Parameters
    ----------
    values
        The column's cells (text; blank cells give no geometry).
    labels
        Row labels (``row 7 (parcel_id B9)``) for the given row positions, for messages.

    Returns
    -------
    Geometries (``None`` where the cell is blank), the CRS the SRID prefixes state
    (``"EPSG:4326"``) or ``None``, and a message naming the rows that could not be read (or
    ``None`` when all could).
    """
    import shapely

    text = values.astype("string").str.strip()
    filled = (text.notna() & (text != "")).to_numpy(dtype=bool)
    srids = text.str.extract(_SRID, expand=False).dropna().unique()
    body = text.str.replace(_SRID, "", regex=True)
    geoms = np.full(len(text), None, dtype=object)
    geoms[filled] = shapely.from_wkt(body[filled].to_numpy(dtype=object), on_invalid="ignore")
    bad = np.flatnonzero(filled & shapely.is_missing(geoms))
    if len(srids) > 1:
        return geoms, None, (f"SRID prefixes state several coordinate systems "
                             f"({', '.join(sorted(srids))}); a layer has one")
    crs = f"EPSG:{srids[0]}" if len(srids) else None
    if not len(bad):
        return geoms, crs, None
    shown = ", ".join(labels(bad[:5])) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
    examples = ", ".join(repr(str(v)[:40]) for v in text.iloc[bad[:3]])
    why = ""
    if (text.iloc[bad].str.len() == EXCEL_CELL_LIMIT).any():
        why = (f"; cells of {EXCEL_CELL_LIMIT:,} characters were cut at Excel's cell limit: "
               "export the layer as a GeoPackage instead")
    return geoms, crs, (f"{len(bad)} of {int(filled.sum())} cells are not valid WKT: {shown} "
                        f"(e.g. {examples}){why}; fix or blank those cells")
