"""``zonekit osm roads`` and ``zonekit osm facilities``: layers from OpenStreetMap.

From an OSM file offline (``.osm``, ``.osm.gz``, ``.osm.bz2``, ``.osm.pbf``) or downloaded
through osmnx for ``--place``, ``--polygon`` or ``--bbox``. The GeoPackages (EPSG:4326)
go straight into ``zonekit circles --roads`` / ``--facilities``; a ``<out>.summary.json``
beside each records the source, counts and the OSM attribution.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from zonekit.cli import _common as c
from zonekit.cli._choices import choice

ORDER = 35  # after circles in `zonekit --help`

app = typer.Typer(help="Roads and facilities from OpenStreetMap (files offline, or a place "
                  "downloaded through osmnx).", no_args_is_help=True)

FileArg = Annotated[Path | None, typer.Argument(help="OSM file: .osm, .osm.gz, .osm.bz2 or "
                                                "osm.pbf (offline).")]
PlaceOpt = Annotated[str | None, typer.Option("--place", help="Place to download, e.g. "
                                              "\"密云区, 北京市\" (needs the internet).")]
PolygonOpt = Annotated[Path | None, typer.Option("--polygon", help="Polygon file bounding the "
                                                 "download (any CRS).")]
BboxOpt = Annotated[str | None, typer.Option("--bbox", help="W,S,E,N in degrees (WGS84) to "
                                             "download.")]


def _bbox(text: str | None) -> tuple[float, float, float, float] | None:
    from zonekit.errors import ZonekitError

    if text is None:
        return None
    try:
        west, south, east, north = (float(v) for v in text.split(","))
    except ValueError:
        raise ZonekitError(f"--bbox must be four numbers W,S,E,N, got {text!r}") from None
    return west, south, east, north


def _source(file: Path | None, place: str | None, polygon: Path | None, bbox: str | None) -> str:
    from zonekit.errors import ZonekitError

    given = [n for n, v in (("FILE", file), ("--place", place), ("--polygon", polygon),
                            ("--bbox", bbox)) if v is not None]
    if len(given) != 1:
        raise ZonekitError("give exactly one of FILE, --place, --polygon or --bbox (found "
                           f"{', '.join(given) or 'none'})")
    return given[0]


def _china_note(gdf: Any, downloaded: bool) -> None:
    from zonekit.zones.crs import CHINA_LAT, CHINA_LON

    if gdf.empty:
        return
    x, y = gdf.geometry.union_all().centroid.coords[0]
    if CHINA_LON[0] <= x <= CHINA_LON[1] and CHINA_LAT[0] <= y <= CHINA_LAT[1]:
        c.info(f"note: OpenStreetMap {'downloads are' if downloaded else 'data is'} WGS84, "
               "while layers digitised on Amap (高德) are GCJ-02 and on Baidu (百度) BD-09, "
               "offset by some 300–600 m. To line them up, run zonekit circles with "
               "--coords gcj02 (or bd09): your layers are converted to WGS84, the OSM layers "
               "are left as they are.")


def _finish(gdf: Any, out: Path, summary: dict[str, Any], downloaded: bool) -> None:
    from zonekit.zones.osm import OSM_ATTRIBUTION

    summary["attribution"] = OSM_ATTRIBUTION
    c.write_layer_file(gdf, out, summary)
    _china_note(gdf, downloaded)
    c.info(f"{OSM_ATTRIBUTION}")
    c.info(f"Written {out} and {out.stem}.summary.json")


@app.command("roads")
def roads(
    file: FileArg = None,
    place: PlaceOpt = None,
    polygon: PolygonOpt = None,
    bbox: BboxOpt = None,
    mode: Annotated[str, typer.Option(help="walk, bike or drive: the ways osmnx keeps for "
                                      "that network type.", **choice("osm_mode"))] = "drive",
    out: Annotated[Path, typer.Option("--out", help="GeoPackage to write (osmnx edges).")
                   ] = Path("roads.gpkg"),
) -> None:
    """Road network for one travel mode, as osmnx edges that `zonekit circles --roads` reads."""
    import zonekit as zk

    source = _source(file, place, polygon, bbox)
    out = c.gpkg_out(out)
    with c.progress(f"Reading OSM roads ({mode})"):
        edges = zk.osm_roads(file, mode=mode, place=place, polygon=polygon, bbox=_bbox(bbox))
    summary = {"command": "osm roads", "source": str(file) if file else source,
               "area": place or (str(polygon) if polygon else bbox), "mode": mode,
               "edges": len(edges), "nodes": len(set(edges["u"]) | set(edges["v"])),
               "length_km": round(float(edges["length"].sum()) / 1e3, 3)}
    c.info(f"{summary['edges']:,} edges, {summary['nodes']:,} nodes, "
           f"{summary['length_km']:,} km ({mode})")
    _finish(edges, out, summary, file is None)


@app.command("facilities")
def facilities(
    file: FileArg = None,
    place: PlaceOpt = None,
    polygon: PolygonOpt = None,
    bbox: BboxOpt = None,
    tags: Annotated[Path | None, typer.Option("--tags", help="Tag table (YAML) replacing the "
                                              "shipped zones/osm/tags.yaml.")] = None,
    out: Annotated[Path, typer.Option("--out", help="GeoPackage to write (points).")
                   ] = Path("facilities.gpkg"),
) -> None:
    """Facilities (points, areas as centroids) mapped onto circle categories by a tag table."""
    import zonekit as zk
    from zonekit.zones.osm.facilities import skipped_elements, skipped_text

    source = _source(file, place, polygon, bbox)
    out = c.gpkg_out(out)
    with c.progress("Reading OSM facilities"):
        fac, unmapped = zk.osm_facilities(file, place=place, polygon=polygon, bbox=_bbox(bbox),
                                          tags=tags)
    counts = c.facility_counts(fac, unmapped, "tag")
    summary = {"command": "osm facilities", "source": str(file) if file else source,
               "area": place or (str(polygon) if polygon else bbox),
               "tag_table": str(tags) if tags else "zones/osm/tags.yaml (shipped)",
               "facilities": len(fac), "by_category": counts, "unmapped": unmapped,
               "skipped": skipped_elements(fac)}
    if summary["skipped"]:
        c.info(f"skipped ({len(summary['skipped']):,} matching elements whose geometry cannot "
               f"be built): {skipped_text(fac)}")
    _finish(fac, out, summary, file is None)


def register(main: typer.Typer) -> None:
    """Add the ``osm`` command group to the app."""
    main.add_typer(app, name="osm", rich_help_panel="Data")
