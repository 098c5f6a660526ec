"""``zonekit circles``: 15-minute life circle, industry circle, 5-minute charging circle.

Outputs in ``--out`` (columns documented in the command's help and the README):
``origins.gpkg``/``origins.csv`` (per origin: ``origin_id``, ``weight``, ``snap_m``,
``reachable``, ``on_main_network``, ``minutes_<category>`` — or ``metres_<category>`` with
``--metres`` — up to the report limit, NaN beyond it, ``within_<category>`` (meets the
threshold), ``missing``, ``n_missing``, ``complete``, ``covered``), ``coverage.csv``
(long: ``scenario``, ``category``, ``measure``, ``limit``, ``total``, ``covered``,
``share``), ``facilities.csv`` (snapping of every facility), ``gaps.gpkg``,
``isochrones.gpkg`` (and layer ``roads`` for charging), ``surfaces/<unit>_<category>.tif``,
``zones.csv`` (industry), ``sites.gpkg`` (charging with ``--new-sites``) and
``summary.json``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from zonekit.analysis.circles.registry import DEFAULT_KIND
from zonekit.cli import _common as c
from zonekit.cli._choices import complete_kind
from zonekit.cli._circle_options import kinds_help, reads_circle_options

ORDER = 30  # position in `zonekit --help`

@c.reads_data()
@reads_circle_options
def circles(
    options: Any,
    circle: Any,
    kind: Annotated[str, typer.Option(help="Circle kind: " + kinds_help() + ".",
                                      autocompletion=complete_kind)] = DEFAULT_KIND,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Folder for results (default: out/circles/KIND).")] = None,
    basemap: c.BasemapOpt = "none",
    force: bool = False,
    verbose: c.VerboseOpt = False,
) -> None:
    """Service circles on the road network: who reaches what within N minutes, gaps, new sites."""
    from dataclasses import replace

    import zonekit as zk
    from zonekit.api.maps import check_basemap

    check_basemap(basemap)
    out = out or Path("out/circles") / kind
    c.check_out(out, options, force)
    with c.progress(f"Reading and routing the {kind} circle"):
        result = zk.circles(kind, options=options, circle=replace(circle, basemap=basemap))
    c.announce_data(result.park)
    if result.summary.get("attribution"):
        c.info(f"roads: {result.summary['attribution']}")
    for note in result.summary.get("warnings", []):
        c.info(f"warning: {note}")
    c.info(f"population: {result.summary.get('population')}")
    with c.progress("Writing results and the map"):
        result.write(out, force=force)
    _print(result.coverage, result.spec.name_zh)
    _print_sites(result)
    c.finish(out, result, verbose)


def _print_sites(result: Any) -> None:
    """State the siting answer and where each new site is (zone, road, coordinates)."""
    siting = result.summary.get("siting", {})
    answer = siting.get("answer", {})
    for name in ("mclp", "set_cover"):
        if isinstance(answer.get(name), dict):
            c.info(f"{name}: {answer[name]['sentence']} ({answer[name]['sentence_zh']})")
    if cap := siting.get("capacity_siting"):  # --new-site-capacity
        sites = ", ".join(f"{s['candidate_id']} {s['served']:,.2f}" for s in cap["sites_chosen"])
        c.info(f"capacity siting: {cap['sites']} sites of capacity {cap['site_capacity']:g} "
               f"serve {cap['served']:,.2f} of the {cap['shortfall_reachable']:,.2f} capacity "
               f"units short of the norm ({cap['norm_per1000']:g} per 1,000 persons) that "
               f"candidates reach ({cap['shortfall_total']:,.2f} short in all; solver "
               f"{cap['solver']['status']}): {sites}")
    for note in siting.get("warnings", []):  # a model stopped before proving its optimum
        if note not in result.summary.get("warnings", []):
            c.info(f"warning: {note}")
    if answer.get("demand_optimised"):
        c.info(f"note: {answer['demand_optimised']['note']}")
    sites = result.tables.get("sites")
    if sites is None or not len(sites):
        return
    cols = [col for col in ("solution", "candidate_id", "zone_name_zh", "road_name",
                            "lon_wgs84", "lat_wgs84", "lon_gcj02", "lat_gcj02",
                            "added_share_pct") if col in sites]
    for row in sites[cols].itertuples(index=False):
        c.info("  site " + ", ".join(f"{k} {_cell(k, v)}" for k, v in zip(cols, row, strict=True)))


def _cell(name: str, value: Any) -> str:
    if isinstance(value, float) and name.startswith(("lon", "lat")):
        return f"{value:.6f}°"
    if isinstance(value, float) and name.endswith("_pct"):
        return f"{value:.1f} %"
    return str(value)


def _print(coverage: Any, circle_zh: str) -> None:
    from zonekit.maps.report_data import COUNT_UNITS  # people, firms, parcels: whole

    t = c.table(f"Coverage 覆盖率 ({circle_zh})")
    for col in ("scenario", "category", "measure", "limit", "covered", "total", "share"):
        t.add_column(col, justify="left" if col in ("scenario", "category", "measure") else "right")
    for _, r in coverage.iterrows():
        t.add_row(str(r["scenario"]), f"{r['category']} {r['name_zh']}", str(r["measure"]),
                  f"{r['limit']:g}" if r["limit"] == r["limit"] else "–",
                  *(f"{r[k]:,.{0 if r['unit'] in COUNT_UNITS else 1}f}" for k in ("covered",
                                                                                  "total")),
                  f"{100 * r['share']:.1f} %")
    c.console().print(t)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("circles", rich_help_panel="Analyses")(circles)
