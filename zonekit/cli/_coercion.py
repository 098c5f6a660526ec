"""Option values converted without pydantic where typer's conversion would give the same.

typer (0.2x) converts every command-line value through a pydantic ``TypeAdapter`` built
for its option: the first value imports pydantic (0.15-0.2 s) and ``zonekit circles``
builds some 50 adapters before any work. zonekit's options take plain values: text, paths,
whole and decimal numbers, and values checked by a ``parser=`` (:mod:`zonekit.cli._choices`).
:class:`PlainParam` converts those here, to exactly what the adapter gives; anything else
(a number written another way, a list, a value of another type, a ``ValueError`` from a
parser) goes to typer's own conversion, so its results and messages stay typer's.
``tests/cli/test_cli_coercion.py`` compares both on the values each kind of option takes.
A typer without this machinery (``typer._coercion``) keeps its own conversion throughout.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

try:
    from typer._coercion import RuntimeParam, build_runtime_param
    from typer._param_types import coerce_cli_path
except ImportError:  # another typer: nothing to speed up
    RuntimeParam = None

#: Whole and decimal numbers as written on a command line, that int() / float() read as
#: pydantic does (no sign '+', exponent, underscore, space or leading zero: typer's path).
_INT = re.compile(r"-?(0|[1-9][0-9]{0,17})")
_FLOAT = re.compile(r"-?(0|[1-9][0-9]{0,14})(\.[0-9]{1,15})?")


#: What :func:`_plain` returns for a value that is not plain: typer's conversion takes it.
TYPERS = object()


def _plain(annotation: Any, info: Any, value: Any, param: Any, ctx: Any) -> Any:
    """Return ``value`` converted as typer's adapter would, or :data:`TYPERS`."""
    if info.parser is not None:
        if type(value) is not str:
            return TYPERS
        try:
            return info.parser(value)
        except (ValueError, AssertionError):  # pydantic words these: let typer say it
            return TYPERS
    if annotation in (str, int, float) and type(value) is annotation:
        return value  # a default of the option's own type
    ranged = getattr(info, "min", None) is not None or getattr(info, "max", None) is not None
    if type(value) is not str or ranged:
        return TYPERS
    if annotation is str:
        return value
    if annotation is int and _INT.fullmatch(value):
        return int(value)
    if annotation is float and _FLOAT.fullmatch(value):
        return float(value)
    if (isinstance(annotation, type) and issubclass(annotation, Path) and value
            and getattr(info, "path_type", None) is None):
        return coerce_cli_path(annotation(value), info, path_type=annotation, param=param,
                               ctx=ctx)
    return TYPERS


if RuntimeParam is not None:

    class PlainParam(RuntimeParam):  # typer's frozen dataclass, fields unchanged
        """typer's conversion of one option, without pydantic for plain values."""

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            plain = _plain(self.annotation, self.parameter_info, value, param, ctx)
            if plain is not TYPERS:
                return plain
            typer_own = build_runtime_param(param.type_descriptor)
            return typer_own._coerce_value(value, param=param, ctx=ctx)


def use_plain_coercion(param: Any) -> None:
    """Give a typer option or argument :class:`PlainParam` (unless typer has no such hook)."""
    descriptor = getattr(param, "type_descriptor", None)
    if (RuntimeParam is None or descriptor is None
            or getattr(param, "_runtime_param", "absent") is not None):
        return
    param._runtime_param = PlainParam(annotation=descriptor.annotation,
                                      parameter_info=descriptor.parameter_info)
