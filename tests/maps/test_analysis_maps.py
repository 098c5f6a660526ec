"""Maps of the intensity run (亩均 classes, low efficiency, renewal plan) and their QGIS styles.

No network: maps use ``basemap="none"`` or are only rendered to text.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from xml.etree import ElementTree as ET

import geopandas as gpd
import pandas as pd
import pytest
from typer.testing import CliRunner

from zonekit.cli.app import app
from zonekit.maps import analysis_maps as am
from zonekit.maps.qgis_style import read_styles
from zonekit.maps.style import MISSING_COLOR, field_info

runner = CliRunner()
SYSTEM_PYTHON = "/usr/bin/python3"


@pytest.fixture
def parcels(tiny_park: dict[str, gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """Return the tiny park's parcels after an intensity run, with the maps' columns."""
    import zonekit as zk
    from zonekit.zones.park import Park

    return zk.intensity(Park(layers=dict(tiny_park), crs="EPSG:4548")).parcels


def _qml_classes(qml: str) -> list[tuple[str, str, str]]:
    root = ET.fromstring(qml.split("\n", 1)[1])
    renderer = root.find("renderer-v2")
    symbols = {s.get("name"): s for s in renderer.findall("symbols/symbol")}
    out = []
    for cat in renderer.findall("categories/category"):
        props = {p.get("k"): p.get("v") for p in symbols[cat.get("symbol")].iter("prop")}
        r, g, b, _ = (int(x) for x in props["color"].split(","))
        out.append((cat.get("value"), cat.get("label"), f"#{r:02x}{g:02x}{b:02x}"))
    return out


def test_low_efficiency_class_and_chinese_reasons() -> None:
    t = pd.DataFrame({"low_plot_ratio": [True, False, False, True, False],
                      "low_tax_per_mu": [False, True, False, True, False],
                      "class_d": [False, False, False, False, False],
                      "idle": [False, False, True, True, False]}, index=[5, 6, 7, 8, 9])
    got = am.low_efficiency_class(t)
    assert got.index.equals(t.index)
    assert got.tolist() == ["plot_ratio", "tax_per_mu", "idle", "multiple", "none"]
    assert am.low_efficiency_class(t[["idle"]]).tolist() == ["none", "none", "idle", "idle",
                                                             "none"]
    text = pd.Series(["容积率 plot ratio 0.55 < 0.7; 亩均税收 0.04 < 1.38 万元/亩 (25 % of the "
                      "industrial mean); 亩均效益 class D; 闲置/停产 idle or stalled", "", None])
    zh = am.reasons_zh(text)
    assert zh.iloc[0] == ("容积率 0.55 低于 0.7；亩均税收 0.04 低于 1.38 万元/亩（工业用地均值的 "
                          "25%）；亩均效益 D 类；闲置/停产")
    assert zh.iloc[1] == "" and zh.iloc[2] == ""


def test_plan_scenarios_names_every_plan() -> None:
    t = pd.DataFrame({"in_plan_main": [True, False, False],
                      "in_plan_conservative": [True, True, False]}, index=["a", "b", "c"])
    assert am.plan_scenarios(t).tolist() == ["主情景、保守情景", "保守情景", ""]


def test_map_columns_on_the_sample(sample_dir: Path) -> None:
    import zonekit as zk

    park = zk.load_park(layers=("zones", "parcels", "enterprises"))
    p = zk.intensity(park).parcels
    assert p.index.equals(park.parcels.index) and p.crs == park.parcels.crs
    low = p["low_efficiency"]
    assert (p.loc[low, "le_class"] != "none").all() and (p.loc[~low, "le_class"] == "none").all()
    multi = p["n_reasons"] >= 2
    assert (p.loc[multi, "le_class"] == "multiple").all()
    # Chinese only: no English words left in the reasons.
    assert not p.loc[low, "reasons_zh"].str.contains(r"[A-Za-z]{3,}").any()
    in_plan = p["in_plan_main"] | p["in_plan_conservative"]
    assert (p["plan_scenarios"] != "").sum() == in_plan.sum()


def test_mujun_and_low_efficiency_layers(parcels: gpd.GeoDataFrame,
                                         tiny_park: dict[str, gpd.GeoDataFrame]) -> None:
    zones = tiny_park["zones"]
    mujun = am.mujun_layers(parcels, zones)
    assert [layer.title for layer in mujun] == ["亩均效益等级", "功能分区边界"]
    assert mujun[0].spec.legend() == [("A类", "#1a9641"), ("B类", "#a6d96a"),
                                      ("C类", "#fdae61"), ("D类", "#d7191c"),
                                      ("未参评", "#bdbdbd")]
    low = am.low_efficiency_layers(parcels, zones)
    assert [layer.title for layer in low] == ["低效用地", "腾笼换鸟更新方案", "功能分区边界"]
    assert len(low[0].gdf) == len(parcels)
    assert len(low[1].gdf) == (parcels["plan_scenarios"] != "").sum()
    labels = [label for label, _ in low[0].spec.legend()]
    assert labels == ["容积率偏低", "亩均税收偏低", "亩均效益D类", "闲置/停产", "多项原因",
                      "非低效用地"]
    for name in (*am.MUJUN_FIELDS, *am.LOW_FIELDS, *am.PLAN_FIELDS):
        assert field_info(name).label_zh != name, f"{name} has no Chinese name"
    assert field_info("tax_per_mu_wan").heading == "亩均税收（万元/亩）"
    assert field_info("class").format("not graded") == "未参评"


def test_maps_render_with_chinese_tooltips(parcels: gpd.GeoDataFrame,
                                           tiny_park: dict[str, gpd.GeoDataFrame]) -> None:
    from zonekit.api.maps import to_folium

    zones = tiny_park["zones"]
    page = to_folium(am.low_efficiency_layers(parcels, zones), am.low_efficiency_title(),
                     "none", True).get_root().render()
    for text in ("低效用地（按认定原因）", "腾笼换鸟更新方案地块", "功能分区边界", "合成样例",
                 am.low_efficiency_title()):
        assert text in page, text
    assert json.dumps("亩均税收（万元/亩）")[1:-1] in page
    page = to_folium(am.mujun_layers(parcels, zones), am.mujun_title(), "none",
                     False).get_root().render()
    assert "亩均效益评价（A 类最优）" in page and json.dumps("亩均效益等级")[1:-1] in page


def test_map_kinds_registered_and_drawn(tiny_park_dir: Path, tmp_path: Path) -> None:
    from zonekit.api.maps import MAP_KINDS

    assert {"mujun", "low-efficiency"} <= set(MAP_KINDS)
    for kind in ("mujun", "low-efficiency"):
        result = runner.invoke(app, ["map", kind, "--data", str(tiny_park_dir), "--out",
                                     str(tmp_path), "--basemap", "none"])
        assert result.exit_code == 0, result.output
        stem = f"map_{kind.replace('-', '_')}"
        assert (tmp_path / f"{stem}.html").stat().st_size > 0
        styles = read_styles(tmp_path / f"{stem}.gpkg")
        assert all(s["useAsDefault"] == 1 for s in styles)


def test_intensity_writes_maps_and_styled_parcels(tiny_park_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "intensity"
    result = runner.invoke(app, ["intensity", "--data", str(tiny_park_dir), "--out", str(out),
                                 "--basemap", "none"])
    assert result.exit_code == 0, result.output
    for name in ("map_mujun.html", "map_low_efficiency.html"):
        page = (out / name).read_text(encoding="utf-8")
        assert "leaflet" in page.lower() and "tile.openstreetmap" not in page
    assert not list(out.glob("map_*.gpkg"))  # parcels.gpkg holds the layer and its styles
    styles = read_styles(out / "parcels.gpkg")
    assert [(s["styleName"], s["useAsDefault"]) for s in styles] == [
        ("mujun_class", 1), ("low_efficiency", 0)]
    # The QML classes are the HTML legend's: same values, labels, colours.
    for row, spec in zip(styles, (am.mujun_style(), am.low_efficiency_style()), strict=True):
        assert _qml_classes(row["styleQML"]) == [
            *[(c.value, c.label, c.color) for c in spec.categories], ("", "无数据", MISSING_COLOR)]
        assert "亩均税收（万元/亩）" in row["styleQML"]  # Chinese alias
    geo = gpd.read_file(out / "parcels.gpkg", layer="parcels")
    assert {"le_class", "reasons_zh", "plan_scenarios"} <= set(geo.columns)
    bad = runner.invoke(app, ["intensity", "--data", str(tiny_park_dir), "--out",
                              str(tmp_path / "x"), "--basemap", "google"])
    assert bad.exit_code == 2 and "--basemap" in bad.output


def test_qgis_reads_the_parcel_styles(tiny_park_dir: Path, tmp_path: Path) -> None:
    """QGIS (Debian python3-qgis, offscreen) applies the default 亩均 style of parcels.gpkg."""
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import qgis.core"], capture_output=True,
                           check=False) if Path(SYSTEM_PYTHON).exists() else None
    if probe is None or probe.returncode != 0:
        pytest.skip("QGIS not installed: install Debian python3-qgis to run this test")
    out = tmp_path / "intensity"
    result = runner.invoke(app, ["intensity", "--data", str(tiny_park_dir), "--out", str(out),
                                 "--basemap", "none"])
    assert result.exit_code == 0, result.output
    script = """
import json, os, sys
from qgis.core import QgsApplication, QgsVectorLayer
app = QgsApplication([], False); app.initQgis()
lyr = QgsVectorLayer(sys.argv[1] + "|layername=parcels", "parcels", "ogr")
r = lyr.renderer()
names = lyr.listStylesInDatabase()[2]
print(json.dumps({"valid": lyr.isValid(), "type": r.type(), "attr": r.classAttribute(),
    "classes": [[str(c.value()), c.label(), c.symbol().color().name()] for c in r.categories()],
    "styles": list(names), "alias": lyr.fields().field("tax_per_mu_wan").alias()}))
sys.stdout.flush(); os._exit(0)
"""
    done = subprocess.run([SYSTEM_PYTHON, "-c", script, str(out / "parcels.gpkg")],
                          capture_output=True, text=True, timeout=120, check=False,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr[-2000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    spec = am.mujun_style()
    assert got["valid"] and got["type"] == "categorizedSymbol" and got["attr"] == "class"
    assert got["classes"][:5] == [[c.value, c.label, c.color] for c in spec.categories]
    assert set(got["styles"]) == {"mujun_class", "low_efficiency"}
    assert got["alias"] == "亩均税收（万元/亩）"
