"""Why no row of a table could be placed: the defects a planner's spreadsheet shows.

"No row could be placed" alone leaves a planner guessing. :func:`unplaced_message` looks at
the table for what usually causes it — coordinates under other names (``经度(°)``, ``X坐标``),
coordinates with units or in degrees-minutes-seconds, header cells with no name (merged
cells), WKT in a column of another name, a key matching no parcel — and names each one found.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    import geopandas as gpd

# "point_x" as ArcGIS writes it, "x坐标", "经度(°)"; not tax_wan or energy_tce
_NEAR_X = re.compile(r"(经度|东经|横坐标|x坐标|坐标x|(^|_)(lon|lng|x)(\b|_|$)|longitude)", re.I)
_NEAR_Y = re.compile(r"(纬度|北纬|纵坐标|y坐标|坐标y|(^|_)(lat|y)(\b|_|$)|latitude)", re.I)
_WKT_TEXT = r"\s*(SRID=\d+;\s*)?((MULTI)?(POINT|LINESTRING|POLYGON)|GEOMETRYCOLLECTION)\b"
_DMS = r".*\d+\s*[°度].*"


def _examples(values: pd.Series, n: int = 2) -> str:
    shown = values.dropna().astype(str).head(n).tolist()
    return ", ".join(repr(v[:30]) for v in shown)


def _column_defects(df: pd.DataFrame) -> list[str]:
    found = []
    unnamed = [c for c in map(str, df.columns) if c.startswith("Unnamed:") or c == ""]
    if unnamed:
        found.append(f"header cells with no name over {len(unnamed)} column(s) "
                     f"({', '.join(unnamed[:4])}): merged header cells or a header row "
                     "zonekit did not find")
    x = [c for c in map(str, df.columns) if _NEAR_X.search(c)]
    y = [c for c in map(str, df.columns) if _NEAR_Y.search(c)]
    if x and y:
        found.append(f"columns '{x[0]}' and '{y[0]}' look like coordinates under another "
                     f"name: map them with position: {{x: '{x[0]}', y: '{y[0]}', crs: …}}")
    for col in df.columns:
        text = df[col].astype("string").str.strip()
        if text.str.match(_WKT_TEXT, case=False).fillna(False).any():
            found.append(f"column '{col}' holds WKT geometries: name it geometry or wkt")
        elif text.str.fullmatch(_DMS).fillna(False).mean() > 0.5:
            found.append(f"column '{col}' holds degrees-minutes-seconds "
                         f"({_examples(text)}): give decimal degrees")
    return found


def unplaced_message(df: pd.DataFrame, place: str, key: str,
                     parcels: gpd.GeoDataFrame | None) -> str:
    """Return the message for a table none of whose rows could be placed, naming its defects.

    Parameters
    ----------
    df
        The table (model column names after the mapping).
    place
        ``file, layer 'x'`` for the message.
    key
        The column matching parcels (``parcel_id`` unless the mapping names another).
    parcels
        The parcels layer, or ``None`` when the run has none.
    """
    found = _column_defects(df)
    if key in df.columns and parcels is None:
        found.append(f"a '{key}' column, but no parcels layer to place rows on")
    elif key in df.columns:
        found.append(f"no '{key}' value matches a parcel (e.g. {_examples(df[key])}; "
                     f"parcels have e.g. {_examples(parcels['parcel_id'])})")
    cols = ", ".join(map(str, list(df.columns)[:12])) + (" …" if len(df.columns) > 12 else "")
    found_text = ("; found: " + "; ".join(found)) if found else ""
    return (f"{place}: no row could be placed: expected a WKT column (geometry/wkt), "
            f"coordinate columns (lon/lat or x/y) or a '{key}' column matching the parcels"
            f"{found_text}. The table's columns: {cols}")
