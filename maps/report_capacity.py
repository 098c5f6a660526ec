"""The report's capacity section: 2SFCA capacity per 1,000 persons of each circles run.

It computes nothing: it reads the ``capacity`` block a run with ``capacity_col=`` wrote
into its summary (:mod:`zonekit.analysis.circles.capacity`) and lays it out in Chinese.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from zonekit.maps.report_data import Outputs

#: Section title in the report.
TITLE_ZH = "设施容量与千人指标（两步移动搜索法 2SFCA）"
METHOD_ZH = ("口径：每个设施的服务人口 = 在该类阈值内可达它的人口之和；设施供需比 = 容量 / "
             "服务人口；每个居民点的千人容量 = 1000 × 阈值内可达设施供需比之和（Luo & Wang "
             "2003）。行程时间与覆盖计算相同：路网最短时间，含两端步行接驳，单行道按方向。")
#: The variants' sentence (``capacity_method=``), added to the method above.
DECAY_ZH = {
    "e2sfca": ("本次采用分段衰减（E2SFCA，Luo & Qi 2009）：按行程时间占阈值的比例分段加权"
               "（{steps}），两步均加权，服务人口为加权人口。"),
    "gravity": ("本次采用重力衰减（{function}），x = 行程时间 / 阈值，两步均加权，"
                "服务人口为加权人口。"),
}
SITED_ZH = ("按容量缺口选址（有容量约束的最大覆盖模型）：新建 {k} 处、每处容量 {site_capacity:g}，"
            "在阈值内服务低于千人指标 {norm_per1000:g} 的人口所缺容量，共服务 {served:,.2f}"
            "（阈值内候选可达的缺口 {shortfall_reachable:,.2f}，全部缺口 {shortfall_total:,.2f}）")
ADDED_ZH = ("增加一个单位容量受益最多的设施：在该设施增加一个单位容量后，阈值内由低于千人指标"
            "升至达标的人口（“一个单位使达标的人口”）；并列时按其服务范围内达标尚缺的容量"
            "（按同一权重加权）排序。")


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "—"
    return f"{value:,.{digits}f}"


def _capacity_unit(column: str) -> str:
    """Name the capacity column in Chinese (``chargers`` → 充电桩，个); a user's own as given."""
    from zonekit.maps.style import FIELDS

    f = FIELDS.get(column)
    return column if f is None else f"{f.label_zh}，{f.unit}" if f.unit else f.label_zh


def _category_rows(run: dict[str, Any], names: dict[str, str]) -> list[dict[str, str]]:
    cap = run["summary"]["capacity"]
    unit = "米" if run["summary"].get("measure") == "metres" else "分钟"
    rows = []
    for cat, f in cap["categories"].items():
        norm = f.get("norm")
        rows.append({
            "类别": names.get(cat, cat), f"阈值（{unit}）": _fmt(f["limit"], 0),
            "设施数": str(f["facilities"]),
            f"容量合计（{_capacity_unit(cap['column'])}）": _fmt(f["capacity_total"], 0),
            "人口合计": _fmt(f["weight_total"], 0),
            "平均千人容量": _fmt(f["per1000_mean"], 2),
            "阈值内无容量的人口": _fmt(f["weight_without_capacity"], 0),
            "无人可达的设施": str(f["facilities_reached_by_nobody"]),
            "千人指标": "未设定" if norm is None else f"{_fmt(norm['per1000'], 2)} {norm['unit']}",
            "低于指标的人口": "—" if norm is None else _fmt(f.get("below_norm_weight"), 0),
            "低于指标的起点数（见地图图层）": ("—" if norm is None
                                             else str(f.get("below_norm_origins", 0))),
            "增加一个单位最多使达标的人口": (
                "—（未设定指标）" if norm is None else
                _fmt((f.get("best_for_added_capacity") or [{}])[0].get("added_unit_persons"), 0)),
            "指标依据": "—" if norm is None else norm["clause"],
        })
    return rows


def _crowded_rows(run: dict[str, Any], names: dict[str, str]) -> list[dict[str, str]]:
    rows = []
    for cat, f in run["summary"]["capacity"]["categories"].items():
        for r in f["most_crowded"]:
            rows.append({"类别": names.get(cat, cat), "设施": r["facility_id"],
                         "容量": _fmt(r["capacity"], 0),
                         "服务人口": _fmt(r["catchment_persons"], 0),
                         "千人容量": _fmt(r["per1000"], 2)})
    return rows


def method_zh(capacity: dict[str, Any]) -> str:
    """Return the method sentence of a run's capacity block, with its variant if any."""
    p = capacity.get("method_parameters") or {"method": "2sfca"}
    if p["method"] == "e2sfca":
        bands = [0.0, *p["bands"]]
        steps = "，".join(f"{a:.2g}–{b:.2g}T：{w:g}"
                         for a, b, w in zip(bands[:-1], bands[1:], p["weights"], strict=True))
        return METHOD_ZH + DECAY_ZH["e2sfca"].format(steps=steps)
    if p["method"] == "gravity":
        fn = (f"高斯 exp(-x²/(2×{p['sigma']:g}²))" if p["function"] == "gaussian"
              else f"幂函数 max(x, {p['min_share']:g})^-{p['beta']:g}")
        return METHOD_ZH + DECAY_ZH["gravity"].format(function=fn)
    return METHOD_ZH


def _added_rows(run: dict[str, Any], names: dict[str, str]) -> list[dict[str, str]]:
    rows = []
    for cat, f in run["summary"]["capacity"]["categories"].items():
        for r in f.get("best_for_added_capacity", []):
            rows.append({"类别": names.get(cat, cat), "设施": r["facility_id"],
                         "容量": _fmt(r["capacity"], 0),
                         "服务人口": _fmt(r["catchment_persons"], 0),
                         "一个单位使达标的人口": _fmt(r["added_unit_persons"], 0),
                         "服务范围内尚缺容量": _fmt(r["unmet_capacity"], 2)})
    return rows


def capacity_tables(out: Outputs) -> dict[str, pd.DataFrame]:
    """Caption → table of each run with capacity results (empty when none has them)."""
    import pandas as pd

    from zonekit.maps.circle_maps import kind_of

    tables = {}
    for run in out.circles.values():
        summary = run.get("summary") or {}
        if "capacity" not in summary:
            continue
        title = kind_of(summary)["title_zh"]
        names = {**summary.get("names_zh", {}), **{
            c: c for c in summary["capacity"]["categories"]}}
        names.update({r.category: r.name_zh for r in run["coverage"].itertuples()})
        cap = summary["capacity"]
        tables[f"{title}：千人容量（{method_zh(cap)}）"] = pd.DataFrame(_category_rows(run, names))
        tables[f"{title}：最拥挤的设施（每单位容量的服务人口最多）"] = (
            pd.DataFrame(_crowded_rows(run, names)))
        added = _added_rows(run, names)
        if added:
            tables[f"{title}：增加容量受益最多的设施（{ADDED_ZH}）"] = pd.DataFrame(added)
        if sited := (summary.get("siting") or {}).get("capacity_siting"):
            tables[f"{title}：{SITED_ZH.format(**sited)}"] = pd.DataFrame(
                [{"候选站点": s["candidate_id"], "服务的容量缺口": _fmt(s["served"], 2)}
                 for s in sited["sites_chosen"]])
    return tables
