"""The few error types zonekit raises for bad input.

All subclass :class:`ValueError` so library users can catch them simply; the CLI turns
any :class:`ZonekitError` into a readable message and a non-zero exit code, without a
traceback. Messages say what was expected, what was found, and where (file, layer,
column, rows).
"""

from __future__ import annotations

from collections.abc import Iterable


class ZonekitError(ValueError):
    """Base class of user-facing input errors."""


class CRSError(ZonekitError):
    """A layer's coordinate reference system is missing or implausible."""


class SchemaError(ZonekitError):
    """A layer lacks a required column or holds invalid values."""


class DataFileError(ZonekitError):
    """A file or layer cannot be found or read."""


class ProfileError(ZonekitError):
    """A YAML profile is malformed or names something unknown."""


class ParameterError(ZonekitError, TypeError):
    """An API function was given a parameter of the wrong type or out of its range.

    Also a :class:`TypeError`, which is what Python raises for a wrong type.
    """


def where(file: object = None, layer: str | None = None, column: str | None = None) -> str:
    """Format a location prefix such as ``parcels.gpkg, layer 'parcels', column 'zone_id'``."""
    parts = []
    if file is not None:
        parts.append(str(file))
    if layer:
        parts.append(f"layer '{layer}'")
    if column:
        parts.append(f"column '{column}'")
    return ", ".join(parts)


def format_rows(ids: Iterable[object], limit: int = 20) -> str:
    """List offending row ids, shortened after ``limit`` with a count of the rest."""
    ids = list(ids)
    shown = ", ".join(str(i) for i in ids[:limit])
    if len(ids) > limit:
        shown += f" … and {len(ids) - limit} more"
    return shown
