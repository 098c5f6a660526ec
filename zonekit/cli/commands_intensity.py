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
    from zonekit.zones.park import Park

ORDER = 20  # position in `zonekit --help`

TargetsOpt = Annotated[Path | None, typer.Option(
    "--targets", help="YAML merged over the plan's Table 1-1 (baselines, 2030 targets).")]


def _load(data: Path | None, files: dict[str, Path | None], settings: Any) -> Park:
    from zonekit.zones.park import load_park

    with c.progress("Reading and checking layers"):
        park = load_park(data, layers=("zones", "parcels", "enterprises"), overrides=files,
                         settings=settings, required=("zones", "parcels", "enterprises"))
    c.announce_data(park)
    return park


def _data_year(park: Park, settings: Any, fallback: int) -> tuple[int, str | None]:
    if park.year is not None:
        return int(park.year), None
    if settings.year is not None:
        return int(settings.year), None
    return fallback, (f"the enterprises layer has no 'year' column: its figures are taken as "
                      f"{fallback} (pass --year to say otherwise)")


def _pct(value: float | None, name: str) -> float | None:
    from zonekit.errors import ZonekitError

    if value is None:
        return None
    if not -50 < value < 100:
        raise ZonekitError(f"{name} is in percent per year (e.g. 4.2), got {value}")
    return value / 100


def intensity(
    data: c.DataOpt = None,
    out: c.OutOpt = Path("out/intensity"),
    zones_file: c.ZonesOpt = None,
    parcels_file: c.ParcelsOpt = None,
    enterprises_file: c.EntsOpt = None,
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
    basemap: Annotated[str, typer.Option(
        help="Basemap of map_mujun.html and map_low_efficiency.html: osm, tianditu, amap or "
        "none (opens offline).")] = "osm",
    force: c.ForceOpt = False,
    crs: c.CrsOpt = None,
    analysis_crs: c.AnalysisCrsOpt = None,
    coords: c.CoordsOpt = None,
    encoding: c.EncodingOpt = None,
    year: c.YearOpt = None,
    drop_invalid: c.DropOpt = False,
) -> None:
    """Land output and 亩均 figures, 亩均效益 classes, low-efficiency land and a 腾笼换鸟 plan."""
    from zonekit.analysis.indicators import load_targets, round_table
    from zonekit.analysis.mujun.evaluation import load_profile
    from zonekit.analysis.mujun.pipeline import Options, run
    from zonekit.errors import ZonekitError
    from zonekit.maps.analysis_maps import map_columns, style_parcels_gpkg
    from zonekit.zones.io import write_csv, write_gpkg, write_json

    c.check_denominator(denominator)
    c.check_basemap(basemap)
    if lag is not None and lag < 0:
        raise ZonekitError(f"--lag is a number of years ≥ 0, got {lag}")
    prof = load_profile(profile)  # profile errors before any heavy work
    targets = load_targets(targets_file)
    opts = Options(denominator, target, target_year, _pct(growth, "--growth"),
                   _pct(conservative_growth, "--conservative-growth"), lag)
    settings = c.settings_from(crs, analysis_crs, coords, encoding, year, drop_invalid)
    out = c.prepare_out(out, force)
    park = _load(data, {"zones": zones_file, "parcels": parcels_file,
                        "enterprises": enterprises_file}, settings)
    data_year, year_note = _data_year(
        park, settings, targets.indicators["land_output_yi_per_km2"].baseline_year or 2024)
    with c.progress("Scoring enterprises and parcels, flagging low-efficiency land, planning"):
        res = run(park.zones, park.parcels, park.enterprises, prof, targets, data_year, opts)
    with c.progress("Writing results"):
        geo = map_columns(park.parcels[["geometry"]].join(res.parcels))
        write_gpkg({"parcels": geo}, out / "parcels.gpkg")
        style_parcels_gpkg(out / "parcels.gpkg")
        write_csv(round_table(res.enterprises), out / "enterprises.csv")
        write_csv(round_table(res.zones), out / "zones.csv")
        write_csv(round_table(res.industries), out / "industries.csv")
        write_csv(round_table(res.targets), out / "targets.csv")
        write_csv(round_table(res.renewal_plan), out / "renewal_plan.csv")
        write_csv(round_table(res.trajectory), out / "trajectory.csv")
        summary = c.summary_base("intensity", park) | res.summary
        if year_note:
            summary["year_note"] = year_note
        write_json(summary, out / "summary.json")
    with c.progress("Drawing maps"):
        _write_maps(geo, park, out, basemap)
    c.finish(out, park)
    _print(res, summary)
    c.info(f"Results written to {out}/ (parcels.gpkg, enterprises.csv, zones.csv, industries.csv, "
           "targets.csv, renewal_plan.csv, trajectory.csv, summary.json, map_mujun.html, "
           "map_low_efficiency.html)")


def _write_maps(parcels: Any, park: Park, out: Path, basemap: str) -> None:
    """Write map_mujun.html and map_low_efficiency.html (parcels.gpkg holds their styles)."""
    from zonekit.cli.commands_map import write_map
    from zonekit.maps import analysis_maps as am

    for stem, layers, title in (
            ("map_mujun", am.mujun_layers(parcels, park.zones), am.mujun_title()),
            ("map_low_efficiency", am.low_efficiency_layers(parcels, park.zones),
             am.low_efficiency_title())):
        write_map(layers, title, out, stem, ("html",), basemap, park.synthetic, gpkg=False)


