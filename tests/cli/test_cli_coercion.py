"""Option values converted without pydantic are those typer's own conversion gives."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer.main
from typer._coercion import build_runtime_param

from zonekit.cli._coercion import TYPERS, PlainParam, _plain
from zonekit.cli.app import app

#: values as a command line (or an option's default) gives them, per kind of option
VALUES = {
    str: ["abc", "", " x ", "中关村", "-", "a b", 3],
    int: ["0", "7", "-3", "12345678901234567", "007", "+5", "1_000", " 4", "4.0", "abc",
          "", "99999999999999999999999", 5, 2.5],
    float: ["45", "45.5", "-0", "0.25", "-12.125", "1e3", ".5", "45.", "inf", "abc", " 3",
            "", "0.1234567890123456", 2.5, 3],
    Path: ["a/b", "", "~/x", "-", "/tmp", "é.gpkg", " sp ace ", Path("p")],
    "parser": ["walk", "drive", "bogus", "", "WALK"],
}

#: values each kind must convert itself (not hand to typer): the plain ones
PLAIN = {str: ["abc", ""], int: ["0", "-3", "7"], float: ["45", "45.5", "-0"],
         Path: ["a/b", "-"], "parser": ["walk", "bogus"]}


def _params() -> dict[object, tuple[object, object]]:
    """One (command, option) of each kind in the real command tree."""
    root = typer.main.get_command(app)
    found: dict[object, tuple[object, object]] = {}

    def walk(command: object) -> None:
        for param in command.params:
            d = getattr(param, "type_descriptor", None)
            if d is None or param.nargs != 1:
                continue
            kind = "parser" if d.parameter_info.parser is not None else d.annotation
            if param.name == "mode":  # a parser with known values: walk, bike, drive
                found["parser"] = (command, param)
            elif kind != "parser":
                found.setdefault(kind, (command, param))
        for sub in getattr(command, "commands", {}).values():
            walk(sub)

    walk(root)
    return found


PARAMS = _params()


def _outcome(call, value):
    try:
        got = call(value)
    except Exception as exc:
        return "error", type(exc).__name__, str(getattr(exc, "message", exc))
    return "ok", type(got).__name__, got


@pytest.mark.parametrize("kind", list(VALUES), ids=str)
def test_plain_conversion_gives_what_typer_gives(kind) -> None:
    command, param = PARAMS[kind]
    assert isinstance(param._runtime_param, PlainParam)  # the CLI uses it
    ctx = command.make_context(command.name, [], resilient_parsing=True)
    typer_own = build_runtime_param(param.type_descriptor)
    for value in VALUES[kind]:
        ours = _outcome(lambda v: param._runtime_param._coerce_value(v, param, ctx), value)
        theirs = _outcome(lambda v: typer_own._coerce_value(v, param, ctx), value)
        assert ours == theirs, (kind, value)


@pytest.mark.parametrize("kind", list(PLAIN), ids=str)
def test_plain_values_are_converted_without_typer(kind) -> None:
    command, param = PARAMS[kind]
    d = param.type_descriptor
    for value in PLAIN[kind]:
        try:
            plain = _plain(d.annotation, d.parameter_info, value, param, None)
        except typer.BadParameter:
            assert value == "bogus"  # the parser refused it, as typer's would
        else:
            assert plain is not TYPERS, f"{kind}: {value!r} went to typer's conversion"
