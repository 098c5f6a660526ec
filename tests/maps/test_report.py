"""``zonekit report``: the HTML report and the Excel workbook, built from the analyses' outputs.

The browser test (``test_browser.py``) opens the report in Chromium; here the files are
checked as text and with openpyxl.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from intensity_fixtures import enterprises, parcels, zones
from typer.testing import CliRunner

from zonekit.cli.app import app
from zonekit.maps.report_data import Outputs

runner = CliRunner()
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def tiny_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``zonekit report`` run on the tiny park (offline basemap)."""
    base = tmp_path_factory.mktemp("tiny")
    data = base / "park"
    data.mkdir()
    for name, gdf in {"zones": zones(), "parcels": parcels(), "enterprises": enterprises()}.items():
        gdf.to_file(data / f"{name}.gpkg", layer=name, engine="pyogrio")
    out = base / "report"
    result = runner.invoke(app, ["report", "--data", str(data), "--out", str(out),
                                 "--basemap", "none"])
    assert result.exit_code == 0, result.output
    assert f"Report: {(out / 'report.html').resolve()}" in result.output
    return out


@pytest.fixture(scope="module")
def tiny_outputs(tiny_report: Path) -> Outputs:
    """The report's view of the analyses of the tiny park, as ``zk.report`` hands it over."""
    import zonekit as zk
    from zonekit.api.report import outputs_of, run_all

    results, _ = run_all(zk.load_park(tiny_report.parent / "park"))
    return outputs_of(results, tiny_report)


def test_report_runs_the_analyses_into_subfolders(tiny_report: Path) -> None:
    for sub, name in (("zones", "zones.csv"), ("intensity", "parcels.gpkg"),
                      ("intensity", "map_mujun.html"), ("indicators", "indicators.csv")):
        assert (tiny_report / sub / name).exists(), f"{sub}/{name}"
    assert (tiny_report / "report.html").stat().st_size > 0
    assert (tiny_report / "report.xlsx").stat().st_size > 0


def test_report_is_self_contained_and_chinese(tiny_report: Path) -> None:
    page = (tiny_report / "report.html").read_text(encoding="utf-8")
    assert not re.findall(r'<script[^>]+src="https?:', page)
    assert not re.findall(r'<link[^>]+href="https?:', page)
    assert not re.findall(r'src=&quot;https?:', page)  # nor inside the maps' srcdoc
    assert "openstreetmap" not in page.lower()
    assert page.count("<iframe") == 4  # zones, land output, 亩均, low efficiency
    assert 'src="data:image/png;base64,' in page  # the trajectory chart
    for heading in ("核心指标与规划目标", "规划主要指标（表 1-1）跟踪", "功能分区与地均产出",
                    "亩均效益评价", "低效用地与腾笼换鸟", "口径说明", "地均产出（亿元/km²）",
                    "面积（km²）"):
        assert heading in page, heading
    assert 'id="zk-synthetic"' not in page  # the user's data: no synthetic banner


def test_report_figures_come_from_the_outputs(tiny_outputs: Outputs, tmp_path: Path) -> None:
    from dataclasses import replace

    from zonekit.maps.report import headline, write_report_from

    table = tiny_outputs.indicators.copy()
    row = table["indicator"] == "land_output_yi_per_km2"
    card = next(c for c in headline(tiny_outputs) if c["label"].startswith("地均产出"))
    assert card["value"] == f"{table.loc[row, 'value'].iloc[0]:,.1f}"
    assert f"目标 {table.loc[row, 'target'].iloc[0]:,.1f}" in card["detail"]
    # Change the results: the report follows (nothing is written in code).
    table["target"] = table["target"].astype(float)
    table.loc[row, "target"] = 123.4
    summary = {**tiny_outputs.intensity, "low_efficiency_parcels": 987}
    changed = replace(tiny_outputs, indicators=table, intensity=summary)
    page, _ = write_report_from(changed, tmp_path)
    text = page.read_text(encoding="utf-8")
    assert "目标 123.4" in text and ">987 <span>块" in text


def test_workbook_has_chinese_headers_and_the_csv_values(tiny_report: Path) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(tiny_report / "report.xlsx", read_only=True)
    assert wb.sheetnames[:3] == ["说明", "规划指标", "功能分区"]
    sheets = {"地块亩均效益分类", "企业亩均效益分类", "低效用地", "更新方案", "发展路径", "地块",
              "企业"}
    assert sheets <= set(wb.sheetnames)
    for ws in wb.worksheets:
        header = [c.value for c in next(ws.iter_rows(max_row=1))]
        assert all(CJK.search(str(h)) for h in header), (ws.title, header)
    sheet = pd.read_excel(tiny_report / "report.xlsx", sheet_name="功能分区")
    csv = pd.read_csv(tiny_report / "zones" / "zones.csv", encoding="utf-8-sig")
    assert sheet["面积（km²）"].tolist() == pytest.approx(csv["area_km2"].tolist())
    assert sheet["类型"].tolist()[-1] == "合计" and sheet["分区编号"].tolist()[-1] == "合计"
    assert set(sheet["类型"].iloc[:-1].dropna()) <= {"核心功能区", "市级高新区区块"}
    traj = pd.read_excel(tiny_report / "report.xlsx", sheet_name="发展路径")
    assert set(traj["情景"]) == {"主情景", "保守情景"} and traj["年份"].dtype.kind == "i"


