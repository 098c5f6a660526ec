"""``zonekit map KIND``: a map as HTML (folium), PNG/PDF (matplotlib) and a styled GeoPackage.

The map is drawn from the result of its analysis, run through the API in memory (no
temporary folder, nothing read back): ``zones``/``land-output`` from ``zk.measure_zones``,
``mujun``/``low-efficiency`` from ``zk.intensity``, the circle maps from ``zk.circles``.
Map kinds: :data:`zonekit.api.maps.MAP_KINDS`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from zonekit.cli import _common as c
from zonekit.cli._choices import choice, complete_kind
from zonekit.cli._circle_options import kinds_help, reads_circle_options

ORDER = 60  # position in `zonekit --help`


def _complete_map(ctx: typer.Context, incomplete: str) -> list[str]:
    """Complete the map kind: the maps and the circle kinds (with the ``--profile`` given)."""
    from zonekit.api.maps import map_kinds
    from zonekit.errors import ZonekitError

    try:
        kinds = map_kinds(ctx.params.get("profile"))
    except (ZonekitError, OSError):  # a profile still being typed: the shipped maps
        kinds = map_kinds()
    return [k for k in kinds if k.startswith(incomplete)]


def _result(kind: str, options: Any, circle: Any, denominator: str,
            circle_kind: str | None) -> Any:
    """Run the analysis that draws map ``kind``."""
    from dataclasses import replace

    import zonekit as zk
    from zonekit.api.maps import check_kind

    analysis = check_kind(kind, circle.profile)
    if analysis == "zones":
        return zk.measure_zones(denominator=denominator, options=options)
    if analysis == "intensity":
        return zk.intensity(denominator=denominator, options=options)
    kind_of = circle_kind or (zk.DEFAULT_KIND if kind == "isochrones" else kind)
    spec = zk.circle_kind(kind_of, circle.profile)
    if spec.report is not None and spec.report.new_sites and circle.new_sites is None:
        # the map proposes the sites the report does
        circle = replace(circle, new_sites=spec.report.new_sites)
    return zk.circles(kind_of, options=options, circle=circle)


@c.reads_data()
@reads_circle_options
def map_command(
    options: Any,
    circle: Any,
    kind: Annotated[str, typer.Argument(help="Map to draw: zones, land-output, mujun, "
                                        "low-efficiency, isochrones, or a circle kind: "
                                        + kinds_help() + ".", autocompletion=_complete_map)],
    out: c.OutOpt = Path("out/maps"),
    basemap: c.BasemapOpt = "none",
    fmt: Annotated[str, typer.Option(
        "--format", help="html, png, pdf or all. A styled GeoPackage for QGIS is always "
        "written too.", **choice("format"))] = "html",
    denominator: c.DenominatorOpt = "built",
    circle_kind: Annotated[str | None, typer.Option(
        "--kind", help="Circle kind of the isochrones map (default service).",
        autocompletion=complete_kind)] = None,
    scheme: Annotated[str, typer.Option(
        help="mapclassify scheme of graduated maps: FisherJenks, Quantiles, …")] = "FisherJenks",
    classes: Annotated[int, typer.Option(help="Number of classes of graduated maps.")] = 4,
    force: bool = False,
) -> None:
    """Draw a map (zones, land output, 亩均, low efficiency, circles) as HTML, PNG/PDF, QGIS."""
    from zonekit.api.maps import check_basemap, check_formats, check_kind, write_map
    from zonekit.errors import DataFileError

    check_kind(kind, circle.profile)
    formats = check_formats(fmt)
    check_basemap(basemap, html="html" in formats)
    stem = f"map_{kind.replace('-', '_')}"
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise DataFileError(f"{out}: --out must be a folder, found a file")
    existing = [f"{stem}.{ext}" for ext in (*formats, "gpkg") if (out / f"{stem}.{ext}").exists()]
    if existing and not force:
        raise DataFileError(f"{out}: {', '.join(existing)} exist(s); pass --force to "
                            "overwrite, or choose another --out")
    with c.progress(f"Reading the data and running the analysis of the {kind} map"):
        result = _result(kind, options, circle, denominator, circle_kind)
    c.announce_data(result.park)
    extra = {"scheme": scheme, "classes": classes} if kind == "land-output" else {}
    layers, title = result.map_layers(kind, **extra)
    out.mkdir(parents=True, exist_ok=True)
    with c.progress(f"Drawing the {kind} map"):
        written = write_map(layers, title, out, stem, formats, basemap, result.synthetic,
                            attribution=result.summary.get("attribution"))
    c.info(f"Map written: {', '.join(str(p) for p in written)}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("map", rich_help_panel="Outputs")(map_command)
