"""The command line: help, the zones command, errors without tracebacks, safe outputs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zonekit.cli.app import app

runner = CliRunner()


def test_help_lists_every_command_with_a_line() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("zones", "convert", "demo"):
        assert command in result.output


def test_python_dash_m() -> None:
    done = subprocess.run([sys.executable, "-m", "zonekit", "--help"], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0 and "zones" in done.stdout


def test_zones_on_user_folder(tiny_park_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["zones", "--data", str(tiny_park_dir), "--out", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["land_output_yi_per_km2"] == pytest.approx(252.0)
    assert summary["crs"] == "EPSG:4548" and summary["synthetic"] is False
    assert (out / "zones.csv").exists() and (out / "zones.gpkg").exists()
    # A second run refuses to overwrite without --force.
    again = runner.invoke(app, ["zones", "--data", str(tiny_park_dir), "--out", str(out)])
    assert again.exit_code == 2 and "--force" in again.output
    assert "Traceback" not in again.output
    forced = runner.invoke(app, ["zones", "--data", str(tiny_park_dir), "--out", str(out),
                                 "--force"])
    assert forced.exit_code == 0


def test_user_error_has_no_traceback(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "zonekit", "zones", "--data",
                           str(tmp_path / "nowhere"), "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "nowhere" in done.stderr


def test_zones_on_sample_is_calibrated(tmp_path: Path, sample_dir: Path) -> None:
    out = tmp_path / "z"
    result = runner.invoke(app, ["zones", "--out", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["synthetic"] is True and "SYNTHETIC" in summary["data_note"]
    assert summary["land_output_yi_per_km2"] == pytest.approx(30.4, abs=0.1)
    assert summary["output_per_employee_wan"] == pytest.approx(203.4, abs=0.5)
    assert summary["total_revenue_yi"] == pytest.approx(550.6, abs=0.5)
    assert len(summary["zones"]) == 6


def test_convert_gcj02_file(tmp_path: Path, tiny_park) -> None:
    src = tmp_path / "pts.geojson"
    tiny_park["enterprises"].to_crs(4326).to_file(src, engine="pyogrio")
    before = src.read_bytes()
    dst = tmp_path / "pts_wgs84.gpkg"
    result = runner.invoke(app, ["convert", str(src), str(dst), "--from", "gcj02"])
    assert result.exit_code == 0, result.output
    import geopandas as gpd

    a, b = gpd.read_file(src), gpd.read_file(dst)
    assert list(b["name"]) == list(a["name"])
    shift = a.to_crs(4548).distance(b.to_crs(4548))
    assert ((shift > 100) & (shift < 800)).all()
    assert src.read_bytes() == before


def test_scale_circles_options_are_named_as_circles_names_them() -> None:
    import typer

    group = typer.main.get_command(app)

    def options(command: object) -> set[str]:
        return {o for p in command.params for o in getattr(p, "opts", []) if o.startswith("--")}

    circles = options(group.commands["circles"])
    scale = options(group.commands["scale"].commands["circles"])
    assert {"--origins", "--roads", "--facilities", "--out", "--force", "--mode", "--minutes",
            "--origin-id", "--weight-col", "--category-col", "--max-snap-m",
            "--speed-col"} <= scale & circles
    assert not {"--limit", "--id-col"} & scale
