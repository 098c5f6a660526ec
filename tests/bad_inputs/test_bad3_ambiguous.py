"""Bad input, third round: files of several layers, and a zip whose Shapefile is in a folder.

A GeoPackage of several layers and none named is refused with the layers listed; any layer
file may be given as ``FILE.gpkg:layer``, in every command and in the API.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest
from corpus_round2 import write  # noqa: I001  (tests/ is on sys.path: pyproject pythonpath)
from typer.testing import CliRunner

import zonekit as zk
from zonekit.cli.app import app
from zonekit.errors import DataFileError
from zonekit.zones.sources import split_layer

runner = CliRunner()


@pytest.mark.parametrize(("text", "file", "layer"), [
    ("roads.gpkg:streets", "roads.gpkg", "streets"),
    (r"C:\data\roads.gpkg", r"C:\data\roads.gpkg", None),
    (r"C:\data\roads.gpkg:streets", r"C:\data\roads.gpkg", "streets"),
    (r"D:\规划\道路.GPKG:主干路", r"D:\规划\道路.GPKG", "主干路"),
    ("c:/data/parcels.zip:2024/地块.shp", "c:/data/parcels.zip", "2024/地块.shp"),
    ("table.xlsx:企业", "table.xlsx", "企业"),
    ("a:b/roads.gpkg", "a:b/roads.gpkg", None),
    ("roads.geojson:x", "roads.geojson:x", None),  # no layers in GeoJSON: a file name
])
def test_split_layer(text: str, file: str, layer: str | None) -> None:
    assert split_layer(text) == (Path(file), layer)


@pytest.fixture
def two_layers(tiny_park, tmp_path: Path) -> Path:
    """A park folder whose parcels.gpkg holds two layers, none named parcels."""
    folder = tmp_path / "park"
    folder.mkdir()
    write(tiny_park, folder, parcels=None)
    parcels = tiny_park["parcels"]
    parcels.iloc[:2].to_file(folder / "parcels.gpkg", layer="地块_北", engine="pyogrio")
    parcels.iloc[2:].to_file(folder / "parcels.gpkg", layer="地块_南", engine="pyogrio")
    return folder


def test_several_layers_refused_with_their_names(two_layers: Path, tmp_path: Path) -> None:
    for args in (["zones", "--data", str(two_layers), "--out", str(tmp_path / "out")],
                 ["zones", "--data", str(two_layers), "--parcels",
                  str(two_layers / "parcels.gpkg"), "--out", str(tmp_path / "out")],
                 ["check", "--data", str(two_layers)]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output
        for fragment in ("parcels.gpkg", "holds 2 layers", "地块_北", "地块_南",
                         "none was named", "parcels.gpkg:地块_北"):
            assert fragment in result.output, (args[0], fragment, result.output)
        assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_file_colon_layer_in_the_cli_and_the_api(two_layers: Path, tmp_path: Path) -> None:
    north = f"{two_layers / 'parcels.gpkg'}:地块_北"
    result = runner.invoke(app, ["zones", "--data", str(two_layers), "--parcels", north,
                                 "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "out" / "zones.csv", encoding="utf-8-sig")
    assert table.loc[table["zone_id"] == "park", "parcels"].item() == 2  # A1, A2 only
    park = zk.load_park(two_layers, parcels=north)
    assert sorted(park.parcels["parcel_id"]) == ["A1", "A2"]
    result = runner.invoke(app, ["check", "--data", str(two_layers), "--parcels", north])
    assert result.exit_code == 0, result.output
    with pytest.raises(DataFileError, match="holds no layer '地块_西'; its layers are 地块_北"):
        zk.load_park(two_layers, parcels=f"{two_layers / 'parcels.gpkg'}:地块_西")


def test_unused_layer_file_of_several_layers_is_checked(two_layers: Path, tmp_path) -> None:
    # roads= is not read by zones, but is checked: a FILE:layer there must exist too
    result = runner.invoke(app, ["zones", "--data", str(two_layers), "--parcels",
                                 f"{two_layers / 'parcels.gpkg'}:地块_北", "--roads",
                                 f"{two_layers / 'parcels.gpkg'}:道路", "--out",
                                 str(tmp_path / "out")])
    assert result.exit_code == 2 and "holds no layer '道路'" in result.output


def _zip(tiny_park, folder: Path, members: list[str]) -> Path:
    shp = folder / "tmp" / "zones.shp"
    shp.parent.mkdir()
    tiny_park["zones"].to_file(shp, engine="pyogrio", encoding="UTF-8")
    with zipfile.ZipFile(folder / "zones.zip", "w") as archive:
        for inner in members:
            for part in shp.parent.iterdir():
                archive.write(part, f"{inner}/{part.name}" if inner else part.name)
    for part in shp.parent.iterdir():
        part.unlink()
    shp.parent.rmdir()
    return folder / "zones.zip"


def test_zip_with_the_shapefile_in_a_folder_is_read(tiny_park, tmp_path: Path) -> None:
    folder = tmp_path / "park"
    folder.mkdir()
    write(tiny_park, folder, zones=None)
    _zip(tiny_park, folder, ["导出/2024"])
    result = runner.invoke(app, ["zones", "--data", str(folder), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert "高端智造区" in (tmp_path / "o" / "zones.csv").read_text(encoding="utf-8-sig")


def test_zip_with_two_shapefiles_refused(tiny_park, tmp_path: Path) -> None:
    folder = tmp_path / "park"
    folder.mkdir()
    write(tiny_park, folder, zones=None)
    archive = _zip(tiny_park, folder, ["a", "b"])
    result = runner.invoke(app, ["zones", "--data", str(folder), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "holds 2 Shapefiles (a/zones.shp, b/zones.shp)" in result.output
    park = zk.load_park(folder, zones=f"{archive}:b/zones.shp")
    assert len(park.zones) == 2
