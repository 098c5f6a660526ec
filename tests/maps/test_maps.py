"""Maps: style specs, folium, QML/GeoPackage styles, GCJ-02 shift, Chinese fonts, the command.

No test touches the network: maps use ``basemap="none"`` or are only rendered to text.
"""

from __future__ import annotations

import json
import math
import os
import re
import sqlite3
import subprocess
import warnings
from pathlib import Path
from xml.etree import ElementTree as ET

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point
from typer.testing import CliRunner

from zonekit.cli.app import app
from zonekit.errors import SchemaError, ZonekitError
from zonekit.maps.interactive import MapLayer, leaflet_assets, make_map
from zonekit.maps.qgis_style import add_style_to_gpkg, qgis_color, read_styles, style_qml
from zonekit.maps.style import (
    MISSING_COLOR,
    coverage_style,
    field_info,
    graduated,
    land_output_style,
    minutes_style,
    mujun_class_style,
    zone_kind_style,
)
from zonekit.zones.coords import wgs84_to_gcj02

runner = CliRunner()
SYSTEM_PYTHON = "/usr/bin/python3"


def _need_font() -> None:
    from zonekit.maps.static import FontNotFoundError, find_cjk_font

    try:
        find_cjk_font()
    except FontNotFoundError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI must install a CJK font (apt-get install fonts-noto-cjk): {exc}")
        pytest.skip("no CJK font: install Debian fonts-noto-cjk (apt-get install "
                    "fonts-noto-cjk) to run the static-map tests")


