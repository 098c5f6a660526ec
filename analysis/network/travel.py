"""Travel profiles (walk, bike, drive) and per-edge speeds and directions.

A :class:`TravelProfile` says how fast a mode moves on each road class (km/h), which
classes it cannot use and whether it respects one-way streets. Profiles live in
``analysis/profiles/travel.yaml``; :func:`load_travel_profile` reads them.

:func:`edge_speeds_kmh`, :func:`excluded_edges` and :func:`parse_oneway` turn a road
layer's attribute columns into numpy arrays. They work on the distinct values of a
column (``pandas.factorize``), so they stay fast on millions of edges.
"""

from __future__ import annotations

import ast
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from zonekit.analysis.network.maxspeed import (
    factorize_values,
    is_missing,
    parse_maxspeed,
    speed_column,
)
from zonekit.errors import ProfileError, SchemaError, format_rows, where
from zonekit.zones.schema import ONEWAY_WORDS

logger = logging.getLogger(__name__)

#: The packaged profile file.
DEFAULT_PROFILE_PATH = Path(__file__).parent.parent / "profiles" / "travel.yaml"


_PROFILE_KEYS = {
    "default_speed_kmh", "speeds_kmh", "excluded", "oneway", "use_maxspeed",
    "maxspeed_factor", "access_speed_kmh",
}

# One-way spellings are the layer model's (zones/schema.py), read the same everywhere.
_ONEWAY_WORDS = ONEWAY_WORDS


@dataclass(frozen=True)
class TravelProfile:
    """How one travel mode uses the road network.

    Parameters
    ----------
    name
        Mode name (``"walk"``, ``"bike"``, ``"drive"``).
    default_speed_kmh
        Speed (km/h) on road classes not listed in ``speeds_kmh``.
    speeds_kmh
        Speed (km/h) by OSM ``highway`` class.
    excluded
        ``highway`` classes the mode cannot use.
    oneway
        Whether one-way streets are respected (otherwise every edge is two-way).
    use_maxspeed
        Whether a valid ``maxspeed`` value replaces the class speed.
    maxspeed_factor
        Multiplier applied to speeds taken from ``maxspeed`` (1.0 = the posted limit).
    access_speed_kmh
        Speed (km/h) of the straight access leg between a point and its snapped road.
    """

    name: str
    default_speed_kmh: float
    speeds_kmh: Mapping[str, float] = field(default_factory=dict, hash=False)
    excluded: frozenset[str] = frozenset()
    oneway: bool = False
    use_maxspeed: bool = False
    maxspeed_factor: float = 1.0
    access_speed_kmh: float = 5.0


