"""Up-front checks of the public API's parameters, in one place for every ``zk.*`` function.

:func:`checked` wraps an API function: before its body runs, each argument is checked
against the function's own annotation (numbers are numbers, a ``Literal`` is one of its
values, a layer is a file or a GeoDataFrame, a park is a park) and against the ranges of
:data:`RANGES` (a threshold in minutes is > 0). A wrong one raises :class:`ParameterError`
naming the parameter, what it got and what it takes, instead of a ``TypeError`` from deep
inside (``'>' not supported between 'str' and 'int'``). Data options passed as keywords
(``**data_options``) are checked against :func:`zonekit.load_park`'s parameters.
"""

from __future__ import annotations

import functools
import inspect
import numbers
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, TypeVar

from zonekit.errors import ParameterError

F = TypeVar("F", bound=Callable[..., Any])

#: Parameters given as a layer: a file path, or a GeoDataFrame (roads also an osmnx graph).
LAYER_PARAMS = ("zones", "parcels", "enterprises", "facilities", "roads", "origins",
                "candidates", "areas")
#: Lower bound of numeric parameters (value, bound included?) and their unit, by name.
RANGES: dict[str, tuple[float, bool, str]] = {
    "minutes": (0, False, "minutes"), "metres": (0, False, "metres"),
    "report_minutes": (0, False, "minutes"), "max_snap_m": (0, False, "metres"),
    "tile_km": (0, False, "km"), "target": (0, False, "亿元/km²"),
    "target_share": (0, False, "a share of 0–1"), "new_sites": (0, True, "sites"),
    "lag": (0, True, "years"), "jobs": (1, True, "processes"), "parts": (1, True, "parts"),
    "new_site_capacity": (0, False, "capacity units"),
    "split": (1, True, "parts"), "workers": (1, True, "workers"),
}
#: Upper bounds (included) where there is one.
UPPER = {"target_share": 1.0}
#: Parameters annotated as plain text that take one of a few values.
CHOICES = {"mode": ("walk", "bike", "drive"),
           "capacity_method": ("2sfca", "e2sfca", "gravity")}


class _Frame:
    """Stand-in for ``geopandas.GeoDataFrame`` in annotations (never imported here)."""


class _Park:
    """Stand-in for :class:`zonekit.zones.park.Park` in annotations."""


_STUBS = {"gpd": types.SimpleNamespace(GeoDataFrame=_Frame), "Park": _Park,
          "pd": types.SimpleNamespace(DataFrame=Any), "Layer": Any, "Source": Any}


def _hints(func: Callable[..., Any]) -> dict[str, Any]:
    """Return the function's annotations as types (names imported for type checking: stubs)."""
    space = {**func.__globals__, **_STUBS}
    return {name: _eval(text, space) for name, text in func.__annotations__.items()}


def _kind(value: Any) -> str:
    """Name the type of ``value`` as a user would (``a str``, ``a pandas DataFrame``)."""
    cls = type(value)
    module = cls.__module__.split(".")[0]
    name = cls.__name__ if module in ("builtins", "pathlib") else f"{module} {cls.__name__}"
    return f"a {name}"


def _fail(name: str, value: Any, takes: str, hint: str = "") -> ParameterError:
    shown = repr(value) if isinstance(value, (str, numbers.Number)) else _kind(value)
    return ParameterError(f"{name}= must be {takes}, got {shown}"
                          + (f" ({_kind(value)})" if isinstance(value, str) else "") + hint)


