"""The whole land-efficiency run: intensity → 亩均 evaluation → 低效用地 → 腾笼换鸟 plan.

:func:`run` is what ``zonekit intensity`` calls; it is pure (layers in, tables out) so it
can be tested and used from notebooks without the CLI.

Two growth scenarios are always computed, because the answer depends on them:

``main``
    the plan's own revenue path, 550.6 → 800 亿元 2024–2030 (≈ 6.4 %/yr). The path is the
    park's *total* revenue and already contains the output of new land, so revenue follows
    it and new land's output is a part of it, not added on top (``new_land_in_growth``):
    2030 revenue is the plan's 800. A ``growth`` given instead is organic growth of the
    existing output, with new land added, like the conservative scenario's. This scenario
    assumes the plan's revenue target is met; it is the optimistic one.
``conservative``
    organic growth ``conservative_growth`` (default: the plan's output-per-employee path,
    203.4 → 260 万元/人, ≈ 4.2 %/yr): existing land gets more productive as its workers do,
    at constant employment density; growth in jobs comes with new land. This is the
    scenario in which renewal has to carry part of the way to 40.

Both rates are computed from ``plan_targets.yaml``, not written in code.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from zonekit.analysis.land import intensity as it
from zonekit.analysis.land.measures import CONSTRUCTION_CLASSES, DENOMINATOR_DOC
from zonekit.analysis.mujun import evaluation as mujun
from zonekit.analysis.mujun import low_efficiency as lowefficiency
from zonekit.analysis.mujun import renewal
from zonekit.analysis.mujun.headlines import renewal_headlines
from zonekit.analysis.mujun.locations import plan_locations

if TYPE_CHECKING:
    import geopandas as gpd

    from zonekit.analysis.indicators import PlanTargets

logger = logging.getLogger(__name__)


@dataclass
class Options:
    """Run options; ``None`` takes the default named in each field's comment."""

    denominator: str = "built"
    target: float | None = None  # plan_targets land_output target (40)
    target_year: int | None = None  # plan_targets target_year (2030)
    growth: float | None = None  # plan revenue path CAGR
    conservative_growth: float | None = None  # plan output-per-employee path CAGR
    lag_years: int | None = None  # profile renewal.lag_years (3)


@dataclass
class Result:
    """Tables and headline figures of one run."""

    zones: pd.DataFrame
    industries: pd.DataFrame
    parcels: pd.DataFrame
    enterprises: pd.DataFrame
    renewal_plan: pd.DataFrame
    trajectory: pd.DataFrame
    targets: pd.DataFrame
    plans: dict[str, renewal.PlanResult]
    summary: dict[str, Any] = field(default_factory=dict)


def scenarios(parcels: pd.DataFrame, zone_table: pd.DataFrame, year: int, targets: PlanTargets,
              settings: renewal.RenewalSettings, opts: Options) -> dict[str, renewal.Scenario]:
    """Build the ``main`` and ``conservative`` scenarios from the data and the options."""
    park = it.park_row(zone_table)
    new = (parcels["status"].eq("under_construction")
           & parcels["land_class"].isin(CONSTRUCTION_CLASSES))
    new_km2 = float(parcels.loc[new, "area_m2"].sum()) / 1e6
    if opts.denominator == "all":
        new_denominator_km2 = 0.0  # zone polygons already hold that land
    elif opts.denominator == "industrial":
        new_denominator_km2 = float(parcels.loc[new & parcels["land_class"].eq("industrial"),
                                                "area_m2"].sum()) / 1e6
    else:
        new_denominator_km2 = new_km2
    built = float(park["built_land_km2"])
    d_new = (float(park["revenue_yi"]) / built if built > 0 else 0.0) \
        if settings.new_land_output == "park" else float(settings.new_land_output)
    target = (opts.target if opts.target is not None
              else targets.indicators["land_output_yi_per_km2"].target)
    common = dict(
        base_year=year, target_year=opts.target_year or targets.target_year,
        target_yi_per_km2=float(target),
        lag_years=settings.lag_years if opts.lag_years is None else opts.lag_years,
        base_revenue_yi=float(park["revenue_yi"]), base_land_km2=float(park["land_km2"]),
        new_land_km2=new_denominator_km2, new_land_producing_km2=new_km2,
        new_land_join_year=year + settings.new_land_join_after_years,
        new_land_ramp_years=settings.new_land_ramp_years, new_land_yi_per_km2=d_new,
    )
    main = opts.growth if opts.growth is not None else targets.growth("total_revenue_yi")
    cons = (opts.conservative_growth if opts.conservative_growth is not None
            else targets.growth("output_per_employee_wan"))
    return {"main": renewal.Scenario("main", growth=main, new_land_in_growth=opts.growth is None,
                                     **common),
            "conservative": renewal.Scenario("conservative", growth=cons, **common)}


