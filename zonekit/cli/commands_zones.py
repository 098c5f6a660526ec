"""``zonekit zones`` and ``zonekit convert``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from zonekit.cli import _common as c
from zonekit.cli._choices import choice

ORDER = 10  # position in `zonekit --help`


@c.reads_data()
def zones(
    options: Any,
    out: c.OutOpt = Path("out/zones"),
    denominator: c.DenominatorOpt = "built",
    force: bool = False,
    verbose: c.VerboseOpt = False,
) -> None:
    """Measure each zone and block: area, built land, enterprises, revenue, land output."""
    import zonekit as zk

    c.check_out(out, options, force)
    with c.progress("Reading and checking layers, measuring zones"):
        result = zk.measure_zones(denominator=denominator, options=options)
    c.announce_data(result.park)
    with c.progress("Writing results"):
        result.write(out, force=force)
    _print_table(result.table)
    c.finish(out, result, verbose)


def _print_table(table: object) -> None:
    t = c.table("Zones and blocks 功能分区")
    for col in ("zone_id", "name_zh", "area_km2", "built_land_km2", "enterprises",
                "revenue_yi", "land_output_yi_per_km2"):
        t.add_column(col, justify="left" if col in ("zone_id", "name_zh") else "right")
    for _, row in table.iterrows():
        t.add_row(str(row["zone_id"]), str(row["name_zh"]), f"{row['area_km2']:.2f}",
                  f"{row['built_land_km2']:.2f}", f"{row['enterprises']:,}",
                  f"{row['revenue_yi']:.1f}", f"{row['land_output_yi_per_km2']:.1f}")
    c.console().print(t)


def convert(
    src: Annotated[Path, typer.Argument(help="Vector file in Amap/Baidu coordinates.")],
    dst: Annotated[Path, typer.Argument(help="Output file (format from the suffix).")],
    from_: Annotated[str, typer.Option("--from", help="gcj02 (Amap) or bd09 (Baidu).",
                                            **choice("coords"))],
    layer: Annotated[str | None, typer.Option(help="Layer to read in a multi-layer file.")] = None,
    force: c.ForceOpt = False,
) -> None:
    """Convert a vector file from GCJ-02 or BD-09 to WGS84 coordinates, keeping attributes."""
    from zonekit.errors import DataFileError
    from zonekit.zones.coords import convert_gdf, normalise_source
    from zonekit.zones.io import read_vector
    from zonekit.zones.output import check_not_input, write_vector_file

    source = normalise_source(from_)
    if dst.exists() and not force:
        raise DataFileError(f"{dst}: exists; pass --force to overwrite it")
    check_not_input(dst, [src])
    gdf = read_vector(src, layer=layer)
    converted = convert_gdf(gdf, source)
    write_vector_file(converted, dst, layer=layer)
    c.info(f"{len(converted)} features converted from {source} to WGS84 (EPSG:4326): {dst}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("zones", rich_help_panel="Analyses")(zones)
    app.command("convert", rich_help_panel="Data")(convert)
