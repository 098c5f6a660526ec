"""Enumerated options: checked against, and completed from, the one list each value set lives in.

Each list stays where it is defined (``maps.interactive.BASEMAPS``,
``analysis.land.measures.DENOMINATORS`` …) and is imported only when the option is used or
completed, so ``zonekit --help`` stays fast. A wrong value fails before any work with the
values listed (``Invalid value for '--mode': 'bogus' is not one of walk, bike, drive``).
Circle kinds are data (the registry, plus a ``--profile``'s own): :func:`complete_kind`
completes them with the ``--profile`` already on the line; the registry refuses an unknown
kind naming the kinds there are.

Shell completion: ``zonekit --install-completion`` (bash, zsh, fish, PowerShell).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import typer

#: option name → "module:NAME" of its values (a tuple, or a dict whose keys are the values).
WHERE = {
    "basemap": "zonekit.maps.interactive:BASEMAPS",
    "coords": "zonekit.zones.coords:SOURCES",
    "demand": "zonekit.analysis.circles.profile:DEMANDS",
    "denominator": "zonekit.analysis.land.measures:DENOMINATORS",
    "format": "zonekit.api.maps:FORMATS",
    "measure": "zonekit.api.circle_options:MEASURES",
    "mode": "zonekit.travel_modes:MODES",
    "osm_mode": "zonekit.travel_modes:MODES",
    "source": "zonekit.zones.poi:SOURCE_DATUM",
}


def values(option: str) -> tuple[str, ...]:
    """Return the allowed values of ``option`` (a key of :data:`WHERE`)."""
    module, name = WHERE[option].split(":")
    return tuple(getattr(importlib.import_module(module), name))


def _parser(option: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        allowed = values(option)
        if value not in allowed:
            raise typer.BadParameter(f"{value!r} is not one of {', '.join(allowed)}")
        return value

    return parse


def _completer(option: str) -> Callable[[str], list[str]]:
    def complete(incomplete: str) -> list[str]:
        return [v for v in values(option) if v.startswith(incomplete)]

    return complete


def choice(option: str) -> dict[str, Any]:
    """Keywords for ``typer.Option``: check and complete ``option``'s values."""
    return {"parser": _parser(option), "autocompletion": _completer(option)}


def complete_kind(ctx: typer.Context, incomplete: str) -> list[str]:
    """Complete ``--kind``: the shipped circle kinds and those of the ``--profile`` given."""
    from zonekit.analysis.circles.registry import circle_kinds
    from zonekit.errors import ZonekitError

    try:
        kinds = circle_kinds(ctx.params.get("profile"))
    except (ZonekitError, OSError):  # a profile still being typed: offer the shipped kinds
        kinds = circle_kinds()
    return [k for k in kinds if k.startswith(incomplete)]