def run(zones: gpd.GeoDataFrame, parcels: gpd.GeoDataFrame, enterprises: gpd.GeoDataFrame,
        profile: mujun.MujunProfile, targets: PlanTargets, year: int,
        opts: Options | None = None, roads: gpd.GeoDataFrame | None = None) -> Result:
    """Run intensity, evaluation, low-efficiency flags and the renewal plan.

    Parameters
    ----------
    zones, parcels, enterprises
        Layers in a projected CRS; ``enterprises`` of the data year ``year``.
    profile
        :func:`zonekit.analysis.mujun.evaluation.load_mujun_profile` output.
    targets
        :func:`zonekit.analysis.indicators.load_targets` output.
    year
        Data year, the base year of the trajectory.
    opts
        Denominator, target, growth and lag choices.
    roads
        The roads layer, when the data has one: the renewal candidates' nearest road.
    """
    from zonekit.analysis.indicators import compute_indicators

    opts = opts or Options()
    ev = profile.evaluation
    zone_table = it.zone_intensity(zones, parcels, enterprises, opts.denominator, ev.land_share)
    industries = it.industry_intensity(enterprises, parcels, opts.denominator, ev.land_share)
    ptable = it.parcel_intensity(parcels, enterprises, opts.denominator)
    ents, ent_bench = mujun.evaluate_enterprises(enterprises, parcels, ev, year)
    pscore, parcel_bench = mujun.evaluate_parcels(ptable, ents, ev)
    ent_sep, parcel_sep, sep_bench = mujun.evaluate_separately(enterprises, parcels, ptable, ev,
                                                               year)
    ents, pscore = ents.join(ent_sep), pscore.join(parcel_sep)
    own_class = pscore["class"]
    if profile.low_efficiency.scope == "all":  # each parcel judged by its own ranking's class
        own_class = own_class.where(pscore["separate_class"].isna(), pscore["separate_class"])
    flags = lowefficiency.flag_parcels(ptable, own_class, profile.low_efficiency)
    cands = renewal.candidates(ptable, flags, profile.renewal)
    scs = scenarios(ptable, zone_table, year, targets, profile.renewal, opts)
    plans = {name: renewal.make_plan(cands, sc) for name, sc in scs.items()}
    plan_table = renewal.ranked_table(cands, plans)
    plan_table = plan_table.join(plan_locations(plan_table, parcels, enterprises, roads))
    trajectory = pd.concat([p.trajectory for p in plans.values()], ignore_index=True)
    tgt = compute_indicators(enterprises, targets, year, parcels=parcels, zones=zones,
                             denominator=opts.denominator,
                             keys=["total_revenue_yi", "land_output_yi_per_km2",
                                   "output_per_employee_wan"])
    parcel_out = ptable.join(pscore).join(flags)
    extra = plan_table[["post_land_output_yi_per_km2", "gain_yi"] +
                       [c for c in plan_table if c.startswith("in_plan_")]]
    parcel_out = parcel_out.join(extra)
    parcel_out["renewal_candidate"] = parcel_out.index.isin(cands.index)
    for col in [c for c in parcel_out if c.startswith("in_plan_")]:
        parcel_out[col] = parcel_out[col].fillna(False).astype(bool)
    ent_cols = [c for c in ("name", "industry", "revenue_wan", "tax_wan", "employees", "energy_tce",
                            "rnd_wan", "patents", "founded_year", "high_tech", "specialized")
                if c in enterprises]
    ent_out = _enterprise_columns(ents.join(enterprises[ent_cols]))
    result = Result(zone_table, industries, parcel_out, ent_out, plan_table, trajectory, tgt, plans)
    for table in (result.enterprises, result.renewal_plan, result.trajectory, result.targets):
        table["denominator"] = opts.denominator
    result.summary = _summary(result, profile, flags, ptable, opts, ent_bench, parcel_bench,
                              targets)
    result.summary.update(_scope_summary(result, profile, sep_bench))
    result.summary["land_figures"] = _land_figures(zone_table, industries, ptable)
    return result


