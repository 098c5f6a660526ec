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
from zonekit.maps.report_text import number_text, site_label_zh, solver_clause_zh

if TYPE_CHECKING:
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


def life_circle_findings(out: Outputs, top: int = 3) -> list[Finding]:
    """Life-circle categories leaving most people uncovered, and where their gaps lie."""
    from zonekit.maps.report_data import circle_runs

    return [f for run in circle_runs(out, "categories_from_data")
            for f in _life_circle_findings(run, out, top)]


def _life_circle_findings(run: dict, out: Outputs, top: int) -> list[Finding]:
    """Whom the circle counts, each category's threshold, the worst categories, their gaps."""
    from zonekit.maps import life_circle_text as lc

    cov: pd.DataFrame | None = run.get("coverage")
    if cov is None or cov.empty:
        return []
    rows = lc.uncovered(run)
    if rows.empty:
        return []
    unit = lc.origin_words(run)[1]
    found = [Finding("生活圈", t, "生活圈覆盖") for t in (lc.scope_zh(run), lc.thresholds_zh(run))
             if t]
    worst = rows.sort_values("uncovered", ascending=False).head(top)
    parts = [f"{r.name_zh}（{_n(r.limit, 0)} 分钟内未覆盖 {_n(r.uncovered, 0)} {unit}，覆盖率 "
             f"{_n(100 * r.share)}%）" for r in worst.itertuples(index=False)]
    found.append(Finding("生活圈", f"覆盖缺口最大的业态为{'、'.join(parts)}，应优先补齐。",
                         "生活圈覆盖"))
    for r in worst.itertuples(index=False):
        if text := lc.gap_area_sentence(run, r.category, f"{r.name_zh}（{_n(r.limit, 0)} 分钟）"):
            found.append(Finding("生活圈", text, "服务缺口片区"))
    return found


def charging_findings(out: Outputs) -> list[Finding]:
    """How many charging sites the siting proposes, where, and the coverage they bring."""
    from zonekit.maps.report_data import circle_runs

    return [f for run in circle_runs(out, "proposes_sites") for f in _charging_findings(run, out)]


def _site_text(r: object) -> str:
    road = getattr(r, "road_name", "")
    near = f"，{road}旁" if isinstance(road, str) and road and not road.startswith("(") else ""
    return (f"{site_label_zh(r.rank, r.solution)}（{r.zone_name_zh}{near}，"
            f"东经 {r.lon_wgs84:.5f}°、北纬 {r.lat_wgs84:.5f}°）")


def _charging_findings(run: dict, out: Outputs) -> list[Finding]:
    sites = run.get("sites")
    siting = (run.get("summary") or {}).get("siting") or {}
    if sites is None or not len(sites) or "target_share" not in siting:
        return []
    what = DEMAND_ZH.get(str(siting.get("demand", "")), str(siting.get("demand", "")))
    cov = run.get("coverage")
    limit = cov["limit"].dropna() if cov is not None else []
    minutes = f"{_n(limit.iloc[0], 0)} 分钟" if len(limit) else "时限内"
    found = [f"目标为{minutes}充电圈覆盖 {_n(100 * siting['target_share'], 0)}% 的{what}"
             f"（现状 {_n(100 * siting['share_before'])}%）"]
    fewest = sites.loc[sites["solution"] == "set_cover"].sort_values("rank")
    if len(fewest):
        found.append(f"达到目标最少需新建 {len(fewest)} 座，应首先建设："
                     f"{'、'.join(_site_text(r) for r in fewest.itertuples())}，覆盖率升至 "
                     f"{_n(fewest['share_after_pct'].iloc[-1])}%"
                     f"{solver_clause_zh((siting.get('set_cover') or {}).get('solver'))}")
    elif not siting.get("target_reachable", True):
        found.append("候选站点全部建成也达不到目标")
    most = sites.loc[sites["solution"] == "mclp"].sort_values("rank")
    if len(most):
        steps = "；".join(f"{_site_text(r)}增加 {_n(r.added_share_pct)} 个百分点至 "
                         f"{_n(r.share_after_pct)}%" for r in most.itertuples())
        unproven = solver_clause_zh((siting.get("mclp") or {}).get("solver"))
        found.append(f"若建 {len(most)} 座（覆盖最大化选址{unproven}），逐站新增覆盖为：{steps}")
    return [Finding("充电设施", "。".join(found) + "。", "充电站选址")]


