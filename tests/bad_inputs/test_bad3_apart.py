"""Bad input, third round: layers that do not overlap stop before any grid is built.

Roads in Miyun (Beijing), facilities and origins in Monaco: the extents are compared first
(:mod:`zonekit.zones.extents`), and the message names the layers and how far apart they lie.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from circles_fixtures import planner_grid, points_near  # noqa: I001  (tests/ on sys.path: pyproject pythonpath)
from typer.testing import CliRunner

import zonekit as zk
from zonekit.cli.app import app
from zonekit.errors import ZonekitError
from zonekit.zones.extents import box_gap_m

runner = CliRunner()


@pytest.fixture
def apart_files(tmp_path: Path) -> Path:
    """Miyun roads; facilities and origins in Monaco (7.42° E, 43.73° N, WGS84)."""
    _, roads = planner_grid(6, seed=3, island=False)
    roads.to_file(tmp_path / "roads.gpkg", engine="pyogrio")
    near = points_near(roads, 10, seed=4)
    near.to_file(tmp_path / "homes_miyun.gpkg", engine="pyogrio")
    monaco = gpd.GeoDataFrame({"pid": ["M1", "M2", "M3"]}, geometry=shapely.points(
        [(7.420, 43.730), (7.425, 43.735), (7.418, 43.738)]), crs=4326)
    monaco.to_file(tmp_path / "shops.gpkg", engine="pyogrio")
    monaco.to_file(tmp_path / "homes.gpkg", engine="pyogrio")
    return tmp_path


def test_box_gap() -> None:
    assert box_gap_m((0, 0, 10, 10), (5, 5, 20, 20)) == 0
    assert box_gap_m((0, 0, 10, 10), (13, 14, 20, 20)) == 5.0


def test_cli_names_the_layers_apart_and_how_far(apart_files: Path) -> None:
    f = apart_files
    result = runner.invoke(app, ["circles", "--roads", str(f / "roads.gpkg"),
                                 "--facilities", str(f / "shops.gpkg"),
                                 "--origins", str(f / "homes.gpkg"),
                                 "--out", str(f / "out")])
    text = result.output
    assert result.exit_code == 2, text
    assert "Traceback" not in text and "MemoryError" not in text
    for fragment in ("facilities", "shops.gpkg", "origins", "homes.gpkg", "roads.gpkg",
                     "km from the roads", "do not overlap", "Nothing was computed"):
        assert fragment in text, (fragment, text)
    km = float(text.split("facilities (")[1].split("lie about ")[1].split(" km")[0]
               .replace(",", ""))
    assert 7_500 < km < 8_500  # Miyun–Monaco, great circle: about 8,100 km
    assert not (f / "out").exists()


def test_api_raises_a_zonekit_error(apart_files: Path) -> None:
    f = apart_files
    with pytest.raises(ZonekitError, match=r"origins \(.*homes.gpkg\) lie about"):
        zk.circles("service", roads=f / "roads.gpkg", facilities=f / "homes_miyun.gpkg",
                   origins=f / "homes.gpkg")


def test_layers_that_meet_still_run(apart_files: Path) -> None:
    f = apart_files
    result = zk.circles("service", roads=f / "roads.gpkg", facilities=f / "homes_miyun.gpkg",
                        origins=f / "homes_miyun.gpkg", jobs=1)
    assert len(result.origins) == 10