def _positive(value: object, key: str, src: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0 \
            or not math.isfinite(value):
        raise ProfileError(f"{src}, key '{key}': expected a positive number, found {value!r}")
    return float(value)


def _boolean(value: object, key: str, src: str) -> bool:
    if not isinstance(value, bool):
        raise ProfileError(f"{src}, key '{key}': expected true or false, found {value!r}")
    return value


def _read_profiles(path: Path) -> dict:
    """Return the ``profiles`` mapping of a travel YAML, read like every profile."""
    from zonekit.analysis.profile_io import read_yaml, section

    doc = read_yaml(path)
    return section(doc, "profiles", str(path))


def load_travel_profile(
    mode: str, path: str | Path | None = None, overrides: Mapping[str, object] | None = None,
    overrides_source: str | None = None,
) -> TravelProfile:
    """Read one travel profile from a YAML file.

    Parameters
    ----------
    mode
        Profile name, e.g. ``"walk"``, ``"bike"`` or ``"drive"``.
    path
        YAML file with a top-level ``profiles`` mapping; the packaged
        ``profiles/travel.yaml`` when None.
    overrides
        Values replacing the file's keys (e.g. ``{"maxspeed_factor": 0.7}``).
        ``speeds_kmh`` is merged class by class; other keys replace.
    overrides_source
        The file the overrides come from (a user's circles profile, under its
        ``travel.<mode>`` key): a key or value of theirs that is wrong is reported against
        that file and key, not the shipped travel profile.

    Returns
    -------
    TravelProfile

    Raises
    ------
    ProfileError
        Unknown mode, unknown or missing key, or a value of the wrong type; the message
        names the file and the key.
    """
    path = Path(path) if path is not None else DEFAULT_PROFILE_PATH
    profiles = _read_profiles(path)
    if mode not in profiles:
        raise ProfileError(
            f"{path}, key 'profiles': unknown travel mode {mode!r}; "
            f"expected one of {', '.join(map(str, profiles))}"
        )
    raw = profiles[mode]
    src = f"{path}, profile '{mode}'"
    if not isinstance(raw, dict):
        raise ProfileError(f"{src}: expected a mapping of settings, found {raw!r}")
    raw = dict(raw)
    overrides = dict(overrides or {})
    for key, value in overrides.items():
        if key == "speeds_kmh" and isinstance(value, Mapping):
            raw["speeds_kmh"] = {**(raw.get("speeds_kmh") or {}), **value}
        else:
            raw[key] = value
    user = _Origin(src, overrides, overrides_source or f"{path}, profile '{mode}' (with "
                   "overrides)", f"travel.{mode}." if overrides_source else "")
    unknown = sorted(set(raw) - _PROFILE_KEYS)
    if unknown:
        block = f", key '{user.block.rstrip('.')}'" if user.block and user.src(unknown[0]) \
            == user.user else ""
        raise ProfileError(
            f"{user.src(unknown[0])}{block}: unknown key(s) {', '.join(unknown)}; "
            f"expected {', '.join(sorted(_PROFILE_KEYS))}"
        )
    for key in ("default_speed_kmh", "oneway"):
        if key not in raw:
            raise ProfileError(f"{src}, key '{key}': required key is missing")
    speeds = raw.get("speeds_kmh") or {}
    if not isinstance(speeds, Mapping):
        raise ProfileError(f"{user.src('speeds_kmh')}, key '{user.key('speeds_kmh')}': "
                           f"expected a mapping, found {speeds!r}")
    excluded = raw.get("excluded") or []
    if not isinstance(excluded, (list, tuple)) or not all(isinstance(c, str) for c in excluded):
        raise ProfileError(f"{user.src('excluded')}, key '{user.key('excluded')}': expected a "
                           f"list of class names, found {excluded!r}")
    default = user.positive(raw, "default_speed_kmh")
    return TravelProfile(
        name=mode,
        default_speed_kmh=default,
        speeds_kmh={str(k): user.positive(speeds, str(k), "speeds_kmh.") for k in speeds},
        excluded=frozenset(excluded),
        oneway=_boolean(raw["oneway"], user.key("oneway"), user.src("oneway")),
        use_maxspeed=_boolean(raw.get("use_maxspeed", False), user.key("use_maxspeed"),
                              user.src("use_maxspeed")),
        maxspeed_factor=user.positive(raw, "maxspeed_factor", default=1.0),
        access_speed_kmh=user.positive(raw, "access_speed_kmh", default=default),
    )


@dataclass(frozen=True)
class _Origin:
    """Where a travel key came from: the shipped profile, or the user's ``travel:`` block.

    ``src(key)`` and ``key(key)`` give the file and the key to name in a message, so a typo
    or a negative speed in a user's profile points at their file (``travel.walk.speeds_kmh.
    footway``), not at the shipped travel.yaml.
    """

    shipped: str
    overrides: dict
    user: str
    block: str  # "travel.walk." before a key of the user's file; "" for the API's overrides

    def _theirs(self, key: str, prefix: str = "") -> bool:
        if prefix:  # a class of speeds_kmh: theirs when their speeds_kmh names it
            speeds = self.overrides.get(prefix.rstrip("."))
            return isinstance(speeds, Mapping) and key in speeds
        return key in self.overrides

    def src(self, key: str, prefix: str = "") -> str:
        return self.user if self._theirs(key, prefix) else self.shipped

    def key(self, key: str, prefix: str = "") -> str:
        name = f"{prefix}{key}"
        return f"{self.block}{name}" if self._theirs(key, prefix) else name

    def positive(self, raw: Mapping, key: str, prefix: str = "",
                 default: float | None = None) -> float:
        value = raw[key] if default is None else raw.get(key, default)
        return _positive(value, self.key(key, prefix), self.src(key, prefix))


def _as_classes(value: object) -> tuple[str, ...]:
    """Highway value → tuple of class names; handles lists and their string form."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                parsed = ast.literal_eval(text)
            except (ValueError, SyntaxError):
                return (text,)
            return tuple(str(c).strip() for c in parsed)
        return (text,) if text else ()
    if isinstance(value, (tuple, list, np.ndarray)):
        return tuple(str(c).strip() for c in value if not is_missing(c))
    return () if is_missing(value) else (str(value),)


def road_classes(roads: pd.DataFrame, class_col: str = "highway") -> tuple[np.ndarray, list[tuple]]:
    """Factorize the road classes once for :func:`excluded_edges` and :func:`edge_speeds_kmh`.

    Returns
    -------
    codes, classes
        int64 code per row (-1 where the class is missing or there is no ``class_col``
        column) and, per code, the tuple of class names (osmnx lists give several).
    """
    if class_col not in roads.columns:
        logger.info("no %r column: every edge uses the profile's default speed", class_col)
        return np.full(len(roads), -1, dtype=np.int64), []
    codes, uniques = factorize_values(roads[class_col])
    return codes, [_as_classes(u) for u in uniques]


def excluded_edges(
    roads: pd.DataFrame,
    profile: TravelProfile,
    class_col: str = "highway",
    *,
    classes: tuple[np.ndarray, list[tuple]] | None = None,
) -> np.ndarray:
    """Boolean mask of the edges the profile cannot use.

    An edge whose class is a list (osmnx merges ways) is excluded if any class is.
    Edges without a class are kept. ``classes``: the result of :func:`road_classes`
    when already computed.
    """
    codes, classes = road_classes(roads, class_col) if classes is None else classes
    table = np.array([any(c in profile.excluded for c in cl) for cl in classes] + [False])
    return table[codes]  # code -1 picks the trailing False


def edge_speeds_kmh(
    roads: pd.DataFrame,
    profile: TravelProfile,
    speed_col: str | None = None,
    *,
    class_col: str = "highway",
    maxspeed_col: str = "maxspeed",
    classes: tuple[np.ndarray, list[tuple]] | None = None,
) -> np.ndarray:
    """Travel speed of each edge for a profile.

    Precedence, highest first: a value in ``speed_col``; a valid ``maxspeed`` times
    ``profile.maxspeed_factor`` (only if ``profile.use_maxspeed``); the class speed;
    ``profile.default_speed_kmh``. An edge with several classes takes the slowest known
    class speed. Whatever the source, no edge is faster than its lowest valid posted
    ``maxspeed`` (when the profile uses it); invalid ``maxspeed`` values fall back to
    the class speed (:func:`invalid_maxspeeds` lists them).

    Parameters
    ----------
    roads
        Road edges, one row per edge.
    profile
        Travel profile.
    speed_col
        Optional column of speeds in km/h (e.g. design speeds, 设计速度, of Chinese road
        data). Its values override the class speed and ``maxspeed`` (capped at the posted
        limit), for any mode, without ``maxspeed_factor``; blank cells use the profile;
        other non-speeds are a :class:`SchemaError` (:func:`speed_column`).
    class_col, maxspeed_col
        Names of the road-class and speed-limit columns (both optional in ``roads``).
    classes
        The result of :func:`road_classes` when already computed.

    Returns
    -------
    numpy.ndarray
        float64 speeds in km/h, all positive.

    Raises
    ------
    SchemaError
        ``speed_col`` missing or holding values that are no speed, named with their rows.
    """
    codes, classes = road_classes(roads, class_col) if classes is None else classes
    known = profile.speeds_kmh
    class_speed = [
        min((known[c] for c in cl if c in known), default=profile.default_speed_kmh)
        for cl in classes
    ]
    speeds = np.array(class_speed + [profile.default_speed_kmh], dtype=float)[codes]
    limit = np.full(len(roads), np.inf)
    if profile.use_maxspeed and maxspeed_col in roads.columns:
        limit = parse_maxspeed(roads[maxspeed_col])
        posted = np.isfinite(limit)
        speeds[posted] = limit[posted] * profile.maxspeed_factor
        limit[np.isnan(limit)] = np.inf
    if speed_col is not None:
        given = speed_column(roads, speed_col)
        valid = np.isfinite(given)
        if not valid.all():
            logger.info("%d edges have no %r; using profile speeds there", (~valid).sum(),
                        speed_col)
        speeds[valid] = given[valid]
    # never faster than the lowest posted limit (a class default or design speed may be)
    return np.minimum(speeds, limit)


def parse_oneway(series: pd.Series, *, layer: str = "roads") -> np.ndarray:
    """Parse one-way flags to +1 (digitised direction), -1 (reversed) or 0 (two-way).

    Accepts booleans, integers 1/0/-1, and the strings yes/no/true/false/1/0/-1,
    T/F, FT/TF (Esri from-to/to-from), B (both), reverse, reversible/alternating
    (two-way), and Chinese 单行/单向/正向 (+1), 反向/逆向 (-1), 双向/双行 (0),
    是/否, case-insensitively. Missing values are two-way.

    Parameters
    ----------
    series
        The one-way column.
    layer
        Layer name for error messages.

    Returns
    -------
    numpy.ndarray
        int8 array, one value per row.

    Raises
    ------
    SchemaError
        Listing each distinct unknown spelling and the row index labels it occurs on.
    """
    codes, uniques = factorize_values(series)
    table = np.zeros(len(uniques) + 1, dtype=np.int8)
    unknown: list[int] = []
    for k, value in enumerate(uniques):
        if isinstance(value, (bool, np.bool_)):
            table[k] = int(value)
            continue
        if isinstance(value, (int, float, np.integer, np.floating)) and value in (1, 0, -1):
            table[k] = int(value)
            continue
        code = _ONEWAY_WORDS.get(str(value).strip().lower()) if isinstance(value, str) else None
        if code is None:
            unknown.append(k)
        else:
            table[k] = code
    if unknown:
        parts = [f"{uniques[k]!r} (rows {format_rows(series.index[codes == k])})" for k in unknown]
        raise SchemaError(
            f"{where(layer=layer, column=str(series.name) if series.name is not None else None)}: "
            f"unknown one-way value(s) {'; '.join(parts)}; expected yes/no, true/false, 1/0/-1, "
            "T/F, FT/TF/B, reverse, 单行/双向/正向/反向"
        )
    return table[codes]
