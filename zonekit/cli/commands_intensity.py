"""``zonekit intensity`` (land output, 亩均, 低效用地, 腾笼换鸟) and ``zonekit indicators``.

The renewal plan is part of ``intensity``: it needs the evaluation and the flags of the
same run, and its outputs (``renewal_plan.csv``, ``trajectory.csv``) sit beside them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from zonekit.cli import _common as c

if TYPE_CHECKING:
    pass

ORDER = 20  # position in `zonekit --help`

TargetsOpt = Annotated[Path | None, typer.Option(
    "--targets", help="YAML merged over the plan's Table 1-1 (baselines, 2030 targets).")]


@c.reads_data()
def intensity(
    options: Any,
    out: c.OutOpt = Path("out/intensity"),
    denominator: c.DenominatorOpt = "built",
    profile: Annotated[Path | None, typer.Option(
        "--profile", help="YAML merged over the shipped 亩均 profile (weights, benchmarks, "
        "classes, low-efficiency rules, renewal settings).")] = None,
    targets_file: TargetsOpt = None,
    target: Annotated[float | None, typer.Option(
        help="Land output to reach, 亿元/km² (default: the plan's 2030 target, 40).")] = None,
    target_year: Annotated[int | None, typer.Option(
        "--year", "--target-year",
        help="Year to reach it (default 2030). The data's year is --data-year.")] = None,
    growth: Annotated[float | None, typer.Option(
        help="Organic growth of output, % per year (default: the plan's revenue path "
        "550.6 → 800 亿元, ≈ 6.4).")] = None,
    conservative_growth: Annotated[float | None, typer.Option(
        "--conservative-growth", help="Growth of the conservative scenario, % per year "
        "(default: the plan's output-per-employee path, ≈ 4.2).")] = None,
    lag: Annotated[int | None, typer.Option(
        help="Years from the data year until renewed land produces (default 3).")] = None,
    basemap: c.BasemapOpt = "none",
    force: bool = False,
    verbose: c.VerboseOpt = False,
) -> None:
    """Land output and 亩均 figures, 亩均效益 classes, low-efficiency land and a 腾笼换鸟 plan."""
    import zonekit as zk
    from zonekit.api.maps import check_basemap

    check_basemap(basemap)
    c.check_out(out, options, force)
    with c.progress("Scoring enterprises and parcels, flagging low-efficiency land, planning"):
        result = zk.intensity(denominator=denominator, target=target, year=target_year,
                              growth=growth, conservative_growth=conservative_growth, lag=lag,
                              profile=profile, targets=targets_file, basemap=basemap,
                              options=options)
    c.announce_data(result.park)
    with c.progress("Writing results and maps"):
        result.write(out, force=force)
    _print(result, result.summary)
    c.finish(out, result, verbose)


def _print(res: Any, summary: dict[str, Any]) -> None:
    t = c.table(f"Land output 地均产出 (denominator: {summary['denominator']} land)")
    for col in ("zone", "land km²", "revenue 亿元", "亿元/km²", "万元/人", "亩均收入 万元",
                "亩均税收 万元"):
        t.add_column(col, justify="left" if col == "zone" else "right")
    for _, row in res.zones.iterrows():
        t.add_row(f"{row['zone_id']} {row['name_zh']}", f"{row['land_km2']:.2f}",
                  f"{row['revenue_yi']:.1f}", _f(row["land_output_yi_per_km2"]),
                  _f(row["output_per_employee_wan"]), _f(row["revenue_per_mu_wan"]),
                  _f(row["tax_per_mu_wan"]))
    console = c.console()
    console.print(t)
    console.print(
        f"Low-efficiency parcels: {summary['low_efficiency_parcels']} "
        f"({summary['low_efficiency_area_km2']:.2f} km²).")
    renewal = summary.get("renewal", {})
    for name in summary["scenarios"]:
        if isinstance(renewal.get(name), dict):
            console.print(f"  {renewal[name].get('headline', '')}")
    if renewal.get("decided_by_zh"):
        console.print(f"  {renewal['decided_by_zh']}")
    for name, sc in summary["scenarios"].items():
        console.print(f"  {name}: growth {sc['assumptions']['growth_pct']:.2f} %/yr → "
                      f"{sc['land_output_without_plan_yi_per_km2']:.1f} without plan, "
                      f"{sc['plan_land_output_yi_per_km2']:.1f} with {sc['plan_parcels']} parcels "
                      f"({sc['plan_area_km2']:.2f} km²) in {sc['assumptions']['target_year']}")


def _f(value: object) -> str:
    import math

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.1f}"


@c.reads_data()
def indicators(
    options: Any,
    out: c.OutOpt = Path("out/indicators"),
    denominator: c.DenominatorOpt = "built",
    targets_file: TargetsOpt = None,
    force: bool = False,
    verbose: c.VerboseOpt = False,
) -> None:
    """Track the plan's Table 1-1: each indicator from the data beside baseline and target."""
    import zonekit as zk

    c.check_out(out, options, force)
    with c.progress("Computing indicators"):
        result = zk.indicators(denominator=denominator, targets=targets_file, options=options)
    c.announce_data(result.park)
    result.write(out, force=force)
    _print_indicators(result.table)
    for row in result.table.itertuples():
        if getattr(row, "chosen_denominator", None):
            c.info(f"note: {row.name_zh}: {row.note}")
    c.finish(out, result, verbose)


def _print_indicators(table: Any) -> None:
    t = c.table("Plan Table 1-1 tracker 主要指标")
    for col in ("#", "indicator", "unit", "value", "baseline", "2030", "growth needed %/yr",
                "trend %/yr", "on track"):
        t.add_column(col, justify="left" if col in ("indicator", "unit") else "right")
    for _, r in table.iterrows():
        track = {True: "yes", False: "no"}.get(r["on_track"], "–")
        t.add_row(str(r["row"]), str(r["name_zh"]), str(r["unit"]),
                  _f(r["value"]) if r["supported"] else "not in data", _f(r["baseline"]),
                  _f(r["target"]), _f(r["required_annual_growth_pct"]),
                  _f(r["trend_growth_pct"]), track)
    c.console().print(t)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("intensity", rich_help_panel="Analyses")(intensity)
    app.command("indicators", rich_help_panel="Analyses")(indicators)
