"""Screenshots of the sample report for docs/: report.html on screen and printed (A4 PDF).

Run from the repository: ``.venv/bin/python docs/make_screenshots.py``. Needs Chromium
(``chromium``); writes ``docs/report_screen.png`` and ``docs/report_print.pdf`` from a fresh
``zonekit report`` of the bundled SYNTHETIC sample, and, when LibreOffice (``soffice``) is
installed, ``docs/report_workbook.pdf``.
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
        soffice = shutil.which("soffice") or shutil.which("libreoffice")
        if soffice:
            subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", tmp,
                            str(rep.workbook)], check=True, capture_output=True, timeout=600)
            shutil.copy(Path(tmp) / "report.pdf", DOCS / "report_workbook.pdf")
        else:
            print("LibreOffice not found: no workbook PDF", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
