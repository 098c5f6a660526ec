"""Enumerated options: a wrong value fails with the values listed; the shell completes them."""

from __future__ import annotations

import os
import subprocess

import pytest
from circles_fixtures import COUNTY, ZONEKIT  # the county profile adding kind 'elderly'
from typer.testing import CliRunner

from zonekit.cli._choices import WHERE, values
from zonekit.cli.app import app

#: (command line with a bogus value, the option, the values its error must list).
BOGUS = [
    (["circles", "--mode", "bogus"], "--mode", ("walk", "bike", "drive")),
    (["circles", "--measure", "bogus"], "--measure", ("minutes", "metres")),
    (["circles", "--demand", "bogus"], "--demand", ("built_land_km2", "employees")),
    (["circles", "--basemap", "bogus"], "--basemap", ("osm", "tianditu", "amap", "none")),
    (["zones", "--coords", "bogus"], "--coords", ("gcj02", "bd09")),
    (["map", "zones", "--format", "bogus"], "--format", ("html", "png", "pdf", "all")),
    (["intensity", "--denominator", "bogus"], "--denominator", ("built", "all", "industrial")),
    (["scale", "intensity", "--denominator", "bogus"], "--denominator", ("built", "all")),
    (["scale", "circles", "--origins", "o", "--roads", "r", "--facilities", "f", "--mode",
      "bogus"], "--mode", ("walk", "bike", "drive")),
    (["poi", "x.csv", "--source", "bogus"], "--source", ("amap", "baidu")),
    (["convert", "a.gpkg", "b.gpkg", "--from", "bogus"], "--from", ("gcj02", "bd09")),
    (["osm", "roads", "--mode", "bogus"], "--mode", ("walk", "bike", "drive")),
]


@pytest.mark.parametrize(("args", "option", "listed"), BOGUS, ids=lambda v: " ".join(v)
                         if isinstance(v, list) else None)
def test_a_bogus_value_fails_with_the_values_listed(args, option, listed) -> None:
    run = CliRunner().invoke(app, args)
    assert run.exit_code == 2, run.output
    text = " ".join(run.output.split())
    assert f"Invalid value for '{option}': 'bogus' is not one of" in text
    for value in listed:
        assert value in text


def test_each_list_is_the_one_the_library_checks_against() -> None:
    from zonekit.analysis.land.measures import DENOMINATORS
    from zonekit.api.maps import FORMATS
    from zonekit.maps.interactive import BASEMAPS

    assert values("denominator") == DENOMINATORS and values("format") == FORMATS
    assert values("basemap") == BASEMAPS and values("source") == ("amap", "baidu")
    assert all(values(option) for option in WHERE)


def _complete(line: str) -> list[str]:
    """Ask the installed ``zonekit`` for bash completions of ``line`` (as bash would)."""
    words = line.split(" ")
    env = os.environ | {"_ZONEKIT_COMPLETE": "complete_bash", "COMP_WORDS": line,
                        "COMP_CWORD": str(len(words) - 1)}
    run = subprocess.run([str(ZONEKIT)], env=env, capture_output=True, text=True, timeout=120,
                         check=False)
    assert run.returncode == 0, run.stderr
    return run.stdout.split()


def test_the_shell_completes_choices_and_kinds(tmp_path) -> None:
    assert _complete("zonekit circles --mode ") == ["walk", "bike", "drive"]
    assert _complete("zonekit poi x.csv --source b") == ["baidu"]
    shipped = _complete("zonekit circles --kind ")
    assert "service" in shipped and "elderly" not in shipped
    county = tmp_path / "county.yaml"
    county.write_text(COUNTY, encoding="utf-8")
    assert _complete(f"zonekit circles --profile {county} --kind e") == ["elderly"]
    assert "elderly" in _complete(f"zonekit map --profile {county} ")
    assert "land-output" in _complete("zonekit map ")


def test_an_unknown_kind_names_the_kinds(tmp_path) -> None:
    run = CliRunner().invoke(app, ["circles", "--kind", "bogus", "--out", str(tmp_path / "o")])
    assert run.exit_code != 0
    assert "--kind must be one of service" in run.output and "--profile FILE" in run.output