def _options(tp: Any) -> list[Any]:
    """Return the members of a union (``X | None`` → ``[X, None]``), or ``[tp]``."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return list(typing.get_args(tp))
    return [tp]


def _fits(value: Any, tp: Any) -> bool:
    """Whether ``value`` is of type ``tp`` as the API means it."""
    if tp is Any or tp is _Frame:
        return True
    if tp is type(None):
        return value is None
    if typing.get_origin(tp) is Literal:
        return value in typing.get_args(tp)
    if tp is float:
        return isinstance(value, numbers.Real) and not isinstance(value, bool)
    if tp is int:
        return isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if tp is bool:
        return isinstance(value, (bool, numbers.Integral)) and value in (0, 1)
    if tp is _Park:
        return type(value).__name__ == "Park"
    if tp is Path:
        return isinstance(value, Path)
    origin = typing.get_origin(tp) or tp
    return isinstance(origin, type) and isinstance(value, origin)


def _takes(tp: Any) -> str:
    """Say what a type takes, in words."""
    words = []
    for member in _options(tp):
        if member is type(None):
            continue
        if typing.get_origin(member) is Literal:
            words.append("one of " + ", ".join(str(v) for v in typing.get_args(member)))
        else:
            words.append({float: "a number", int: "a whole number", bool: "True or False",
                          str: "a text", Path: "a path", _Park: "a park from zk.load_park()",
                          _Frame: "a GeoDataFrame", list: "a list", dict: "a dict",
                          tuple: "a tuple"}.get(typing.get_origin(member) or member,
                                                getattr(member, "__name__", str(member))))
    return " or ".join(dict.fromkeys(words))


def check_layer(name: str, value: Any) -> None:
    """Refuse a layer that is neither a file path nor a GeoDataFrame (nor an osmnx graph)."""
    if value is None or isinstance(value, (str, Path)) or hasattr(value, "geometry"):
        return
    if name == "roads" and hasattr(value, "edges") and hasattr(value, "graph"):
        return
    hint = ""
    if hasattr(value, "columns"):  # a pandas DataFrame: a table without geometry
        hint = ("; it has no geometry: make one with geopandas.GeoDataFrame(df, geometry="
                "geopandas.points_from_xy(df['lon'], df['lat']), crs='EPSG:4326'), or pass "
                "the table's file")
    raise _fail(name, value, "a file path or a GeoDataFrame", hint)


def check_value(name: str, value: Any, tp: Any = Any) -> None:
    """Check one argument against its annotation ``tp`` and its range in :data:`RANGES`."""
    if name in LAYER_PARAMS:
        check_layer(name, value)
        return
    if value is None:
        return
    takes = _takes(tp) if tp is not Any else "a number"
    if name in RANGES:
        takes = f"{takes} {_bound(name)}"
    if tp is not Any and not any(_fits(value, m) for m in _options(tp)):
        raise _fail(name, value, takes)
    if name in CHOICES and value not in CHOICES[name]:
        raise _fail(name, value, "one of " + ", ".join(CHOICES[name]))
    if not _in_range(name, value):
        raise _fail(name, value, takes)


def _bound(name: str) -> str:
    """Say the range of a parameter of :data:`RANGES`: ``> 0 (minutes)``."""
    low, included, unit = RANGES[name]
    high = UPPER.get(name)
    return f"{'≥' if included else '>'} {low:g}" + (f" and ≤ {high:g}" if high else "") \
        + f" ({unit})"


def _in_range(name: str, value: Any) -> bool:
    if name not in RANGES or not isinstance(value, numbers.Real) or isinstance(value, bool):
        return True
    low, included, _ = RANGES[name]
    high = UPPER.get(name)
    # NaN fails every comparison, so it is out of range too
    return (value >= low if included else value > low) and (high is None or value <= high)


def _reference() -> dict[str, Any]:
    """Types of the data options, from :func:`zonekit.load_park` (its keywords are theirs)."""
    from zonekit.api.data import load_park

    return _hints(inspect.unwrap(load_park))


def check_fields(options: Any) -> None:
    """Check each field of an options dataclass (e.g. ``CircleOptions``) as a parameter."""
    import dataclasses

    hints = _hints_of_class(type(options))
    for item in dataclasses.fields(options):
        check_value(item.name, getattr(options, item.name), hints.get(item.name, Any))


def _hints_of_class(cls: type) -> dict[str, Any]:
    import sys

    space = {**vars(sys.modules[cls.__module__]), **_STUBS}
    return {name: _eval(text, space) for name, text in cls.__annotations__.items()}


def _eval(text: Any, space: dict[str, Any]) -> Any:
    try:
        return eval(text, space) if isinstance(text, str) else text  # noqa: S307
    except Exception:  # noqa: BLE001 - an annotation we cannot read is not checked
        return Any


def checked(func: F) -> F:
    """Check every argument of an API function before it runs (see the module's docstring)."""
    signature = inspect.signature(func)
    hints: dict[str, Any] = {}

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not hints:
            hints.update(_hints(func))
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as exc:
            raise ParameterError(f"{func.__name__}(): {exc}") from None
        for name, value in bound.arguments.items():
            kind = signature.parameters[name].kind
            if kind is inspect.Parameter.VAR_KEYWORD:
                reference = _reference()
                for key, item in value.items():
                    check_value(key, item, reference.get(key, Any))
            elif kind is not inspect.Parameter.VAR_POSITIONAL:
                check_value(name, value, hints.get(name, Any))
        return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
