"""What every command shares: the data options (declared once), output folders, messages.

Everything here is at the edge: reading options, printing, writing files. A command turns
its options into the API's option objects (:func:`reads_data` builds the
:class:`~zonekit.api.data.DataOptions`), calls the API and prints. Heavy modules
(geopandas, …) are imported inside functions so ``zonekit --help`` starts fast.
"""

from __future__ import annotations

import inspect
import re
import sys
import typing
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from zonekit.cli._choices import choice
from zonekit.zones.wording import counted

if TYPE_CHECKING:
    from collections.abc import Iterator

    from zonekit.zones.park import Park

DataOpt = Annotated[Path | None, typer.Option(
    "--data", help="GeoPackage or folder of layer files. Without --data and without any layer "
    "file, the bundled SYNTHETIC sample park is used.", rich_help_panel="Data")]
OutOpt = Annotated[Path, typer.Option("--out", help="Folder for results.")]
ForceOpt = Annotated[bool, typer.Option(
    "--force", help="Overwrite results already in --out.")]
CrsOpt = Annotated[str | None, typer.Option(
    "--crs", help="CRS of input layers that carry none, e.g. EPSG:4490 (never guessed).",
    rich_help_panel="Data")]
AnalysisCrsOpt = Annotated[str | None, typer.Option(
    "--analysis-crs", help="Projected CRS to compute in (default: from the data: CGCS2000 GK "
    "zone in China, EPSG:4548 for Miyun; WGS84 UTM zone elsewhere).", rich_help_panel="Data")]
CoordsOpt = Annotated[str | None, typer.Option(
    "--coords", help="Inputs are Amap (gcj02) or Baidu (bd09) coordinates: convert them.",
    rich_help_panel="Data", **choice("coords"))]
EncodingOpt = Annotated[str | None, typer.Option(
    "--encoding", help="Encoding of Shapefile .dbf without .cpg (default: detect UTF-8/GBK).",
    rich_help_panel="Data")]
YearOpt = Annotated[int | None, typer.Option(
    "--data-year", help="Statistics year of the enterprise figures (default: the latest).",
    rich_help_panel="Data")]
MappingOpt = Annotated[str | None, typer.Option(
    "--mapping", help="YAML mapping of your field names and units to the layer model, or a "
    "shipped one: sandiao, osmnx.", rich_help_panel="Data")]
DropOpt = Annotated[bool, typer.Option(
    "--drop-invalid", help="Continue without invalid rows; they are listed in dropped.csv.",
    rich_help_panel="Data")]
BasemapOpt = Annotated[str, typer.Option(
    "--basemap", help="Basemap of the HTML maps: none (default; opens offline), osm, tianditu "
    "(needs TIANDITU_KEY) or amap (overlays shifted to GCJ-02).", **choice("basemap"))]
DenominatorOpt = Annotated[str, typer.Option(
    "--denominator", help="Land for land output: built (construction land in use or idle), "
    "all (zone area, plus parcels in no zone) or industrial.", **choice("denominator"))]
ProfileOpt = Annotated[Path | None, typer.Option(
    "--profile", help="YAML merged over the shipped profile of this analysis.")]


def _layer_opt(name: str, text: str) -> Any:
    return Annotated[Path | None, typer.Option(f"--{name}", help=text, rich_help_panel="Data")]


