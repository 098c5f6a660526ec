"""The options of a network circle, declared once for ``zonekit circles`` and ``zonekit map``."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from zonekit.cli._choices import WHERE, choice
from zonekit.cli._common import to_flags, with_options

_PANEL = "Circle"


def _options() -> dict[str, tuple[Any, Any]]:
    """Return name → (typer annotation, default), from :class:`~zonekit.api.circles.CircleOptions`.

    Each option's help is the field's own (its metadata), in this command line's terms.
    """
    import typing
    from dataclasses import MISSING, fields

    from zonekit.api.circles import CircleOptions

    hints = typing.get_type_hints(CircleOptions)
    out = {}
    for f in fields(CircleOptions):
        if "help" not in f.metadata:
            continue
        kind = f.metadata.get("cli") or hints[f.name]
        kind = kind if kind is bool else kind | None
        default = f.default if f.default is not MISSING else None
        enumerated = choice(f.name) if f.name in WHERE else {}
        opt = typer.Option("--" + f.name.replace("_", "-"), help=to_flags(f.metadata["help"]),
                           rich_help_panel=_PANEL, **enumerated)
        out[f.name] = (Annotated[kind, opt], default)
    return out


#: name → (typer annotation, default); the names are :class:`~zonekit.api.circles.CircleOptions`'.
CIRCLE_OPTS: dict[str, tuple[Any, Any]] = _options()


def kinds_help() -> str:
    """Name the shipped circle kinds for help texts (a ``--profile`` may add more)."""
    from zonekit.analysis.circles.registry import kinds_help as shipped

    return shipped() + "; a --profile may add kinds (key 'circles')"


def _build(values: dict[str, Any]) -> Any:
    from zonekit.api.circles import CircleOptions

    return CircleOptions(**values)


#: Decorator: the command takes ``circle`` (a ``CircleOptions``) instead of these options.
reads_circle_options = with_options("circle", CIRCLE_OPTS, _build)
