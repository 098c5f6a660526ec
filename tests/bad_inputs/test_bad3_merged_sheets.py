"""Excel sheets with merged header cells, title rows, blank and 合计 rows (zones/merged.py).

A planner's enterprise list as Excel and WPS export it: a title merged across the sheet,
a unit line, a two-row header (``经营指标`` merged over 营业收入/税收/从业人员, the other names
merged down over both rows), a zone name merged down over its firms, a blank row and a
合计 row. A hypothesis test draws these variants at random; a CLI run reads the sheet
through a mapping as the planner meant it.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from zonekit.cli.app import app
from zonekit.zones.tables import read_table

runner = CliRunner()
NAMES = ["企业编号", "企业名称", "经度", "纬度"]
FIGURES = ["营业收入", "税收", "从业人员"]


def write_sheet(path: Path, rows: list[list], *, title: bool, two_rows: bool, zone_merge: bool,
                blank: bool, total: bool, years: bool = False) -> int:
    """Write the sheet; return the spreadsheet row of its first data row."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "企业名录"
    top = 1
    width = len(NAMES) + len(FIGURES) + 1
    if title:
        ws.cell(1, 1, "2024年 密云园区规模以上企业名录")
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        ws.cell(2, 1, "单位：万元、人")
        top = 3
    names = [*NAMES, *FIGURES, "所属园区"]
    for j, name in enumerate(names, start=1):
        figure = name in FIGURES
        if two_rows and figure:
            ws.cell(top + 1, j, name)
        else:
            ws.cell(top, j, name)
            if two_rows:
                ws.merge_cells(start_row=top, start_column=j, end_row=top + 1, end_column=j)
    if two_rows:
        first = len(NAMES) + 1
        ws.cell(top, first, "2024年经营指标" if years else "经营指标")
        ws.merge_cells(start_row=top, start_column=first, end_row=top,
                       end_column=first + len(FIGURES) - 1)
    row = top + (2 if two_rows else 1)
    start = row
    body = [list(r) for r in rows]
    if blank:
        body.insert(1, [None] * width)
    if total:
        body.append(["合计", None, None, None, *[sum(r[4 + k] for r in rows) for k in range(3)],
                     None])
    for r in body:
        for j, v in enumerate(r, start=1):
            ws.cell(row, j, v)
        row += 1
    if zone_merge:  # the zone's name merged down over the data rows (blank one included)
        ws.cell(start, width, "高端智造区")
        ws.merge_cells(start_row=start, start_column=width, end_row=start + len(rows) - 1
                       + int(blank), end_column=width)
    book.save(path)
    return start


def _rows(n: int, revenue: list[int], people: list[int]) -> list[list]:
    return [[f"E{i}", f"企业{i}", 116.85 + i / 1000, 40.37 + i / 1000, revenue[i],
             revenue[i] // 20, people[i], None if i else "高端智造区"] for i in range(n)]


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=st.booleans(), two_rows=st.booleans(), zone_merge=st.booleans(),
       blank=st.booleans(), total=st.booleans(), n=st.integers(2, 6),
       revenue=st.lists(st.integers(0, 10**6), min_size=6, max_size=6),
       people=st.lists(st.integers(0, 5_000), min_size=6, max_size=6))
def test_merged_sheet_variants(tmp_path_factory, title, two_rows, zone_merge, blank, total, n,
                               revenue, people) -> None:
    path = tmp_path_factory.mktemp("sheet") / "e.xlsx"
    rows = _rows(n, revenue, people)
    if not zone_merge:
        for r in rows:
            r[-1] = "高端智造区"
    start = write_sheet(path, rows, title=title, two_rows=two_rows, zone_merge=zone_merge,
                        blank=blank, total=total)
    before = path.read_bytes()
    got = read_table(path)
    assert list(got.columns) == [*NAMES, *FIGURES, "所属园区"]
    assert got["企业编号"].tolist() == [f"E{i}" for i in range(n)]
    assert pd.to_numeric(got["营业收入"]).tolist() == revenue[:n]
    assert pd.to_numeric(got["从业人员"]).tolist() == people[:n]
    assert got["所属园区"].tolist() == ["高端智造区"] * n
    kept = [start + i for i in range(n + int(blank)) if not (blank and i == 1)]
    assert got.attrs["zonekit_rows"] == kept
    text = " ".join(m for m, _ in got.attrs["zonekit_notes"])
    assert ("a header over rows" in text) == two_rows
    assert ("total rows" in text) == total and ("blank rows" in text) == blank
    assert path.read_bytes() == before


def test_repeated_sub_headers_keep_their_group(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    for j, name in enumerate(["企业编号", "2023年", None, "2024年", None], start=1):
        ws.cell(1, j, name)
    ws.merge_cells("A1:A2")
    ws.merge_cells("B1:C1")
    ws.merge_cells("D1:E1")
    for j, name in enumerate(["营业收入", "从业人员", "营业收入", "从业人员"], start=2):
        ws.cell(2, j, name)
    ws.append(["E1", 10, 2, 12, 3])
    ws["G3"] = "说明"  # a value under no header cell
    book.save(tmp_path / "e.xlsx")
    got = read_table(tmp_path / "e.xlsx")
    assert list(got.columns)[:5] == ["企业编号", "2023年/营业收入", "2023年/从业人员",
                                     "2024年/营业收入", "2024年/从业人员"]
    text = " ".join(m for m, _ in got.attrs["zonekit_notes"])
    assert "columns named 2023年/营业收入" in text
    assert "no header cell in rows 1–2: G ('Unnamed: 6')" in text


def test_cli_reads_a_merged_header_sheet(tiny_park, tmp_path: Path) -> None:
    from corpus_round2 import write

    folder = tmp_path / "park"
    folder.mkdir()
    write(tiny_park, folder, enterprises=None)
    e = tiny_park["enterprises"].to_crs(4326)
    rows = [[r.ent_id, r.name, p.x, p.y, r.revenue_wan, r.tax_wan, r.employees, "高端智造区"]
            for r, p in zip(e.itertuples(), e.geometry, strict=True)]
    write_sheet(folder / "enterprises.xlsx", rows, title=True, two_rows=True, zone_merge=True,
                blank=True, total=True)
    extra = {"industry": list(e["industry"]), "parcel_id": list(e["parcel_id"])}
    mapping = folder / "mapping.yaml"
    mapping.write_text(
        "enterprises:\n  columns: {企业编号: ent_id, 企业名称: name, 营业收入: revenue_wan, "
        "税收: tax_wan, 从业人员: employees}\n", encoding="utf-8")
    book = openpyxl.load_workbook(folder / "enterprises.xlsx")
    ws = book.active
    for j, (name, values) in enumerate(extra.items(), start=9):
        ws.cell(3, j, name)
        ws.merge_cells(start_row=3, start_column=j, end_row=4, end_column=j)
        for i, v in enumerate([values[0], None, *values[1:]]):
            ws.cell(5 + i, j, v)
    book.save(folder / "enterprises.xlsx")
    result = runner.invoke(app, ["zones", "--data", str(folder), "--mapping", str(mapping),
                                 "--crs", "EPSG:4326", "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "a header over rows 3–4 (merged cells): group titles 经营指标" in text
    assert "total rows" in text and "Unnamed" not in text
    zones = pd.read_csv(tmp_path / "o" / "zones.csv", encoding="utf-8-sig")
    park = zones.loc[zones["zone_id"] == "park"]
    assert park["employees"].item() == 560
    assert park["revenue_yi"].item() == pytest.approx(12.6)
