"""Bad input, third round: planners' spreadsheets read as they meant them.

Numbers typed with full-width digits, thousands separators, decimal commas (coordinates)
and count units (``300人``), under title rows, with blank and 合计 rows: read as numbers,
with a note naming each fix. A hypothesis test draws the variants at random (CSV as Excel and
WPS export it: UTF-8 with BOM, or GBK; and .xlsx).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from zonekit.cli.app import app
from zonekit.zones.cells import tidy_numbers
from zonekit.zones.tables import read_table

runner = CliRunner()
FULL = str.maketrans("0123456789.,-", "０１２３４５６７８９．，－")


def _spell(value: float, style: str, decimals: int = 4) -> str:
    text = f"{value:.{decimals}f}"
    if style == "full-width":
        return text.translate(FULL)
    if style == "decimal comma":
        return text.replace(".", ",")
    return text


def _count(value: int, style: str) -> str:
    if style == "thousands":
        return f"{value:,}"
    if style == "unit":
        return f"{value}人"
    if style == "full-width":
        return str(value).translate(FULL)
    return str(value)


def test_tidy_numbers_reads_each_spelling() -> None:
    df = pd.DataFrame({"经度": ["116,852", "116,9"], "从业人员": ["1,200", "300人"],
                       "名称": ["甲,乙", "丙"], "营收": ["１２．５", "7"]})
    out, notes = tidy_numbers(df, ("经度",))
    assert out["经度"].tolist() == ["116.852", "116.9"]
    assert out["从业人员"].tolist() == ["1200", "300"]
    assert out["名称"].tolist() == ["甲,乙", "丙"]  # text stays text
    assert out["营收"].tolist() == ["12.5", "7"]
    text = " ".join(m for m, _ in notes)
    for fragment in ("'经度'", "decimal comma", "'从业人员'", "thousands separators", "unit 人",
                     "'营收'", "full-width digits"):
        assert fragment in text, fragment
    assert df["经度"].tolist() == ["116,852", "116,9"]  # the input frame is untouched


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(coord=st.sampled_from(["plain", "full-width", "decimal comma"]),
       count=st.sampled_from(["plain", "thousands", "unit", "full-width"]),
       title=st.booleans(), blank=st.booleans(), total=st.booleans(),
       fmt=st.sampled_from(["csv-utf8", "csv-gbk", "xlsx"]),
       lons=st.lists(st.floats(116.80, 116.90), min_size=2, max_size=6),
       people=st.lists(st.integers(0, 99_999), min_size=6, max_size=6))
def test_spreadsheet_variants(tmp_path_factory, coord, count, title, blank, total, fmt, lons,
                              people) -> None:
    folder = tmp_path_factory.mktemp("sheet")
    n = len(lons)
    rows = [[f"E{i}", _spell(lon, coord), _spell(40.37 + i / 1000, coord),
             _count(people[i], count)] for i, lon in enumerate(lons)]
    if blank:
        rows.insert(1, [None] * 4)
    if total:
        rows.append(["合计", None, None, _count(sum(people[:n]), count)])
    table = pd.DataFrame(rows, columns=["企业编号", "经度", "纬度", "从业人员"])
    path = folder / ("e.xlsx" if fmt == "xlsx" else "e.csv")
    if fmt == "xlsx":
        table.to_excel(path, index=False, startrow=2 if title else 0)
        if title:
            import openpyxl

            book = openpyxl.load_workbook(path)
            book.active["A1"] = "2024年 园区企业名录"
            book.save(path)
    else:
        body = table.to_csv(index=False)
        head = "2024年 园区企业名录,,,\n单位：人,,,\n" if title else ""
        path.write_bytes((head + body).encode("utf-8-sig" if fmt == "csv-utf8" else "gbk"))
    got = read_table(path)
    assert got["企业编号"].tolist() == [f"E{i}" for i in range(n)]
    assert pd.to_numeric(got["经度"]).round(4).tolist() == [round(v, 4) for v in lons]
    assert pd.to_numeric(got["从业人员"]).tolist() == people[:n]


def test_cli_reads_decimal_commas_and_units(tiny_park, tmp_path: Path) -> None:
    from corpus_round2 import write

    folder = tmp_path / "park"
    folder.mkdir()
    write(tiny_park, folder, enterprises=None)
    e = tiny_park["enterprises"].to_crs(4326)
    table = pd.DataFrame(e.drop(columns="geometry"))
    table["lon"] = [f"{x:.6f}".replace(".", ",") for x in e.geometry.x]
    table["lat"] = [f"{y:.6f}".replace(".", ",") for y in e.geometry.y]
    table["employees"] = [f"{v}人" for v in table["employees"]]
    table["revenue_wan"] = [f"{v:,.0f}" for v in table["revenue_wan"]]
    table.to_csv(folder / "enterprises.csv", index=False,
                 encoding="utf-8-sig")
    result = runner.invoke(app, ["zones", "--data", str(folder), "--crs", "EPSG:4326",
                                 "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert "decimal comma" in result.output and "unit 人" in result.output
    zones = pd.read_csv(tmp_path / "o" / "zones.csv", encoding="utf-8-sig")
    park = zones.loc[zones["zone_id"] == "park"]
    assert park["employees"].item() == 560  # 400 + 100 + 0 + 50 + 10
    assert park["revenue_yi"].item() == pytest.approx(12.6)


def test_gbk_dbf_whose_cpg_says_utf8(tiny_park, tmp_path: Path) -> None:
    from corpus_round2 import write

    folder = tmp_path / "park"
    folder.mkdir()
    write(tiny_park, folder, zones=None)
    tiny_park["zones"].to_file(folder / "zones.shp", engine="pyogrio", encoding="GBK")
    (folder / "zones.cpg").write_text("UTF-8", encoding="ascii")
    result = runner.invoke(app, ["zones", "--data", str(folder), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert "zones.cpg says UTF-8" in result.output and "read as GB18030" in result.output
    text = (tmp_path / "o" / "zones.csv").read_text(encoding="utf-8-sig")
    assert "高端智造区" in text and "滨河工业开发区" in text
    check = runner.invoke(app, ["check", "--data", str(folder)])
    assert check.exit_code == 0 and "Traceback" not in check.output, check.output
    assert "zones.cpg says UTF-8" in check.output


def test_gbk_dbf_in_a_zip_whose_cpg_says_utf8(tiny_park, tmp_path: Path) -> None:
    import zipfile

    from corpus_round2 import write

    folder = tmp_path / "park"
    folder.mkdir()
    write(tiny_park, folder, zones=None)
    shp = tmp_path / "shp"
    shp.mkdir()
    tiny_park["zones"].to_file(shp / "zones.shp", engine="pyogrio", encoding="GBK")
    (shp / "zones.cpg").write_text("UTF-8", encoding="ascii")
    with zipfile.ZipFile(folder / "zones.zip", "w") as archive:
        for part in sorted(shp.iterdir()):
            archive.write(part, part.name)
    result = runner.invoke(app, ["zones", "--data", str(folder), "--zones",
                                 str(folder / "zones.zip"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert "zones.cpg says UTF-8" in result.output and "read as GB18030" in result.output
    text = (tmp_path / "o" / "zones.csv").read_text(encoding="utf-8-sig")
    assert "高端智造区" in text and "滨河工业开发区" in text
    check = runner.invoke(app, ["check", "--data", str(folder), "--zones",
                                str(folder / "zones.zip")])
    assert check.exit_code == 0 and "Traceback" not in check.output, check.output
