"""A fully covered run writes its empty gap layers with the fields of any other run.

An empty layer once came out of the GeoPackage with Real fields for its text columns
(``gap_id``, ``category``, ``name_zh`` …) and an Unknown geometry type, so a planner
appending the next run's gaps in QGIS hit a type clash.
"""

from __future__ import annotations

from pathlib import Path

import pyogrio
from circles_fixtures import planner_grid, points_near
from typer.testing import CliRunner

from zonekit.cli.app import app

runner = CliRunner()


def _layers(path: Path) -> dict[str, tuple[int, str, dict[str, str]]]:
    out = {}
    for name, _ in pyogrio.list_layers(path):
        if name != "layer_styles":
            info = pyogrio.read_info(path, layer=name)
            out[name] = (info["features"], info["geometry_type"],
                         dict(zip(info["fields"], info["dtypes"], strict=True)))
    return out


def test_empty_gap_layers_have_the_fields_and_geometry_type_of_full_ones(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    _, roads = planner_grid(8, seed=3)
    roads.to_file(data / "roads.gpkg", layer="roads", engine="pyogrio")
    shops = points_near(roads, 6, seed=4, prefix="F")
    shops["kind"] = ["甲类", "乙类"] * 3  # categories of the data: --minutes applies
    shops.to_file(data / "shops.gpkg", engine="pyogrio")
    points_near(roads, 80, seed=5, prefix="H").to_file(data / "homes.gpkg", engine="pyogrio")
    args = ["circles", "--data", str(data), "--facilities", str(data / "shops.gpkg"),
            "--category-col", "kind", "--origins", str(data / "homes.gpkg")]
    runs = {}
    for name, minutes in (("gaps", "1"), ("covered", "600")):
        out = tmp_path / name
        done = runner.invoke(app, [*args, "--minutes", minutes, "--out", str(out)])
        assert done.exit_code == 0, done.output
        runs[name] = _layers(out / "gaps.gpkg")
    assert all(n > 0 for n, _, _ in runs["gaps"].values())
    assert all(n == 0 for n, _, _ in runs["covered"].values()), runs["covered"]
    for layer, (_, kind, fields) in runs["gaps"].items():
        assert runs["covered"][layer][1:] == (kind, fields), layer
