"""Screenshots of the sample report for docs/: report.html on screen and printed (A4 PDF).

Run from the repository: ``.venv/bin/python docs/make_screenshots.py``. Needs Chromium
(``chromium``); writes ``docs/report_screen.png`` and ``docs/report_print.pdf`` (the print
CSS: A4, page numbers) from a fresh ``zonekit report`` of the bundled SYNTHETIC sample, and,
when LibreOffice (``soffice``) is installed, ``docs/report_workbook.pdf``. With poppler's
``pdftoppm`` each PDF's pages are also drawn side by side into ``docs/*_pages.png``, to see
the printout at a glance.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run")


def main() -> int:
    """Write the report of the sample, then its screenshots; return the exit code."""
    import zonekit as zk

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("Chromium not found: install it (apt-get install chromium)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        rep = zk.report(out=Path(tmp) / "report", force=True)
        url = rep.html.resolve().as_uri()
        profile = f"--user-data-dir={tmp}/chromium"
        subprocess.run([chromium, *CHROMIUM_FLAGS, profile, "--window-size=1280,2600",
                        f"--screenshot={DOCS / 'report_screen.png'}", url], check=True,
                       capture_output=True, timeout=300)
        subprocess.run([chromium, *CHROMIUM_FLAGS, profile, "--no-pdf-header-footer",
                        f"--print-to-pdf={DOCS / 'report_print.pdf'}", url], check=True,
                       capture_output=True, timeout=300)
        pdfs = [DOCS / "report_print.pdf"]
        soffice = shutil.which("soffice") or shutil.which("libreoffice")
        if soffice:
            profile = f"-env:UserInstallation={(Path(tmp) / 'lo').as_uri()}"
            subprocess.run([soffice, profile, "--headless", "--convert-to", "pdf", "--outdir",
                            tmp, str(rep.workbook)], check=True, capture_output=True,
                           timeout=600)
            shutil.copy(Path(tmp) / "report.pdf", DOCS / "report_workbook.pdf")
            pdfs.append(DOCS / "report_workbook.pdf")
        else:
            print("LibreOffice not found: no workbook PDF", file=sys.stderr)
        for pdf in pdfs:
            contact_sheet(pdf, DOCS / f"{pdf.stem}_pages.png", Path(tmp))
    return 0


def contact_sheet(pdf: Path, png: Path, tmp: Path, columns: int = 6, dpi: int = 30) -> None:
    """Draw every page of ``pdf`` small, side by side, into ``png`` (needs pdftoppm)."""
    from PIL import Image

    if shutil.which("pdftoppm") is None:
        print(f"pdftoppm not found (apt-get install poppler-utils): no {png.name}",
              file=sys.stderr)
        return
    prefix = tmp / pdf.stem
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(prefix)], check=True)
    pages = [Image.open(f).convert("RGB") for f in sorted(tmp.glob(f"{pdf.stem}-*.png"))]
    w, h = max(p.width for p in pages), max(p.height for p in pages)
    rows = -(-len(pages) // columns)
    sheet = Image.new("RGB", (columns * (w + 8) + 8, rows * (h + 8) + 8), (110, 110, 110))
    for i, page in enumerate(pages):
        sheet.paste(page, (8 + (i % columns) * (w + 8), 8 + (i // columns) * (h + 8)))
    sheet.save(png, optimize=True)


if __name__ == "__main__":
    raise SystemExit(main())