#: The layer files a command may take instead of (or over) --data.
LAYER_OPTS = {
    "zones": _layer_opt("zones", "Zones layer file."),
    "parcels": _layer_opt("parcels", "Parcels layer file."),
    "enterprises": _layer_opt("enterprises", "Enterprises layer or table (CSV/Excel)."),
    "facilities": _layer_opt("facilities", "Facilities file (your own id/category columns: "
                             "--facility-id, --category-col)."),
    "roads": _layer_opt("roads", "Road layer: plain centrelines, osmnx edges (u, v) or an OSM "
                        "file (.osm, .osm.gz, .osm.bz2, .osm.pbf: the ways of the mode)."),
    "population": _layer_opt("population", "Population GeoTIFF (persons per cell)."),
}
#: The data options every command that reads data accepts (name → annotation, default).
DATA_OPTS: dict[str, tuple[Any, Any]] = {
    "data": (DataOpt, None), "mapping": (MappingOpt, None), "crs": (CrsOpt, None),
    "analysis_crs": (AnalysisCrsOpt, None), "coords": (CoordsOpt, None),
    "encoding": (EncodingOpt, None), "data_year": (YearOpt, None),
    "drop_invalid": (DropOpt, False),
}
PARK = ("zones", "parcels", "enterprises")
ALL_LAYERS = tuple(LAYER_OPTS)


def with_options(target: str, params: dict[str, tuple[Any, Any]],
                 build: Callable[[dict[str, Any]], Any]) -> Callable:
    """Declare a block of options once and hand a command one object built from them.

    The command takes a parameter ``target`` instead of the options: ``params`` (name →
    (typer annotation, default)) are added to its signature for typer, and ``build`` turns
    their values into the object passed as ``target``. A ``force`` parameter of the
    command becomes ``--force``.
    """
    def decorate(command: Callable) -> Callable:
        hints = typing.get_type_hints(command, include_extras=True)
        own = [p.replace(annotation=ForceOpt if p.name == "force" else
                         hints.get(p.name, p.annotation))
               for p in inspect.signature(command).parameters.values() if p.name != target]
        kw = inspect.Parameter.KEYWORD_ONLY
        added = [inspect.Parameter(n, kw, default=d, annotation=a) for n, (a, d) in params.items()]

        def command_with_options(*args: Any, **kwargs: Any) -> Any:
            values = {n: kwargs.pop(n) for n in params}
            return command(*args, **{target: build(values)}, **kwargs)

        command_with_options.__name__ = command.__name__
        command_with_options.__doc__ = command.__doc__
        command_with_options.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            own + added, return_annotation=None)
        command_with_options.__annotations__ = {p.name: p.annotation for p in own + added}
        return command_with_options

    return decorate


def reads_data(layers: tuple[str, ...] = ALL_LAYERS) -> Callable:
    """Give a command the shared data options, as ``options`` (a ``DataOptions``).

    ``--data``, a ``--<layer>`` file option per name in ``layers``, ``--mapping``, ``--crs``,
    ``--analysis-crs``, ``--coords``, ``--encoding``, ``--data-year`` and ``--drop-invalid``.
    """
    params = {f"{n}_file": (LAYER_OPTS[n], None) for n in layers} | DATA_OPTS

    def build(values: dict[str, Any]) -> Any:
        from zonekit.api.data import DataOptions

        files = {n: values.pop(f"{n}_file") for n in layers}
        return DataOptions(layers=files, **values)

    return with_options("options", params, build)


#: Parameter names of the API that messages name, and the command-line option of each.
_FLAG_OF = {name: "--" + name.replace("_", "-") for name in (
    "data", "mapping", "crs", "analysis_crs", "coords", "encoding", "data_year",
    "drop_invalid", "force", "out", *ALL_LAYERS, "minutes", "metres", "measure", "mode",
    "origins", "origin_id", "facility_id", "category_col", "weight_col", "new_sites",
    "target_share", "demand", "candidates", "chain", "profile", "max_snap_m", "jobs",
    "basemap", "denominator", "target", "growth", "conservative_growth", "lag", "targets",
    "format", "kind", "speed_col", "categories", "category_map", "report_minutes", "parts",
    "split", "workers", "scheduler", "source", "table", "capacity_col",
    "capacity_method", "new_site_capacity")}
_FLAG_OF["year"] = "--year"
_PARAM = re.compile(r"(?<![\w-])(" + "|".join(sorted(_FLAG_OF, key=len, reverse=True))
                    + r")=(True\b|'[^']*'|\"[^\"]*\")?(\s?)")


