"""Bad input, third round: the API misused from a notebook, and the same through the CLI.

Every public ``zk.*`` function checks its parameters before any work
(:mod:`zonekit.api.params`): a ``ParameterError`` (a ``ZonekitError``) naming the parameter,
what it got and what it takes. The folders of ``tests/`` are not packages: their test files
import as top-level modules, so every test file name is unique across ``tests/``.
"""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

import zonekit as zk
from zonekit.cli.app import app
from zonekit.errors import ParameterError, ZonekitError

runner = CliRunner()
TABLE = pd.DataFrame({"lon": [116.85], "lat": [40.37], "name": ["超市"]})

API_CASES = [
    (lambda: zk.circles("service", facilities=TABLE),
     ("facilities=", "a file path or a GeoDataFrame", "pandas DataFrame", "no geometry")),
    (lambda: zk.circles("service", minutes="15"),
     ("minutes=", "a number > 0 (minutes)", "'15'", "str")),
    (lambda: zk.circles("service", minutes=-5), ("minutes=", "> 0", "got -5")),
    (lambda: zk.circles("service", metres=float("nan")), ("metres=", "got nan")),
    (lambda: zk.circles("service", mode="fly"), ("mode=", "walk, bike, drive", "'fly'")),
    (lambda: zk.circles("charging", target_share=1.5), ("target_share=", "≤ 1", "1.5")),
    (lambda: zk.circles("service", jobs=0), ("jobs=", "whole number ≥ 1", "got 0")),
    (lambda: zk.circles("service", circle=zk.CircleOptions(minutes=[15])),
     ("minutes=", "a number", "a list")),
    (lambda: zk.intensity(target="40"), ("target=", "亿元/km²", "'40'")),
    (lambda: zk.intensity(lag=-1), ("lag=", "≥ 0 (years)", "-1")),
    (lambda: zk.indicators(enterprises=TABLE), ("enterprises=", "no geometry")),
    (lambda: zk.measure_zones(parcels=TABLE), ("parcels=", "pandas DataFrame")),
    (lambda: zk.measure_zones(data_year="2024"), ("data_year=", "whole number", "'2024'")),
    (lambda: zk.load_park(drop_invalid="yes"), ("drop_invalid=", "True or False", "'yes'")),
    (lambda: zk.load_park(roads=42), ("roads=", "a file path or a GeoDataFrame", "42")),
    (lambda: zk.measure_zones(TABLE), ("park=", "zk.load_park()", "DataFrame")),
    (lambda: zk.report("out/x"), ("results=", "a list", "'out/x'")),
    (lambda: zk.scale_circles("o.parquet", "r.parquet", "f.parquet", "out", mode="boat"),
     ("mode=", "walk, bike, drive", "'boat'")),
    (lambda: zk.scale_circles("o", "r", "f", "out", minutes=0), ("minutes=", "> 0")),
    (lambda: zk.osm_roads(7), ("source=", "7")),
    (lambda: zk.poi_facilities("x.csv", source=3), ("source=", "a text", "3")),
]


@pytest.mark.parametrize(("call", "expect"), API_CASES, ids=[e[0] for _, e in API_CASES])
def test_api_parameter_checked_up_front(call, expect, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # nothing may be written, and nothing is: see below
    with pytest.raises(ParameterError) as caught:
        call()
    assert isinstance(caught.value, ZonekitError) and isinstance(caught.value, TypeError)
    for fragment in expect:
        assert fragment in str(caught.value), (fragment, str(caught.value))
    assert not list(tmp_path.iterdir())  # refused before any work


def test_unknown_keyword_is_named() -> None:
    with pytest.raises(ParameterError, match="minuets"):
        zk.load_park(minuets=15)


def test_right_types_still_pass() -> None:
    """Numbers of numpy and ints for floats are numbers; a park is a park."""
    import numpy as np

    from zonekit.api.params import check_value

    check_value("minutes", np.float32(15), float)
    check_value("minutes", 15, float | None)
    check_value("jobs", np.int64(2), int | None)
    with pytest.raises(ParameterError, match="whole number"):
        check_value("jobs", 2.5, int | None)
    with pytest.raises(ParameterError, match="True or False"):
        check_value("force", 2, bool)


@pytest.mark.parametrize(("args", "expect"), [
    (["circles", "--minutes", "-5"], "--minutes must be a number > 0 (minutes), got -5"),
    (["circles", "--jobs", "0"], "--jobs must be a whole number ≥ 1"),
    (["circles", "--kind", "charging", "--target-share", "3"], "--target-share must be"),
    (["circles", "--max-snap-m", "-1"], "--max-snap-m must be a number > 0 (metres)"),
    (["intensity", "--target", "-40"], "--target must be a number > 0 (亿元/km²)"),
    (["intensity", "--lag", "-2"], "--lag must be a whole number ≥ 0 (years)"),
])
def test_cli_parameters_checked(args, expect, tmp_path) -> None:
    result = runner.invoke(app, [*args, "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert expect in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
