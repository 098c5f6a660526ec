"""``zonekit report``: the HTML report and the Excel workbook, built from the analyses' outputs.

The browser test (``test_browser.py``) opens the report in Chromium; here the files are
checked as text and with openpyxl.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from intensity_fixtures import enterprises, parcels, zones
from typer.testing import CliRunner

from zonekit.cli.app import app

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


def test_report_figures_come_from_the_outputs(tiny_report: Path, tmp_path: Path) -> None:
    import shutil

    from zonekit.maps.report import headline, write_report
    from zonekit.maps.report_data import load_outputs

    copy = tmp_path / "copy"
    shutil.copytree(tiny_report, copy)
    table = pd.read_csv(copy / "indicators" / "indicators.csv", encoding="utf-8-sig")
    row = table["indicator"] == "land_output_yi_per_km2"
    card = next(c for c in headline(load_outputs(copy)) if c["label"].startswith("地均产出"))
    assert card["value"] == f"{table.loc[row, 'value'].iloc[0]:,.1f}"
    assert f"目标 {table.loc[row, 'target'].iloc[0]:,.1f}" in card["detail"]
    # Change the outputs: the report follows (nothing is written in code).
    table.loc[row, "target"] = 123.4
    table.to_csv(copy / "indicators" / "indicators.csv", index=False, encoding="utf-8-sig")
    summary = json.loads((copy / "intensity" / "summary.json").read_text(encoding="utf-8"))
    summary["low_efficiency_parcels"] = 987
    (copy / "intensity" / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    page, _ = write_report(copy)
    text = page.read_text(encoding="utf-8")
    assert "目标 123.4" in text and ">987 <span>块" in text


def test_workbook_has_chinese_headers_and_the_csv_values(tiny_report: Path) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(tiny_report / "report.xlsx", read_only=True)
    assert wb.sheetnames[:3] == ["说明", "规划指标", "功能分区"]
    sheets = {"亩均效益分类", "低效用地", "更新方案", "发展路径", "地块", "企业"}
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


def test_missing_outputs_are_named(tmp_path: Path) -> None:
    from zonekit.errors import DataFileError
    from zonekit.maps.report_data import load_outputs

    (tmp_path / "zones").mkdir()
    with pytest.raises(DataFileError, match=r"intensity/summary\.json.*indicators"):
        load_outputs(tmp_path)


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

    sheets = openpyxl.load_workbook(report.with_suffix(".xlsx"), read_only=True).sheetnames
    assert {"生活圈覆盖", "充电站选址", "企业"} <= set(sheets)