def renewal_findings(out: Outputs, first: int = 5) -> list[Finding]:
    """Which plan to act on and why, what each scenario gives, the parcels in order of work."""
    heads = out.intensity.get("renewal") or {}
    found = [Finding("腾笼换鸟", str(heads["act_on_zh"]), "发展路径")] \
        if heads.get("act_on_zh") else []
    for name, sc in (out.intensity.get("scenarios") or {}).items():
        a = sc.get("assumptions", {})
        year, target = a.get("target_year"), a.get("target_yi_per_km2")
        base = (f"{SCENARIO_ZH.get(name, name)}：若不腾退，{year} 年地均产出为 "
                f"{_n(sc.get('land_output_without_plan_yi_per_km2'))} 亿元/km²")
        if not sc.get("plan_parcels"):
            text = f"{base}，已达到目标 {_n(target)}，该情景下无需腾笼换鸟。"
        else:
            reach = "达到" if sc.get("plan_reaches_target") else "仍低于"
            text = (f"{base}；腾退 {int(sc['plan_parcels'])} 宗低效用地（"
                    f"{_n(sc.get('plan_area_km2'), 2)} km²）后为 "
                    f"{_n(sc.get('plan_land_output_yi_per_km2'))} 亿元/km²，{reach}目标 "
                    f"{_n(target)}{solver_clause_zh(sc.get('solver'), '面积最小')}。")
        found.append(Finding("腾笼换鸟", text, "发展路径"))
    return found + _plan_parcels(out, str(heads.get("act_on", "")), first)


def _plan_parcels(out: Outputs, name: str, first: int) -> list[Finding]:
    """List the acted-on plan's first parcels, in its order of work, with where they are."""
    import pandas as pd

    plan, col = out.renewal_plan, f"priority_{name}"
    if plan.empty or col not in plan or plan[col].isna().all():
        return []
    taken = plan.loc[plan[col].notna()].sort_values(col)
    names = out.zone_geo.set_index("zone_id")["name_zh"] if "name_zh" in out.zone_geo else {}
    parts = []
    for r in taken.head(first).itertuples(index=False):
        firms = f"，现有企业 {r.firms}" if getattr(r, "firms", "") else "，无在册企业"
        lease = (f"，出让年限至 {int(r.lease_end_year)} 年"
                 if "lease_end_year" in taken and pd.notna(r.lease_end_year) else "")
        where = (f"，东经 {r.lon:.5f}°、北纬 {r.lat:.5f}°" if "lon" in taken else "")
        parts.append(f"{int(getattr(r, col))}. {r.parcel_id}（{names.get(r.zone_id, r.zone_id)}"
                     f"{_road_text(r)}{where}{firms}{lease}；增收 {_n(r.gain_yi, 2)} 亿元）")
    return [Finding("腾笼换鸟", f"{SCENARIO_ZH.get(name, name)}方案按以下顺序推进（增收大者优先）："
                    f"{'；'.join(parts)}；方案共 {len(taken)} 宗、"
                    f"{_n(taken['area_mu'].sum(), 0)} 亩，合计增收 "
                    f"{_n(taken['gain_yi'].sum(), 2)} 亿元（基期价格）。", "更新方案")]


def _road_text(r: object) -> str:
    """Where a parcel is from its nearest named road ("，距嘉禾街 15 m"); "" when none."""
    import pandas as pd

    from zonekit.analysis.circles.site_descriptions import UNNAMED

    road, dist = getattr(r, "road_name", None), getattr(r, "road_distance_m", None)
    if not isinstance(road, str) or not road or road == UNNAMED or pd.isna(dist):
        return ""
    return f"，距{road} {_n(dist, 0)} m"


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
