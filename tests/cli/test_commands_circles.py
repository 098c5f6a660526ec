"""``zonekit circles`` on the sample park and on a planner's own files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from circles_fixtures import planner_grid, points_near
from typer.testing import CliRunner

from zonekit.cli.app import app
from zonekit.maps.qgis_style import read_styles

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"

runner = CliRunner()


def run(*args: str) -> dict:
    result = runner.invoke(app, ["circles", *args])
    assert result.exit_code == 0, result.output
    out = Path(args[args.index("--out") + 1])
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def sample_runs(tmp_path_factory) -> dict[str, tuple[Path, dict]]:
    from conftest import SAMPLE

    if not (SAMPLE / "park.gpkg").exists():
        pytest.skip("data/sample/park.gpkg missing: run `make sample`")
    root = tmp_path_factory.mktemp("circles")
    runs = {}
    for kind, extra in (("service", ()), ("industry", ()), ("charging", ("--new-sites", "5"))):
        out = root / kind
        runs[kind] = (out, run("--kind", kind, "--out", str(out), *extra))
    return runs


def test_sample_service_circle(sample_runs):
    out, s = sample_runs["service"]
    cov = s["coverage"]["current"]
    assert s["synthetic"] and s["mode"] == "walk" and s["limits"]["convenience_store"] == 5
    assert 0 < cov["basics_complete"]["population"] < cov["convenience_store"]["population"] < 1
    origins = pd.read_csv(out / "origins.csv")
    assert {"origin_id", "weight", "population", "minutes_fresh_market", "missing",
            "n_missing", "complete", "covered", "reachable", "on_main_network"} <= set(origins)
    near = origins["within_convenience_store"]
    assert origins.loc[near, "minutes_convenience_store"].max() <= 5
    assert 5 < origins.loc[~near, "minutes_convenience_store"].max() <= 30  # readable beyond
    table = pd.read_csv(out / "coverage.csv")
    assert list(table.columns) == ["scenario", "category", "name_zh", "measure", "unit",
                                   "limit", "total", "covered", "share"]
    for name in ("origins.gpkg", "gaps.gpkg", "isochrones.gpkg"):
        assert read_styles(out / name), name  # every GeoPackage carries a QGIS style
    assert (out / "surfaces" / "minutes_fresh_market.tif").exists()
    assert s["circle"]["network"]["pieces"] == 2  # the sample's cut-off factory loop
    assert s["methods"]["isochrones"] and s["outputs"][-1] == "summary.json"
    assert "map_service.html" in s["outputs"]  # every file written is listed
    assert all((out / name).exists() for name in s["outputs"])


def test_sample_industry_circle(sample_runs):
    out, s = sample_runs["industry"]
    cov = s["coverage"]["current"]
    assert s["circle"]["chain"] == "新能源智能汽车" and s["mode"] == "drive"
    assert set(cov) == {"same_chain", "tech_platform", "pilot_base", "incubator", "logistics",
                        "all_elements"}
    zones = pd.read_csv(out / "zones.csv").set_index("zone_id")
    assert "park" in zones.index and 0 < zones.loc["park", "mean_score"] <= 1
    ents = pd.read_csv(out / "origins.csv")
    assert {"peers_within", "score", "minutes_pilot_base", "zone_id"} <= set(ents)
    # the sample's chain has gaps (pilot bases sit in KC and XT only): a planner sees one
    assert 0.3 < cov["pilot_base"]["chain_enterprises"] < 0.9
    assert (~ents["within_pilot_base"]).sum() == (~ents["complete"]).sum()  # > 15 min
    assert not ents.loc[ents["zone_id"] == "LY", "complete"].any()
    dist = s["circle"]["completeness"]
    assert sum(dist["firms_by_missing"].values()) == len(ents)
    assert dist["firms_by_missing"]["0"] == int(ents["complete"].sum())
    assert dist["firms_by_missing"]["1"] == int((ents["n_missing"] == 1).sum()) > 0
    assert sum(dist["pct_by_missing"].values()) == pytest.approx(100, abs=0.1)


def test_sample_charging_siting_raises_coverage_and_reaches_target(sample_runs):
    out, s = sample_runs["charging"]
    cov = s["coverage"]
    demand = s["siting"]["demand"]
    assert set(cov["current"]["charging_station"]) == {
        "population", "parcels", "built_land_km2", "enterprises", "employees", "road_length_km"}
    before = cov["current"]["charging_station"][demand]
    assert cov["mclp"]["charging_station"][demand] > before
    assert s["siting"]["mclp"]["sites"] == 5
    target = s["siting"]["target_share"]
    assert before < target <= cov["set_cover"]["charging_station"][demand]
    assert s["siting"]["set_cover"]["share_after_engine"] >= target
    assert s["siting"]["mclp"]["share_after"] == pytest.approx(
        s["siting"]["mclp"]["share_after_engine"])
    sites = pd.read_csv(out / "coverage.csv")
    assert set(sites["scenario"]) == {"current", "mclp", "set_cover"}
    assert read_styles(out / "sites.gpkg") and (out / "isochrones.gpkg").exists()
    # each site says where it is: zone, nearest named road, WGS84 and GCJ-02 coordinates
    import geopandas as gpd

    placed = gpd.read_file(out / "sites.gpkg", layer="sites")
    zones = set(gpd.read_file(SAMPLE / "park.gpkg", layer="zones")["zone_id"])
    assert set(placed["zone_id"]) <= zones and placed["zone_name_zh"].str.len().gt(0).all()
    assert placed["road_name"].str.len().gt(0).all()
    assert placed["lon_wgs84"].between(116.5, 117.3).all()
    assert placed["lat_wgs84"].between(40.2, 40.7).all()
    shift = np.hypot(placed["lon_gcj02"] - placed["lon_wgs84"],
                     placed["lat_gcj02"] - placed["lat_wgs84"])
    assert shift.between(0.003, 0.01).all()  # GCJ-02 is a few hundred metres off in Beijing
    assert (placed["demand_unit"] == s["siting"]["demand_unit"]).all()
    assert placed["share_after_pct"].between(0, 100).all()
    answer = s["siting"]["answer"]
    assert answer["demand_optimised"]["demand"] == demand
    assert answer["mclp"]["sentence"].startswith("5 new sites bring 5-minute coverage of")
    assert f"{100 * before:.1f} %" in answer["mclp"]["sentence"]


def _planner_files(folder: Path, n: int) -> Path:
    osm, plain = planner_grid(n, seed=11)
    osm.to_file(folder / "edges.gpkg", layer="edges", engine="pyogrio")
    plain.to_file(folder / "roads.gpkg", layer="roads", engine="pyogrio")
    fac = points_near(plain, 40, seed=12, prefix="S").rename(columns={"pid": "编号"})
    fac["类型"] = ["药店", "超市"] * 20
    fac.to_file(folder / "shops.gpkg", engine="pyogrio")
    homes = points_near(plain, 300, seed=13, far=4, prefix="H").rename(columns={"pid": "户号"})
    homes.to_file(folder / "homes.gpkg", engine="pyogrio")
    return folder


@pytest.fixture(scope="module")
def planner_files(tmp_path_factory) -> Path:
    """A planner's files: an osmnx edge layer of about 25,000 rows and the same streets."""
    return _planner_files(tmp_path_factory.mktemp("planner"), 80)


