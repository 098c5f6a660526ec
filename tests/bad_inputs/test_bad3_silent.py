"""Bad input, third round: ``zonekit check`` on a folder whose layers are one level down."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from zonekit.cli.app import app
from zonekit.zones.check import check_data

runner = CliRunner()


def test_check_on_a_folder_without_layers_names_the_subfolder(tiny_park_dir: Path) -> None:
    parent = tiny_park_dir.parent  # holds park/ and nothing else
    result = runner.invoke(app, ["check", "--data", str(parent)])
    assert result.exit_code == 2, result.output
    assert "OK: a run can read" not in result.output
    assert "no layer found" in result.output
    assert f"one level down: pass --data {tiny_park_dir}" in result.output


def test_check_on_an_empty_folder(tmp_path: Path) -> None:
    report = check_data(tmp_path)
    assert not report.ok
    assert any("no layer found" in line and "name the files" in line for line in report.lines())


def test_check_on_the_folder_itself_is_ok(tiny_park_dir: Path) -> None:
    assert check_data(tiny_park_dir).ok