def _enterprise_columns(table: pd.DataFrame) -> pd.DataFrame:
    """Order enterprises.csv: identity, figures, land, grade, indicator values, scores."""
    for col in ("employees", "patents", "founded_year"):
        if col in table:
            table[col] = pd.to_numeric(table[col], errors="coerce").round().astype("Int64")
    first = ["ent_id", "name", "industry", "parcel_id", "zone_id", "land_class", "revenue_wan",
             "tax_wan", "employees", "energy_tce", "rnd_wan", "patents", "founded_year",
             "high_tech", "specialized", "land_share", "land_mu", "grade_status", "grade_note",
             "class", "rank", "total_score", *mujun.SEPARATE_COLUMNS]
    first = [c for c in first if c in table]
    scores = [c for c in table if c.startswith("score_")]
    rest = [c for c in table if c not in first and c not in scores]
    return table[first + rest + scores]


def _counts(series: pd.Series) -> dict[str, int]:
    return {str(k): int(v) for k, v in series.value_counts().sort_index().items()}


TRAJECTORY_MODEL = (
    "revenue(t) = [R0 + new-land output once producing + renewal gains once realised] x "
    "(1 + growth)^(t - base_year); new land (parcels under construction) joins the "
    "denominator in new_land_join_year and produces from new_land_produces_from_year at "
    "new_land_yi_per_km2 (base-year terms); renewal gains (post-renewal output - current "
    "output, base-year terms) are realised from renewal_produces_from_year, the renewed "
    "parcel keeping its current output until then and its land staying in the denominator; "
    "land output = revenue / land. When new_land_in_growth is true (the default main "
    "scenario: growth is the plan's total-revenue path, which already holds new land's "
    "output), revenue(t) = R0 x (1 + growth)^(t - base_year) + renewal gains, and new land's "
    "output is the part of it produced on new land, not added on top")


def _summary(res: Result, profile: mujun.MujunProfile, flags: pd.DataFrame, ptable: pd.DataFrame,
             opts: Options, ent_bench: dict, parcel_bench: dict,
             targets: PlanTargets) -> dict[str, Any]:
    park = it.park_row(res.zones)
    main, cons = res.plans["main"], res.plans["conservative"]
    low = flags["low_efficiency"]
    rule_cols = [c for c in ("low_plot_ratio", "low_tax_per_mu", "class_d", "idle") if c in flags]
    ents = res.enterprises
    no_parcel = ents.loc[ents["grade_status"] == "no_parcel", "ent_id"].tolist()
    no_zone = ptable.loc[ptable["zone_id"].isna(), "parcel_id"].tolist()
    summary: dict[str, Any] = {
        "denominator": opts.denominator, "denominator_meaning": DENOMINATOR_DOC[opts.denominator],
        "land_km2": round(float(park["land_km2"]), 4),
        "total_revenue_yi": round(float(park["revenue_yi"]), 4),
        "land_output_yi_per_km2": round(float(park["land_output_yi_per_km2"]), 4),
        "output_per_employee_wan": round(float(park["output_per_employee_wan"]), 4),
        "revenue_per_mu_wan": round(float(park["revenue_per_mu_wan"]), 4),
        "tax_per_mu_wan": _r(park["tax_per_mu_wan"]),
        "target_land_output_yi_per_km2": main.scenario.target_yi_per_km2,
        "target_year": main.scenario.target_year, "base_year": main.scenario.base_year,
        "low_efficiency_parcels": int(low.sum()),
        "low_efficiency_area_km2": round(float(ptable.loc[low, "area_m2"].sum()) / 1e6, 4),
        "low_efficiency_reasons": {c: int(flags[c].sum()) for c in rule_cols},
        "plot_ratio_unknown_parcels": int(flags["plot_ratio_unknown"].sum()),
        "renewal_candidates": int(len(res.renewal_plan)),
        "renewal_candidates_with_gain": int(res.renewal_plan["eligible"].sum()),
        **{k: v for k, v in main.summary().items() if k.startswith("plan_")},
        "plan_note": main.note, "growth_pct": round(100 * main.scenario.growth, 4),
        "scenarios": {name: plan.summary() for name, plan in res.plans.items()},
        "conservative_plan_parcels": int(len(cons.selected)),
        "conservative_plan_area_km2": round(cons.area_km2, 4),
        "conservative_plan_reaches_target": bool(cons.reaches_target),
        "conservative_plan_optimal": bool(cons.optimal),
        "scheme": profile.scheme, "profile": profile.source,
        "enterprise_classes": _counts(ents["class"]),
        "enterprise_grade_status": _counts(ents["grade_status"]),
        "parcel_classes": _counts(res.parcels["class"]),
        "parcel_grade_status": _counts(res.parcels["grade_status"]),
        "benchmarks_enterprises": ent_bench, "benchmarks_parcels": parcel_bench,
        "enterprises_without_parcel": no_parcel, "parcels_without_zone": no_zone,
        "zones_sum_to_park": _sums_ok(res.zones),
    }
    summary["renewal_needed"] = _renewal_needed(
        main, cons, targets.indicators["total_revenue_yi"].target)
    summary["renewal"] = renewal_headlines(res.plans, targets, opts)
    summary["trajectory_model"] = TRAJECTORY_MODEL
    if opts.denominator != "built":
        summary["target_note"] = (
            f"the plan's 30.4 (2024) and 40 (2030) are land output on built land; with the "
            f"'{opts.denominator}' denominator they are not like for like: set target= "
            f"(a target on this denominator) to compare")
    return summary