def test_report_refuses_to_overwrite(tiny_report: Path) -> None:
    result = runner.invoke(app, ["report", "--out", str(tiny_report)])
    assert result.exit_code == 2 and "--force" in result.output
    bad = runner.invoke(app, ["report", "--out", str(tiny_report / "new"), "--basemap", "bing"])
    assert bad.exit_code == 2 and "--basemap" in bad.output


def test_missing_results_are_named(tmp_path: Path) -> None:
    from zonekit.api.report import outputs_of
    from zonekit.errors import ZonekitError

    with pytest.raises(ZonekitError, match=r"missing: zones, intensity, indicators"):
        outputs_of([], tmp_path)


def test_trajectory_chart_draws_each_scenario(tiny_report: Path) -> None:
    import matplotlib

    from zonekit.maps.report import png_data_uri, trajectory_axes

    matplotlib.use("Agg")
    traj = pd.read_csv(tiny_report / "intensity" / "trajectory.csv", encoding="utf-8-sig")
    ax = trajectory_axes(traj)
    assert len(ax.get_lines()) == 2 * traj["scenario"].nunique() + 1  # + the target line
    assert png_data_uri(ax).startswith("data:image/png;base64,iVBOR")


def test_demo_ends_with_the_report(sample_dir: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--out", str(tmp_path / "demo")])
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    report = (tmp_path / "demo" / "report.html").resolve()
    assert last == f"Report: {report}"
    page = report.read_text(encoding="utf-8")
    assert 'id="zk-synthetic"' in page and "合成样例" in page
    # The demo's circles runs are in the report: their section, cards, tables and maps.
    assert page.count("<iframe") == 7  # + life circle, industry circle, charging circle
    for text in ("生活圈与充电设施", "15分钟生活圈基本业态齐全", "5分钟充电圈覆盖人口",
                 "充电站选址"):
        assert text in page, text
    import openpyxl

    wb = openpyxl.load_workbook(report.with_suffix(".xlsx"), read_only=True)
    assert {"生活圈覆盖", "充电站选址", "企业"} <= set(wb.sheetnames)
    for ws in wb.worksheets:  # the synthetic sample: marked on every sheet
        assert "合成样例" in str(next(ws.iter_rows(max_row=1))[0].value), ws.title
    assert "结论与建议" in page and "充电站选址）" in page  # a finding names its table
    _check_demo_findings(page, tmp_path / "demo")
    assert not internal_labels(body_text(page))
    for ws in wb.worksheets:  # every cell of the workbook, headers and values
        cells = " ".join(str(v) for row in ws.iter_rows(values_only=True) for v in row
                         if isinstance(v, str))
        assert not internal_labels(cells), (ws.title, internal_labels(cells)[:5])


def _check_demo_findings(page: str, folder: Path) -> None:
    """One answer per question, each figure as the result tables have it (#27 item 1)."""
    import json

    import geopandas as gpd

    findings = page.split('<ul class="zk-findings">')[1].split("</ul>")[0]
    heads = json.loads((folder / "intensity" / "summary.json").read_text())["renewal"]
    renew = findings[findings.index("腾笼换鸟"):]
    assert renew.startswith(f"腾笼换鸟</b>：{heads['act_on_zh']}")  # the plan to act on first
    assert "不更新为" not in findings
    siting = json.loads((folder / "circles_charging" / "summary.json").read_text())["siting"]
    sites = gpd.read_file(folder / "circles_charging" / "sites.gpkg", layer="sites")
    fewest = sites.loc[sites["solution"] == "set_cover"]
    assert f"覆盖 {100 * siting['target_share']:.0f}% 的建设用地" in findings
    assert f"达到目标最少需新建 {len(fewest)} 座" in findings
    assert f"覆盖率升至 {fewest['share_after_pct'].iloc[-1]:.1f}%" in findings
    assert "mclp-" not in findings and "set_cover-" not in findings and "新建站点1" in findings
    assert "中关村密云园" in page.split("<title>")[1].split("</title>")[0]


# --- words and numbers a director can read ---------------------------------------------------

def body_text(page: str) -> str:
    """The report's visible text, without the maps, the chart and the verbatim program notes."""
    import html

    body = page.split("<body>", 1)[1]
    body = re.sub(r"<iframe.*?</iframe>", " ", body, flags=re.S)
    body = re.sub(r'<ul class="zk-raw" lang="en">.*?</ul>', " ", body, flags=re.S)
    body = re.sub(r"<img[^>]*>", " ", body)
    return html.unescape(re.sub(r"<[^>]+>", "\n", body))


#: Internal English labels a reader must never see (status codes, solution names, scenarios).
INTERNAL_LABEL = re.compile(r"\b(?:[a-z]+(?:_[a-z0-9]+)+|mclp|main|conservative|graded|"
                            r"not graded|unnamed|unassigned|founded|revenue|land|weight|"
                            r"origins|persons)\b"
                            r"|\([a-z][a-z0-9_ -]{2,}\)")  # bracketed codes: (unassigned)


def internal_labels(text: str) -> list[str]:
    """Internal English labels in ``text``: snake_case codes and the analyses' own words."""
    return INTERNAL_LABEL.findall(text)


def test_internal_label_scan_finds_them() -> None:
    assert internal_labels("状态 graded_separately，站点 mclp-1，main：不更新") == [
        "graded_separately", "mclp", "main"]
    assert internal_labels("分区 (unassigned)，单位 weight") == ["(unassigned)", "weight"]
    assert not internal_labels("新建站点1（丰泽街旁），EPSG:4548，HiGHS，GZ-0105，面积 (km²)")


def english_sentences(text: str) -> list[str]:
    """Runs of three or more Latin words (codes like GZ-0105 or EPSG:4548 are single words)."""
    return re.findall(r"[A-Za-z][A-Za-z_]+(?:[ ,;:]+[A-Za-z_]{2,}){2,}", text)


def test_report_body_is_chinese_without_paths(tiny_report: Path) -> None:
    page = (tiny_report / "report.html").read_text(encoding="utf-8")
    text = body_text(page)
    assert english_sentences(text) == []
    assert re.findall(r"(?:/[\w.-]+){2,}|[A-Za-z]:\\", text) == []  # no file path
    raw = re.findall(r"\b[a-z]+(?:_[a-z0-9]+)+\b", text)  # built_land_km2, in_plan_main…
    assert raw == [], raw
    assert "口径说明" in text and "建成建设用地" in text and "bundled sample" not in page
    # A park the data does not name is 园区, never the sample's 中关村密云园.
    assert "<title>园区 空间布局与土地效益分析报告</title>" in page
    titles = re.findall(r'<h3 class="zk-map-title">(.*?)</h3>', page)
    assert len(titles) == 4 and all(t.startswith("园区 ") for t in titles), titles


def test_english_detector_finds_a_sentence() -> None:
    assert english_sentences("说明：firms in 生命健康 and other notes")
    assert not english_sentences("地块 GZ-0105，坐标系 EPSG:4548，zonekit 0.1.0 生成")


def test_conclusions_follow_the_figures(tiny_outputs: Outputs) -> None:
    from dataclasses import replace

    from zonekit.maps.conclusions import conclusions

    out = replace(tiny_outputs)  # a copy: the indicators are replaced below
    before = [f.text for f in conclusions(out)]
    assert before and all(re.search(r"\d", t) for t in before)
    assert {f.source for f in conclusions(out)} <= {"规划指标", "发展路径", "更新方案",
                                                    "生活圈覆盖", "服务缺口图层", "充电站选址"}
    ind = out.indicators.copy()
    row = ind.index[ind["supported"].astype(bool)][0]
    ind.loc[row, ["value", "target", "gap", "required_annual_growth_pct", "on_track"]] = \
        [12.5, 99.0, 86.5, 33.3, False]
    out.indicators = ind
    after = [f.text for f in conclusions(out)]
    assert after != before
    name = ind.loc[row, "name_zh"]
    hit = next(t for t in after if t.startswith(f"{name}："))
    assert "现状 12.5" in hit and "目标 99.0" in hit and "33.3%" in hit


def test_workbook_formats_and_page_setup(tiny_report: Path) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(tiny_report / "report.xlsx")
    ws = wb["功能分区"]
    header = [c.value for c in ws[1]]
    area = ws.cell(row=2, column=header.index("面积（km²）") + 1)
    assert area.number_format == "#,##0.00"
    firms = ws.cell(row=2, column=header.index("企业数（家）") + 1)
    assert firms.number_format == "#,##0"
    share = wb["地块亩均效益分类"]
    col = [c.value for c in share[1]].index("面积占比（%）") + 1
    assert share.cell(row=2, column=col).number_format == '#,##0.0"%"'
    for ws in wb.worksheets:
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == "$1:$1" and ws.freeze_panes == "A2"
        assert ws.row_dimensions[1].height >= 15
        assert "合成" not in str(ws["A1"].value)  # user data: no synthetic mark
    # One level per table: parcels by the parcel's class, firms by the firm's own class.
    parcels = [c.value for c in wb["地块亩均效益分类"][1]]
    firms = [c.value for c in wb["企业亩均效益分类"][1]]
    assert "地块数（个）" in parcels and "企业数（家）" not in parcels
    assert "企业数（家）" in firms and "地块数（个）" not in firms
