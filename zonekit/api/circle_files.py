"""The files of a circle's result, one writer per file, for the write step to share out.

Each writer writes one file (or what belongs in one: a GeoPackage's layers, the GeoTIFFs
of the categories) and returns the names it wrote. :func:`file_writers` lists them in the
order the run names its outputs, each with its rank for two processes taking turns
(:func:`zonekit.parallel.share_work`): the costliest first, so that the last file taken
is a small one (1M walk: gaps.gpkg 2.5 s, origins.gpkg 1.5 s, origins.csv 0.9 s, the
GeoTIFFs 0.8 s, isochrones.gpkg 0.35 s, the small tables).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any


def styled_gpkg(layers: dict[str, Any], path: Path, styles: list[tuple[str, Any]]) -> Path:
    """Write layers with their QGIS styles, all added to the temporary file in one pass."""
    from zonekit.maps.qgis_style import add_styles_to_gpkg
    from zonekit.zones.io import write_gpkg

    return write_gpkg(layers, path, finish=lambda tmp: add_styles_to_gpkg(tmp, styles))


def file_writers(result: Any, folder: Path) -> list[tuple[int, Callable[[], list[str]]]]:
    """Return ``(rank, writer)`` for each file of ``result``, in the order of its outputs.

    ``rank`` orders the writers for sharing (0 first: the costliest); each writer writes
    into ``folder`` and returns the names written.
    """
    writers = [(1, origins_gpkg), (2, origins_csv), (6, small_tables), (0, gaps_gpkg),
               (4, isochrones_gpkg), (3, surfaces_tifs)]
    if "sites" in result.tables:
        writers.append((5, sites_gpkg))
    return [(rank, functools.partial(write, result, folder)) for rank, write in writers]


def origins_gpkg(result: Any, folder: Path) -> list[str]:
    """Write ``origins.gpkg``: one point (or footprint) per origin, styled by coverage."""
    from zonekit.maps.circle_maps import geometry_kind
    from zonekit.maps.style import coverage_style

    origins = result.origins
    styled_gpkg({"origins": origins}, folder / "origins.gpkg", [("origins", coverage_style(
        "covered", geometry_kind(origins), fields=("origin_id",)))])
    return ["origins.gpkg"]


def origins_csv(result: Any, folder: Path) -> list[str]:
    """Write ``origins.csv``: the origins' table without their shapes."""
    from zonekit.zones.io import write_csv

    origins = result.origins
    write_csv(origins.drop(columns=origins.geometry.name), folder / "origins.csv")
    return ["origins.csv"]


def small_tables(result: Any, folder: Path) -> list[str]:
    """Write ``coverage.csv``, ``facilities.csv`` and (industry) ``zones.csv``."""
    from zonekit.zones.io import write_csv

    write_csv(result.coverage, folder / "coverage.csv")
    write_csv(result.facilities, folder / "facilities.csv")
    files = ["coverage.csv", "facilities.csv"]
    if "zones" in result.tables:
        write_csv(result.tables["zones"], folder / "zones.csv")
        files.append("zones.csv")
    return files


def gaps_gpkg(result: Any, folder: Path) -> list[str]:
    """Write ``gaps.gpkg``: the gap pieces and (service circles) the named gap areas."""
    from zonekit.maps import circle_maps as cm

    gaps, styles = {"gaps": result.gaps}, [("gaps", cm.gap_style(result.gaps))]
    if "gap_areas" in result.tables:  # the pieces dissolved by zone and nearest road
        gaps["gap_areas"] = areas = result.tables["gap_areas"]
        styles.append(("gap_areas", cm.gap_style(areas)))
    styled_gpkg(gaps, folder / "gaps.gpkg", styles)
    return ["gaps.gpkg"]


def isochrones_gpkg(result: Any, folder: Path) -> list[str]:
    """Write ``isochrones.gpkg``: the bands and (charging) the roads' coverage."""
    from zonekit.maps.style import band_style, coverage_style

    unit, iso = result.measure, result.isochrones
    layers, styles = {"isochrones": iso}, []
    if len(iso):
        styles.append(("isochrones", band_style(iso, unit, fields=("name_zh", unit))))
    if "roads" in result.tables:
        layers["roads"] = result.tables["roads"]
        styles.append(("roads", coverage_style("covered", "line", fields=("length_m",))))
    styled_gpkg(layers, folder / "isochrones.gpkg", styles)
    return ["isochrones.gpkg"]


def surfaces_tifs(result: Any, folder: Path) -> list[str]:
    """Write ``surfaces/<unit>_<category>.tif``, one GeoTIFF per category."""
    import numpy as np

    from zonekit.zones.raster import write_surfaces

    tifs = write_surfaces({k: np.asarray(v) for k, v in result.surfaces.items()},
                          result.bundle.grid, folder / "surfaces", result.bundle.names_zh,
                          result.measure)
    return [f"surfaces/{p.name}" for p in tifs]


def sites_gpkg(result: Any, folder: Path) -> list[str]:
    """Write ``sites.gpkg``: the proposed sites and the candidates."""
    from zonekit.maps import circle_maps as cm
    from zonekit.maps.style import StyleSpec

    candidates = StyleSpec(name="candidates", title="候选站点", geometry="point",
                           color="#969696", point_radius_px=2.0)
    styled_gpkg({"sites": result.tables["sites"], "candidates": result.tables["candidates"]},
                folder / "sites.gpkg", [("sites", cm.sites_style()), ("candidates", candidates)])
    return ["sites.gpkg"]