def _renewal_needed(main: renewal.PlanResult, cons: renewal.PlanResult, plan_rev: float) -> str:
    """Say whether renewal is needed under the main scenario, and what the conservative says."""
    if main.required_gain_yi > 0:
        return f"Yes: {main.note}."
    return (f"No, under the main assumptions: land output reaches "
            f"{main.land_output_without_plan:.1f} in {main.scenario.target_year} without renewal "
            f"(revenue {main.revenue_without_plan_yi:.0f} 亿元, the plan's {plan_rev:g} reached "
            f"as its path assumes; optimistic: it takes the plan's revenue target as met). "
            f"Under the conservative growth ({100 * cons.scenario.growth:.2f} %/yr) it reaches "
            f"{cons.land_output_without_plan:.1f}: {cons.note}.")


def _r(value: object) -> float | None:
    v = float(value) if value is not None else float("nan")
    return round(v, 4) if np.isfinite(v) else None


def _sums_ok(table: pd.DataFrame) -> bool:
    """Whether the rows above ``park`` sum to it (revenue, land, employees)."""
    rows = table.loc[table["zone_id"] != "park"]
    park = it.park_row(table)
    return all(np.isclose(rows[c].sum(), park[c]) for c in ("revenue_yi", "land_km2", "employees"))


def _scope_summary(res: Result, profile: mujun.MujunProfile,
                   sep_bench: dict[str, dict]) -> dict[str, Any]:
    """Which land is ranked with which, and the classes of each separate ranking."""
    from zonekit.analysis.mujun.profile import main_classes

    ev, rules = profile.evaluation, profile.low_efficiency
    par, ent = res.parcels, res.enterprises
    return {
        "grading_scope": {
            "main_ranking": list(main_classes(ev)), "graded_separately": list(ev.scope_separately),
            "low_efficiency_scope": (list(rules.only_classes) if rules.only_classes is not None
                                     else "all land classes"),
            "note": ("parcel_classes and enterprise_classes are the main (industrial) ranking; "
                     "each land class graded separately has its own benchmarks and A-D classes "
                     "(separate_* columns), never mixed into the main ranking"),
        },
        "parcel_classes_separately": {
            cls: _counts(par.loc[par["separate_ranking"] == cls, "separate_class"])
            for cls in ev.scope_separately},
        "enterprise_classes_separately": {
            cls: _counts(ent.loc[ent["separate_ranking"] == cls, "separate_class"])
            for cls in ev.scope_separately},
        "benchmarks_separately": sep_bench,
    }


def _land_figures(zone_table: pd.DataFrame, industries: pd.DataFrame,
                  ptable: pd.DataFrame) -> list[dict[str, Any]]:
    """Return the park's land figures under glossary names (:mod:`..land.glossary`)."""
    from zonekit.analysis.land.glossary import land_figures

    new = ptable["status"].eq("under_construction") & ptable["land_class"].isin(
        CONSTRUCTION_CLASSES)
    table = land_figures(zone_table, industries, float(ptable.loc[new, "area_m2"].sum()) / 1e6)
    return [{**row, "km2": round(row["km2"], 4)} for row in table.to_dict("records")]
