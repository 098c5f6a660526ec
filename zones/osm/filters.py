"""osmnx's walk / bike / drive way filters, evaluated on a way's tags offline.

osmnx sends its network filters to the Overpass API as text such as
``["highway"]["area"!~"yes"]["access"!~"private"]["highway"!~"cycleway|footway|…"]``.
Rather than copying those lists (and drifting from osmnx), the filter text osmnx would
send is parsed here into clauses and applied to each way's tags with Overpass semantics:
``["k"]`` requires the key, ``["k"!~"re"]`` passes when the key is absent or its value does
not contain a match of ``re`` (Overpass regexes are unanchored and case-sensitive), and
``["k"~"re"]``, ``["k"="v"]``, ``["k"!="v"]`` likewise.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache

from zonekit.errors import ZonekitError
from zonekit.travel_modes import MODES  # each is also the osmnx ``network_type`` it reads

_CLAUSE = re.compile(r'\["([^"]+)"(?:(!~|~|!=|=)"([^"]*)")?\]')


def osmnx_way_filter(mode: str) -> str:
    """Return the Overpass way filter osmnx uses for ``network_type=mode``.

    Raises
    ------
    zonekit.errors.ZonekitError
        ``mode`` is not one of :data:`MODES`.
    """
    if mode not in MODES:
        raise ZonekitError(f"mode= must be one of {', '.join(MODES)}, got {mode!r}")
    from osmnx import _overpass

    return _overpass._get_network_filter(mode)


def _clause(key: str, op: str | None, text: str | None) -> Callable[[Mapping[str, str]], bool]:
    if op is None:
        return lambda tags: key in tags
    if op == "=":
        return lambda tags: tags.get(key) == text
    if op == "!=":
        return lambda tags: tags.get(key) != text
    pattern = re.compile(text or "")
    if op == "~":
        return lambda tags: key in tags and pattern.search(tags[key]) is not None
    return lambda tags: key not in tags or pattern.search(tags[key]) is None


@lru_cache(maxsize=16)
def parse_way_filter(text: str) -> tuple[Callable[[Mapping[str, str]], bool], ...]:
    """Parse Overpass filter text into one predicate per ``[...]`` clause.

    Raises
    ------
    ValueError
        The text holds something other than ``["key"]``/``["key" op "value"]`` clauses.
    """
    clauses = _CLAUSE.findall(text)
    if _CLAUSE.sub("", text).strip():
        raise ValueError(f"cannot read the way filter {text!r}: expected [\"key\" op \"value\"] "
                         "clauses only")
    return tuple(_clause(k, op or None, v if op else None) for k, op, v in clauses)


def filter_keys(mode: str) -> tuple[str, ...]:
    """Return the tag keys the way filter of ``mode`` reads (to fetch only those)."""
    return tuple(dict.fromkeys(k for k, _, _ in _CLAUSE.findall(osmnx_way_filter(mode))))


def way_filter(mode: str) -> Callable[[Mapping[str, str]], bool]:
    """Return a predicate on a way's tags: True when osmnx keeps the way for ``mode``.

    Examples
    --------
    >>> keep = way_filter("drive")
    >>> keep({"highway": "residential"}), keep({"highway": "footway"})
    (True, False)
    """
    clauses = parse_way_filter(osmnx_way_filter(mode))
    return lambda tags: all(c(tags) for c in clauses)
