"""Numbers as planners type them into spreadsheets, read as they meant them.

Excel and WPS exports hold numbers as text in several spellings: full-width digits
(``１２．５``), thousands separators (``1,234,567``), decimal commas (``116,852`` in a
longitude column), counts with their unit (``300人``). :func:`tidy_numbers` rewrites such
cells as plain numbers, column by column, and says what it fixed; a column is only touched
when nearly all its filled cells are numbers in one of these spellings, so names and codes
stay as they are.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

#: Units of counts written after the number (``300人``): the number is the count.
COUNT_UNITS = ("人", "名", "个", "家", "户", "项", "件", "辆", "座", "处")
#: Share of filled cells that must read as numbers for a column to be rewritten.
NUMERIC_SHARE = 0.8
# [0-9], not \d: \d also matches full-width digits, which are to be converted
_PLAIN = re.compile(r"^[-+]?[0-9]+(\.[0-9]+)?$")
_THOUSANDS = re.compile(r"^[-+]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$")
_DECIMAL_COMMA = re.compile(r"^[-+]?[0-9]+,[0-9]+$")
_UNIT = re.compile(r"^(?P<num>[-+]?[0-9.,]+)\s*(?P<unit>" + "|".join(COUNT_UNITS) + r")$")


def _width(text: str) -> str:
    """Full-width digits, signs and separators as ASCII (NFKC); other text unchanged."""
    return unicodedata.normalize("NFKC", text) if any("\uff01" <= ch <= "\uff5e" or
                                                      ch == "\u3000" for ch in text) else text


def _number(cell: str, decimal_comma: bool) -> tuple[str | None, str | None]:
    """Return the cell as a plain number (text) and what was fixed, or ``(None, None)``."""
    fixed = []
    text = _width(cell).strip()
    if text != cell.strip():
        fixed.append("full-width digits")
    unit = _UNIT.match(text)
    if unit:
        text = unit["num"]
        fixed.append(f"unit {unit['unit']}")
    if _PLAIN.match(text):
        return text, ", ".join(fixed) or None
    if decimal_comma and _DECIMAL_COMMA.match(text):
        return text.replace(",", "."), ", ".join([*fixed, "decimal comma"])
    if _THOUSANDS.match(text):
        return text.replace(",", ""), ", ".join([*fixed, "thousands separators"])
    if _DECIMAL_COMMA.match(text):
        return text.replace(",", "."), ", ".join([*fixed, "decimal comma"])
    return None, None


def tidy_numbers(df: pd.DataFrame, coordinate_columns: tuple[str, ...] = ()
                 ) -> tuple[pd.DataFrame, list[tuple[str, list]]]:
    """Rewrite numbers typed with full-width digits, separators or count units as plain ones.

    Parameters
    ----------
    df
        A table of text cells (as :func:`zonekit.zones.tables.read_table` reads it).
    coordinate_columns
        Columns of coordinates (degrees or metres): there a comma is a decimal comma
        (``116,852`` is 116.852°), elsewhere a comma before three digits separates
        thousands.

    Returns
    -------
    The table (a new frame; unchanged columns are shared) and notes ``(message, rows)``
    naming each column fixed and how.
    """
    out = df.copy()
    notes: list[tuple[str, list]] = []
    lower = {c.lower() for c in coordinate_columns}
    for col in df.columns:
        text = df[col].astype("string").str.strip()
        filled = text.notna() & (text != "")
        if not filled.any() or text[filled].str.fullmatch(_PLAIN.pattern).all():
            continue
        results = [_number(v, str(col).lower() in lower) for v in text[filled]]
        good = [r for r in results if r[0] is not None]
        if len(good) < NUMERIC_SHARE * len(results):
            continue  # names, codes, mixed text: not a column of numbers
        values = text.copy()
        kept = zip(results, text[filled], strict=True)
        values[filled] = [r[0] if r[0] is not None else v for r, v in kept]
        out[col] = values.astype(object).where(filled, df[col])
        how = sorted({part for _, f in good if f for part in f.split(", ")})
        if how:
            notes.append((f"column '{col}': numbers read through {', '.join(how)}", []))
    return out, notes
