"""Counts are whole numbers everywhere in the sample's report and workbook (#27 item 5).

People, firms, parcels, facilities and sites are counted: "276 家", never "276.00 家" or
"864.0 人", in the page's text, in its tables and in the workbook's cells (stored as
integers). The population a circle covers is a raster's estimate and is shown whole too.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

#: Units of counted things, as headings (``名称（单位）``) and text (``276 家``) write them.
COUNT_UNITS = ("人", "家", "个", "块", "处", "座", "宗", "件")
_IN_TEXT = re.compile(r"\d[\d,]*\.\d+\s*(?:" + "|".join(COUNT_UNITS) + r")(?!百分点)")
#: Units of a row of a table with a unit per row that count things. Not 件: the plan's
#: "每万名从业人员发明专利拥有量" is patents per 10,000 employees, a rate.
ROW_UNITS = ("人", "家", "个", "块", "处", "座")
_HEADING = re.compile(r"（(?:" + "|".join(COUNT_UNITS) + r")）$")
_WHOLE = re.compile(r"^(—|[\d,]+)$")
_NUMBER = re.compile(r"^-?[\d,]+(\.\d+)?$")


def _columns(heads: list[str]) -> tuple[set[int], int | None, set[int]]:
    """Columns of counts; the ``单位`` column of a table of mixed units, and its amounts.

    In a table with a unit per row (plan indicators, circle coverage), a row counting
    things (unit 家, 人 …) has its amounts whole: every column but shares (``%``).
    """
    counted = {i for i, h in enumerate(heads) if _HEADING.search(h)}
    if "单位" not in heads:
        return counted, None, set()
    amounts = {i for i, h in enumerate(heads) if "%" not in h and h != "单位"}
    return counted, heads.index("单位"), amounts


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report of the bundled sample park (``zk.report``)."""
    from conftest import SAMPLE

    import zonekit as zk

    if not (SAMPLE / "park.gpkg").exists():
        pytest.skip("data/sample/park.gpkg missing: run `make sample`")
    return zk.report(out=tmp_path_factory.mktemp("counts") / "report", force=True).html


def decimal_counts_in_page(page: str) -> list[str]:
    """Counts written with decimals in the visible text and the tables of a report page."""
    page = re.sub(r"<(iframe|script|style)\b.*?</\1>", "", page, flags=re.S)
    found = [m.group(0) for m in _IN_TEXT.finditer(html.unescape(re.sub(r"<[^>]+>", " ", page)))]
    for table in re.findall(r"<table>(.*?)</table>", page, flags=re.S):
        heads = [html.unescape(h) for h in re.findall(r"<th>(.*?)</th>", table)]
        counted, unit, amounts = _columns(heads)
        for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)[1:]:
            cells = [html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
            cols = counted | (amounts if unit is not None and cells[unit] in ROW_UNITS
                              else set())
            found += [f"{heads[i]}: {cells[i]}" for i in sorted(cols)
                      if _NUMBER.match(cells[i]) and not _WHOLE.match(cells[i])]
    return found


def decimal_counts_in_workbook(xlsx: Path) -> list[str]:
    """Counted cells (count columns, coverage rows of counted units) with decimals.

    A cell has decimals when its value is not whole or its number format shows decimals
    (Excel files store 864.0 as 864, so the format is what a reader sees).
    """
    import openpyxl

    found = []
    for ws in openpyxl.load_workbook(xlsx, read_only=True).worksheets:
        rows = ws.iter_rows()
        heads: list[str] = []
        for row in rows:  # the header: the first row of several non-empty cells
            if sum(c.value is not None for c in row) > 1:
                heads = [str(c.value) for c in row]
                break
        counted, unit, amounts = _columns(heads)
        for row in rows:
            cols = counted | (amounts if unit is not None and row[unit].value in ROW_UNITS
                              else set())
            found += [f"{ws.title}/{heads[i]}: {row[i].value!r} {row[i].number_format}"
                      for i in sorted(cols) if isinstance(row[i].value, int | float)
                      and not isinstance(row[i].value, bool)
                      and (row[i].value != round(row[i].value) or "." in row[i].number_format)]
    return found


def test_the_scans_find_counts_with_decimals(tmp_path: Path) -> None:
    page = ("<p>共 276.00 家，增加 7.4 个百分点</p><table><tr><th>企业数（家）</th>"
            "<th>单位</th><th>覆盖量</th><th>总量</th></tr><tr><td>3</td><td>人</td>"
            "<td>864.0</td><td>1,000</td></tr><tr><td>2.5</td><td>km</td><td>1.5</td>"
            "<td>2.5</td></tr></table>")
    assert sorted(decimal_counts_in_page(page)) == ["276.00 家", "企业数（家）: 2.5",
                                                    "覆盖量: 864.0"]
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["企业数（家）", "单位", "覆盖量", "总量"])
    ws.append([3, "人", 864.5, 1000])
    ws.append([2, "km", 1.5, 2.5])
    ws["A3"].number_format = "#,##0.00"  # 2 shown as 2.00
    wb.save(tmp_path / "b.xlsx")
    assert decimal_counts_in_workbook(tmp_path / "b.xlsx") == [
        "Sheet/覆盖量: 864.5 General", "Sheet/企业数（家）: 2 #,##0.00"]


def test_sample_report_and_workbook_count_in_whole_numbers(sample_report: Path) -> None:
    assert decimal_counts_in_page(sample_report.read_text(encoding="utf-8")) == []
    assert decimal_counts_in_workbook(sample_report.with_suffix(".xlsx")) == []


def test_console_coverage_counts_people_whole(capsys: pytest.CaptureFixture[str]) -> None:
    import pandas as pd

    from zonekit.cli.commands_circles import _print

    cov = pd.DataFrame({"scenario": ["current"] * 2, "category": ["pharmacy", "charging"],
                        "name_zh": ["药店", "充电站"], "measure": ["population", "road_length_km"],
                        "unit": ["persons", "km"], "limit": [15.0, 5.0],
                        "covered": [864.4, 170.25], "total": [1000.2, 226.0],
                        "share": [0.8642, 0.7533]})
    _print(cov, "15分钟便民生活圈")
    out = capsys.readouterr().out
    assert "864 " in out and "1,000 " in out and "864.4" not in out  # persons: whole
    assert "170.2" in out and "226.0" in out  # lengths keep their decimal
