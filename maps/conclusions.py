"""结论与建议: the report's conclusions, written from the figures of :class:`Outputs`.

Each :class:`Finding` is one Chinese sentence carrying its numbers and the table they come
from (a report table's title, e.g. ``规划指标``), so a director can check it and a
different park (or a new year's data) gives different sentences. Nothing here is written
for the sample park: a missing analysis simply gives no sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from zonekit.analysis.mujun import SCENARIO_ZH
from zonekit.maps.report_data import Outputs
from zonekit.maps.report_text import number_text, solver_clause_zh

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

#: Demand a charging siting optimised, as the coverage table's measure names it.
DEMAND_ZH = {"built_land_km2": "建设用地（含在建）", "population": "人口",
             "parcels": "地块", "enterprises": "企业", "employees": "从业人员",
             "road_length_km": "道路长度"}


@dataclass(frozen=True)
class Finding:
    """One conclusion: its topic, the sentence (with numbers) and the source table."""

    topic: str
    text: str
    source: str


_n = number_text  # one formatting of figures for the report's text


def conclusions(out: Outputs) -> list[Finding]:
    """Write the 结论与建议 of the report from ``out``, topic by topic."""
    return [*indicator_findings(out), *life_circle_findings(out), *charging_findings(out),
            *renewal_findings(out)]


def indicator_findings(out: Outputs) -> list[Finding]:
    """List the indicators of Table 1-1 behind the plan's path, and the growth each needs."""
    ind = out.indicators
    if ind.empty or "on_track" not in ind:
        return []
    track = ind["on_track"].map(lambda v: None if v != v or v is None else bool(v)
                                if not isinstance(v, str) else v.lower() == "true")
    behind = ind.loc[track.eq(False)]
    judged = int(track.notna().sum())
    if behind.empty:
        return [Finding("规划指标", f"可计算的 {judged} 项规划指标均按当前趋势可于目标年达标，"
                                   "应保持现有增速。", "规划指标")]
    found = [Finding("规划指标", f"{judged} 项可判定的规划指标中有 {len(behind)} 项落后于规划进度，"
                               "需重点推进。", "规划指标")]
    for r in behind.itertuples(index=False):
        trend = (f"，近年年均增速仅 {_n(r.trend_growth_pct, 1)}%"
                 if r.trend_growth_pct == r.trend_growth_pct else "")
        need = (f"，需年均增长 {_n(r.required_annual_growth_pct, 1)}%"
                if r.required_annual_growth_pct == r.required_annual_growth_pct else "")
        found.append(Finding("规划指标", f"{r.name_zh}：现状 {_n(r.value)} {r.unit}"
                             f"（{int(r.year)} 年），距 {int(r.target_year)} 年目标 "
                             f"{_n(r.target)} {r.unit} 差 "
                             f"{_n(r.gap)} {r.unit}{need}{trend}。", "规划指标"))
    return found


