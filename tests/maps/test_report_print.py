"""The sample's report printed: report.html by Chromium (A4, print CSS), report.xlsx by LibreOffice.

Counts pages and checks that nothing is cut: no text past a page's right margin, every map
on one page with its title, the workbook's long lists one page of notes each. The runs take
about a minute, so they are a step of ``.ci/run`` with the browser tests
(``ZONEKIT_BROWSER_TESTS=1``); without Chromium, LibreOffice or poppler they skip.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from test_browser import _chromium, browser  # noqa: F401  (the shared gate)
from test_workbook_print import office_pdf, page_sizes, pages_per_sheet, pdf_pages

#: Right margin of the report's pages (``@page`` in maps/report.py), in pt (12 mm).
RIGHT_MARGIN_PT = 12 / 25.4 * 72


@pytest.fixture(scope="module")
def printed(browser: str,  # noqa: F811  (the gate imported above)
             tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sample's report, its print PDF (Chromium) and its workbook's PDF (LibreOffice)."""
    import zonekit as zk

    tmp = tmp_path_factory.mktemp("print")
    rep = zk.report(out=tmp / "report", force=True)
    pdf = tmp / "report_print.pdf"
    done = _chromium(["--no-pdf-header-footer", f"--print-to-pdf={pdf}", rep.html.as_uri()],
                     tmp / "profile")
    assert pdf.exists(), done.stderr[-3000:]
    # The same page without its maps: only the page's own text, for the margin check (a
    # map label at the map's edge is clipped by the map, yet its text is in the PDF).
    page = rep.html.read_text(encoding="utf-8")
    bare = tmp / "report_bare.html"
    bare.write_text(re.sub(r"<iframe[^>]*></iframe>", '<div class="zk-map"></div>', page),
                    encoding="utf-8")
    tables = tmp / "report_tables.pdf"
    done = _chromium(["--no-pdf-header-footer", f"--print-to-pdf={tables}", bare.as_uri()],
                     tmp / "profile")
    assert tables.exists(), done.stderr[-3000:]
    return {"html": rep.html, "pdf": pdf, "tables_pdf": tables,
            "xlsx_pdf": office_pdf(rep.workbook, tmp)}


def _words(pdf: Path) -> list[list[tuple[float, str]]]:
    """Per page, the right edge (pt) and text of each word (pdftotext -bbox)."""
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    pages = xml.split("<page ")[1:]
    return [[(float(x), w) for x, w in re.findall(r'xMax="([\d.]+)"[^>]*>([^<]*)</word>', p)]
            for p in pages]


def test_report_prints_on_a4_with_page_numbers_and_nothing_cut(printed: dict[str, Path]) -> None:
    pdf = printed["pdf"]
    sizes, pages = page_sizes(pdf), pdf_pages(pdf)
    assert 8 <= len(pages) <= 30, len(pages)  # 29 pages without print CSS, maps split
    for i, (w, h) in enumerate(sizes):
        assert sorted((round(w), round(h))) == [595, 842], (i, w, h)  # A4, either way
        assert f"第 {i + 1} 页，共 {len(pages)} 页" in pages[i]
    bare = printed["tables_pdf"]
    for (w, _), words in zip(page_sizes(bare), _words(bare), strict=True):
        past = [t for x, t in words if x > w - RIGHT_MARGIN_PT + 2]
        assert not past, past  # a table wider than the page would run into the margin
    page = printed["html"].read_text(encoding="utf-8")
    titles = re.findall(r'class="zk-map-title">([^<]+)<', page)
    assert len(titles) >= 4
    for title in titles:  # each map whole on its title's page: its attribution is there
        holding = [p for p in pages if title in re.sub(r"\s+", " ", p)]
        assert len(holding) == 1 and "Leaflet" in holding[0], title
    wide = [p for (w, h), p in zip(sizes, pages, strict=True) if w > h]
    assert any("更新方案地块" in p for p in wide)  # the renewal table: a landscape page


def test_workbook_prints_summaries_and_leaves_lists_to_filter(printed: dict[str, Path]) -> None:
    counts = pages_per_sheet(pdf_pages(printed["xlsx_pdf"]))
    assert sum(counts.values()) <= 30, counts  # 80 pages before, 66 of them the firms
    assert counts["企业"] == 1 and counts["地块"] == 1, counts  # their notes only
    for sheet in ("规划指标", "功能分区", "分区亩均效益", "产业", "低效用地", "发展路径"):
        assert counts[sheet] == 1, (sheet, counts)  # small tables: one page, all columns
