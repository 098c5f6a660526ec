"""Tables without geometry (CSV, Excel): placing rows by coordinates or by a parcel key.

Enterprise lists from tax or statistics offices come as spreadsheets. A row is placed by
coordinate columns (``lon``/``lat`` or ``x``/``y``; the coordinate system must be stated)
or, failing that, on its parcel's representative point through a key column. Rows that
can be placed neither way are kept (they still count in totals) with an empty position,
and listed by row number and key: never dropped silently.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from zonekit.errors import DataFileError, SchemaError, where
from zonekit.zones.cells import tidy_numbers
from zonekit.zones.mapping import LayerMapping
from zonekit.zones.validate import Problem

if TYPE_CHECKING:
    from collections.abc import Callable

    import geopandas as gpd

TABLE_SUFFIXES = (".csv", ".xlsx", ".xls")
_X_NAMES = ("lon", "lng", "longitude", "经度", "x")
_Y_NAMES = ("lat", "latitude", "纬度", "y")
# Cells that mark a total row in a spreadsheet.
_TOTAL = r"(合\s*计|总\s*计|小\s*计|共\s*计|total|sum|grand total)[:：]?"


def read_table(path: Path, sheet: str | int | None = None, allow_empty: bool = False,
               coordinate_columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """Read a CSV (UTF-8 or GBK) or an Excel sheet (default: the first), all columns as text.

    Title rows above the header (as Excel exports often have), blank rows and total rows
    (合计, 总计, 小计, total) are skipped; each skip is described, with spreadsheet row
    numbers, in ``df.attrs["zonekit_notes"]`` as ``(message, rows)`` pairs, and
    numbers typed with full-width digits, separators, decimal commas (in
    ``coordinate_columns`` and lon/lat/x/y) or count units are read as numbers
    (:func:`zonekit.zones.cells.tidy_numbers`, with a note), and
    ``df.attrs["zonekit_rows"]`` holds the spreadsheet row number of every row kept.
    """
    from zonekit.zones.sources import split_layer

    path, named = split_layer(path)
    sheet = named if sheet is None else sheet
    if not path.exists():
        raise DataFileError(f"{path}: file not found")
    try:
        df = _read_raw(path, sheet)
    except DataFileError:
        raise
    except Exception as exc:  # pandas/openpyxl raise many types; name the file
        raise DataFileError(f"{path}: cannot read the table ({type(exc).__name__}: "
                            f"{str(exc)[:200]})") from exc
    df, notes = _tidy_rows(df, path)
    rows = df.attrs.get("zonekit_rows")
    df, fixed = tidy_numbers(df, (*_X_NAMES, *_Y_NAMES, *coordinate_columns))
    df.attrs["zonekit_rows"] = rows
    notes += fixed
    if df.empty and not allow_empty:
        raise DataFileError(f"{path}: the table is empty (0 rows)")
    df.attrs["zonekit_notes"] = notes
    return df


def _read_raw(path: Path, sheet: str | int | None) -> pd.DataFrame:
    """All cells as text, header row found below any title rows; row numbers in attrs."""
    if path.suffix.lower() == ".csv":
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                header = _header_row(_csv_head(path, encoding))
                df = pd.read_csv(path, encoding=encoding, dtype=str, skiprows=header,
                                 skip_blank_lines=False)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise DataFileError(f"{path}: neither UTF-8 nor GBK text")
    else:
        from zonekit.zones.merged import merged_ranges, merged_table

        sheet = _sheet(path, sheet)
        merges = merged_ranges(path, sheet)
        if merges:
            raw = pd.read_excel(path, sheet_name=sheet, dtype=str, header=None)
            df, first, last, notes = merged_table(raw, merges)
            df.columns = [str(c).strip() for c in df.columns]
            df.attrs.update(zonekit_header=last, zonekit_header_first=first,
                            zonekit_merge_notes=notes)
            return df
        head = pd.read_excel(path, sheet_name=sheet, dtype=str, header=None, nrows=30)
        header = _header_row(head)
        df = pd.read_excel(path, sheet_name=sheet, dtype=str, header=header)
    df.columns = [str(c).strip() for c in df.columns]
    df.attrs["zonekit_header"] = header + 1  # spreadsheet row of the header
    return df


def _sheet(path: Path, sheet: str | int | None) -> str | int:
    """Return the sheet to read: the one named (refused when absent), else the first."""
    if sheet is None:
        return 0
    names = pd.ExcelFile(path).sheet_names
    if isinstance(sheet, str) and sheet not in names:
        raise DataFileError(f"{path}: holds no sheet '{sheet}'; its sheets are "
                            f"{', '.join(map(str, names))}")
    return sheet


def _csv_head(path: Path, encoding: str, n: int = 30) -> pd.DataFrame:
    """Read the first ``n`` lines of a CSV, padded to equal width (title rows are short)."""
    import csv
    from itertools import islice

    with path.open(encoding=encoding, newline="") as fh:
        lines = [[c if c.strip() else None for c in row] for row in islice(csv.reader(fh), n)]
    return pd.DataFrame(lines)


def _header_row(head: pd.DataFrame) -> int:
    """Index of the header row: the first nearly as full as the fullest of the first rows.

    "Nearly": at most one cell fewer (a header may leave its first cell empty, as pandas
    writes an index) or 80 % of the cells, whichever asks less; title rows fill one or two.
    """
    filled = head.notna().sum(axis=1).to_numpy()
    if filled.size == 0 or filled.max() < 2:
        return 0
    need = max(2.0, min(filled.max() - 1.0, 0.8 * filled.max()))
    return int(np.flatnonzero(filled >= need)[0])


def _tidy_rows(df: pd.DataFrame, path: Path) -> tuple[pd.DataFrame, list[tuple[str, list]]]:
    """Drop blank and total rows, describing them (and title rows) by spreadsheet row."""
    header = df.attrs.get("zonekit_header", 1)
    first = df.attrs.get("zonekit_header_first", header)
    rows = np.arange(len(df)) + header + 1
    notes: list[tuple[str, list]] = list(df.attrs.get("zonekit_merge_notes", []))
    if first > 1:
        notes.insert(0, (f"a header that seems to start on row {first} (rows above it look "
                         "like a title and were skipped); if that is wrong, remove the title "
                         "rows", []))
    blank = np.ones(len(df), bool)
    total = np.zeros(len(df), bool)
    for col in df.columns:
        text = df[col].astype("string").str.strip()
        blank &= (text.isna() | (text == "")).to_numpy(dtype=bool, na_value=True)
        total |= text.str.fullmatch(_TOTAL, case=False).to_numpy(dtype=bool, na_value=False)
    total &= ~blank
    if blank.any():
        notes.append(("blank rows skipped", [f"row {r}" for r in rows[blank]]))
    if total.any():
        notes.append(("total rows (合计/总计/小计) skipped: they would count their rows twice",
                      [f"row {r}" for r in rows[total]]))
    keep = ~(blank | total)
    out = df.loc[keep].reset_index(drop=True)
    out.attrs["zonekit_rows"] = rows[keep].tolist()
    return out, notes


def _coordinate_columns(df: pd.DataFrame, mapping: LayerMapping | None) -> tuple[str, str] | None:
    pos = mapping.position if mapping else {}
    if pos.get("x") and pos.get("y"):
        return pos["x"], pos["y"]
    lower = {c.lower(): c for c in df.columns}
    for xs, ys in ((_X_NAMES[:4], _Y_NAMES[:3]), (("x",), ("y",))):
        x = next((lower[n] for n in xs if n in lower), None)
        y = next((lower[n] for n in ys if n in lower), None)
        if x and y:
            return x, y
    return None


def _row_label(df: pd.DataFrame, i: int, key: str) -> str:
    """``row 7 (parcel_id B9)``: the spreadsheet row when known, else the feature number."""
    sheet_rows = df.attrs.get("zonekit_rows")
    label = f"row {sheet_rows[i]}" if sheet_rows is not None else f"#{i}"
    value = df[key].iloc[i] if key in df.columns else None
    return label + (f" ({key} {value})" if not pd.isna(value) else f" (no {key})")


def place_table(
    df: pd.DataFrame, layer: str, source: str, mapping: LayerMapping | None,
    parcels: gpd.GeoDataFrame | None, coords: str | None, input_crs: str | None,
) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Give each row a geometry: from a WKT column, else coordinate columns, else its parcel.

    Parameters
    ----------
    df
        The table, already renamed to model columns.
    layer, source
        Model layer name and file, for messages.
    mapping
        The layer's mapping block (``position``: x, y, crs; ``key``).
    parcels
        Parcels layer (any CRS) to place rows by key; ``None`` when absent.
    coords, input_crs
        Run-wide ``--coords`` / ``--crs``, used when the mapping states none.

    Returns
    -------
    A GeoDataFrame (CRS of the geometries or coordinates, else of the parcels) and notes
    listing rows that could not be placed.
    """
    import geopandas as gpd
    import shapely

    from zonekit.zones.wkt import wkt_column

    notes: list[Problem] = []
    key = mapping.key if mapping else "parcel_id"
    stated = (mapping.position.get("crs") if mapping else None) or coords or input_crs
    geoms = np.full(len(df), None, dtype=object)
    crs = None
    wkt = wkt_column(df)
    if wkt is not None:
        geoms, crs = _from_wkt(df, wkt, key, stated, where(source, layer))
        df = df.drop(columns=wkt)  # now the geometry
    cols = _coordinate_columns(df, mapping)
    if cols is not None and shapely.is_missing(geoms).any():
        if stated is None:
            raise _no_crs(where(source, layer), f"coordinate columns '{cols[0]}'/'{cols[1]}'")
        crs = _from_coordinates(df, cols, str(stated), geoms, crs)
    todo = shapely.is_missing(geoms)
    if todo.any() and key in df.columns and parcels is not None:
        lookup = parcels.drop_duplicates("parcel_id").set_index("parcel_id").geometry
        points = lookup.representative_point()
        hit = df[key].where(todo).map(points)
        if crs is None or parcels.crs is None or parcels.crs.equals(crs):
            place = todo & hit.notna().to_numpy()
            geoms[place] = hit[place].to_numpy()
            crs = crs or parcels.crs
        else:  # coordinates given for some rows: bring parcel points into their CRS
            moved = gpd.GeoSeries(hit[todo & hit.notna().to_numpy()], crs=parcels.crs).to_crs(crs)
            geoms[moved.index] = moved.to_numpy()
        todo = shapely.is_missing(geoms)
    if crs is None:
        from zonekit.zones.defects import unplaced_message

        raise SchemaError(unplaced_message(df, where(source, layer), key, parcels))
    if todo.any():
        rows = [_row_label(df, i, key) for i in np.flatnonzero(todo)]
        notes.append(Problem(layer, source, key,
                             "rows with no usable position (no coordinates and no matching "
                             "parcel): kept in totals, left out of maps and circles", rows))
        geoms[todo] = shapely.Point()
    gdf = gpd.GeoDataFrame(df, geometry=list(geoms), crs=crs)
    gdf.attrs = {}  # row numbers served their purpose; later frames must not carry them
    return gdf, notes


