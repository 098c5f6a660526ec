"""``zonekit demo``: the main jobs on the bundled synthetic sample park."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from zonekit.cli import _common as c

ORDER = 90


def demo(
    out: Annotated[Path, typer.Option("--out", help="Folder for all results.")] = Path("out"),
) -> None:
    """Run the main analyses on the bundled synthetic sample park into --out."""
    import time

    import zonekit as zk
    from zonekit.api.maps import write_map
    from zonekit.data import SYNTHETIC_NOTE

    started = time.perf_counter()
    c.info(f"zonekit demo — {SYNTHETIC_NOTE}.")
    with c.progress("Reading the sample park"):
        park = zk.load_park()
    with c.progress("Zones, 亩均, indicators, three circles, the report"):
        done = zk.report(out=out, force=True, park=park)
    zones = next(r for r in done.results if isinstance(r, zk.ZonesResult))  # not run twice
    maps = out / "maps"
    maps.mkdir(parents=True, exist_ok=True)
    formats = _formats()
    for kind in ("zones", "land-output"):
        layers, title = zones.map_layers(kind)
        write_map(layers, title, maps, f"map_{kind.replace('-', '_')}", formats, "none", True)
    for name, folder in done.folders.items():
        c.info(f"{name}: {folder}/")
    c.info(f"maps: {maps}/")
    c.info(f"\nDemo finished in {time.perf_counter() - started:.1f} s; results in "
           f"{out.resolve()}/\nReport: {done.html.resolve()}")


def _formats() -> tuple[str, ...]:
    """HTML, and PNG/PDF when a CJK font is installed."""
    try:
        from zonekit.maps.static import find_cjk_font

        find_cjk_font()
    except Exception as exc:  # noqa: BLE001 - any font problem: keep the HTML maps
        c.info(f"note: static maps skipped in the demo: {exc}")
        return ("html",)
    return ("html", "png", "pdf")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("demo", rich_help_panel="Outputs")(demo)
