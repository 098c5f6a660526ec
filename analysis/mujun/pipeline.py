"""The whole land-efficiency run: intensity → 亩均 evaluation → 低效用地 → 腾笼换鸟 plan.

:func:`run` is what ``zonekit intensity`` calls; it is pure (layers in, tables out) so it
can be tested and used from notebooks without the CLI.

Two growth scenarios are always computed, because the answer depends on them:

``main``
    organic growth ``growth`` (default: the plan's own revenue path, 550.6 → 800 亿元
    2024–2030, ≈ 6.4 %/yr). This path already contains the output of new land, so using it
    as *organic* growth on top of new land is optimistic: land output alone then reaches
    ≈ 44 by 2030 and renewal looks unnecessary.
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
from zonekit.analysis.mujun import SCENARIO_ZH, renewal
from zonekit.analysis.mujun import evaluation as mujun
from zonekit.analysis.mujun import low_efficiency as lowefficiency

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
    return {"main": renewal.Scenario("main", growth=main, **common),
            "conservative": renewal.Scenario("conservative", growth=cons, **common)}


def run(zones: gpd.GeoDataFrame, parcels: gpd.GeoDataFrame, enterprises: gpd.GeoDataFrame,
        profile: mujun.MujunProfile, targets: PlanTargets, year: int,
        opts: Options | None = None) -> Result:
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
    "land output = revenue / land")


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
    plan_rev = targets.indicators["total_revenue_yi"].target
    if main.required_gain_yi <= 0:
        summary["renewal_needed"] = (
            f"No, under the main assumptions: land output reaches "
            f"{main.land_output_without_plan:.1f} in {main.scenario.target_year} without renewal "
            f"(revenue {main.revenue_without_plan_yi:.0f} 亿元 against the plan's {plan_rev:g}; "
            f"the plan's revenue path already includes new land, so this is optimistic). "
            f"Under the conservative growth ({100 * cons.scenario.growth:.2f} %/yr) it reaches "
            f"{cons.land_output_without_plan:.1f}: {cons.note}.")
    else:
        summary["renewal_needed"] = f"Yes: {main.note}."
    summary["renewal"] = renewal_headlines(res.plans, targets, opts)
    summary["trajectory_model"] = TRAJECTORY_MODEL
    if opts.denominator != "built":
        summary["target_note"] = (
            f"the plan's 30.4 (2024) and 40 (2030) are land output on built land; with the "
            f"'{opts.denominator}' denominator they are not like for like: set target= "
            f"(a target on this denominator) to compare")
    return summary


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


#: Where each scenario's organic growth comes from (plan_targets.yaml indicator).
GROWTH_BASIS = {"main": ("total_revenue_yi", "规划园区总收入路径"),
                "conservative": ("output_per_employee_wan", "规划人均产出路径")}


def renewal_headlines(plans: dict[str, renewal.PlanResult], targets: PlanTargets,
                      opts: Options) -> dict[str, Any]:
    """Both scenarios' answers side by side, and the assumption that decides between them.

    Returns ``{"main": {...}, "conservative": {...}, "decided_by": …, "decided_by_zh": …}``;
    each scenario holds ``parcels``, ``area_km2``, ``growth_pct``, ``growth_basis``,
    ``land_output_without_renewal``, ``target``, ``target_year``, ``renewal_needed``,
    ``reaches_target``, ``optimal`` (the plan is proven the smallest), ``solver`` (status,
    objective, bound and gap in m², see :meth:`.renewal.Choice.summary`) and ``headline``
    (Chinese) / ``headline_en``, which say so when the plan is not proven the smallest.
    """
    given = {"main": opts.growth, "conservative": opts.conservative_growth}
    out: dict[str, Any] = {}
    for name, plan in plans.items():
        sc = plan.scenario
        key, label = GROWTH_BASIS.get(name, ("", name))
        t = targets.indicators.get(key)
        basis = (f"{label} {t.baseline:g}→{t.target:g} {t.unit}"
                 if given.get(name) is None and t is not None else "given growth=")
        out[name] = {
            "parcels": int(len(plan.selected)), "area_km2": round(plan.area_km2, 4),
            "growth_pct": round(100 * sc.growth, 2), "growth_basis": basis,
            "land_output_without_renewal": round(plan.land_output_without_plan, 2),
            "target": sc.target_yi_per_km2, "target_year": sc.target_year,
            "renewal_needed": bool(plan.required_gain_yi > 0),
            "reaches_target": bool(plan.reaches_target), "optimal": bool(plan.optimal),
            "solver": plan.solver_summary(),
            "headline": _headline_zh(name, plan, basis), "headline_en": _headline_en(name, plan),
        }
    needs = {name: out[name]["renewal_needed"] for name in plans}
    if len(set(needs.values())) == 1:
        word = "need renewal" if next(iter(needs.values())) else "reach the target without renewal"
        out["decided_by"] = f"no single assumption: both scenarios {word}"
        out["decided_by_zh"] = ("两种增长假设结论一致" + ("，均需腾笼换鸟" if "need" in word
                                                          else "，均无需腾笼换鸟"))
        return out
    out["decided_by"] = (
        "the organic growth path: the plan's revenue path (main) already contains the output "
        "of the land under construction, so adding new land on top is optimistic; the "
        "output-per-employee path (conservative) grows existing land only as its workers' "
        "productivity does")
    out["decided_by_zh"] = (
        "决定结论的是存量用地的自然增长假设：主情景沿用规划园区总收入路径（已含新增用地的产出，"
        "叠加新增用地后偏乐观），保守情景按规划人均产出路径增长（存量用地只随劳动生产率提高）")
    return out



def _headline_zh(name: str, plan: renewal.PlanResult, basis: str) -> str:
    sc = plan.scenario
    head = (f"{SCENARIO_ZH.get(name, name)}（{basis}，年均 {100 * sc.growth:.2f} %）："
            f"{sc.target_year} 年不腾退地均产出 {plan.land_output_without_plan:.1f} 亿元/km²")
    if plan.required_gain_yi <= 0:
        return f"{head}，已达目标 {sc.target_yi_per_km2:g}，无需腾笼换鸟"
    if not len(plan.selected):
        return f"{head}，低于目标 {sc.target_yi_per_km2:g}，腾退已来不及见效"
    verb = "可达" if plan.reaches_target else "仍达不到"
    return (f"{head}，需腾笼换鸟 {len(plan.selected)} 宗地块、{plan.area_km2:.2f} km²，"
            f"{verb}目标 {sc.target_yi_per_km2:g}（腾退后 {plan.land_output_with_plan:.1f}）"
            f"{_not_optimal_zh(plan)}")


def _not_optimal_zh(plan: renewal.PlanResult) -> str:
    """``""`` for a proven plan; else a clause saying it is not proven minimal, with the bound."""
    ch = plan.choice
    if ch is None or ch.optimal:
        return ""
    why = f"求解达到 {ch.time_limit_s:g} 秒时限" if ch.status == "time_limit" else "求解提前停止"
    if ch.bound_m2 is None:
        return f"；{why}，未证明面积最小"
    return (f"；{why}，未证明面积最小（面积下界 {ch.bound_m2 / 1e6:.4f} km²，"
            f"至多多出 {ch.gap_m2:,.0f} m²）")


def _headline_en(name: str, plan: renewal.PlanResult) -> str:
    sc = plan.scenario
    if plan.required_gain_yi <= 0:
        return (f"{name}: no renewal needed (growth {100 * sc.growth:.2f} %/yr, land output "
                f"{plan.land_output_without_plan:.1f} in {sc.target_year} without renewal)")
    text = (f"{name}: renew {len(plan.selected)} parcels, {plan.area_km2:.2f} km² "
            f"(growth {100 * sc.growth:.2f} %/yr; {plan.land_output_without_plan:.1f} in "
            f"{sc.target_year} without renewal, {plan.land_output_with_plan:.1f} with it)")
    if plan.choice is not None and not plan.choice.optimal:
        text += f"; NOT proven the smallest area: {renewal.not_optimal_clause(plan.choice)}"
    return text


def _land_figures(zone_table: pd.DataFrame, industries: pd.DataFrame,
                  ptable: pd.DataFrame) -> list[dict[str, Any]]:
    """Return the park's land figures under glossary names (:mod:`..land.glossary`)."""
    from zonekit.analysis.land.glossary import land_figures

    new = ptable["status"].eq("under_construction") & ptable["land_class"].isin(
        CONSTRUCTION_CLASSES)
    table = land_figures(zone_table, industries, float(ptable.loc[new, "area_m2"].sum()) / 1e6)
    return [{**row, "km2": round(row["km2"], 4)} for row in table.to_dict("records")]