@pytest.fixture
def zones(tiny_park: dict[str, gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """Return the tiny park's zones with zone-table figures and labels."""
    import zonekit as zk
    from zonekit.maps.zone_maps import zone_frame
    from zonekit.zones.park import Park

    park = Park(layers=dict(tiny_park), crs="EPSG:4548")
    return zone_frame(zk.zones(park).zones)


def _specs(zones: gpd.GeoDataFrame) -> list:
    return [zone_kind_style(), land_output_style(zones["land_output_yi_per_km2"], k=2),
            mujun_class_style(), coverage_style(), minutes_style([3, 8, 12, 40])]


# --- style specs ----------------------------------------------------------------------------

def test_categorical_spec_colours_labels_and_missing() -> None:
    spec = zone_kind_style()
    assert spec.kind == "categorical" and spec.column == "kind"
    assert spec.label_of("core_zone") == "核心功能区"
    assert spec.color_of("municipal_block") == "#ff7f00"
    assert spec.color_of("other") == MISSING_COLOR and spec.label_of(None) == "无数据"
    assert spec.legend(["core_zone", None])[-1] == ("无数据", MISSING_COLOR)
    cov = coverage_style()
    assert cov.color_of(np.bool_(True)) == cov.color_of(True) != cov.color_of(False)


def test_graduated_spec_uses_mapclassify_bins() -> None:
    import mapclassify

    y = np.array([8.5, 21.6, 24.3, 34.4, 37.2, 48.0])
    spec = land_output_style(y, scheme="Quantiles", k=3)
    bins = mapclassify.Quantiles(y, k=3).bins
    assert [r.upper for r in spec.ranges] == pytest.approx(list(bins))
    assert spec.ranges[0].lower == pytest.approx(8.5)
    assert spec.title == "地均产出（亿元/km²）"
    # First match wins at a boundary, as in mapclassify and QGIS.
    assert spec.color_of(bins[0]) == spec.ranges[0].color
    assert spec.color_of(float("nan")) == MISSING_COLOR
    # Fewer distinct values than classes: k is lowered.
    assert len(graduated("g", "x", [1.0, 1.0, 2.0], "t", k=5).ranges) == 2


def test_minutes_spec_has_fixed_breaks() -> None:
    spec = minutes_style([3, 8, 12, 40])
    assert [r.upper for r in spec.ranges] == [5, 10, 15, 30, 40]
    assert spec.ranges[0].label == "0 – 5" and spec.title == "到达时间（分钟）"


def test_fields_have_chinese_names_and_units() -> None:
    assert field_info("area_km2").heading == "面积（km²）"
    assert field_info("land_output_yi_per_km2").heading == "地均产出（亿元/km²）"
    assert field_info("kind").format("core_zone") == "核心功能区"
    assert field_info("revenue_yi").format(1234.567) == "1,234.57"
    assert field_info("revenue_yi").format(float("nan")) == "—"


# --- folium -------------------------------------------------------------------------------

def _geojson_features(m) -> list[dict]:
    from folium import GeoJson

    feats: list[dict] = []
    for child in _walk(m):
        if isinstance(child, GeoJson):
            feats += child.data["features"]
    return feats


def _walk(element):
    for child in element._children.values():
        yield child
        yield from _walk(child)


def test_folium_map_matches_spec(zones: gpd.GeoDataFrame) -> None:
    spec = zone_kind_style()
    m = make_map([MapLayer(zones, spec)], basemap="none", synthetic=True, title="功能分区图")
    feats = _geojson_features(m)
    assert [f["properties"]["_zk_color"] for f in feats] == spec.colors(zones["kind"])
    assert feats[0]["properties"]["kind"] == "核心功能区"  # formatted for the tooltip
    page = m.get_root().render()
    for label, color in spec.legend():
        assert label in page and color in page
    assert json.dumps("面积（km²）")[1:-1] in page  # tooltip alias with unit (JS-escaped)
    assert "合成样例" in page and "zk-footer" in page
    assert "L.control.scale" in page and "imperial: false" in page
    assert "LayerControl" in page or "control.layers" in page


def test_map_layer_checks_its_column_and_crs(zones: gpd.GeoDataFrame) -> None:
    with pytest.raises(SchemaError, match="class"):
        MapLayer(zones, mujun_class_style())
    with pytest.raises(ZonekitError, match="CRS"):
        MapLayer(zones.set_crs(None, allow_override=True), zone_kind_style())


def test_offline_map_is_self_contained(zones: gpd.GeoDataFrame) -> None:
    if leaflet_assets() is None:
        pytest.skip("xstatic-leaflet not installed (pip install xstatic-leaflet)")
    page = make_map([MapLayer(zones, zone_kind_style())], basemap="none").get_root().render()
    assert not re.findall(r'<script[^>]+src="https?:', page)
    assert not re.findall(r'<link[^>]+href="https?:', page)
    assert "images/layers.png" not in page  # the layer-control icon is inlined
    assert "openstreetmap" not in page.lower()


def test_amap_basemap_shifts_overlays_to_gcj02() -> None:
    lon, lat = 116.85, 40.38  # Miyun, WGS84
    pts = gpd.GeoDataFrame({"name": ["测试点"]}, geometry=[Point(lon, lat)], crs="EPSG:4326")
    spec = zone_kind_style(label_column=None)
    spec = type(spec)(name="pt", title="点", geometry="point")
    shifted = _geojson_features(make_map([MapLayer(pts, spec)], basemap="amap"))
    plain = _geojson_features(make_map([MapLayer(pts, spec)], basemap="osm"))
    g_lon, g_lat = wgs84_to_gcj02(lon, lat)
    # the map keeps 7 decimals of a degree (about 1 cm)
    assert shifted[0]["geometry"]["coordinates"] == pytest.approx([g_lon, g_lat], abs=1e-7)
    assert plain[0]["geometry"]["coordinates"] == pytest.approx([lon, lat], abs=1e-7)
    dx = (g_lon - lon) * 111_320 * math.cos(math.radians(lat))
    dy = (g_lat - lat) * 110_574
    assert 300 < math.hypot(dx, dy) < 800  # metres: the GCJ-02 offset near Beijing
    # A projected layer goes through EPSG:4326 first.
    proj = pts.to_crs("EPSG:4548")
    again = _geojson_features(make_map([MapLayer(proj, spec)], basemap="amap"))
    assert again[0]["geometry"]["coordinates"] == pytest.approx([g_lon, g_lat], abs=1e-7)


def test_tianditu_needs_a_key(zones: gpd.GeoDataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TIANDITU_KEY", raising=False)
    with pytest.raises(ZonekitError, match="TIANDITU_KEY"):
        make_map([MapLayer(zones, zone_kind_style())], basemap="tianditu")
    monkeypatch.setenv("TIANDITU_KEY", "abc123")
    page = make_map([MapLayer(zones, zone_kind_style())], basemap="tianditu").get_root().render()
    assert "tk=abc123" in page and "tianditu.gov.cn" in page
    with pytest.raises(ZonekitError, match="basemap"):
        make_map([MapLayer(zones, zone_kind_style())], basemap="google")


# --- QML and GeoPackage styles -------------------------------------------------------------

def _qml_classes(qml: str) -> list[tuple[str, str]]:
    """(label, #rrggbb) of each class in a QML, in order, from its XML."""
    root = ET.fromstring(qml.split("\n", 1)[1])
    renderer = root.find("renderer-v2")
    assert renderer is not None
    items = renderer.findall("categories/category") + renderer.findall("ranges/range") \
        + renderer.findall("rules/rule")
    symbols = {s.get("name"): s for s in renderer.findall("symbols/symbol")}
    out = []
    for item in items:
        layer = symbols[item.get("symbol")].find("layer")
        option = {o.get("name"): o.get("value") for o in layer.findall("Option/Option")}
        prop = {p.get("k"): p.get("v") for p in layer.findall("prop")}
        color = option.get("color") or option.get("line_color")
        assert color == (prop.get("color") or prop.get("line_color"))
        r, g, b, _ = (int(v) for v in color.split(","))
        out.append((item.get("label"), f"#{r:02x}{g:02x}{b:02x}"))
    return out


def test_qml_parses_with_classes_and_chinese_labels(zones: gpd.GeoDataFrame) -> None:
    spec = zone_kind_style()
    qml = style_qml(spec, ["fid", "zone_id", "name_zh", "kind", "area_km2", "label_zh"])
    assert qml.startswith("<!DOCTYPE qgis")
    root = ET.fromstring(qml.split("\n", 1)[1])
    renderer = root.find("renderer-v2")
    assert renderer.get("type") == "categorizedSymbol" and renderer.get("attr") == "kind"
    cats = renderer.findall("categories/category")
    assert [(c.get("value"), c.get("label")) for c in cats] == [
        ("core_zone", "核心功能区"), ("municipal_block", "市级高新区区块"), ("", "无数据")]
    assert root.get("labelsEnabled") == "1"
    assert root.find("labeling/settings/text-style").get("fieldName") == "label_zh"
    aliases = {a.get("field"): a.get("name") for a in root.findall("aliases/alias")}
    assert aliases["area_km2"] == "面积（km²）" and aliases["fid"] == ""
    grad = land_output_style(zones["land_output_yi_per_km2"], k=2)
    groot = ET.fromstring(style_qml(grad).split("\n", 1)[1])
    ranges = groot.findall("renderer-v2/ranges/range")
    assert groot.find("renderer-v2").get("type") == "graduatedSymbol"
    assert [(float(r.get("lower")), float(r.get("upper")), r.get("label")) for r in ranges] == [
        (rg.lower, rg.upper, rg.label) for rg in grad.ranges]
    # With missing values the classes become rules plus an ELSE rule (无数据), as in folium.
    rules = ET.fromstring(style_qml(grad, has_missing=True).split("\n", 1)[1])
    assert rules.findall("renderer-v2/rules/rule")[-1].get("filter") == "ELSE"


def test_folium_legend_and_qml_agree(zones: gpd.GeoDataFrame) -> None:
    for spec in _specs(zones):
        qml = _qml_classes(style_qml(spec))
        legend = spec.legend()
        if spec.kind == "categorical":
            legend = [*legend, ("无数据", MISSING_COLOR)]  # QML's catch-all category
        assert qml == legend, spec.name
        layer_gdf = zones.assign(**{spec.column: None}) if spec.column not in zones else zones
        page = make_map([MapLayer(layer_gdf, spec)], basemap="none").get_root().render()
        legend_html = page[page.index('id="zk-legend"'):]
        for label, color in spec.legend():
            assert label in legend_html and color in legend_html, spec.name
    assert qgis_color("#ff7f00", 0.5) == "255,127,0,128"


def test_gpkg_layer_styles_round_trip(tmp_path: Path, zones: gpd.GeoDataFrame) -> None:
    import pyogrio

    path = tmp_path / "z.gpkg"
    zones.to_file(path, layer="zones", engine="pyogrio")
    first = add_style_to_gpkg(path, "zones", zone_kind_style())
    add_style_to_gpkg(path, "zones", zone_kind_style())  # same name: replaced
    add_style_to_gpkg(path, "zones", land_output_style(zones["land_output_yi_per_km2"], k=2))
    rows = read_styles(path)
    assert [r["styleName"] for r in rows] == ["zones_by_kind", "land_output"]
    assert [r["useAsDefault"] for r in rows] == [0, 1] and first == 1
    row = rows[-1]
    assert row["f_table_name"] == "zones" and row["f_geometry_column"] == "geom"
    assert row["f_table_schema"] == "" and row["update_time"].endswith("Z")
    ET.fromstring(row["styleQML"].split("\n", 1)[1])  # parses as XML
    with sqlite3.connect(path) as con:
        contents = dict(con.execute("SELECT table_name, data_type FROM gpkg_contents"))
        cols = [r[1] for r in con.execute("PRAGMA table_info(layer_styles)")]
    assert contents["layer_styles"] == "attributes"
    assert cols == ["id", "f_table_catalog", "f_table_schema", "f_table_name",
                    "f_geometry_column", "styleName", "styleQML", "styleSLD", "useAsDefault",
                    "description", "owner", "ui", "update_time"]
    # GDAL still reads the file, and sees the styles table as an attribute layer.
    layers = dict(pyogrio.list_layers(path))
    assert "layer_styles" in layers and len(gpd.read_file(path, layer="zones")) == len(zones)
    with pytest.raises(SchemaError, match="mujun_class|class"):
        add_style_to_gpkg(path, "zones", mujun_class_style())


def test_qgis_applies_the_style(tmp_path: Path, zones: gpd.GeoDataFrame) -> None:
    """Open the styled layer in QGIS (Debian python3-qgis, offscreen) and check its style."""
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import qgis.core"], capture_output=True,
                           check=False) if Path(SYSTEM_PYTHON).exists() else None
    if probe is None or probe.returncode != 0:
        pytest.skip("QGIS not installed: install Debian python3-qgis (apt-get install "
                    "python3-qgis) to run the QGIS style test")
    path = tmp_path / "z.gpkg"
    zones.to_file(path, layer="zones", engine="pyogrio")
    spec = zone_kind_style()
    add_style_to_gpkg(path, "zones", spec)
    script = """
import json, os, sys
from qgis.core import QgsApplication, QgsVectorLayer
app = QgsApplication([], False); app.initQgis()
lyr = QgsVectorLayer(sys.argv[1] + "|layername=zones", "zones", "ogr")
r = lyr.renderer()
print(json.dumps({"valid": lyr.isValid(), "type": r.type(), "attr": r.classAttribute(),
    "classes": [[str(c.value()), c.label(), c.symbol().color().name()] for c in r.categories()],
    "labels": lyr.labelsEnabled(), "label_field": lyr.labeling().settings().fieldName,
    "aliases": {f.name(): f.alias() for f in lyr.fields() if f.alias()}}))
sys.stdout.flush(); os._exit(0)  # QGIS may crash on exit; the answer is out
"""
    done = subprocess.run([SYSTEM_PYTHON, "-c", script, str(path)], capture_output=True,
                          text=True, timeout=120, check=False,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr[-2000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["valid"] and got["type"] == "categorizedSymbol" and got["attr"] == "kind"
    assert got["classes"][:2] == [[c.value, c.label, c.color] for c in spec.categories]
    assert got["labels"] and got["label_field"] == "label_zh"
    assert got["aliases"]["area_km2"] == "面积（km²）"


# --- static maps and fonts -----------------------------------------------------------------

def test_cjk_font_renders_chinese(tmp_path: Path) -> None:
    _need_font()
    import matplotlib
    import matplotlib.pyplot as plt
    from fontTools.ttLib import TTFont
    from matplotlib import font_manager, ft2font

    from zonekit.maps.static import cjk_rc, find_cjk_font

    matplotlib.use("Agg")
    font = find_cjk_font()
    with cjk_rc(), warnings.catch_warnings():
        # "Glyph 23494 (\N{CJK UNIFIED IDEOGRAPH-5BC6}) missing from font(s)" means tofu.
        warnings.filterwarnings("error", message=".*[Gg]lyph.*missing.*")
        fig, ax = plt.subplots()
        text = ax.text(0.5, 0.5, "密云园 地均产出（亿元/km²）")
        fig.savefig(tmp_path / "label.png")
        resolved = font_manager.findfont(text.get_fontproperties(), fallback_to_default=False)
    plt.close(fig)
    assert Path(resolved).resolve() == Path(font.path).resolve()
    face = ft2font.FT2Font(str(resolved), face_index=font.face_index)
    assert ord("密") in face.get_charmap()
    assert ord("密") in TTFont(resolved, fontNumber=font.face_index).getBestCmap()


def test_font_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    _need_font()
    from zonekit.maps import static

    path = static.find_cjk_font().path
    static.find_cjk_font.cache_clear()
    monkeypatch.setenv("ZONEKIT_CJK_FONT", path)
    try:
        font = static.find_cjk_font()
        assert Path(font.path).resolve() == Path(path).resolve()
        assert static.has_glyphs(font.path, face_index=font.face_index)
    finally:
        static.find_cjk_font.cache_clear()


def test_missing_font_error_says_how_to_install(monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    from zonekit.maps import static

    static.find_cjk_font.cache_clear()
    monkeypatch.setattr(static, "_search", lambda entries: None)
    monkeypatch.setattr(static, "_add_new_system_fonts", lambda: False)
    try:
        with pytest.raises(static.FontNotFoundError, match="apt-get install fonts-noto-cjk"):
            static.find_cjk_font()
        monkeypatch.setenv("ZONEKIT_CJK_FONT", str(tmp_path / "none.ttf"))
        with pytest.raises(static.FontNotFoundError, match="ZONEKIT_CJK_FONT"):
            static.find_cjk_font()
    finally:
        static.find_cjk_font.cache_clear()


def test_static_map_png_and_pdf(tmp_path: Path, zones: gpd.GeoDataFrame) -> None:
    _need_font()
    import matplotlib

    from zonekit.maps.static import nice_length_m, plot_static, save_static

    matplotlib.use("Agg")
    layers = [MapLayer(zones, zone_kind_style())]
    ax = plot_static(layers, title="功能分区", synthetic=True)
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts == ["功能分区", "核心功能区", "市级高新区区块"]
    all_text = " ".join(t.get_text() for t in ax.texts)
    assert "北" in all_text and "合成样例" in all_text and " m" in all_text
    png = save_static(ax, tmp_path / "m.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pdf = save_static(plot_static(layers), tmp_path / "m.pdf")
    data = pdf.read_bytes()
    assert data[:5] == b"%PDF-"
    from zonekit.maps.static import find_cjk_font

    if "Noto Sans CJK" in find_cjk_font().family:
        assert b"NotoSansCJK" in data  # the CJK font is embedded
    assert nice_length_m(2000) == 200 and nice_length_m(9000) == 1000


# --- the command ---------------------------------------------------------------------------

def test_map_command_writes_all_formats(tiny_park_dir: Path, tmp_path: Path) -> None:
    _need_font()
    out = tmp_path / "maps"
    for kind, stem in (("zones", "map_zones"), ("land-output", "map_land_output")):
        result = runner.invoke(app, ["map", kind, "--data", str(tiny_park_dir), "--out",
                                     str(out), "--basemap", "none", "--format", "all"])
        assert result.exit_code == 0, result.output
        for ext in ("html", "png", "pdf", "gpkg"):
            assert (out / f"{stem}.{ext}").stat().st_size > 0
        styles = read_styles(out / f"{stem}.gpkg")
        assert len(styles) == 1 and styles[0]["useAsDefault"] == 1
    again = runner.invoke(app, ["map", "zones", "--data", str(tiny_park_dir), "--out", str(out),
                                "--basemap", "none"])
    assert again.exit_code == 2 and "--force" in again.output
    bad = runner.invoke(app, ["map", "nope", "--data", str(tiny_park_dir)])
    assert bad.exit_code == 2 and "zones" in bad.output and "Traceback" not in bad.output


def test_maps_draw_the_result_they_are_handed(tiny_park_dir: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A result's map uses its own tables: nothing is computed again for the map."""
    import zonekit as zk
    from zonekit.analysis.land import measures

    result = zk.measure_zones(data=tiny_park_dir)

    def no_recomputation(*args, **kwargs):
        raise AssertionError("the map recomputed the zone table")

    monkeypatch.setattr(measures, "zone_table", no_recomputation)
    for kind in ("zones", "land-output"):
        page = result.map(kind).get_root().render()
        assert "功能分区" in page or "地均产出" in page



# --- legends from the style specs, panels, GeoPackage layer names ---------------------------

def _circle_like_layers(zones: gpd.GeoDataFrame) -> list[MapLayer]:
    """Three per-category layers sharing one style, two same-titled styles, an outline."""
    import dataclasses

    from zonekit.maps.analysis_maps import renewal_plan_style, zone_outline_style

    spec = minutes_style([3, 8, 12])
    cats = [MapLayer(zones.assign(category=c, minutes=m), spec, name=f"可达范围：{c}")
            for c, m in (("pharmacy", 3.0), ("clinic", 8.0), ("market", 12.0))]
    cells = MapLayer(zones.assign(covered=[True, False]), coverage_style(), name="起点覆盖情况")
    roads = MapLayer(gpd.GeoDataFrame({"covered": [True, False]},
                                      geometry=zones.boundary.values, crs=zones.crs),
                     dataclasses.replace(coverage_style("covered", "line")), name="道路覆盖情况")
    plan = MapLayer(zones.assign(parcel_id=zones["zone_id"]), renewal_plan_style(),
                    name="腾笼换鸟更新方案")  # the plan layer is labelled with parcel ids
    return [*cats, cells, roads, plan, MapLayer(zones, zone_outline_style(), name="功能分区边界")]


def test_each_drawn_layer_has_one_legend_entry_of_its_colour(zones: gpd.GeoDataFrame) -> None:
    from zonekit.maps.legend import legend_groups, legend_html

    layers = _circle_like_layers(zones)
    groups = legend_groups(layers)
    titles = [g.title for g in groups]
    assert len(titles) == len(set(titles)), titles  # no "服务圈覆盖" twice
    assert titles.count("到达时间（分钟）") == 1  # one entry for the per-category layers
    assert {"起点覆盖情况", "道路覆盖情况"} <= set(titles)
    for layer in layers:
        drawn = set(layer.spec.colors(layer.gdf[layer.spec.column]) if layer.spec.column
                    else [layer.spec.color])
        owners = [g for g in groups if any(e.fill in drawn for e in g.entries)
                  and all(e.geometry == layer.spec.geometry for e in g.entries)]
        hits = [g for g in owners if {e.fill for e in g.entries} >= drawn]
        assert len(hits) == 1, (layer.title, drawn, titles)
    plan = next(g for g in groups if g.title == "腾笼换鸟更新方案地块").entries[0]
    # Drawn as a thick dark outline over a faint fill: the legend shows just that.
    assert (plan.stroke, plan.stroke_width_px, plan.fill_opacity) == ("#08519c", 3.0, 0.12)
    page = legend_html(groups)
    assert 'border:3px solid #08519c' in page and "rgba(8,81,156,0.12)" in page
    assert page.count("功能分区边界") == 1


def test_static_circle_map_has_one_panel_per_category(zones: gpd.GeoDataFrame) -> None:
    _need_font()
    import matplotlib

    matplotlib.use("Agg")
    from zonekit.maps.static import plot_static

    layers = _circle_like_layers(zones)
    ax = plot_static(layers, title="测试")
    fig = ax.figure
    titled = [a.get_title() for a in fig.axes if a.get_title()]
    assert titled[:3] == ["可达范围：pharmacy", "可达范围：clinic", "可达范围：market"]
    assert len(titled) == 4  # + one panel for the other layers
    legends = fig.legends
    assert len(legends) == 1 and not any(a.get_legend() for a in fig.axes)
    texts = [t.get_text() for t in legends[0].get_texts()]
    assert texts.count("到达时间（分钟）") == 1 and "功能分区边界" in texts
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_map_gpkg_layers_are_named_and_marked(tmp_path: Path, zones: gpd.GeoDataFrame) -> None:
    import pyogrio

    from zonekit.maps.gpkg_layers import write_map_gpkg

    layers = _circle_like_layers(zones)
    path = write_map_gpkg(layers, tmp_path / "m.gpkg", synthetic=True)
    names = [n for n, _ in pyogrio.list_layers(path) if n != "layer_styles"]
    assert names[:3] == ["coverage_pharmacy", "coverage_clinic", "coverage_market"]
    assert "zone_outline" in names and not any(n.startswith("map_") for n in names)
    with sqlite3.connect(path) as db:
        assert db.execute("pragma user_version").fetchone()[0] == 10200  # GeoPackage 1.2
        desc = dict(db.execute("select table_name, description from gpkg_contents"))
    assert all("SYNTHETIC" in desc[n] for n in names)
    plain = write_map_gpkg(layers, tmp_path / "u.gpkg")
    with sqlite3.connect(plain) as db:
        assert not any("SYNTHETIC" in (d or "") for (d,) in
                       db.execute("select description from gpkg_contents"))


def test_gpkg_is_version_1_2_with_all_styles_added_before_it_appears(tmp_path: Path) -> None:
    import sqlite3

    from zonekit.maps.qgis_style import add_styles_to_gpkg
    from zonekit.zones.io import write_csv, write_gpkg

    pts = gpd.GeoDataFrame({"name": ["甲", "乙"], "covered": [True, False]},
                           geometry=[Point(500_000, 4_470_000), Point(500_100, 4_470_000)],
                           crs="EPSG:4548")
    styles = [("a", zone_kind_style(label_column=None)), ("b", zone_kind_style())]
    styles = [(layer, type(spec)(name=f"s{layer}", title=layer, geometry="point"))
              for layer, spec in styles]
    seen = []

    def finish(tmp: Path) -> None:
        seen.append(tmp.exists() and not (tmp_path / "x.gpkg").exists())
        add_styles_to_gpkg(tmp, styles)

    path = write_gpkg({"a": pts, "b": pts}, tmp_path / "x.gpkg", finish=finish)
    assert seen == [True]  # styled in the temporary file, before the target appears
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA user_version").fetchone()[0] == 10200  # GeoPackage 1.2
    assert con.execute("SELECT f_table_name, useAsDefault FROM layer_styles ORDER BY id"
                       ).fetchall() == [("a", 1), ("b", 1)]
    con.close()
    def fail(tmp: Path) -> None:
        raise RuntimeError("styling failed")

    with pytest.raises(RuntimeError):
        write_gpkg({"a": pts}, tmp_path / "y.gpkg", finish=fail)
    assert not (tmp_path / "y.gpkg").exists()
    csv = write_csv(pts.drop(columns="geometry"), tmp_path / "x.csv")
    assert csv.read_bytes() == '\ufeff"name","covered"\n"甲","True"\n"乙","False"\n'.encode()