def _zone_names(geoms: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> list[str]:
    """Names of the zones the features' representative points fall in (else 园区外)."""
    import geopandas as gpd

    pts = gpd.GeoDataFrame(geometry=geoms.geometry.representative_point(), crs=geoms.crs)
    hit = gpd.sjoin(pts, zones[["name_zh", "geometry"]].to_crs(geoms.crs), how="left",
                    predicate="within")
    hit = hit[~hit.index.duplicated()]
    return [n if isinstance(n, str) else "分区以外" for n in hit["name_zh"]]


def life_circle_findings(out: Outputs, top: int = 3) -> list[Finding]:
    """Life-circle categories leaving most people uncovered, and where their gaps lie."""
    from zonekit.maps.report_data import circle_runs

    return [f for run in circle_runs(out, "categories_from_data")
            for f in _life_circle_findings(run, out, top)]


def _life_circle_findings(run: dict, out: Outputs, top: int) -> list[Finding]:
    cov: pd.DataFrame | None = run.get("coverage")
    if cov is None or cov.empty:
        return []
    pop = cov.loc[(cov["scenario"] == "current") & (cov["measure"] == "population")
                  & cov["limit"].notna()].copy()
    if pop.empty:
        return []
    pop["uncovered"] = pop["total"] - pop["covered"]
    worst = pop.sort_values("uncovered", ascending=False).head(top)
    parts = [f"{r.name_zh}（{_n(r.limit, 0)} 分钟内未覆盖 {_n(r.uncovered, 0)} 人，覆盖率 "
             f"{_n(100 * r.share)}%）" for r in worst.itertuples(index=False)]
    found = [Finding("生活圈", f"居民覆盖缺口最大的业态为{'、'.join(parts)}，应优先补齐。",
                     "生活圈覆盖")]
    gaps = run.get("gaps")
    if gaps is not None and len(gaps) and "population" in gaps:
        found += _gap_places(gaps, worst, out.zone_geo)
    return found


def _gap_places(gaps: gpd.GeoDataFrame, worst: pd.DataFrame,
                zones: gpd.GeoDataFrame) -> list[Finding]:
    found = []
    for r in worst.itertuples(index=False):
        part = gaps.loc[gaps["category"] == r.category]
        if part.empty:
            continue
        part = part.assign(zone=_zone_names(part, zones))
        by_zone = part.groupby("zone")["population"].sum().sort_values(ascending=False)
        where = "、".join(f"{z}（{_n(p, 0)} 人）" for z, p in by_zone.head(3).items())
        found.append(Finding("生活圈", f"{r.name_zh}的 {len(part):,} 处缺口片区共 "
                             f"{_n(part['population'].sum(), 0)} 人，集中在{where}，"
                             "建议在这些片区新设网点。", "服务缺口图层"))
    return found


def charging_findings(out: Outputs) -> list[Finding]:
    """How many charging sites the siting proposes, where, and the coverage they bring."""
    from zonekit.maps.report_data import circle_runs

    return [f for run in circle_runs(out, "proposes_sites") for f in _charging_findings(run, out)]


def _charging_findings(run: dict, out: Outputs) -> list[Finding]:
    sites, cov = run.get("sites"), run.get("coverage")
    if sites is None or not len(sites) or cov is None:
        return []
    demand = str(((run.get("summary") or {}).get("siting") or {}).get("demand", ""))
    solution = "mclp" if (sites["solution"] == "mclp").any() else str(sites["solution"].iloc[0])
    chosen = sites.loc[sites["solution"] == solution]
    measure = demand if demand in set(cov["measure"]) else "population"

    def share(scenario: str) -> float:
        hit = cov.loc[(cov["scenario"] == scenario) & (cov["measure"] == measure)]
        return float(100 * hit["share"].iloc[0]) if len(hit) else float("nan")

    limit = cov["limit"].dropna()
    minutes = f"{_n(limit.iloc[0], 0)} 分钟" if len(limit) else "时限内"
    zones = chosen["zone_name"] if "zone_name" in chosen else _zone_names(chosen, out.zone_geo)
    where = "、".join(f"{sid}（{z}）" for sid, z in zip(chosen["site_id"], zones, strict=True))
    what = DEMAND_ZH.get(measure, measure)
    siting = (run.get("summary") or {}).get("siting") or {}
    unproven = solver_clause_zh((siting.get(solution) or {}).get("solver"))
    return [Finding("充电设施", f"建议新建 {len(chosen)} 座充电站（按{what}优化选址），{minutes}"
                    f"充电圈对{what}的覆盖率由 {_n(share('current'))}% 提高到 "
                    f"{_n(share(solution))}%{unproven}；站点：{where}。", "充电站选址")]


def renewal_findings(out: Outputs, first: int = 5) -> list[Finding]:
    """Which parcels to renew first, and what the plan of each scenario gives in 2030."""
    found = []
    scenarios = out.intensity.get("scenarios") or {}
    for name, sc in scenarios.items():
        a = sc.get("assumptions", {})
        label = SCENARIO_ZH.get(name, name)
        year, target = a.get("target_year"), a.get("target_yi_per_km2")
        base = (f"{label}下 {year} 年地均产出不更新为 "
                f"{_n(sc.get('land_output_without_plan_yi_per_km2'))} 亿元/km²")
        if not sc.get("plan_parcels"):
            text = f"{base}，已达到目标 {_n(target)}，无需腾笼换鸟。"
        else:
            reach = "达到" if sc.get("plan_reaches_target") else "仍低于"
            text = (f"{base}；更新 {sc['plan_parcels']} 块低效用地（"
                    f"{_n(sc.get('plan_area_km2'), 2)} km²）后为 "
                    f"{_n(sc.get('plan_land_output_yi_per_km2'))} 亿元/km²，{reach}目标 "
                    f"{_n(target)}{solver_clause_zh(sc.get('solver'), '面积最小')}。")
        found.append(Finding("腾笼换鸟", text, "发展路径"))
    plan = out.renewal_plan
    cols = [c for c in plan if c.startswith("in_plan_")]
    if plan.empty or not cols:
        return found
    taken = plan.loc[plan[cols].fillna(False).astype(bool).any(axis=1)].sort_values("rank")
    if taken.empty:
        return found
    head = taken.head(first)
    names = out.zone_geo.set_index("zone_id")["name_zh"] if "name_zh" in out.zone_geo else {}
    zone = head["zone_id"].map(lambda z: names.get(z, z))
    ids = "、".join(f"{p}（{z}，增收 {_n(g, 2)} 亿元）" for p, z, g in
                   zip(head["parcel_id"], zone, head["gain_yi"], strict=True))
    found.append(Finding("腾笼换鸟", f"优先更新的地块为 {ids}；方案共 {len(taken)} 块、"
                         f"{_n(taken['area_mu'].sum(), 0)} 亩，合计增收 "
                         f"{_n(taken['gain_yi'].sum(), 2)} 亿元（基期价格）。", "更新方案"))
    return found


def conclusions_html(findings: list[Finding]) -> str:
    """Render the findings as an HTML list, each with its topic and source table."""
    import html

    if not findings:
        return "<p>现有分析结果不足以形成结论。</p>"
    items = "".join(f'<li><b>{html.escape(f.topic)}</b>：{html.escape(f.text)}'
                    f'<span class="zk-source">（来源：{html.escape(f.source)}）</span></li>'
                    for f in findings)
    return f'<ul class="zk-findings">{items}</ul>'


__all__ = ["Finding", "charging_findings", "conclusions", "conclusions_html",
           "indicator_findings", "life_circle_findings", "renewal_findings"]
