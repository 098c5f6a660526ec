"""The workbook prints: A4, one page wide, summary tables printed, long lists set for filtering.

The page setup is checked with openpyxl; the printout itself by converting a small workbook
to PDF with LibreOffice (``soffice``) and counting pages with poppler's ``pdfinfo`` and
``pdftotext``. Without them the conversion tests skip (they fail under CI, where
``.ci/run`` installs both).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from zonekit.maps.workbook import chinese_table, write_workbook
from zonekit.maps.workbook_layout import LIST_ROWS, list_note

HINT = ("install LibreOffice Calc and poppler (apt-get install --no-install-recommends "
        "libreoffice-calc poppler-utils) to test the workbook's printout")


def _wide(rows: int = 5, columns: int = 30) -> pd.DataFrame:
    return pd.DataFrame({f"第{j}列的标题": [f"值{i}-{j}" for i in range(rows)]
                         for j in range(columns)})


def _narrow(rows: int) -> pd.DataFrame:
    return chinese_table(pd.DataFrame({"zone_id": [f"Z{i}" for i in range(rows)],
                                       "area_km2": [1.5 + i for i in range(rows)],
                                       "enterprises": list(range(rows))}))


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workbook of a narrow summary, a wide summary and a long list, marked synthetic."""
    path = tmp_path_factory.mktemp("book") / "book.xlsx"
    tables = {"窄表": _narrow(4), "宽表": _wide(), "名单": _narrow(LIST_ROWS + 1)}
    return write_workbook(tables, path, ["说明一行"], mark="注意：合成数据")


def test_every_sheet_prints_a4_one_page_wide_with_page_numbers(book: Path) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(book)
    for ws in wb.worksheets:
        assert int(ws.page_setup.paperSize) == 9, ws.title  # A4
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0), ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert "&P" in ws.oddFooter.right.text and "&N" in ws.oddFooter.right.text
        assert ws.oddFooter.left.text == "&A"  # the sheet's name on every page
        assert ws.oddHeader.center.text == "注意：合成数据"
    assert wb["窄表"].page_setup.orientation == "portrait"
    assert wb["宽表"].page_setup.orientation == "landscape"
    # Borders on the header and on data cells.
    assert wb["窄表"]["A2"].border.left.style == "thin"
    assert wb["窄表"]["B3"].border.bottom.style == "thin"


def test_a_long_list_is_set_for_filtering_and_prints_only_its_note(book: Path) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(book)
    ws = wb["名单"]
    note = list_note(LIST_ROWS + 1)
    assert [ws["A2"].value, ws["A3"].value] == note  # under the synthetic mark
    assert ws.freeze_panes == "A5" and ws.print_title_rows == "$4:$4"
    assert ws.auto_filter.ref == f"A4:C{4 + LIST_ROWS + 1}"
    assert ws.print_area == "'名单'!$A$1:$C$3"  # the mark and the note, not the list
    assert ws["C5"].value == 0 and isinstance(ws["C6"].value, int)  # counts stay whole
    short = wb["窄表"]  # a summary table prints whole: no print area, no filter
    assert not short.print_area and short.auto_filter.ref is None
    assert short.freeze_panes == "A3" and short.print_title_rows == "$2:$2"


def _office() -> tuple[str, str]:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    pdftotext = shutil.which("pdftotext")
    if soffice is None or pdftotext is None or shutil.which("pdfinfo") is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must test the printout: {HINT}")
        pytest.skip(HINT)
    return soffice, pdftotext


def office_pdf(xlsx: Path, out: Path) -> Path:
    """Convert ``xlsx`` to PDF with LibreOffice (its own profile in ``out``)."""
    soffice, _ = _office()
    done = subprocess.run([soffice, f"-env:UserInstallation={(out / 'lo').as_uri()}",
                           "--headless", "--convert-to", "pdf", "--outdir", str(out),
                           str(xlsx)], capture_output=True, text=True, timeout=600, check=False)
    pdf = out / f"{xlsx.stem}.pdf"
    assert pdf.exists(), done.stdout + done.stderr
    return pdf


def pdf_pages(pdf: Path) -> list[str]:
    """The text of each page of ``pdf`` (poppler's pdftotext)."""
    _, pdftotext = _office()
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    return text.split("\f")[:-1]


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    """Width and height (pt) of each page of ``pdf`` (poppler's pdfinfo)."""
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "9999", str(pdf)], capture_output=True,
                          text=True, check=True).stdout
    sizes = []
    for line in info.splitlines():
        if line.startswith("Page") and "size:" in line:
            w, _, h = line.split("size:")[1].split()[:3]
            sizes.append((float(w), float(h)))
    return sizes


def pages_per_sheet(pages: list[str]) -> dict[str, int]:
    """Count pages by the sheet name the footer prints at the left of its last line."""
    counts: dict[str, int] = {}
    for page in pages:
        footer = [ln for ln in page.splitlines() if "页，共" in ln][-1]
        name = footer.split()[0]
        counts[name] = counts.get(name, 0) + 1
    return counts


def test_libreoffice_prints_each_sheet_one_page_wide(book: Path, tmp_path: Path) -> None:
    pdf = office_pdf(book, tmp_path)
    pages = pdf_pages(pdf)
    # Without fitting, the wide sheet's 30 columns would spread over several pages, and
    # the list's 201 rows over several more: each is one page here.
    assert pages_per_sheet(pages) == {"说明": 1, "窄表": 1, "宽表": 1, "名单": 1}
    sizes = dict(zip(pages_per_sheet(pages), page_sizes(pdf), strict=True))
    assert sizes["窄表"] == pytest.approx((595.3, 841.9), abs=1)  # A4 portrait
    assert sizes["宽表"] == pytest.approx((841.9, 595.3), abs=1)  # A4 landscape
    listed = next(p for p in pages if "名单" in p.splitlines()[-1] or "本表为完整名单" in p)
    assert "本表为完整名单" in listed and "Z200" not in listed  # the note, not the rows
    assert "值0-0" in pages[2] and "值4-29" in pages[2]  # all 30 columns, all rows
