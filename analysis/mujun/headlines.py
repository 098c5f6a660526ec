"""Renewal headlines: both scenarios' answers, what decides between them, which to act on.

Written into ``summary.json`` → ``renewal`` by :func:`.pipeline.run`; the report quotes
these sentences and never composes its own verdict on renewal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zonekit.analysis.mujun import SCENARIO_ZH, min_area, renewal

if TYPE_CHECKING:
    from zonekit.analysis.indicators import PlanTargets
    from zonekit.analysis.mujun.pipeline import Options


#: Where each scenario's organic growth comes from (plan_targets.yaml indicator).
GROWTH_BASIS = {"main": ("total_revenue_yi", "规划园区总收入路径"),
                "conservative": ("output_per_employee_wan", "规划人均产出路径")}
#: Growth basis of a scenario whose rate was given (``growth=``), not taken from the plan.
GIVEN_GROWTH_ZH = "指定增长率"
#: What each scenario assumes about the existing land, for the act-on sentence.
ASSUMES_ZH = {"main": "园区总收入按规划路径达到目标（新增用地的产出已含在该路径中）",
              "conservative": "存量用地的产出只随规划人均产出增长"}


def act_on(plans: dict[str, renewal.PlanResult], heads: dict[str, dict]) -> tuple[str, str]:
    """Return the scenario whose renewal plan to act on, and why, in one Chinese sentence.

    The plan to prepare is the one that still reaches the target if the less favourable
    assumption comes true: the scenario needing the largest renewal gain (base-year 亿元),
    ties to the lower growth. A scenario that reaches the target without renewal does so
    only if its growth happens; acting on it leaves nothing ready if it does not.
    """
    name = max(plans, key=lambda n: (plans[n].required_gain_yi, -plans[n].scenario.growth))
    plan, head = plans[name], heads[name]
    sc = plan.scenario
    label = SCENARIO_ZH.get(name, name)
    why = ASSUMES_ZH.get(name, f"年均增长 {head['growth_pct']:g}%")
    others = [n for n in plans if n != name and not heads[n]["renewal_needed"]]
    if not head["renewal_needed"]:
        return name, (f"按{label}行动：即使按各情景中最不利的假设（{why}），{sc.target_year} 年"
                      f"不腾退地均产出也达 {plan.land_output_without_plan:.1f} 亿元/km²，"
                      f"达到目标 {sc.target_yi_per_km2:g}，无需腾笼换鸟。")
    other = (f"；{'、'.join(SCENARIO_ZH.get(n, n) for n in others)}不腾退即达标，但前提是"
             f"{'、'.join(ASSUMES_ZH.get(n, n) for n in others)}" if others else "")
    what = (f"需腾笼换鸟 {head['parcels']} 宗地块、{plan.area_km2:.2f} km²"
            if head["parcels"] else "腾退已来不及见效")
    return name, (f"按{label}的方案行动：它假设{why}（年均 {head['growth_pct']:g}%），"
                  f"{sc.target_year} 年不腾退地均产出 {plan.land_output_without_plan:.1f} "
                  f"亿元/km²，低于目标 {sc.target_yi_per_km2:g}，{what}{other}。")


def renewal_headlines(plans: dict[str, renewal.PlanResult], targets: PlanTargets,
                      opts: Options) -> dict[str, Any]:
    """Both scenarios' answers side by side, and the assumption that decides between them.

    Returns ``{"main": {...}, "conservative": {...}, "decided_by": …, "decided_by_zh": …,
    "act_on": …, "act_on_zh": …}``;
    each scenario holds ``parcels``, ``area_km2``, ``growth_pct``, ``growth_basis``,
    ``land_output_without_renewal``, ``target``, ``target_year``, ``renewal_needed``,
    ``reaches_target``, ``optimal`` (the plan is proven the smallest), ``solver`` (status,
    objective, bound and gap in m², see :meth:`.min_area.Choice.summary`) and ``headline``
    (Chinese) / ``headline_en``, which say so when the plan is not proven the smallest.
    ``act_on`` names the scenario whose plan to act on (:func:`act_on`), ``act_on_zh``
    says why in one sentence.
    """
    given = {"main": opts.growth, "conservative": opts.conservative_growth}
    out: dict[str, Any] = {}
    for name, plan in plans.items():
        sc = plan.scenario
        key, label = GROWTH_BASIS.get(name, ("", name))
        t = targets.indicators.get(key)
        basis = (f"{label} {t.baseline:g}→{t.target:g} {t.unit}"
                 if given.get(name) is None and t is not None else GIVEN_GROWTH_ZH)
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
    out["act_on"], out["act_on_zh"] = act_on(plans, out)
    needs = {name: out[name]["renewal_needed"] for name in plans}
    if len(set(needs.values())) == 1:
        word = "need renewal" if next(iter(needs.values())) else "reach the target without renewal"
        out["decided_by"] = f"no single assumption: both scenarios {word}"
        out["decided_by_zh"] = ("两种增长假设结论一致" + ("，均需腾笼换鸟" if "need" in word
                                                          else "，均无需腾笼换鸟"))
        return out
    out["decided_by"] = (
        "the growth path: main assumes the park's total revenue follows the plan's path "
        "(which already contains the output of the land under construction), i.e. that the "
        "plan's revenue target is met; conservative grows existing land only as its workers' "
        "productivity does")
    out["decided_by_zh"] = (
        "决定结论的是增长假设：主情景假设园区总收入按规划路径达到目标（新增用地的产出已含在"
        "该路径中），保守情景中存量用地只随规划人均产出（劳动生产率）增长")
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
        text += f"; NOT proven the smallest area: {min_area.not_optimal_clause(plan.choice)}"
    return text
