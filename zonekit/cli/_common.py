"""Options, output folders and messages shared by the commands.

Everything here is at the edge: reading options, printing, writing files. Heavy modules
(geopandas, …) are imported inside functions so ``zonekit --help`` starts fast.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from zonekit import __version__
from zonekit.errors import DataFileError
from zonekit.settings import Settings

if TYPE_CHECKING:
    from collections.abc import Iterator

    from zonekit.zones.park import Park

SYNTHETIC_NOTE = (
    "SYNTHETIC sample park: generated data calibrated to the plan's 2024 baseline; "
    "not real enterprises, parcels or roads"
)

DataOpt = Annotated[Path | None, typer.Option(
    "--data", help="GeoPackage or folder of layer files; default: the bundled synthetic sample.")]
OutOpt = Annotated[Path, typer.Option("--out", help="Folder for results.")]
ForceOpt = Annotated[bool, typer.Option(
    "--force", help="Overwrite results already in --out.")]
CrsOpt = Annotated[str | None, typer.Option(
    "--crs", help="CRS of input layers that carry none, e.g. EPSG:4490 (never guessed).")]
AnalysisCrsOpt = Annotated[str | None, typer.Option(
    "--analysis-crs", help="Projected CRS for computing (default: CGCS2000 GK zone of the data, "
    "EPSG:4548 for Miyun).")]
CoordsOpt = Annotated[str | None, typer.Option(
    "--coords", help="Inputs are Amap (gcj02) or Baidu (bd09) coordinates: convert them.")]
EncodingOpt = Annotated[str | None, typer.Option(
    "--encoding", help="Encoding of Shapefile .dbf without .cpg (default: detect UTF-8/GBK).")]
YearOpt = Annotated[int | None, typer.Option(
    "--data-year", help="Statistics year of the enterprise figures (default: the latest).")]
BasemapOpt = Annotated[str, typer.Option(
    "--basemap", help="Basemap of the HTML maps: osm, tianditu, amap or none (opens offline).")]
ZonesOpt = Annotated[Path | None, typer.Option("--zones", help="Zones layer file.")]
ParcelsOpt = Annotated[Path | None, typer.Option("--parcels", help="Parcels layer file.")]
EntsOpt = Annotated[Path | None, typer.Option("--enterprises", help="Enterprises layer file.")]
DenominatorOpt = Annotated[str, typer.Option(
    "--denominator", help="Land for land output: built (construction land in use or idle), "
    "all (zone area, plus parcels in no zone) or industrial.")]
MappingOpt = Annotated[str | None, typer.Option(
    "--mapping", help="YAML mapping of your field names and units to the layer model, or a "
    "shipped one: sandiao, osmnx.")]
DropOpt = Annotated[bool, typer.Option(
    "--drop-invalid", help="Continue without invalid rows; they are listed in dropped.csv.")]


def settings_from(crs: str | None, analysis_crs: str | None, coords: str | None,
                  encoding: str | None, year: int | None, drop_invalid: bool) -> Settings:
    """Build the run's :class:`Settings` from command-line options."""
    if coords is not None:
        from zonekit.zones.coords import normalise_source

        coords = normalise_source(coords)
    return Settings(analysis_crs=analysis_crs, input_crs=crs, coords=coords,
                    encoding=encoding, year=year, drop_invalid=drop_invalid)


