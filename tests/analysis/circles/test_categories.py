"""A run's categories come from the facility data (ids, Chinese names, synonyms, new ones)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from circles_fixtures import planner_grid, points_near
from typer.testing import CliRunner

from zonekit.analysis.circles.categories import load_category_map, resolve_categories
from zonekit.analysis.circles.profile import load_circles_profile
from zonekit.cli.app import app
from zonekit.errors import ProfileError
from zonekit.zones.mapping import LayerMapping, apply_mapping

PROFILE = load_circles_profile()
SERVICE = PROFILE.circle("service")
LIFE = PROFILE.circle("lifecircle")
runner = CliRunner()


def test_values_resolve_by_id_chinese_name_synonym_or_become_their_own():
    values = ["pharmacy", "药店", "菜市场", "超市", "cat00", "market", "充电站", None, ""]
    res = resolve_categories(values, SERVICE, PROFILE.names_zh, threshold=12,
                             circles=PROFILE.circles)
    assert res.value_to_id == {"pharmacy": "pharmacy", "药店": "pharmacy",
                               "菜市场": "fresh_market", "超市": "supermarket",
                               "cat00": "cat00", "market": "market",
                               "充电站": "charging_station"}
    lim = res.limits()
    # profile categories keep their thresholds; another circle's category takes its own
    assert lim == {"pharmacy": 8, "fresh_market": 8, "supermarket": 15,
                   "charging_station": 5, "cat00": 12, "market": 12}
    assert res.categories["pharmacy"].facilities == 2
    assert [res.categories[c].source for c in lim] == (
        ["profile"] * 3 + ["other_circle"] + ["data"] * 2)
    assert res.categories["charging_station"].circle == "charging"
    assert "convenience_store" in res.not_in_data and "pharmacy" not in res.not_in_data
    assert res.other_circles == {"充电站": "→ charging_station (charging: ≤ 5 min, drive)"}
    assert any("充电站 → charging_station (charging: ≤ 5 min, drive) [1 facility]" in n
               for n in res.notes())
    # restricted away, it is dropped like any other value
    only = resolve_categories(values, SERVICE, PROFILE.names_zh, categories=["药店"],
                              circles=PROFILE.circles)
    assert only.dropped["充电站"] == 1 and only.other_circles == {}
    s = res.summary()
    assert {"categories", "not_in_data"} <= set(s)
    assert s["categories"][0] | {"values": None} == {
        "id": "pharmacy", "name_zh": "药店", "threshold": 8.0, "source": "profile",
        "facilities": 2, "values": None, "life_circle": None, "circle": None}
    # no threshold given: the circle's default_minutes
    assert resolve_categories(["书店"], SERVICE, PROFILE.names_zh).limits() == {"书店": 15.0}


def test_lifecircle_gb50180_thresholds_and_shared_names():
    res = resolve_categories(["幼儿园", "小学", "初中", "卫生室", "养老院", "运动场"], LIFE,
                             PROFILE.names_zh)
    assert res.limits() == {"kindergarten": 5, "health_station": 5, "primary_school": 10,
                            "sports": 10, "middle_school": 15, "elderly_care": 15}
    assert res.categories["kindergarten"].life_circle == "五分钟生活圈"
    metres = resolve_categories(["幼儿园", "初中"], LIFE, PROFILE.names_zh, measure="metres")
    assert metres.limits() == {"kindergarten": 300, "middle_school": 1000}
    # the same name is the service circle's clinic
    assert resolve_categories(["卫生室"], SERVICE, PROFILE.names_zh).value_to_id == {
        "卫生室": "clinic"}
    with pytest.raises(ProfileError, match="no metres for 书店.*metres="):
        resolve_categories(["书店"], LIFE, PROFILE.names_zh, measure="metres")


def test_restriction_and_county_map(tmp_path):
    values = ["农贸", "农贸", "便利", "cat01", "cat02"]
    csv = tmp_path / "map.csv"
    csv.write_text("name,category\n农贸,菜市场\n便利,convenience_store\n", encoding="utf-8")
    yml = tmp_path / "map.yaml"
    yml.write_text("农贸: 菜市场\n便利: convenience_store\n", encoding="utf-8")
    for cmap in (csv, yml, {"农贸": "菜市场", "便利": "convenience_store"}):
        res = resolve_categories(values, SERVICE, PROFILE.names_zh, threshold=10,
                                 category_map=cmap, categories=["fresh_market", "便利店", "cat01"])
        assert res.value_to_id == {"农贸": "fresh_market", "便利": "convenience_store",
                                   "cat01": "cat01"}
        assert res.dropped == {"cat02": 1} and res.categories["fresh_market"].facilities == 2
        assert res.not_in_data == []
    gbk = tmp_path / "gbk.csv"  # as Excel/WPS save a CSV in China
    gbk.write_text("农贸,菜市场\n便利,便利店\n", encoding="gbk")
    assert load_category_map(gbk) == {"农贸": "菜市场", "便利": "便利店"}
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,c\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="bad.csv.*two columns"):
        resolve_categories(values, SERVICE, PROFILE.names_zh, category_map=bad)


def test_mapping_onto_an_existing_column_replaces_it():
    df = pd.DataFrame({"maxspeed": ["50", "60"], "speed_kmh": [30, 40]})
    out = apply_mapping(df, LayerMapping("roads", columns={"speed_kmh": "maxspeed"}))
    assert list(out.columns) == ["maxspeed"] and out["maxspeed"].tolist() == [30, 40]
    assert "replaced" in out.attrs["zonekit_mapping_notes"][0]
    assert list(df.columns) == ["maxspeed", "speed_kmh"]  # input untouched


# --- the command on a planner's own facilities ----------------------------------------


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("cats")
    _, plain = planner_grid(16, seed=3)
    plain["speed_kmh"] = 25.0
    plain.to_file(folder / "roads.gpkg", layer="roads", engine="pyogrio")
    fac = points_near(plain, 48, seed=4, prefix="F")
    fac["kind"] = ["药店", "pharmacy", "超市", "market", "cat00", "幼儿园"] * 8
    fac.to_file(folder / "shops.gpkg", engine="pyogrio")
    points_near(plain, 200, seed=5, prefix="H").to_file(folder / "homes.gpkg", engine="pyogrio")
    return folder


def _run(files: Path, out: Path, *args: str) -> tuple[dict, str]:
    result = runner.invoke(app, ["circles", "--data", str(files), "--facilities",
                                 str(files / "shops.gpkg"), "--category-col", "kind",
                                 "--origins", str(files / "homes.gpkg"), "--out", str(out),
                                 *args])
    assert result.exit_code == 0, result.output
    return json.loads((out / "summary.json").read_text(encoding="utf-8")), result.output


def test_every_category_of_the_data_is_computed(files, tmp_path):
    s, console = _run(files, tmp_path / "o", "--minutes", "12")
    cats = {c["id"]: c for c in s["categories"]}
    assert {k: (v["threshold"], v["source"]) for k, v in cats.items()} == {
        "pharmacy": (8, "profile"), "supermarket": (15, "profile"), "cat00": (12, "data"),
        "market": (12, "data"), "kindergarten": (5, "other_circle")}
    # another circle's category is computed with that circle's threshold, and named
    assert s["other_circles"] == {"幼儿园": "→ kindergarten (lifecircle: ≤ 5 min, walk)"}
    assert "categories of other circles, computed" in console and "幼儿园" in console
    assert cats["pharmacy"]["facilities"] == 16
    assert "categories from your data" in console and "market" in console and "cat00" in console
    assert "convenience_store" in s["not_in_data"]
    origins = pd.read_csv(tmp_path / "o" / "origins.csv")
    for c in cats:
        assert f"minutes_{c}" in origins and f"within_{c}" in origins
    cov = s["coverage"]["current"]
    assert set(cov) == set(cats) | {"all_categories"}  # absent ones are not 0 % rows
    assert any("basics complete" in w and "convenience_store" in w for w in s["warnings"])
    # minutes are readable beyond the threshold; coverage still uses the threshold
    m, w = origins["minutes_pharmacy"], origins["within_pharmacy"]
    assert (m[~w] > 8).any() and (m[w] <= 8).all() and m.max() <= 30
    share = (w * origins["weight"]).sum() / origins["weight"].sum()
    assert cov["pharmacy"]["origins"] == pytest.approx(share)
    assert origins["within_pharmacy"].sum() < origins["minutes_pharmacy"].notna().sum()


def test_categories_option_report_minutes_and_lifecircle(files, tmp_path):
    s, console = _run(files, tmp_path / "r", "--categories", "药店,market", "--report-minutes",
                      "10")
    assert [c["id"] for c in s["categories"]] == ["pharmacy", "market"]
    assert s["dropped_categories"] == {"超市": 8, "cat00": 8, "幼儿园": 8}
    origins = pd.read_csv(tmp_path / "r" / "origins.csv")
    assert origins["minutes_pharmacy"].max() <= 15 + 1e-9  # report limit 10, threshold 8
    life, _ = _run(files, tmp_path / "l", "--kind", "lifecircle")
    assert {c["id"]: c["threshold"] for c in life["categories"]} == {
        "kindergarten": 5, "pharmacy": 8, "supermarket": 15, "cat00": 15, "market": 15}
    assert set(life["other_circles"]) == {"药店", "pharmacy", "超市"}


def test_speed_col_and_mapping_onto_maxspeed(files, tmp_path):
    s, _ = _run(files, tmp_path / "d", "--mode", "drive", "--speed-col", "speed_kmh")
    assert s["mode"] == "drive"
    mapping = tmp_path / "m.yaml"
    mapping.write_text("roads:\n  columns: {speed_kmh: maxspeed}\n", encoding="utf-8")
    m, console = _run(files, tmp_path / "m", "--mode", "drive", "--mapping", str(mapping))
    assert "replaced by the mapped column 'speed_kmh'" in console
    a = pd.read_csv(tmp_path / "d" / "origins.csv")["minutes_pharmacy"]
    b = pd.read_csv(tmp_path / "m" / "origins.csv")["minutes_pharmacy"]
    # 25 km/h from either source, except where the grid's own class speed is slower
    assert np.isfinite(a).sum() > 0 and (b >= a - 1e-9).all() or a.equals(b)
    bad = runner.invoke(app, ["circles", "--speed-col", "speed_kmh", "--out",
                              str(tmp_path / "x")])
    assert bad.exit_code == 2 and "--mode drive" in bad.output


def test_a_planners_categories_of_other_circles_each_get_minutes(files, tmp_path):
    """A service run computes lifecircle categories and a county code, one column each."""
    import geopandas as gpd

    fac = gpd.read_file(files / "shops.gpkg")
    fac["kind"] = ["kindergarten", "primary_school", "XJ-07", "药店"] * 12
    fac.to_file(tmp_path / "county.gpkg", engine="pyogrio")
    out = tmp_path / "o"
    result = runner.invoke(app, ["circles", "--kind", "service", "--data", str(files),
                                 "--facilities", str(tmp_path / "county.gpkg"),
                                 "--category-col", "kind", "--origins",
                                 str(files / "homes.gpkg"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    limits = {c["id"]: (c["threshold"], c["source"]) for c in s["categories"]}
    assert limits == {"pharmacy": (8, "profile"), "kindergarten": (5, "other_circle"),
                      "primary_school": (10, "other_circle"), "XJ-07": (15, "data")}
    origins = pd.read_csv(out / "origins.csv")
    assert [c for c in origins if c.startswith("minutes_")] == [
        f"minutes_{c}" for c in limits]
    assert origins["within_kindergarten"].equals(origins["minutes_kindergarten"] <= 5)
    assert "kindergarten" in s["coverage"]["current"]


def test_a_blank_category_column_is_named(files, tmp_path):
    import geopandas as gpd

    fac = gpd.read_file(files / "shops.gpkg")
    fac["kind"] = None
    fac.to_file(tmp_path / "blank.gpkg", engine="pyogrio")
    result = runner.invoke(app, ["circles", "--data", str(files), "--facilities",
                                 str(tmp_path / "blank.gpkg"), "--category-col", "kind",
                                 "--origins", str(files / "homes.gpkg"), "--out",
                                 str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "column 'kind': the category column is blank in all 48 facilities" in result.output
    assert "--category-col COLUMN" in result.output
