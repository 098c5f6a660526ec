"""Road speeds from the data: OSM/osmnx ``maxspeed`` in every form, and a road layer's speed column.

``maxspeed`` arrives as numbers, text (``"50"``, ``"30 mph"``, ``"50;30"``), osmnx's list
text (``"['50', '30']"``), words (``none``, ``walk``) or country codes (``RU:urban``); the
lowest valid value counts, so no street is driven faster than its lowest posted limit. Every
function works on the distinct values of a column (factorised once), not per row.
"""

from __future__ import annotations

import ast
import math
import re

import numpy as np
import pandas as pd

from zonekit.errors import SchemaError, format_rows, where

#: Largest plausible speed limit (km/h); larger ``maxspeed`` values are treated as errors.
MAX_PLAUSIBLE_KMH = 200.0


_SPEED_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(km/h|kmh|kph|mph|knots)?\s*$")


_UNIT_FACTOR = {None: 1.0, "km/h": 1.0, "kmh": 1.0, "kph": 1.0, "mph": 1.609344, "knots": 1.852}


#: ``maxspeed`` words that state no number. ``none``/``signals``/``variable``: no fixed
#: limit, the class speed applies; ``walk`` (German Schrittgeschwindigkeit, living streets):
#: walking pace, 5 km/h as the profiles' access legs.
MAXSPEED_WORDS: dict[str, float] = {"walk": 5.0}


#: Implicit limits written as country codes (OSM wiki "Default speed limits", values for
#: cars). Codes not listed here are invalid: the class speed applies and a note says so.
MAXSPEED_ZONES: dict[str, float] = {
    "ru:urban": 60.0, "ru:rural": 90.0, "ru:motorway": 110.0, "ru:living_street": 20.0,
    "ua:urban": 50.0, "ua:rural": 90.0, "ua:motorway": 130.0,
    "de:urban": 50.0, "de:rural": 100.0, "de:living_street": 5.0, "de:bicycle_road": 30.0,
    "at:urban": 50.0, "at:rural": 100.0, "at:motorway": 130.0,
    "fr:urban": 50.0, "fr:rural": 80.0, "fr:motorway": 130.0,
    "it:urban": 50.0, "it:rural": 90.0, "it:motorway": 130.0,
    "gb:nsl_single": 60 * 1.609344, "gb:nsl_dual": 70 * 1.609344,
    "gb:motorway": 70 * 1.609344,
}


def is_missing(value: object) -> bool:
    """Whether a cell holds no value (None, NaN, NA); lists and arrays are values."""
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):  # lists and arrays
        return False


def factorize_values(series: pd.Series) -> tuple[np.ndarray, list]:
    """Codes (-1 for missing) and distinct values; list values become tuples."""
    try:  # straight from the Series: Arrow strings need no object copy
        codes, uniques = pd.factorize(series)
    except TypeError:  # unhashable list values (osmnx merged edges)
        values = np.empty(len(series), dtype=object)  # 1-D even when every row is a list
        values[:] = [tuple(v) if isinstance(v, (list, np.ndarray)) else v
                     for v in series.to_numpy(dtype=object)]
        codes, uniques = pd.factorize(values)
    return codes, list(uniques)


def _speed_parts(value: object) -> list:
    """Split one ``maxspeed`` entry into its single values (numbers or strings)."""
    if isinstance(value, (int, float, np.integer, np.floating)):
        return [float(value)]
    if isinstance(value, (tuple, list, np.ndarray)):
        return list(value)
    text = str(value).strip()
    if text.startswith("["):  # osmnx writes multi-valued tags as a list's text
        try:
            parsed = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            return [text]
        return list(parsed) if isinstance(parsed, (list, tuple)) else [parsed]
    return re.split(r"[;,|]", text)


