"""The options of a network circle, declared once for ``zonekit circles`` and ``zonekit map``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from zonekit.cli._common import with_options

_PANEL = "Circle"


def _opt(*names: str, text: str) -> Any:
    return typer.Option(*names, help=text, rich_help_panel=_PANEL)


#: name → (typer annotation, default); the names are :class:`~zonekit.api.circles.CircleOptions`'.
CIRCLE_OPTS: dict[str, tuple[Any, Any]] = {
    "origins": (Annotated[str | None, _opt("--origins", text=(
        "population (cells of the population GeoTIFF, default), residential (parcels) or a "
        "point/polygon FILE."))], None),
    "minutes": (Annotated[float | None, _opt("--minutes", text=(
        "Time threshold of the categories the circle does not know (service, lifecircle; "
        "profile categories keep theirs), of every category (industry, charging)."))], None),
    "metres": (Annotated[float | None, _opt("--metres", text=(
        "The same as a network distance (m) instead of time."))], None),
    "measure": (Annotated[str | None, _opt("--measure", text=(
        "minutes, or metres: the profile's GB 50180 walking distances per category."))], None),
    "mode": (Annotated[str | None, _opt("--mode", text=(
        "walk, bike or drive (default: the circle's)."))], None),
    "new_sites": (Annotated[int | None, _opt("--new-sites", text=(
        "Charging: choose K new sites (maximal covering) and the fewest reaching "
        "--target-share."))], None),
    "candidates": (Annotated[Path | None, _opt("--candidates", text=(
        "Candidate sites layer (default: a grid over suitable land near roads)."))], None),
    "target_share": (Annotated[float | None, _opt("--target-share", text=(
        "Share of demand the set covering must reach (default: the profile's, 0.9)."))], None),
    "demand": (Annotated[str | None, _opt("--demand", text=(
        "Charging siting covers: built_land_km2 (default), origins, parcels, enterprises or "
        "employees."))], None),
    "chain": (Annotated[str | None, _opt("--chain", text=(
        "Industry chain (default 新能源智能汽车)."))], None),
    "fast_only": (Annotated[bool, _opt("--fast-only", text=(
        "Charging: count only fast stations (power_kw ≥ 60)."))], False),
    "origin_id": (Annotated[str | None, _opt("--origin-id", text=(
        "Id column of --origins FILE."))], None),
    "facility_id": (Annotated[str | None, _opt("--facility-id", text=(
        "Id column of --facilities FILE."))], None),
    "category_col": (Annotated[str | None, _opt("--category-col", text=(
        "Category column of --facilities FILE (without it: one category named after --kind, "
        "threshold --minutes or the circle's longest)."))], None),
    "weight_col": (Annotated[str | None, _opt("--weight-col", text=(
        "Weight column of --origins FILE (default 1 each)."))], None),
    "profile": (Annotated[Path | None, _opt("--profile", text=(
        "YAML merged over the shipped circles profile."))], None),
    "max_snap_m": (Annotated[float | None, _opt("--max-snap-m", text=(
        "Points farther from every road are unreachable (default 250 m)."))], None),
    "jobs": (Annotated[int | None, _opt("--jobs", text=(
        "Worker processes for the categories' searches (default: one per CPU, at most 4, "
        "on Linux; 1: all in this process)."))], None),
    "categories": (Annotated[str | None, _opt("--categories", text=(
        "Service circles: compute only these categories (a,b,c: ids, Chinese names or your "
        "values)."))], None),
    "category_map": (Annotated[Path | None, _opt("--category-map", text=(
        "CSV (your name, category) or YAML mapping your category names onto the "
        "profile's."))], None),
    "speed_col": (Annotated[str | None, _opt("--speed-col", text=(
        "Road column of speeds (km/h, e.g. 设计速度) for --mode drive; never above the posted "
        "maxspeed."))], None),
    "report_minutes": (Annotated[float | None, _opt("--report-minutes", text=(
        "Report minutes_<category> up to N minutes (default: the profile's "
        "surface_max_minutes, 30)."))], None),
}


def kinds_help() -> str:
    """Name the shipped circle kinds for help texts (a ``--profile`` may add more)."""
    from zonekit.analysis.circles.registry import kinds_help as shipped

    return shipped() + "; a --profile may add kinds (key 'circles')"


def _build(values: dict[str, Any]) -> Any:
    from zonekit.api.circles import CircleOptions

    return CircleOptions(**values)


#: Decorator: the command takes ``circle`` (a ``CircleOptions``) instead of these options.
reads_circle_options = with_options("circle", CIRCLE_OPTS, _build)
