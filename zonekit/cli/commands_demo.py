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

    from zonekit.cli import commands_zones

    started = time.perf_counter()
    c.info(f"zonekit demo — {c.SYNTHETIC_NOTE}.")
    steps = [("zones", lambda: commands_zones.zones(out=out / "zones", force=True))]
    steps += _optional_steps(out)
    for name, step in steps:
        c.info(f"\n== {name} ==")
        step()
    c.info(f"\nDemo finished in {time.perf_counter() - started:.1f} s; results in {out.resolve()}/")
    _print_report_path(out)


def _print_report_path(out: Path) -> None:
    """End with where the report is (``zonekit report``'s demo step writes it)."""
    try:
        from zonekit.cli.commands_report import report_path
    except ImportError:
        return
    path = report_path(out)
    if path.exists():
        c.info(f"Report: {path.resolve()}")


def _optional_steps(out: Path) -> list[tuple[str, object]]:
    """Collect the steps of analyses that register a ``demo_steps(out)`` function."""
    import importlib
    import pkgutil

    import zonekit.cli as pkg

    modules = [importlib.import_module(f"zonekit.cli.{m.name}")
               for m in pkgutil.iter_modules(pkg.__path__)
               if m.name.startswith("commands_") and m.name not in ("commands_demo",
                                                                   "commands_zones")]
    steps: list[tuple[str, object]] = []
    for module in sorted(modules, key=lambda m: getattr(m, "ORDER", 100)):
        if hasattr(module, "demo_steps"):
            steps += module.demo_steps(out)
    return steps


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("demo")(demo)