@pytest.fixture(scope="module")
def small_files(tmp_path_factory) -> Path:
    return _planner_files(tmp_path_factory.mktemp("small"), 20)


def test_planner_osm_layer_and_centrelines_give_the_same_answers(planner_files, tmp_path):
    f = planner_files
    common = ["--data", str(f), "--facilities", str(f / "shops.gpkg"), "--facility-id", "编号",
              "--origins", str(f / "homes.gpkg"), "--origin-id", "户号", "--minutes", "10",
              "--mode", "drive"]
    a = run("--roads", str(f / "edges.gpkg"), "--out", str(tmp_path / "a"), *common)
    b = run("--roads", str(f / "roads.gpkg"), "--out", str(tmp_path / "b"), *common)
    ta, tb = (pd.read_csv(tmp_path / x / "origins.csv") for x in "ab")
    assert list(ta.columns[:1]) == ["origin_id"] and ta["origin_id"].iloc[0] == "H0000"
    assert "minutes_service" in ta  # no --category-col: one category named after --kind
    pd.testing.assert_series_equal(ta["minutes_service"], tb["minutes_service"], atol=1e-9)
    assert ta["minutes_service"].notna().sum() > 100 and (~ta["reachable"]).sum() == 4
    assert a["coverage"] == b["coverage"] and a["limits"] == {"service": 10.0}
    assert a["circle"]["network"]["edges"] == b["circle"]["network"]["edges"] > 10_000
    assert len(pd.read_csv(tmp_path / "a" / "facilities.csv")) == 40