def prepare_out(out: Path, force: bool) -> Path:
    """Create ``out``; refuse to overwrite earlier results unless ``force``."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise DataFileError(f"{out}: --out must be a folder, found a file")
    if out.exists() and (out / "summary.json").exists() and not force:
        raise DataFileError(
            f"{out}: holds results of an earlier run (summary.json); pass --force to "
            "overwrite them, or choose another --out"
        )
    out.mkdir(parents=True, exist_ok=True)
    return out


def summary_base(command: str, park: Park | None = None) -> dict[str, Any]:
    """Fields every ``summary.json`` starts with (no timestamps: runs are reproducible)."""
    base: dict[str, Any] = {"command": command, "zonekit_version": __version__}
    if park is not None:
        base.update({
            "crs": park.crs,
            "data": "bundled sample" if park.synthetic else park.sources.get("_data"),
            "synthetic": park.synthetic,
            "enterprise_year": park.year,
            "input_notes": [str(p) for p in park.findings.notes],
            "dropped_rows": int(len(park.findings.dropped_table())),
            "mapping": park.mapping.raw if park.mapping else None,
            "mapping_source": park.mapping.source if park.mapping else None,
        })
        if park.synthetic:
            base["data_note"] = SYNTHETIC_NOTE
    return base


def finish(out: Path, park: Park | None) -> None:
    """Write ``dropped.csv`` when rows were dropped; echo notes about the input."""
    from zonekit.zones.io import write_csv

    if park is None:
        return
    dropped = park.findings.dropped_table()
    if len(dropped):
        write_csv(dropped, out / "dropped.csv")
        info(f"{len(dropped)} invalid row(s) dropped: see {out / 'dropped.csv'}")
    for note in park.findings.notes:
        info(f"note: {note}")


def check_basemap(basemap: str, key_needed: bool = False) -> None:
    """Refuse an unknown basemap before any work is done.

    ``key_needed``: HTML maps will be drawn, so a ``tianditu`` basemap needs its key
    (``TIANDITU_KEY``) now rather than after the analysis.
    """
    import os

    from zonekit.errors import ZonekitError
    from zonekit.maps.interactive import BASEMAPS

    if basemap not in BASEMAPS:
        raise ZonekitError(f"--basemap must be one of {', '.join(BASEMAPS)}, got {basemap!r}")
    if key_needed and basemap == "tianditu" and not os.environ.get("TIANDITU_KEY"):
        raise ZonekitError("--basemap tianditu needs a 天地图 key in the environment variable "
                           "TIANDITU_KEY; or use osm, amap or none")


def check_denominator(denominator: str) -> None:
    """Refuse an unknown land-output denominator before any work is done."""
    from zonekit.analysis.land.measures import DENOMINATORS
    from zonekit.errors import ZonekitError

    if denominator not in DENOMINATORS:
        raise ZonekitError(f"--denominator must be one of {', '.join(DENOMINATORS)}, "
                           f"got {denominator!r}")


#: ``ZONEKIT_PROGRESS=jsonl``: messages and steps go to stderr as one JSON object a line, for
#: programs that run zonekit (the QGIS provider) instead of a person at a terminal.
PROGRESS_ENV = "ZONEKIT_PROGRESS"


def _jsonl() -> bool:
    import os

    return os.environ.get(PROGRESS_ENV, "").strip().lower() == "jsonl"


def _emit(event: str, **fields: Any) -> None:
    """Write one JSON line to stderr (flushed: the reader shows it as it comes)."""
    import json

    sys.stderr.write(json.dumps({"event": event, **fields}, ensure_ascii=False) + "\n")
    sys.stderr.flush()


def info(message: str) -> None:
    """Print a message for the user on stderr (stdout stays for results)."""
    if _jsonl():
        _emit("info", message=message)
    else:
        typer.echo(message, err=True)


def announce_data(park: Park) -> None:
    """Say which data is analysed, and that the sample is synthetic."""
    if park.synthetic:
        info(f"Data: {SYNTHETIC_NOTE}.")
    else:
        info(f"Data: {park.sources.get('_data')} (CRS for analysis: {park.crs})")


@contextmanager
def progress(description: str) -> Iterator[Any]:
    """Show a rich progress display on stderr; yield the ``Progress`` to add tasks to.

    In ``ZONEKIT_PROGRESS=jsonl`` mode, write a ``step`` line when the step starts and a
    ``step_done`` line (with its duration in seconds) when it ends; yield ``None``.
    """
    if _jsonl():
        import time

        _emit("step", step=description)
        started = time.perf_counter()
        yield None
        _emit("step_done", step=description, seconds=round(time.perf_counter() - started, 3))
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                  TimeElapsedColumn(), console=console, transient=True,
                  disable=not sys.stderr.isatty()) as bar:
        bar.add_task(description, total=None)
        yield bar
