"""The report's words on a service circle: whom it counts, each category's threshold, gaps.

A 15分钟便民生活圈 judges each category at its own threshold (a convenience store within
5 minutes, a fresh market within 8), and counts the trips of the origins inside the
study area (the park's zones unless the user chose otherwise): the report says both,
from the run's summary, before any share. Gaps are quoted as the named gap areas
(:mod:`~zonekit.analysis.circles.gap_areas`), never as counts of 1-ha cells.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zonekit.maps.report_text import number_text

if TYPE_CHECKING:
    import pandas as pd

_n = number_text

#: What the origins are, by :attr:`~zonekit.analysis.circles.origins.Origins.kind`:
#: (the measure of the coverage table, the unit counted, the words for the origins).
ORIGIN_WORDS = {"population_cells": ("population", "人", "人口"),
                "residential_parcels": ("origins", "宗居住地块", "居住地块"),
                "layer": ("origins", "个起点", "用户给定的起点")}


def origin_words(run: dict[str, Any]) -> tuple[str, str, str]:
    """Return (coverage measure, unit, what) of the run's origins (persons by default)."""
    area = (run.get("summary") or {}).get("study_area") or {}
    if area.get("kind") in ORIGIN_WORDS:
        return ORIGIN_WORDS[area["kind"]]
    cov = run.get("coverage")
    if cov is not None and "population" in set(cov["measure"]):
        return ORIGIN_WORDS["population_cells"]
    return ORIGIN_WORDS["layer"]


def scope_zh(run: dict[str, Any]) -> str:
    """Say whom the circle counts: the study area, its origins, those left out.

    Examples
    --------
    >>> scope_zh({"summary": {"circle_zh": "便民生活圈", "study_area": {
    ...     "kind": "population_cells", "area": "zones", "area_zh": "园区功能分区范围内",
    ...     "weight": 41045.7,
    ...     "outside_weight": 30818.3, "outside_origins": 1200, "origins": 900}}})
    '便民生活圈的统计范围为园区功能分区范围内的人口，共 41,046 人；分区以外的 30,818 人未计入。'
    """
    s = run.get("summary") or {}
    area = s.get("study_area") or {}
    if not area:
        return ""
    _, unit, what = origin_words(run)
    count = area["weight"] if area.get("kind") == "population_cells" else area["origins"]
    text = (f"{s.get('circle_zh', '')}的统计范围为{area['area_zh']}的{what}，共 "
            f"{_n(count, 0)} {unit}")
    if area.get("kind") == "residential_parcels":
        text += "（每宗居住地块计 1，不推算人数）"
    if area.get("outside_origins"):
        out = area["outside_weight"] if area.get("kind") == "population_cells" \
            else area["outside_origins"]
        where = "分区以外" if area.get("area") == "zones" else "范围以外"
        text += f"；{where}的 {_n(out, 0)} {unit}未计入"
    return text + "。"


def thresholds_zh(run: dict[str, Any]) -> str:
    """Say each category's own threshold, and what the complete set means, in one sentence."""
    s = run.get("summary") or {}
    cov = run.get("coverage")
    limits = s.get("limits") or {}
    if cov is None or not limits:
        return ""
    names = dict(zip(cov["category"], cov["name_zh"], strict=False))
    unit = "米" if s.get("measure") == "metres" else "分钟"
    shown = [c for c in limits if c in names]
    groups: dict[float, list[str]] = {}
    for c in shown:
        groups.setdefault(float(limits[c]), []).append(str(names[c]))
    parts = "；".join(f"{'、'.join(v)} {_n(k, 0)} {unit}" for k, v in sorted(groups.items()))
    text = f"{s.get('circle_zh', '')}按业态分别设定时限（而非统一 15 分钟）：{parts}"
    basics = [b for b in (s.get("circle") or {}).get("basics", []) if b in names]
    if basics:
        text += (f"。“{names.get('basics_complete', '基本业态齐全')}”指 {len(basics)} 类基本业态"
                 f"（{'、'.join(str(names[b]) for b in basics)}）均在各自时限内可达")
    return text + "。"


def uncovered(run: dict[str, Any]) -> pd.DataFrame:
    """Return the current coverage of the origins per category with a threshold, uncovered too."""
    cov = run["coverage"]
    measure = origin_words(run)[0]
    rows = cov.loc[(cov["scenario"] == "current") & (cov["measure"] == measure)
                   & cov["limit"].notna()].copy()
    rows["uncovered"] = rows["total"] - rows["covered"]
    return rows


def gap_area_sentence(run: dict[str, Any], category: str, name: str, top: int = 3) -> str:
    """Where one category's gap lies: its named areas, largest first, and by zone."""
    areas = run.get("gap_areas")
    if areas is None or not len(areas):
        return ""
    part = areas.loc[areas["category"] == category]
    if part.empty:
        return ""
    unit = origin_words(run)[1]
    biggest = "、".join(f"{r.place_zh}（{_n(r.weight, 0)} {unit}）"
                        for r in part.head(top).itertuples(index=False))
    zones = part.groupby("zone_name_zh")["weight"].sum().sort_values(ascending=False)
    by_zone = "、".join(f"{z} {_n(w, 0)} {unit}" for z, w in zones.items())
    return (f"{name}的缺口共 {_n(part['weight'].sum(), 0)} {unit}，按分区与最近道路归并为 "
            f"{len(part)} 个缺口片区，最大的是{biggest}；按分区：{by_zone}。建议优先在这些片区"
            "补设网点。")