def test_metres_threshold(small_files, tmp_path):
    f = small_files
    metres = run("--data", str(f), "--out", str(tmp_path / "m"),
                 "--facilities", str(f / "shops.gpkg"), "--facility-id", "编号",
                 "--origins", str(f / "homes.gpkg"), "--metres", "600")
    tm = pd.read_csv(tmp_path / "m" / "origins.csv")
    assert "metres_service" in tm and tm.loc[tm["within_service"], "metres_service"].max() <= 600
    assert tm["metres_service"].max() <= 1200  # reported up to twice the threshold
    assert metres["measure"] == "metres"


def test_category_column_and_empty_categories(small_files, tmp_path):
    from zonekit.analysis.circles.profile import load_circles_profile

    f = small_files
    shipped = load_circles_profile().circle("service").category_ids
    prof = tmp_path / "p.yaml"
    prof.write_text("categories: {药店: 药店, 超市: 超市, 书店: 书店}\ncircles:\n  service:\n"
                    "    categories:\n      药店: {minutes: 5}\n      超市: {minutes: 10}\n"
                    "      书店: {minutes: 10}\n"
                    + "".join(f"      {c}: null\n" for c in shipped)
                    + "    basics: [药店, 超市, 书店]\n", encoding="utf-8")
    s = run("--data", str(f), "--facilities", str(f / "shops.gpkg"),
            "--category-col", "类型", "--origins", str(f / "homes.gpkg"), "--profile",
            str(prof), "--out", str(tmp_path / "o"))
    # A profile category with no facilities is "not in your data", never a 0 % coverage
    # among the real ones; the complete-set figure is then not computed, and says why.
    assert s["not_in_data"] == ["书店"]
    assert any("书店" in w for w in s["warnings"] + s.get("notes", []))
    cov = s["coverage"]["current"]
    assert "书店" not in cov and "basics_complete" not in cov
    assert cov["超市"]["origins"] > cov["药店"]["origins"] > 0


@pytest.mark.parametrize(("args", "message"), [
    (["--minutes", "5", "--metres", "300"], "not both"),
    (["--new-sites", "3"], "--kind charging"),
    (["--kind", "boat"], "--kind must be one of service, lifecircle, industry, charging"),
    (["--mode", "fly"], "'fly' is not one of walk, bike, drive"),
    (["--measure", "metres", "--kind", "charging"], "no metres for charging_station"),
])
def test_option_errors_have_no_traceback(args, message, tmp_path):
    result = runner.invoke(app, ["circles", *args, "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and message in result.output
    assert "Traceback" not in result.output


def test_bad_profile_and_bad_column_messages(tmp_path, small_files):
    bad = tmp_path / "bad.yaml"
    bad.write_text("circles:\n  charging:\n    categories:\n      charger: {minutes: 5}\n",
                   encoding="utf-8")
    result = runner.invoke(app, ["circles", "--kind", "charging", "--profile", str(bad),
                                 "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and "bad.yaml" in result.output
    assert "'charger'" in result.output and "charging_station" in result.output
    result = runner.invoke(app, ["circles", "--data", str(small_files),
                                 "--facilities", str(small_files / "shops.gpkg"),
                                 "--category-col", "kind", "--out", str(tmp_path / "y")])
    assert result.exit_code == 2 and "column 'kind'" in result.output and "类型" in result.output
