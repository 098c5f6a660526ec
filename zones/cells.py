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
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from zonekit.zones.schema import Layer

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


#: Units of area and money written after a number, as factors to the column's unit.
UNIT_FACTORS: dict[str, dict[str, float]] = {
    "m²": {"m²": 1.0, "m2": 1.0, "㎡": 1.0, "平方米": 1.0, "平米": 1.0,
           "亩": 10_000 / 15, "公顷": 1e4, "ha": 1e4, "hm²": 1e4, "hm2": 1e4,
           "km²": 1e6, "km2": 1e6, "平方公里": 1e6, "平方千米": 1e6},
    "万元": {"元": 1e-4, "千元": 0.1, "万元": 1.0, "万": 1.0, "百万元": 100.0, "百万": 100.0,
             "亿元": 1e4, "亿": 1e4},
}
_QUANTITY = {"m²": "area", "万元": "money"}
_WITH_UNIT = re.compile(r"^(?P<num>[-+]?[0-9][0-9.,]*)\s*(?P<unit>[^\d\s.,+-][^\d]*?)$")


def _unit_cells(text: pd.Series) -> pd.DataFrame:
    """Split ``12.5亩`` into number and unit; ``unit`` NaN where the cell has none."""
    parts = text.map(lambda v: _width(v).strip() if isinstance(v, str) else v)
    split = parts.astype("string").str.extract(_WITH_UNIT)
    split["unit"] = split["unit"].str.strip()
    return split


def convert_units(df: pd.DataFrame, spec: Layer, place: str
                  ) -> tuple[pd.DataFrame, list[tuple[str, list]]]:
    """Convert cells written with a unit (``12.5亩``, ``2.1亿元``) to their column's unit.

    Parameters
    ----------
    df
        A table renamed to model columns (text cells).
    spec
        Its layer of the model: the ``unit`` of each column (m², 万元).
    place
        ``file, layer 'x'``, for messages.

    Returns
    -------
    The table (a copy when changed) and notes naming column, rows and factor.

    Raises
    ------
    SchemaError
        A unit of another quantity in a column (亩 in a money column): the column, values
        and unit are named.
    """
    from zonekit.errors import SchemaError

    notes: list[tuple[str, list]] = []
    out = df
    for col in spec.columns:
        if (col.unit not in UNIT_FACTORS or col.name not in df
                or pd.api.types.is_numeric_dtype(df[col.name])):
            continue
        split = _unit_cells(df[col.name])
        has = split["unit"].notna()
        if not has.any():
            continue
        factors = split["unit"].map(UNIT_FACTORS[col.unit])
        wrong = has & factors.isna() & split["unit"].isin(
            [u for unit, table in UNIT_FACTORS.items() if unit != col.unit for u in table])
        if wrong.any():
            shown = ", ".join(repr(v) for v in df.loc[wrong, col.name].head(3))
            raise SchemaError(
                f"{place}, column '{col.name}' ({_QUANTITY[col.unit]}, {col.unit}): "
                f"cells {shown} ({_rows(df, wrong)}): {split.loc[wrong, 'unit'].iloc[0]} is not a "
                f"unit of {_QUANTITY[col.unit]}; is the column mapped to the right one?")
        good = has & factors.notna()
        if out is df:
            out = df.copy()
        numbers = split.loc[good, "num"].map(lambda v: _number(v, False)[0])
        value = pd.to_numeric(numbers, errors="coerce") * factors[good]
        out.loc[good, col.name] = value.map(lambda v: f"{v:.12g}")
        for unit, factor in factors[good].groupby(split.loc[good, "unit"]).first().items():
            rows = good & (split["unit"] == unit)
            how = (f"the unit removed ({unit} is the column's unit)" if factor == 1 else
                   f"converted to {col.unit} (×{_factor(factor)})")
            notes.append((f"column '{col.name}': values written in {unit}: {how}",
                          _row_list(df, rows)))
    return out, notes


def _factor(factor: float) -> str:
    """``666.67``, ``10,000``, ``0.0001``: the factor as a planner reads it."""
    return f"{factor:,.2f}".rstrip("0").rstrip(".") if factor >= 1 else f"{factor:g}"


def _row_list(df: pd.DataFrame, mask: pd.Series) -> list[str]:
    rows = df.attrs.get("zonekit_rows")
    index = mask.to_numpy().nonzero()[0]
    return [f"row {rows[i]}" if rows is not None else f"#{i}" for i in index]


def _rows(df: pd.DataFrame, mask: pd.Series) -> str:
    found = _row_list(df, mask)
    return ", ".join(found[:5]) + (f" and {len(found) - 5} more" if len(found) > 5 else "")
