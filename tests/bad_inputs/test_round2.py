"""Bad input, second round, through the CLI: clear messages, exit 2, unchanged inputs.

Also the output folder: never an input, old run or new run (never a mix), one run at a
time, unwritable folders; and ``zonekit convert`` to Shapefile and CSV.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from corpus_round2 import CASES, Case, write  # noqa: I001  (tests/ is on sys.path: pyproject pythonpath)
from typer.testing import CliRunner

from zonekit.cli.app import app

runner = CliRunner()


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (recursively) with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def zones(folder: Path, out: Path, *extra: str):
    args = ["zones", "--data", str(folder), "--out", str(out), *extra]
    if "--data" in extra:  # the case names its own --data
        args = ["zones", "--out", str(out), *extra]
    return runner.invoke(app, args)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_case(case: Case, tiny_park, tmp_path: Path) -> None:
    folder = tmp_path / "park"
    folder.mkdir()
    extra = case.make(tiny_park, folder)
    before = snapshot(folder)
    out = tmp_path / "out"
    result = zones(folder, out, *extra)
    text = result.output
    if result.exit_code == 0:
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        text += json.dumps(summary, ensure_ascii=False)
        text += (out / "zones.csv").read_text(encoding="utf-8-sig")
    assert result.exit_code == case.exit_code, text
    assert "Traceback" not in text
    for fragment in case.expect:
        assert fragment in text, f"{case.name}: expected {fragment!r} in:\n{text}"
    assert snapshot(folder) == before  # inputs are never modified
    if case.exit_code:
        assert not out.exists()  # a failed run leaves no folder that looks like results
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]


# --- the output folder --------------------------------------------------------------------

@pytest.mark.parametrize(("how", "out_of"), [
    ("is", lambda park: park),
    ("lies inside", lambda park: park / "results"),
    ("contains", lambda park: park.parent),
])
def test_out_that_is_contains_or_lies_inside_an_input(tiny_park_dir: Path, how, out_of) -> None:
    root = tiny_park_dir.parent
    before = snapshot(root)
    result = zones(tiny_park_dir, out_of(tiny_park_dir), "--force")
    assert result.exit_code == 2, result.output
    assert f"the --out folder {how} the input" in result.output
    assert snapshot(root) == before


def test_out_holding_an_input_file(tiny_park, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    write(tiny_park, out)
    before = snapshot(out)
    result = runner.invoke(app, ["zones", "--data", str(tmp_path / "park"), "--out", str(out),
                                 "--zones", str(out / "zones.gpkg")])
    assert result.exit_code == 2 and "contains the input" in result.output, result.output
    assert snapshot(out) == before


def test_out_with_other_files_is_refused(tiny_park_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    result = zones(tiny_park_dir, out, "--force")
    assert result.exit_code == 2 and "not results of a zonekit run" in result.output
    assert (out / "notes.txt").read_text(encoding="utf-8") == "keep me"


@pytest.mark.parametrize("interrupt", [KeyboardInterrupt, RuntimeError])
def test_interrupted_force_run_leaves_the_earlier_run(tiny_park_dir, tmp_path, monkeypatch,
                                                      interrupt) -> None:
    out = tmp_path / "out"
    assert zones(tiny_park_dir, out).exit_code == 0
    before = snapshot(out)

    def stop(*args, **kwargs):
        raise interrupt("Ctrl-C")

    # The interruption comes after the CSV is written, before the GeoPackage.
    monkeypatch.setattr("zonekit.maps.qgis_style.add_styles_to_gpkg", stop)
    result = zones(tiny_park_dir, out, "--force")
    assert result.exit_code != 0
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "park"]  # no staging left


def test_force_run_replaces_the_earlier_run_whole(tiny_park_dir, tmp_path) -> None:
    out = tmp_path / "out"
    assert zones(tiny_park_dir, out).exit_code == 0
    (out / "dropped.csv").write_text("from an earlier run\n", encoding="utf-8")
    result = zones(tiny_park_dir, out, "--force")
    assert result.exit_code == 0, result.output
    assert not (out / "dropped.csv").exists()  # a folder holds one run, never a mix
    assert f"Results written to {out}/" in result.output  # the final folder, not staging


def test_second_run_into_a_locked_out_is_refused(tiny_park_dir, tmp_path) -> None:
    from zonekit.zones.output import run_folder

    out = tmp_path / "out"
    with run_folder(out, inputs=[tiny_park_dir]) as staging:
        (staging / "summary.json").write_text("{}", encoding="utf-8")
        result = zones(tiny_park_dir, out)
        assert result.exit_code == 2, result.output
        assert "another zonekit run" in result.output and "Traceback" not in result.output
    assert json.loads((out / "summary.json").read_text(encoding="utf-8")) == {}


def test_stale_lock_is_taken_over(tiny_park_dir, tmp_path) -> None:
    out = tmp_path / "out"
    (tmp_path / ".out.zonekit-lock").write_text("999999999", encoding="ascii")  # no such pid
    result = zones(tiny_park_dir, out)
    assert result.exit_code == 0, result.output
    assert not (tmp_path / ".out.zonekit-lock").exists()


def test_unwritable_out(tiny_park_dir, tmp_path, monkeypatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    result = zones(tiny_park_dir, blocker / "out")
    assert result.exit_code == 2 and "cannot create the --out folder" in result.output

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("tempfile.mkdtemp", denied)
    result = zones(tiny_park_dir, tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert "cannot write beside the --out folder (Permission denied)" in result.output


def test_read_only_out(tiny_park_dir, tmp_path) -> None:
    import os

    if os.geteuid() == 0:
        pytest.skip("root writes into read-only folders")
    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(0o555)
    try:
        result = zones(tiny_park_dir, out)
    finally:
        out.chmod(0o755)
    assert result.exit_code == 2 and "read-only" in result.output, result.output


# --- convert --------------------------------------------------------------------------------

@pytest.mark.parametrize("suffix", [".shp", ".csv", ".gpkg"])
def test_convert_writes_complete_files(tiny_park, tmp_path: Path, suffix: str) -> None:
    import geopandas as gpd
    import pandas as pd

    src = tmp_path / "amap.gpkg"
    tiny_park["enterprises"].to_crs(4326).to_file(src, engine="pyogrio")
    before = src.read_bytes()
    dst = tmp_path / "out" / f"wgs84{suffix}"
    result = runner.invoke(app, ["convert", str(src), str(dst), "--from", "gcj02"])
    assert result.exit_code == 0, result.output
    assert src.read_bytes() == before
    assert not [p.name for p in dst.parent.iterdir() if p.name.startswith(".")]
    if suffix == ".csv":
        table = pd.read_csv(dst, encoding="utf-8-sig")
        assert table["geometry"].str.startswith("POINT").all() and len(table) == 5
        return
    back = gpd.read_file(dst, engine="pyogrio")
    assert back.crs.to_epsg() == 4326 and back["name"].tolist() == ["甲", "乙", "丙", "丁", "戊"]
    if suffix == ".shp":
        names = sorted(p.name for p in dst.parent.iterdir())
        assert names == [f"wgs84{s}" for s in (".cpg", ".dbf", ".prj", ".shp", ".shx")]


def test_convert_projected_layer_names_the_file(tiny_park, tmp_path: Path) -> None:
    src = tmp_path / "projected.gpkg"
    tiny_park["zones"].to_file(src, engine="pyogrio")
    result = runner.invoke(app, ["convert", str(src), str(tmp_path / "x.gpkg"), "--from",
                                 "gcj02"])
    assert result.exit_code == 2 and "projected.gpkg" in result.output, result.output


# --- roads: one-way codes ---------------------------------------------------------------------

def _roads_with(tmp_path: Path, codes: list[object]) -> Path:
    from circles_fixtures import planner_grid, points_near

    folder = tmp_path / "streets"
    folder.mkdir()
    _, plain = planner_grid(6, island=False)
    plain["oneway"] = [codes[i % len(codes)] for i in range(len(plain))]
    plain.to_file(folder / "roads.gpkg", engine="pyogrio")
    shops = points_near(plain, 8, seed=2, prefix="F")
    shops["category"] = "pharmacy"
    shops.to_file(folder / "shops.gpkg", engine="pyogrio")
    points_near(plain, 20, seed=1, prefix="H").to_file(folder / "homes.gpkg", engine="pyogrio")
    return folder


def _circles(folder: Path, out: Path, *extra: str):
    return runner.invoke(app, ["circles", "--data", str(folder), "--roads",
                               str(folder / "roads.gpkg"), "--facilities",
                               str(folder / "shops.gpkg"), "--category-col", "category",
                               "--facility-id", "pid", "--origins", str(folder / "homes.gpkg"),
                               "--origin-id", "pid", "--out", str(out), *extra])


@pytest.mark.parametrize(("codes", "expect"), [
    ([1, 2, 3], "NavInfo"),
    (["B", "N", "FT"], "closed to traffic"),
])
def test_unknown_oneway_codes_name_the_file(tmp_path, codes, expect) -> None:
    folder = _roads_with(tmp_path, codes)
    before = snapshot(folder)
    result = _circles(folder, tmp_path / "o")
    assert result.exit_code == 2, result.output
    assert "roads.gpkg" in result.output and "oneway" in result.output
    assert expect in result.output and "Traceback" not in result.output
    assert snapshot(folder) == before


def test_navinfo_codes_through_a_mapping(tmp_path) -> None:
    folder = _roads_with(tmp_path, [0, 1, 2, 3])
    mapping = tmp_path / "navinfo.yaml"
    mapping.write_text("roads:\n  values: {oneway: {0: no, 1: no, 2: yes, 3: '-1'}}\n",
                       encoding="utf-8")
    result = _circles(folder, tmp_path / "o", "--mapping", str(mapping))
    assert result.exit_code == 0, result.output


# --- the area-of-use check accepts legitimate data anywhere -----------------------------------

def _utm_park(lon: float, lat: float):
    import geopandas as gpd
    from shapely.geometry import Point

    zone = int((lon + 180) // 6) + 1
    epsg = (32600 if lat >= 0 else 32700) + zone
    pts = gpd.GeoSeries([Point(lon, lat)], crs=4326).to_crs(epsg)
    return gpd.GeoDataFrame(geometry=pts.buffer(2000).envelope, crs=epsg)


def test_area_of_use_accepts_utm_and_gauss_kruger_data_anywhere() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from zonekit.zones.crs import check_coordinates, check_geographic_extent

    @settings(max_examples=40, deadline=None, derandomize=True)
    @given(lon=st.floats(-177, 177), lat=st.floats(-79, 83))
    def check(lon: float, lat: float) -> None:
        gdf = _utm_park(lon, lat)
        nonfinite, outside = check_coordinates(gdf, "park.gpkg")
        assert not nonfinite.any() and not outside.any()
        check_geographic_extent(gdf, "park.gpkg")  # no error for data where its CRS says
        lonlat = gdf.to_crs(4326).set_crs(gdf.crs, allow_override=True)
        with pytest.raises(ValueError, match="look like degrees"):
            check_coordinates(lonlat, "park.gpkg")

    check()
    # A neighbouring Gauss-Krüger zone is still accepted (data 2° beyond EPSG:4548's area).
    gk = _utm_park(120.4, 40.0).to_crs(4548)
    assert not check_coordinates(gk, "park.gpkg")[1].any()