def _no_crs(place: str, what: str) -> SchemaError:
    return SchemaError(
        f"{place}: rows have {what} but no coordinate system is stated: add position: "
        "{crs: wgs84|gcj02|bd09|EPSG:XXXX} to the mapping, or pass coords='gcj02' (or "
        "'bd09') or crs='EPSG:XXXX'")


def _shift(stated: str) -> Callable | None:
    """Return the GCJ-02 / BD-09 → WGS84 conversion a stated system asks for, if any."""
    if stated.lower() not in ("gcj02", "gcj-02", "bd09", "bd-09", "amap", "baidu"):
        return None
    from zonekit.zones.coords import bd09_to_wgs84, gcj02_to_wgs84, normalise_source

    return gcj02_to_wgs84 if normalise_source(stated) == "gcj02" else bd09_to_wgs84


def _crs_of(stated: str) -> str:
    low = stated.lower()
    if _shift(stated) is not None or low in ("wgs84", "wgs-84"):
        return "EPSG:4326"
    return stated.upper()


def _from_coordinates(df: pd.DataFrame, cols: tuple[str, str], stated: str,
                      geoms: np.ndarray, crs: str | None) -> str:
    """Points from coordinate columns into the rows of ``geoms`` that have none (in place)."""
    import shapely

    x = np.array(pd.to_numeric(df[cols[0]], errors="coerce"), dtype=float)
    y = np.array(pd.to_numeric(df[cols[1]], errors="coerce"), dtype=float)
    ok = np.isfinite(x) & np.isfinite(y) & shapely.is_missing(geoms)
    conv = _shift(stated)
    if conv is not None:
        x[ok], y[ok] = conv(x[ok], y[ok])
    geoms[ok] = shapely.points(x[ok], y[ok])
    return crs or _crs_of(stated)


def _from_wkt(df: pd.DataFrame, col: str, key: str, stated: object,
              place: str) -> tuple[np.ndarray, str]:
    """Geometries of a WKT column, in the stated CRS (or the SRID's); bad cells refused."""
    import shapely

    from zonekit.zones.wkt import wkt_geometries

    geoms, srid, problem = wkt_geometries(df[col], lambda i: [_row_label(df, j, key) for j in i])
    if problem:
        raise SchemaError(f"{place}, column '{col}': {problem}")
    if stated is None and srid is None:
        raise _no_crs(place, f"WKT geometries in column '{col}'")
    stated = str(stated) if stated is not None else str(srid)
    conv = _shift(stated)
    if conv is not None:
        has = ~shapely.is_missing(geoms)
        geoms[has] = shapely.transform(geoms[has], lambda xy: np.column_stack(
            conv(xy[:, 0], xy[:, 1])))
    return geoms, _crs_of(stated)