def to_flags(message: str) -> str:
    """Rewrite the API's parameter names in a message into this command line's options.

    Examples
    --------
    >>> to_flags("pass crs='EPSG:4548', or force=True; roads=FILE; crs= with the code")
    'pass --crs EPSG:4548, or --force; --roads FILE; --crs with the code'
    """
    def flag(m: re.Match) -> str:
        name, value, space = _FLAG_OF[m.group(1)], m.group(2), m.group(3)
        if value == "True":
            return name + space
        if value:
            return f"{name} {value[1:-1]}{space}"
        return f"{name} "

    return _PARAM.sub(flag, message)


def check_out(out: Path, options: Any, force: bool) -> None:
    """Refuse an unusable ``--out`` (an input, earlier results without ``--force``) early."""
    from zonekit.api.data import inputs_of
    from zonekit.zones.output import check_out as check

    check(out, force, inputs_of(options))


#: ``ZONEKIT_PROGRESS=jsonl``: messages and steps go to stderr as one JSON object a line, for
#: programs that run zonekit (the QGIS provider) instead of a person at a terminal.
PROGRESS_ENV = "ZONEKIT_PROGRESS"


class _Output:
    """The global output options of this run (set by the root command before each run)."""

    quiet = False  # --quiet: no messages or progress on stderr (errors still)
    json = False  # --json: stdout holds the run's summary.json and nothing else


OUTPUT = _Output()


def console() -> Any:
    """Return a rich ``Console`` for results on stdout.

    Silent with ``--json``; when stdout is not a terminal (a pipe, a file), as wide as a
    line needs (no cut at 80 columns) and without colour.
    """
    from rich.console import Console

    tty = sys.stdout.isatty()
    return Console(quiet=OUTPUT.json, width=None if tty else 10_000, no_color=not tty,
                   highlight=tty)


def table(title: str) -> Any:
    """Return a rich ``Table``: box-drawn on a terminal, plain columns otherwise."""
    from rich import box
    from rich.table import Table

    return Table(title=title, box=box.HEAVY_HEAD if sys.stdout.isatty() else None)


def print_summary(path: Path) -> None:
    """With ``--json``, print the run's ``summary.json`` (the file, as written) on stdout."""
    if OUTPUT.json and path.exists():
        sys.stdout.write(path.read_text(encoding="utf-8").rstrip("\n") + "\n")


def _jsonl() -> bool:
    import os

    return os.environ.get(PROGRESS_ENV, "").strip().lower() == "jsonl"


def _emit(event: str, **fields: Any) -> None:
    """Write one JSON line to stderr (flushed: the reader shows it as it comes)."""
    import json

    sys.stderr.write(json.dumps({"event": event, **fields}, ensure_ascii=False) + "\n")
    sys.stderr.flush()


def info(message: str) -> None:
    """Print a message for the user on stderr (stdout stays for results).

    Notes and warnings of the library name API parameters (``coords='gcj02'``); they are
    said here as this command line's options (``--coords gcj02``).
    """
    if OUTPUT.quiet:
        return
    if _jsonl():
        _emit("info", message=to_flags(message))
    else:
        typer.echo(to_flags(message), err=True)


def announce_data(park: Park) -> None:
    """Say which data is analysed, in which CRS and why; that the sample is synthetic."""
    from zonekit.data import SYNTHETIC_NOTE

    if park.synthetic:
        info(f"Data: {SYNTHETIC_NOTE}.")
    else:
        info(f"Data: {park.sources.get('_data')}")
    info(f"Analysis CRS: {park.crs} — {park.crs_reason}")


