"""``zonekit report``: every analysis the data allows, one HTML report and one Excel workbook.

The analyses run through the API; their results are written into sub-folders of ``--out``
(``zones/``, ``intensity/``, ``indicators/`` and, when the data has roads and facilities,
``circles_service/``, ``circles_industry/``, ``circles_charging/``), and ``report.html`` and
``report.xlsx`` are drawn from the same results in memory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from zonekit.cli import _common as c

ORDER = 70  # after every analysis


@c.reads_data()
def report(
    options: Any,
    out: c.OutOpt = Path("out/report"),
    basemap: c.BasemapOpt = "none",
    force: bool = False,
    study_area: Annotated[str | None, typer.Option(
        help="Whose trips the circles count: zones (default: origins inside the park's "
             "zones), all (the whole population grid, outside the zones too) or a polygon "
             "file of the area.")] = None,
    origins: Annotated[str | None, typer.Option(
        help="Where the circles' trips start: population, residential (parcels) or a "
             "point/polygon file (default: population; residential parcels when the data "
             "has no population grid).")] = None,
) -> None:
    """Run zones, intensity, indicators (and circles); write report.html and report.xlsx."""
    import zonekit as zk
    from zonekit.api.data import read_park
    from zonekit.api.maps import check_basemap

    check_basemap(basemap)
    c.check_out(out, options, force)
    with c.progress("Reading and checking layers"):
        park = read_park(options, required=c.PARK)
    c.announce_data(park)
    with c.progress("Running the analyses, writing their results, the report and the workbook"):
        done = zk.report(out=out, basemap=basemap, force=force, park=park,
                         study_area=study_area, origins=origins)
    c.finish_park(out, park)
    for note in done.notes:
        c.info(f"note: {note}")
    for name, folder in done.folders.items():
        c.info(f"{name}: {folder}/")
    c.info(f"\nReport: {done.html.resolve()}\nWorkbook: {done.workbook.resolve()}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("report", rich_help_panel="Outputs")(report)
