"""Drive the CLI over the bad-input corpus: clear messages, exit codes, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from corpus_round1 import CASES, Case  # noqa: I001  (tests/ is on sys.path: pyproject pythonpath)
from typer.testing import CliRunner

from zonekit.cli.app import app

runner = CliRunner()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_case(case: Case, tiny_park, tmp_path: Path) -> None:
    folder = tmp_path / "park"
    folder.mkdir()
    case.make(tiny_park, folder)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    out = tmp_path / "out"
    result = runner.invoke(app, ["zones", "--data", str(folder), "--out", str(out)])
    text = result.output
    if case.exit_code == 0:
        text += json.dumps(json.loads((out / "summary.json").read_text(encoding="utf-8")),
                           ensure_ascii=False)
        text += (out / "zones.csv").read_text(encoding="utf-8-sig")
    assert result.exit_code == case.exit_code, text
    assert "Traceback" not in text
    for fragment in case.expect:
        assert fragment in text, f"{case.name}: expected {fragment!r} in:\n{text}"
    # Inputs are never modified.
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_drop_invalid_writes_dropped_csv(tiny_park, tmp_path: Path) -> None:
    from corpus_round1 import negative_revenue

    folder = tmp_path / "park"
    folder.mkdir()
    negative_revenue(tiny_park, folder)
    out = tmp_path / "out"
    result = runner.invoke(app, ["zones", "--data", str(folder), "--out", str(out),
                                 "--drop-invalid"])
    assert result.exit_code == 0, result.output
    dropped = (out / "dropped.csv").read_text(encoding="utf-8-sig")
    assert "E2" in dropped and "revenue_wan" in dropped
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["dropped_rows"] == 1


# --- the circles command over bad network inputs ------------------------------------------

@pytest.fixture
def street_files(tmp_path: Path) -> Path:
    """Streets with a cut-off piece, shops (two far from any road), homes (one far away)."""
    from circles_fixtures import planner_grid, points_near

    folder = tmp_path / "streets"
    folder.mkdir()
    _, plain = planner_grid(8, island=True)
    plain.to_file(folder / "roads.gpkg", engine="pyogrio")
    shops = points_near(plain, 12, seed=2, far=2, prefix="F")
    shops["category"] = "pharmacy"
    shops.to_file(folder / "shops.gpkg", engine="pyogrio")
    points_near(plain, 40, seed=1, far=1, prefix="H").to_file(folder / "homes.gpkg",
                                                               engine="pyogrio")
    return folder


def _circles(folder: Path, out: Path, *extra: str):
    return runner.invoke(app, ["circles", "--data", str(folder), "--roads",
                               str(folder / "roads.gpkg"), "--facilities",
                               str(folder / "shops.gpkg"), "--category-col", "category",
                               "--facility-id", "pid",
                               "--origins", str(folder / "homes.gpkg"), "--origin-id", "pid",
                               "--out", str(out), *extra])


def test_circles_reports_pieces_far_points_and_empty_categories(street_files, tmp_path) -> None:
    result = _circles(street_files, tmp_path / "o")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    summary = json.loads((tmp_path / "o" / "summary.json").read_text(encoding="utf-8"))
    assert summary["circle"]["network"]["pieces"] == 2               # network in pieces
    assert sorted(summary["circle"]["facilities_unreachable"]) == ["F0012", "F0013"]
    assert "fitness" in summary["not_in_data"]          # no facilities: named, not 0 % coverage
    assert "fitness" not in summary["coverage"]["current"]
    assert "not in your data" in result.output


@pytest.mark.parametrize(("profile", "expect"), [
    ("circles: [1, 2", "not valid YAML"),
    ("circles:\n  service:\n    categories:\n      chemist: {minutes: 5}\n", "'chemist'"),
])
def test_circles_bad_profiles(street_files, tmp_path, profile, expect) -> None:
    path = tmp_path / "profile.yaml"
    path.write_text(profile, encoding="utf-8")
    result = _circles(street_files, tmp_path / "o", "--profile", str(path))
    assert result.exit_code == 2, result.output
    assert "profile.yaml" in result.output and expect in result.output
    assert "Traceback" not in result.output


def test_circles_warns_about_unflagged_gcj02(tmp_path) -> None:
    import geopandas as gpd
    import shapely
    from circles_fixtures import planner_grid, points_near

    from zonekit.zones.coords import wgs84_to_gcj02

    folder = tmp_path / "amap"
    folder.mkdir()
    _, plain = planner_grid(6, spacing_m=1000.0, island=False)
    plain.to_file(folder / "roads.gpkg", engine="pyogrio")
    shops = points_near(plain, 40, seed=7, spread_m=5).to_crs(4326)
    lon, lat = wgs84_to_gcj02(shops.geometry.x.to_numpy(), shops.geometry.y.to_numpy())
    amap = gpd.GeoDataFrame({"pid": shops["pid"].to_numpy(), "category": "pharmacy"},
                            geometry=shapely.points(lon, lat), crs=4326)
    amap.to_file(folder / "shops.gpkg", engine="pyogrio")
    points_near(plain, 30, seed=8, prefix="H").to_file(folder / "homes.gpkg", engine="pyogrio")
    result = _circles(folder, tmp_path / "o", "--max-snap-m", "1000")
    assert result.exit_code == 0, result.output
    assert "--coords gcj02" in result.output and "Traceback" not in result.output
