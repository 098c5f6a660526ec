"""Excel sheets with merged cells, as Excel and WPS export a planner's table.

A header often spans two rows: a merged group title (``经营指标``) over sub-headers
(``营业收入``, ``从业人员``), with the other column names merged down over both rows. Read
naively, the sub-headers' row becomes data and merged names come out as ``Unnamed: 6``.
:func:`merged_table` fills each merged range with its value, finds the header rows below any
title, names each column by its lowest header cell (group title and sub-header joined when
the sub-header alone repeats) and describes what it combined.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

#: At most this many rows form one header.
MAX_HEADER_ROWS = 4
Merge = tuple[int, int, int, int]  # first row, first column, last row, last column (0-based)


def merged_ranges(path: Path, sheet: str | int) -> list[Merge]:
    """Return the merged ranges of an .xlsx sheet (0-based, inclusive); [] for other files."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return []
    import openpyxl

    book = openpyxl.load_workbook(path, data_only=True)
    ws = book.worksheets[sheet] if isinstance(sheet, int) else book[sheet]
    return [(r.min_row - 1, r.min_col - 1, r.max_row - 1, r.max_col - 1)
            for r in ws.merged_cells.ranges]


def _fill(raw: pd.DataFrame, merges: list[Merge], numbers_once_from: int) -> pd.DataFrame:
    """Copy each merged range's value into all its cells (numbers below the header: once)."""
    out = raw.copy()
    has_data = raw.notna().any(axis=1).to_numpy()
    for r0, c0, r1, c1 in merges:
        if r0 >= len(raw) or c0 >= raw.shape[1]:
            continue
        value = raw.iat[r0, c0]
        rows = np.arange(r0, min(r1, len(raw) - 1) + 1)
        if r0 >= numbers_once_from:
            if pd.notna(pd.to_numeric(value, errors="coerce")):
                continue  # a figure merged over rows would count once per row
            rows = rows[has_data[rows]]  # a blank row inside the range stays blank
        out.iloc[rows, c0:c1 + 1] = value
    return out


def _header_rows(table: pd.DataFrame, merges: list[Merge]) -> tuple[int, int]:
    """First and last header row: below rows of one repeated value (titles), merges followed."""
    head = table.head(30)
    # filled cells per row; a row of one value repeated (a title merged across) counts none
    distinct = head.apply(lambda row: row.dropna().nunique(), axis=1).to_numpy()
    filled = np.where(distinct > 1, head.notna().sum(axis=1).to_numpy(), 0)
    if filled.size == 0 or filled.max() < 2:
        return 0, 0
    need = max(2.0, min(filled.max() - 1.0, 0.8 * filled.max()))
    first = last = int(np.flatnonzero(filled >= need)[0])
    grown = True
    while grown and last - first < MAX_HEADER_ROWS - 1:
        grown = False
        for r0, c0, r1, c1 in merges:
            if r0 < first <= r1 and last - r0 < MAX_HEADER_ROWS:
                first, grown = r0, True  # a name merged down from a row above
            if not first <= r0 <= last:
                continue
            if r1 > last:  # a name merged down over more header rows
                last, grown = min(r1, first + MAX_HEADER_ROWS - 1), True
            elif r1 == last and c1 > c0 and _sub_headers(table, last + 1, c0, c1):
                last, grown = last + 1, True  # a group title over sub-headers
    return first, last


def _sub_headers(filled: pd.DataFrame, row: int, c0: int, c1: int) -> bool:
    """Whether ``row`` holds names (text, no numbers) under columns ``c0``…``c1``."""
    if row >= len(filled):
        return False
    cells = filled.iloc[row, c0:c1 + 1]
    return bool(cells.notna().all() and pd.to_numeric(cells, errors="coerce").isna().all())


def _names(block: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Column names from the header rows, and the names that combine a group title."""
    parts = []
    for j in range(block.shape[1]):
        seen: list[str] = []
        for v in block.iloc[:, j].dropna().astype(str).str.strip():
            if v and (not seen or seen[-1] != v):
                seen.append(v)
        parts.append(seen)
    last = [p[-1] if p else "" for p in parts]
    names, combined = [], []
    for j, p in enumerate(parts):
        if not p:
            names.append(f"Unnamed: {j}")
        elif last.count(p[-1]) > 1 and len(p) > 1:
            names.append("/".join(p))
            combined.append(names[-1])
        else:
            names.append(p[-1])
    return names, combined


def _letter(j: int) -> str:
    """Excel's letter of the 0-based column ``j`` (A, …, Z, AA, …)."""
    from openpyxl.utils import get_column_letter

    return get_column_letter(j + 1)


def merged_table(raw: pd.DataFrame, merges: list[Merge]
                 ) -> tuple[pd.DataFrame, int, int, list[tuple[str, list]]]:
    """Read a sheet (all cells as text, no header) whose cells are partly merged.

    Returns
    -------
    The table below its header, the first and last header row (1-based) and notes
    ``(message, rows)`` naming the header rows combined and the body's merged cells filled.
    """
    filled = _fill(raw, merges, numbers_once_from=0)
    first, last = _header_rows(filled, merges)
    filled = _fill(raw, merges, numbers_once_from=last + 1)
    names, combined = _names(filled.iloc[first:last + 1])
    df = filled.iloc[last + 1:].reset_index(drop=True)
    df.columns = names
    notes: list[tuple[str, list]] = []
    groups = sorted({str(raw.iat[r0, c0]) for r0, c0, r1, c1 in merges
                     if first <= r0 <= last and c1 > c0 and r1 < last
                     and pd.notna(raw.iat[r0, c0])})
    if last > first:
        joined = f"; columns named {', '.join(combined)}" if combined else ""
        notes.append((f"a header over rows {first + 1}–{last + 1} (merged cells): group titles "
                      f"{', '.join(groups) or '(none)'} over the sub-headers below; each column "
                      f"is named by its lowest header cell{joined}", []))
    unnamed = [f"{_letter(j)} ('{n}')" for j, n in enumerate(names)
               if n.startswith("Unnamed:") and df.iloc[:, j].notna().any()]
    if unnamed:
        notes.append((f"columns with values but no header cell in rows {first + 1}–{last + 1}: "
                      f"{', '.join(unnamed)}; name them in the header to use them", []))
    body = sorted({r + 1 for r0, c0, r1, c1 in merges if r1 > last and r1 > r0
                   for r in range(max(r0, last + 1), r1 + 1)})
    if body:
        notes.append(("merged cells below the header: their text filled into each row they "
                      "span (figures left in the first row only)", [f"row {r}" for r in body]))
    return df, first + 1, last + 1, notes
