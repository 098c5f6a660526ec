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
    """Return the folder to write a run into; refuse inputs, earlier results, locked folders.

    For the command being run (its ``--out``), this is a staging folder from
    :func:`zonekit.zones.output.run_folder`, swapped in as ``out`` when the command ends
    without error (the click context closes it). A command called from another one
    (``demo``, ``report``) writes into ``out`` directly, as before.
    """
    from zonekit.zones.output import check_not_input, run_folder

    out = Path(out)
    ctx = _context()
    inputs = _inputs(ctx)
    if ctx is None or ctx.params.get("out") is None or Path(ctx.params["out"]) != out:
        check_not_input(out, inputs)
        if out.exists() and not out.is_dir():
            raise DataFileError(f"{out}: --out must be a folder, found a file")
        if out.exists() and (out / "summary.json").exists() and not force:
            raise DataFileError(
                f"{out}: holds results of an earlier run (summary.json); pass --force to "
                "overwrite them, or choose another --out"
            )
        out.mkdir(parents=True, exist_ok=True)
        return out
    try:
        staging = ctx.with_resource(run_folder(out, force, inputs))
    except DataFileError as exc:  # the library names its parameters; say the options
        raise DataFileError(str(exc).replace("pass force=True", "pass --force")
                            .replace("output folder", "--out folder")) from None
    ctx.meta.setdefault("zonekit_staging", {})[str(staging)] = str(out.absolute())
    return staging


def _context() -> Any:
    """Return the running command's context (typer vendors click since 0.2x), or ``None``."""
    try:
        from typer._click.globals import get_current_context
    except ImportError:  # typer with click as a separate package
        from click import get_current_context
    return get_current_context(silent=True)


def _inputs(ctx: Any) -> list[Path]:
    """Paths among the command's options (files, folders; the sample when --data is unset)."""
    if ctx is None:
        return []
    found = []
    for name, value in ctx.params.items():
        values = value if isinstance(value, (list, tuple)) else [value]
        for v in values:
            if name != "out" and isinstance(v, (str, Path)) and v and Path(v).exists():
                found.append(Path(v))
    if "data" in ctx.params and ctx.params["data"] is None:
        from zonekit.zones.io import sample_path

        found.append(sample_path())
    return found


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


def info(message: str) -> None:
    """Print a message for the user on stderr (stdout stays for results).

    Paths in the staging folder of a run are shown as the ``--out`` they will become.
    """
    ctx = _context()
    for staging, out in (ctx.meta.get("zonekit_staging", {}) if ctx else {}).items():
        message = message.replace(staging, out)
    typer.echo(message, err=True)


def announce_data(park: Park) -> None:
    """Say which data is analysed, and that the sample is synthetic."""
    if park.synthetic:
        info(f"Data: {SYNTHETIC_NOTE}.")
    else:
        info(f"Data: {park.sources.get('_data')} (CRS for analysis: {park.crs})")


@contextmanager
def progress(description: str) -> Iterator[Any]:
    """Show a rich progress display on stderr; yield the ``Progress`` to add tasks to."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                  TimeElapsedColumn(), console=console, transient=True,
                  disable=not sys.stderr.isatty()) as bar:
        bar.add_task(description, total=None)
        yield bar