def _print(res: Any, summary: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(title=f"Land output 地均产出 (denominator: {summary['denominator']} land)")
    for col in ("zone", "land km²", "revenue 亿元", "亿元/km²", "万元/人", "亩均收入 万元",
                "亩均税收 万元"):
        t.add_column(col, justify="left" if col == "zone" else "right")
    for _, row in res.zones.iterrows():
        t.add_row(f"{row['zone_id']} {row['name_zh']}", f"{row['land_km2']:.2f}",
                  f"{row['revenue_yi']:.1f}", _f(row["land_output_yi_per_km2"]),
                  _f(row["output_per_employee_wan"]), _f(row["revenue_per_mu_wan"]),
                  _f(row["tax_per_mu_wan"]))
    console = Console()
    console.print(t)
    console.print(
        f"Low-efficiency parcels: {summary['low_efficiency_parcels']} "
        f"({summary['low_efficiency_area_km2']:.2f} km²). Renewal: {summary['renewal_needed']}")
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


def indicators(
    data: c.DataOpt = None,
    out: c.OutOpt = Path("out/indicators"),
    zones_file: c.ZonesOpt = None,
    parcels_file: c.ParcelsOpt = None,
    enterprises_file: c.EntsOpt = None,
    denominator: c.DenominatorOpt = "built",
    targets_file: TargetsOpt = None,
    force: c.ForceOpt = False,
    crs: c.CrsOpt = None,
    analysis_crs: c.AnalysisCrsOpt = None,
    coords: c.CoordsOpt = None,
    encoding: c.EncodingOpt = None,
    year: c.YearOpt = None,
    drop_invalid: c.DropOpt = False,
) -> None:
    """Track the plan's Table 1-1: each indicator from the data beside baseline and target."""
    from zonekit.analysis.indicators import (
        Context,
        compute_indicators,
        indicator_trend,
        load_targets,
        round_table,
    )
    from zonekit.zones.io import write_csv, write_json

    c.check_denominator(denominator)
    targets = load_targets(targets_file)
    settings = c.settings_from(crs, analysis_crs, coords, encoding, year, drop_invalid)
    out = c.prepare_out(out, force)
    park = _load(data, {"zones": zones_file, "parcels": parcels_file,
                        "enterprises": enterprises_file}, settings)
    data_year, year_note = _data_year(
        park, settings, targets.indicators["land_output_yi_per_km2"].baseline_year or 2024)
    with c.progress("Computing indicators"):
        table = compute_indicators(park.enterprises, targets, data_year, parcels=park.parcels,
                                   zones=park.zones, denominator=denominator,
                                   all_years=park.enterprises_all_years)
        ctx = Context(park.parcels, park.zones, denominator, targets.tech_industries,
                      park.enterprises_all_years)
        trend = indicator_trend(targets, ctx)
    write_csv(round_table(table), out / "indicators.csv")
    years = sorted(int(y) for y in trend["year"].unique()) if len(trend) else [data_year]
    if len(years) >= 2:
        wide = trend.pivot(index="indicator", columns="year", values="value")
        wide = wide.reindex([k for k in targets.indicators if k in wide.index]).reset_index()
        wide.columns = [str(col) for col in wide.columns]
        write_csv(round_table(wide), out / "trend.csv")
    summary = c.summary_base("indicators", park)
    summary.update({
        "targets_source": targets.source, "targets_file": targets.path, "data_year": data_year,
        "target_year": targets.target_year, "denominator": denominator,
        "years_of_enterprise_data": years,
        "trend_note": "trends use each year's enterprise figures over today's parcels and zones "
                      "(the layers hold no land history)",
        "indicators": {r["indicator"]: {k: _plain(r[k]) for k in (
            "name_zh", "unit", "supported", "value", "baseline", "target", "gap",
            "required_annual_growth_pct", "trend_growth_pct", "on_track", "note")}
            for r in table.to_dict("records")},
        "unsupported": table.loc[~table["supported"], "indicator"].tolist(),
        "on_track": table.loc[table["on_track"].eq(True), "indicator"].tolist(),
        "off_track": table.loc[table["on_track"].eq(False), "indicator"].tolist(),
    })
    if year_note:
        summary["year_note"] = year_note
    write_json(summary, out / "summary.json")
    c.finish(out, park)
    _print_indicators(table)
    c.info(f"Results written to {out}/ (indicators.csv{', trend.csv' if len(years) >= 2 else ''}, "
           "summary.json)")


def _plain(value: object) -> object:
    import math

    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 4)
    return value


def _print_indicators(table: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(title="Plan Table 1-1 tracker 主要指标")
    for col in ("#", "indicator", "unit", "value", "baseline", "2030", "growth needed %/yr",
                "trend %/yr", "on track"):
        t.add_column(col, justify="left" if col in ("indicator", "unit") else "right")
    for _, r in table.iterrows():
        track = {True: "yes", False: "no"}.get(r["on_track"], "–")
        t.add_row(str(r["row"]), str(r["name_zh"]), str(r["unit"]),
                  _f(r["value"]) if r["supported"] else "not in data", _f(r["baseline"]),
                  _f(r["target"]), _f(r["required_annual_growth_pct"]),
                  _f(r["trend_growth_pct"]), track)
    Console().print(t)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("intensity")(intensity)
    app.command("indicators")(indicators)


def demo_steps(out: Path) -> list[tuple[str, Any]]:
    """Return the steps `zonekit demo` runs here: intensity analysis and plan tracker."""
    return [("intensity", lambda: intensity(out=out / "intensity", force=True)),
            ("indicators", lambda: indicators(out=out / "indicators", force=True))]