def finish(out: Path, result: Any, verbose: bool = False) -> None:
    """Echo what a run dropped or noted about its input, and (verbose) its step timings."""
    park = result.park
    if park is not None:
        dropped = park.findings.dropped_table()
        if len(dropped):
            info(f"{len(dropped)} invalid row(s) dropped: see {out / 'dropped.csv'}")
        for note in park.findings.notes:
            info(f"note: {note}")
    for note in result.summary.get("notes", []):
        info(f"note: {note}")
    if verbose:
        steps = ", ".join(f"{k} {v:.2f} s" for k, v in result.summary.get("timings_s", {}).items())
        info(f"timings: {steps}")
    info(f"Results written to {out}/ ({', '.join(result.summary.get('outputs', []))})")
    print_summary(out / "summary.json")
    from zonekit.cli._fast_exit import keep

    keep(result)  # written and reported: the process may end without freeing it


@contextmanager
def progress(description: str) -> Iterator[Any]:
    """Show a rich progress display on stderr; yield the ``Progress`` to add tasks to.

    In ``ZONEKIT_PROGRESS=jsonl`` mode, write a ``step`` line when the step starts and a
    ``step_done`` line (with its duration in seconds) when it ends; yield ``None``.
    """
    if OUTPUT.quiet:
        yield None
        return
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
    from zonekit.parallel import paused_at_fork

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                  TimeElapsedColumn(), console=console, transient=True,
                  disable=not sys.stderr.isatty()) as bar:
        bar.add_task(description, total=None)
        # the spinner's thread draws under the display's lock: held at fork, the run's
        # forked workers may start beside it (else a live thread rules fork out)
        live = bar.live
        with paused_at_fork(getattr(live, "_refresh_thread", None), live._lock):
            yield bar


def gpkg_out(out: Path) -> Path:
    """Refuse an ``--out`` that does not name a GeoPackage."""
    from zonekit.errors import ZonekitError

    if out.suffix.lower() != ".gpkg":
        raise ZonekitError(f"--out must name a GeoPackage (.gpkg), got {out}")
    return out


def facility_counts(fac: Any, unmapped: dict[str, int], rule: str) -> dict[str, int]:
    """Say (and return) the facilities per category, and the POIs no ``rule`` rule maps."""
    counts = {str(k): int(v) for k, v in fac["category"].value_counts().sort_index().items()}
    info(f"{counted(len(fac), 'facility', 'facilities')}: "
         + ", ".join(f"{k} {v}" for k, v in counts.items()))
    if unmapped:
        info(f"not written ({sum(unmapped.values()):,} POIs no {rule} rule maps): "
             + ", ".join(f"{k} ({v})" for k, v in unmapped.items()))
    return counts


def write_layer_file(gdf: Any, out: Path, summary: dict[str, Any]) -> None:
    """Write ``gdf`` as the GeoPackage ``out`` and ``summary`` as ``<out>.summary.json``."""
    from zonekit.zones.io import write_gpkg, write_json

    write_gpkg({out.stem: gdf}, out)
    summary["outputs"] = [out.name]
    write_json(summary, out.with_name(f"{out.stem}.summary.json"))
    print_summary(out.with_name(f"{out.stem}.summary.json"))


def summary_base(command: str, park: Park | None = None) -> dict[str, Any]:
    """Fields every ``summary.json`` starts with (see :func:`zonekit.api.results.summary_base`)."""
    from zonekit.api.results import summary_base as base

    return base(command, park)


def finish_park(out: Path, park: Park | None) -> None:
    """Echo the rows dropped (written to ``dropped.csv``) and the notes about the input."""
    print_summary(out / "summary.json")
    if park is None:
        return
    dropped = park.findings.dropped_table()
    if len(dropped):
        info(f"{len(dropped)} invalid row(s) dropped: see {out / 'dropped.csv'}")
    for note in park.findings.notes:
        info(f"note: {note}")


VerboseOpt = Annotated[bool, typer.Option(
    "--verbose", help="Also print each step's seconds (always in summary.json: timings_s).")]
