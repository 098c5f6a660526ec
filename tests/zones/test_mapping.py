"""Planners' own data: Chinese field names, 三调 codes, Excel tables, GCJ-02 CSVs (issue 9)."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from typer.testing import CliRunner

from zonekit.api.data import load_park
from zonekit.cli.app import app
from zonekit.errors import ProfileError, SchemaError
from zonekit.zones.coords import wgs84_to_gcj02
from zonekit.zones.mapping import load_mapping

runner = CliRunner()

MAPPING = """
parcels:
  file: 地块.shp
  columns: {地块编号: parcel_id, 所属分区: zone_id, DLBM: land_use,
            建筑面积: floor_area, 状态: status}
  units: {floor_area: 亩}
  values: {status: {在用: in_use, 闲置: idle, 在建: under_construction}}
enterprises:
  file: 企业名录.xlsx
  sheet: "2024"
  columns: {统一社会信用代码: ent_id, 企业名称: name, 地块编号: parcel_id, 行业: industry,
            营业收入: revenue, 税收: tax, 从业人员: employees}
  units: {revenue: 亿元, tax: 万元}
  defaults: {high_tech: false, specialized: false, listed: false}
"""


@pytest.fixture
def planner_park(tmp_path: Path, tiny_park) -> Path:
    """The tiny park as a planner brings it."""
    folder = tmp_path / "planner"
    folder.mkdir()
    tiny_park["zones"].to_file(folder / "zones.gpkg", engine="pyogrio")
    p = tiny_park["parcels"]
    sandiao = {"1001": "0601", "1402": "0810", "0901": "05H1"}
    parcels = gpd.GeoDataFrame({
        "地块编号": p["parcel_id"], "所属分区": p["zone_id"],
        "DLBM": p["land_use"].map(sandiao), "建筑面积": p["floor_area_m2"] / (10_000 / 15),
        "状态": p["status"].map({"in_use": "在用", "idle": "闲置",
                                 "under_construction": "在建"}),
    }, geometry=p.geometry.values, crs=p.crs)
    parcels.to_file(folder / "地块.shp", engine="pyogrio", encoding="GBK")
    (folder / "地块.cpg").unlink(missing_ok=True)
    e = tiny_park["enterprises"]
    table = pd.DataFrame({
        "统一社会信用代码": e["ent_id"], "企业名称": e["name"], "地块编号": e["parcel_id"],
        "行业": e["industry"], "营业收入": e["revenue_wan"] / 10_000, "税收": e["tax_wan"],
        "从业人员": e["employees"],
    })
    with pd.ExcelWriter(folder / "企业名录.xlsx") as xl:
        table.iloc[:0].to_excel(xl, sheet_name="2023", index=False)
        table.to_excel(xl, sheet_name="2024", index=False)
    (folder / "mapping.yaml").write_text(MAPPING, encoding="utf-8")
    return folder


def _summary(args: list[str]) -> dict:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    out = Path(args[args.index("--out") + 1])
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


def test_planner_park_gives_same_zone_results(planner_park, tiny_park_dir, tmp_path) -> None:
    theirs = _summary(["zones", "--data", str(planner_park), "--mapping",
                       str(planner_park / "mapping.yaml"), "--out", str(tmp_path / "a")])
    ours = _summary(["zones", "--data", str(tiny_park_dir), "--out", str(tmp_path / "b")])
    for key in ("total_revenue_yi", "built_land_km2", "land_output_yi_per_km2",
                "output_per_employee_wan", "enterprises"):
        assert theirs[key] == pytest.approx(ours[key], rel=1e-6), key
    assert theirs["mapping"]["parcels"]["columns"]["DLBM"] == "land_use"


def test_units_converted_on_reading(planner_park) -> None:
    park = load_park(planner_park, layers=("zones", "parcels", "enterprises"),
                     mapping=planner_park / "mapping.yaml")
    ents = park.enterprises.set_index("ent_id")
    assert ents.loc["E1", "revenue_wan"] == pytest.approx(100_000)
    parcels = park.parcels.set_index("parcel_id")
    assert parcels.loc["A1", "floor_area_m2"] == pytest.approx(40_000)
    assert ents.loc["E1"].geometry.within(parcels.loc["A1"].geometry)
    notes = " ".join(map(str, park.findings.notes))
    assert "row 6" in notes and "no usable position" in notes  # E5 has no parcel


def test_gcj02_csv_facilities(tmp_path, tiny_park_dir) -> None:
    pts = gpd.GeoSeries(gpd.points_from_xy([487_500, 487_600], [4_470_500, 4_470_600]),
                        crs=4548).to_crs(4326)
    lon, lat = wgs84_to_gcj02(pts.x.to_numpy(), pts.y.to_numpy())
    pd.DataFrame({"fac_id": ["F1", "F2"], "category": ["pharmacy", "clinic"],
                  "lon": lon, "lat": lat}).to_csv(tmp_path / "fac.csv", index=False)
    with pytest.raises(SchemaError, match="no coordinate system is stated"):
        load_park(tiny_park_dir, layers=("zones", "facilities"),
                  facilities=tmp_path / "fac.csv")
    (tmp_path / "m.yaml").write_text("facilities:\n  position: {x: lon, y: lat, crs: gcj02}\n")
    park = load_park(tiny_park_dir, layers=("zones", "facilities"), mapping=tmp_path / "m.yaml",
                     facilities=tmp_path / "fac.csv")
    back = park.facilities.geometry
    assert back.x.to_numpy() == pytest.approx([487_500, 487_600], abs=0.05)
    assert back.y.to_numpy() == pytest.approx([4_470_500, 4_470_600], abs=0.05)


@pytest.mark.parametrize(("text", "match"), [
    ("parcels: [1, 2", "not valid YAML"),
    ("roadz: {columns: {}}", "unknown layer 'roadz'"),
    ("parcels: {colums: {}}", "unknown key"),
    ("parcels: {columns: {X: no_such}}", "unknown model column"),
    ("enterprises: {units: {revenue: 美元}}", "not understood"),
])
def test_malformed_mappings(tmp_path, text, match) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError, match=match):
        load_mapping(path)


def test_shipped_mapping_by_name() -> None:
    mapping = load_mapping("sandiao")
    assert mapping.for_layer("parcels").columns["DLBM"] == "land_use"


def test_check_reports_every_problem_at_once(planner_park, tmp_path) -> None:
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(planner_park, broken)
    (broken / "zones.gpkg").unlink()
    (broken / "zones.geojson").write_text('{"type": "FeatureCollection", "features": [')
    (broken / "roads.geojson").write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"highway":'
        '"primary"},"geometry":{"type":"LineString","coordinates":[[487000,4470000],'
        '[487100,4470000]]}}]}')
    (broken / "地块.prj").unlink()
    result = runner.invoke(app, ["check", "--data", str(broken), "--mapping",
                                 str(broken / "mapping.yaml")])
    assert result.exit_code == 2
    out = result.output
    assert "zones.geojson" in out and "cannot read" in out          # corrupt file
    assert "地块.shp" in out and "EPSG:4548" in out                  # no .prj, suggestion
    assert "roads.geojson" in out and "not degrees" in out           # metres labelled WGS84
    assert "Traceback" not in out


def test_check_ok_and_schema_template(planner_park, tmp_path) -> None:
    result = runner.invoke(app, ["check", "--data", str(planner_park), "--mapping",
                                 str(planner_park / "mapping.yaml")])
    assert result.exit_code == 0, result.output
    assert "OK" in result.output and "no usable position" in result.output
    tpl = tmp_path / "m.yaml"
    result = runner.invoke(app, ["schema", str(planner_park / "企业名录.xlsx"),
                                 str(planner_park / "地块.shp"), "--template", str(tpl)])
    assert result.exit_code == 0, result.output
    text = tpl.read_text(encoding="utf-8")
    assert "enterprises:" in text and "企业名称: name" in text and "营业收入: revenue" in text
    assert "parcels:" in text and "DLBM: land_use" in text
    assert "revenue_wan" in runner.invoke(app, ["schema"]).output


def test_parcels_without_status_run_with_the_default_named(planner_park, tmp_path) -> None:
    """A cadastre/三调 layer has no 在用/闲置 column: zones, intensity, report run, and say so."""
    shp = planner_park / "地块.shp"
    parcels = gpd.read_file(shp, encoding="GBK").drop(columns=["状态", "建筑面积"])
    for f in planner_park.glob("地块.*"):
        f.unlink()
    parcels.to_file(shp, engine="pyogrio", encoding="GBK")
    (planner_park / "地块.cpg").unlink(missing_ok=True)
    text = MAPPING.split("enterprises:")[1]
    text = ("parcels:\n  file: 地块.shp\n  columns: {地块编号: parcel_id, 所属分区: zone_id, "
            "DLBM: land_use}\nenterprises:" + text)
    mapping = planner_park / "m2.yaml"
    mapping.write_text(text, encoding="utf-8")
    args = ["--data", str(planner_park), "--mapping", str(mapping)]
    for command in ("zones", "intensity", "report"):
        out = tmp_path / command
        result = runner.invoke(app, [command, *args, "--out", str(out)])
        assert result.exit_code == 0, result.output
        console = result.output
        assert "column 'status': not in the layer, default 'in_use' used" in console, command
        assert "column 'floor_area_m2': not in the layer, default blank used" in console
    summary = json.loads((tmp_path / "zones" / "summary.json").read_text(encoding="utf-8"))
    assert any("'status'" in n and "在用" in n for n in summary["input_notes"])
    park = load_park(planner_park, layers=("zones", "parcels", "enterprises"), mapping=mapping)
    assert (park.parcels["status"] == "in_use").all()
    result = runner.invoke(app, ["check", *args])
    assert result.exit_code == 0, result.output
    assert "column 'status': not in the layer, default 'in_use' used" in result.output
