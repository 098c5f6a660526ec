"""``zonekit report``: run the analyses and write one HTML report and one Excel workbook.

The analyses write into sub-folders of ``--out`` (``zones/``, ``intensity/``,
``indicators/`` and, when the data has roads and facilities, ``circles_service/``,
``circles_industry/`` and ``circles_charging/``, as ``zonekit demo`` lays them out); the report
(``report.html``) and the workbook (``report.xlsx``) are then built from those files, so
every figure in them is one the analyses wrote.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from zonekit.cli import _common as c

ORDER = 70  # after every analysis: `zonekit demo` builds the report last
REPORT_HTML = "report.html"
REPORT_XLSX = "report.xlsx"

BasemapOpt = Annotated[str, typer.Option(
    help="Basemap of the report's maps: none (default: the report opens offline, e.g. on an "
    "intranet), osm, tianditu (needs TIANDITU_KEY) or amap.")]


#: The circles runs of the report (and of ``zonekit demo``): kind, folder, new charging sites.
CIRCLE_RUNS = (("service", "circles_service", None), ("industry", "circles_industry", None),
               ("charging", "circles_charging", 5))


def _circles_command() -> Callable[..., Any] | None:
    """Return the ``zonekit circles`` command function, when that command is installed."""
    import importlib

    try:
        module = importlib.import_module("zonekit.cli.commands_circles")
    except ImportError:
        return None
    return getattr(module, "circles", None)


def _has_circle_layers(data: Path | None) -> bool:
    """Whether the data holds what the circles need: a roads and a facilities layer."""
    from zonekit.zones.io import find_layer_source, sample_path

    root = sample_path() if data is None else Path(data)
    return all(find_layer_source(root, name) for name in ("roads", "facilities"))


def report(
    data: c.DataOpt = None,
    out: c.OutOpt = Path("out/report"),
    basemap: BasemapOpt = "none",
    force: c.ForceOpt = False,
    crs: c.CrsOpt = None,
    analysis_crs: c.AnalysisCrsOpt = None,
    coords: c.CoordsOpt = None,
    encoding: c.EncodingOpt = None,
    year: c.YearOpt = None,
    drop_invalid: c.DropOpt = False,
) -> None:
    """Run zones, intensity, indicators (and circles), then write report.html and report.xlsx."""
    from zonekit.cli import commands_intensity as ci
    from zonekit.cli import commands_zones as cz
    from zonekit.errors import DataFileError

    c.check_basemap(basemap, key_needed=True)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise DataFileError(f"{out}: --out must be a folder, found a file")
    done = [p.name for p in (out / REPORT_HTML, out / REPORT_XLSX) if p.exists()]
    if done and not force:
        raise DataFileError(f"{out}: {', '.join(done)} exist(s); pass --force to overwrite, "
                            "or choose another --out")
    common: dict[str, Any] = dict(data=data, force=force, crs=crs, analysis_crs=analysis_crs,
                                  coords=coords, encoding=encoding, year=year,
                                  drop_invalid=drop_invalid)
    steps: list[tuple[str, Callable[[], None]]] = [
        ("zones", lambda: cz.zones(out=out / "zones", **common)),
        ("intensity", lambda: ci.intensity(out=out / "intensity", basemap=basemap, **common)),
        ("indicators", lambda: ci.indicators(out=out / "indicators", **common)),
    ]
    circles = _circles_command()
    if circles is None or not _has_circle_layers(data):
        c.info("note: no service circles in the report: "
               + ("zonekit circles is not installed" if circles is None
                  else "the data has no roads or no facilities layer"))
    else:
        for kind, folder, sites in CIRCLE_RUNS:
            def run(kind: str = kind, folder: str = folder, sites: int | None = sites) -> None:
                circles(kind=kind, out=out / folder, new_sites=sites, **common)

            steps.append((f"circles ({kind})", run))
    for name, step in steps:
        c.info(f"\n== {name} ==")
        step()
    build(out, basemap)


def build(folder: Path, basemap: str = "none") -> tuple[Path, Path]:
    """Write ``report.html`` and ``report.xlsx`` in ``folder`` from its analysis sub-folders."""
    from zonekit.maps.report import write_report

    with c.progress("Writing the report and the workbook"):
        html_path, xlsx = write_report(folder, basemap, REPORT_HTML, REPORT_XLSX)
    c.info(f"\nReport: {html_path.resolve()}\nWorkbook: {xlsx.resolve()}")
    return html_path, xlsx


def report_path(out: Path) -> Path:
    """Where ``zonekit demo --out OUT`` writes the report."""
    return Path(out) / REPORT_HTML


def demo_steps(out: Path) -> list[tuple[str, Callable[[], None]]]:
    """Step ``zonekit demo`` runs last: the report from the demo's own outputs in ``out``."""
    return [("report", lambda: build(Path(out), "none"))]


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("report")(report)


__all__ = ["REPORT_HTML", "REPORT_XLSX", "build", "demo_steps", "register", "report",
           "report_path"]
