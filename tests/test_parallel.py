"""Steps side by side in forked processes give what they give one after another."""

from __future__ import annotations

import os

import geopandas as gpd
import pandas as pd
import pytest

from zonekit.errors import DataFileError
from zonekit.parallel import can_fork, in_parallel

needs_fork = pytest.mark.skipif(not can_fork(), reason="forked workers run on Linux only")


@needs_fork
def test_calls_run_in_children_and_return_in_order():
    parent = os.getpid()
    out = in_parallel([os.getpid, lambda: "here", os.getpid], 3)
    assert out[1] == "here" and out[2] == parent and out[0] != parent
    assert in_parallel([os.getpid, os.getpid], 1) == [parent, parent]  # serial


@needs_fork
def test_a_childs_error_is_raised_here_with_its_type():
    def fail() -> None:
        raise DataFileError("roads.gpkg: broken")

    with pytest.raises(DataFileError, match="roads.gpkg: broken"):
        in_parallel([fail, lambda: 1], 2)
    with pytest.raises(RuntimeError, match="ended with code 3"):
        in_parallel([lambda: os._exit(3), lambda: 1], 2)  # died without a word


def _read_back(folder):
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.suffix == ".gpkg":
            out[path.name] = gpd.read_file(path)
        elif path.suffix == ".csv":
            out[path.name] = pd.read_csv(path)
    return out


@needs_fork
def test_a_city_scale_run_in_parallel_equals_the_serial_run(monkeypatch, tmp_path):
    """Forced to city scale, the isochrones, gaps and files made side by side are the same."""
    import zonekit as zk
    from zonekit.analysis.circles import pipeline
    from zonekit.api import circles_result

    serial = zk.circles("service", jobs=1)
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_CELLS", 0)
    monkeypatch.setattr(circles_result, "PARALLEL_WRITE_MIN_ORIGINS", 0)
    forked = zk.circles("service", jobs=2)
    assert "isochrones_gaps" in forked.timings.seconds
    assert "isochrones" in serial.timings.seconds
    pd.testing.assert_frame_equal(forked.isochrones, serial.isochrones)
    pd.testing.assert_frame_equal(forked.gaps, serial.gaps)
    a, b = serial.write(tmp_path / "serial"), forked.write(tmp_path / "forked")
    assert a == b
    one, two = _read_back(tmp_path / "serial"), _read_back(tmp_path / "forked")
    assert one.keys() == two.keys()
    for name in one:
        pd.testing.assert_frame_equal(one[name], two[name], obj=name)
