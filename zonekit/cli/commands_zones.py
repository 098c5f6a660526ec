"""``zonekit zones`` and ``zonekit convert``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from zonekit.cli import _common as c

ORDER = 10  # position in `zonekit --help`


def zones(
    data: c.DataOpt = None,
    out: c.OutOpt = Path("out/zones"),
    zones_file: c.ZonesOpt = None,
    parcels_file: c.ParcelsOpt = None,
    enterprises_file: c.EntsOpt = None,
    denominator: c.DenominatorOpt = "built",
    force: c.ForceOpt = False,
    crs: c.CrsOpt = None,
    analysis_crs: c.AnalysisCrsOpt = None,
    coords: c.CoordsOpt = None,
    encoding: c.EncodingOpt = None,
    year: c.YearOpt = None,
    drop_invalid: c.DropOpt = False,
    mapping: c.MappingOpt = None,
) -> None:
    """Measure each zone and block: area, built land, enterprises, revenue, land output."""
    from zonekit.analysis.land.measures import DENOMINATOR_DOC, park_summary, zone_table
    from zonekit.zones.io import write_csv, write_gpkg, write_json
    from zonekit.zones.park import load_park

    c.check_denominator(denominator)
    settings = c.settings_from(crs, analysis_crs, coords, encoding, year, drop_invalid)
    out = c.prepare_out(out, force)
    with c.progress("Reading and checking layers"):
        park = load_park(data, layers=("zones", "parcels", "enterprises"),
                         overrides={"zones": zones_file, "parcels": parcels_file,
                                    "enterprises": enterprises_file},
                         settings=settings, required=("zones", "parcels", "enterprises"),
                         mapping=mapping)
    c.announce_data(park)
    table = zone_table(park.zones, park.parcels, park.enterprises, denominator)
    geo = park.zones[["zone_id", "geometry"]].merge(table, on="zone_id")
    write_csv(table, out / "zones.csv")
    write_gpkg({"zones": geo}, out / "zones.gpkg")
    _style_gpkg(out / "zones.gpkg", geo)
    summary = c.summary_base("zones", park) | park_summary(table)
    summary.update({"denominator": denominator, "denominator_meaning": DENOMINATOR_DOC[denominator],
                    "zones": table.loc[table["zone_id"] != "park", "zone_id"].tolist()})
    write_json(summary, out / "summary.json")
    c.finish(out, park)
    _print_table(table)
    c.info(f"Results written to {out}/ (zones.csv, zones.gpkg, summary.json)")


def _style_gpkg(path: Path, geo: object) -> None:
    """Default QGIS style (zone kinds) plus a land-output style, as in the HTML maps."""
    from zonekit.maps.qgis_style import add_style_to_gpkg
    from zonekit.maps.style import land_output_style, zone_kind_style

    add_style_to_gpkg(path, "zones", zone_kind_style(label_column="name_zh"))
    add_style_to_gpkg(path, "zones", land_output_style(geo["land_output_yi_per_km2"],
                                                      label_column="name_zh"), default=False)


def _print_table(table: object) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(title="Zones and blocks 功能分区")
    for col in ("zone_id", "name_zh", "area_km2", "built_land_km2", "enterprises",
                "revenue_yi", "land_output_yi_per_km2"):
        t.add_column(col, justify="left" if col in ("zone_id", "name_zh") else "right")
    for _, row in table.iterrows():
        t.add_row(str(row["zone_id"]), str(row["name_zh"]), f"{row['area_km2']:.2f}",
                  f"{row['built_land_km2']:.2f}", f"{row['enterprises']:,}",
                  f"{row['revenue_yi']:.1f}", f"{row['land_output_yi_per_km2']:.1f}")
    Console().print(t)


def convert(
    src: Annotated[Path, typer.Argument(help="Vector file in Amap/Baidu coordinates.")],
    dst: Annotated[Path, typer.Argument(help="Output file (format from the suffix).")],
    from_: Annotated[str, typer.Option("--from", help="gcj02 (Amap) or bd09 (Baidu).")],
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
    app.command("zones")(zones)
    app.command("convert")(convert)