def _one_speed(part: object) -> float:
    """One single ``maxspeed`` value → km/h; inf for "no limit", NaN when invalid."""
    if isinstance(part, (int, float, np.integer, np.floating)) and not isinstance(part, bool):
        kmh = float(part)
    else:
        text = str(part).strip().lower()
        if text in ("none", "signals", "variable"):
            return math.inf
        if text in MAXSPEED_WORDS or text in MAXSPEED_ZONES:
            return MAXSPEED_WORDS.get(text, MAXSPEED_ZONES.get(text, math.nan))
        match = _SPEED_RE.match(text)
        if not match:
            return math.nan
        kmh = float(match.group(1)) * _UNIT_FACTOR[match.group(2)]
    return kmh if 0 < kmh <= MAX_PLAUSIBLE_KMH else math.nan


def _parse_speed(value: object) -> float:
    """One ``maxspeed`` entry → km/h: the lowest valid part; inf: no limit; NaN: invalid."""
    if isinstance(value, bool) or is_missing(value):
        return math.nan
    speeds = [_one_speed(p) for p in _speed_parts(value) if not is_missing(p)]
    valid = [v for v in speeds if not math.isnan(v)]
    return min(valid) if valid else math.nan


def parse_maxspeed(series: pd.Series) -> np.ndarray:
    """Parse OSM ``maxspeed`` values to km/h, in every form OSM and osmnx write them.

    Numbers are km/h; strings may carry a unit (``"50"``, ``"50 km/h"``, ``"30 mph"``,
    ``"10 knots"``); several values (``"40;60"``, a list, or osmnx's list text
    ``"['40', '60']"``) give the lowest. ``"walk"`` and the country codes of
    :data:`MAXSPEED_ZONES` (``"RU:urban"``) give their implicit limit; ``"none"``,
    ``"signals"`` and ``"variable"`` post no limit (``inf``). Anything else (unknown codes
    such as ``"CN:urban"``, non-positive values, values above :data:`MAX_PLAUSIBLE_KMH`)
    is invalid.

    Returns
    -------
    numpy.ndarray
        float64 limits in km/h; ``inf`` where no limit is posted, NaN where invalid or
        missing.
    """
    codes, uniques = factorize_values(series)
    table = np.array([_parse_speed(u) for u in uniques] + [math.nan], dtype=float)
    return table[codes]


def invalid_maxspeeds(series: pd.Series) -> dict[str, int]:
    """Distinct ``maxspeed`` values that give no limit, with their number of rows."""
    codes, uniques = factorize_values(series)
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    return {str(u): int(n) for u, n in zip(uniques, counts, strict=True)
            if not is_missing(u) and math.isnan(_parse_speed(u))}


def speed_column(roads: pd.DataFrame, speed_col: str) -> np.ndarray:
    """Read a column of speeds in km/h (e.g. 设计速度); NaN where blank.

    Raises
    ------
    SchemaError
        The column is missing, or holds values that are no speed (text, ≤ 0, above
        :data:`MAX_PLAUSIBLE_KMH`), each named with its rows.
    """
    if speed_col not in roads.columns:
        raise SchemaError(
            f"{where(layer='roads', column=speed_col)}: speed column not found; "
            f"columns are {', '.join(map(str, roads.columns))}"
        )
    raw = roads[speed_col]
    given = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float, copy=True)
    blank = raw.isna().to_numpy() | raw.astype(str).str.strip().eq("").to_numpy()
    bad = ~blank & ~((given > 0) & (given <= MAX_PLAUSIBLE_KMH))
    if bad.any():
        values = raw[bad]
        parts = [f"{v!r} (rows {format_rows(values.index[values == v])})"
                 for v in pd.unique(values)[:10]]
        raise SchemaError(
            f"{where(layer='roads', column=speed_col)}: not a speed in km/h (expected a "
            f"number in (0, {MAX_PLAUSIBLE_KMH:g}]; leave it blank to use the road class "
            f"speed): {'; '.join(parts)}"
        )
    given[blank] = np.nan
    return given
