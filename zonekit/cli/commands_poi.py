"""``zonekit poi``: facilities from an Amap (高德) or Baidu (百度) POI export.

The export's types map onto the circles' categories through ``zones/poi_types.yaml``
(``--table`` replaces it); its GCJ-02 (Amap) or BD-09 (Baidu) coordinates are converted to
WGS84. The GeoPackage goes straight into ``zonekit circles --facilities``; a
``<out>.summary.json`` beside it records the source, counts and unmapped types.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from zonekit.cli import _common as c
from zonekit.cli._choices import choice

ORDER = 36  # after osm in `zonekit --help`


def poi(
    file: Annotated[Path, typer.Argument(help="POI export: CSV (UTF-8 or GBK) or Excel.")],
    source: Annotated[str, typer.Option(
        "--source", help="amap (typecode column, GCJ-02) or baidu (tag column, BD-09).",
        **choice("source"))],
    table: Annotated[Path | None, typer.Option(
        "--table", help="Type table (YAML) replacing the shipped zones/poi_types.yaml.")
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="GeoPackage to write (points, WGS84).")
                   ] = Path("facilities.gpkg"),
) -> None:
    """Facilities from an Amap/Baidu POI export, in WGS84, on the circles' categories."""
    import zonekit as zk
    from zonekit.zones.output import check_not_input
    from zonekit.zones.poi import SOURCE_DATUM

    out = c.gpkg_out(out)
    check_not_input(out, [file, table])
    with c.progress(f"Reading the {source} POI export"):
        fac, unmapped = zk.poi_facilities(file, source, table=table)
    counts = c.facility_counts(fac, unmapped, "type")
    summary = {"command": "poi", "source": str(file), "provider": source,
               "converted_from": SOURCE_DATUM[source], "crs": "EPSG:4326",
               "type_table": str(table) if table else "zones/poi_types.yaml (shipped)",
               "facilities": len(fac), "by_category": counts, "unmapped": unmapped}
    c.write_layer_file(fac, out, summary)
    c.info(f"{source} coordinates ({SOURCE_DATUM[source]}) converted to WGS84 (EPSG:4326)")
    c.info(f"Written {out} and {out.stem}.summary.json")


def register(app: typer.Typer) -> None:
    """Add ``zonekit poi`` to the app."""
    app.command("poi", rich_help_panel="Data")(poi)
