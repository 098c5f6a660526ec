"""The report's words: park name, data source line, 口径说明 and tracker notes in Chinese.

The analyses write their notes for the console (English); the report is for a director
who reads Chinese, so the known notes are rewritten here, one pattern each, and file
paths never appear (a profile is named by its scheme).

Examples
--------
>>> note_zh("firms in 生命健康")
'生命健康产业企业合计'
>>> note_zh("Σ rnd_wan 2022–2024, annual")
'2022–2024 年企业研发费用合计的年均增速'
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from zonekit.maps.report_data import Outputs

#: Park of the shipped sample: the synthetic data is calibrated to its plan.
SAMPLE_PARK_ZH = "中关村密云园"
FALLBACK_PARK_ZH = "园区"
DATA_SAMPLE_ZH = "示例数据（合成）"
DATA_USER_ZH = "用户提供的园区图层"
DENOMINATOR_NOTE_ZH = {
    "built": "建成建设用地：在用或闲置、用地性质为建设用地（工业、物流仓储、商业、居住、"
             "公共服务）的地块",
    "industrial": "建成工业用地：在用或闲置的工业用地地块",
    "all": "分区总面积：各分区边界内的全部土地（含未建设用地、道路与绿地）",
}
TRAJECTORY_ZH = ("营业收入按基期收入（加上新增用地投产后的产出和更新地块的增收）乘以"
                 "年均自然增长率逐年推算；在建地块自约定年份起计入用地、自投产年份起产生产出；"
                 "地均产出 = 营业收入 ÷ 用地。主情景的增长路径是规划的园区总收入路径，已含新增用地"
                 "的产出，因此营业收入沿该路径（加更新增收）推算，新增用地的产出不再另行叠加。")

_NOTES: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    (re.compile(r"^firms in (.+)$"), lambda m: f"{m.group(1).replace(', ', '、')}产业企业合计"),
    (re.compile(r"^denominator: (\w+) land(, as the plan's)?$"),
     lambda m: f"用地口径：{DENOMINATOR_NOTE_ZH.get(m.group(1), m.group(1)).split('：')[0]}"
               + ("（与规划口径一致）" if m.group(2) else "")),
    (re.compile(r"^denominator differs from the plan's: value, gap and on-track use the plan's "
                r"(\w+) land \((.+?)\) to compare like with like with its baseline (\S+) and "
                r"target (\S+); on the chosen '(\w+)' land \((.+?)\) it is (\S+) (.+?), not "
                r"comparable with the plan's figures$"),
     lambda m: f"所选用地口径与规划不同：现值、差距与是否达标按规划口径（{m.group(2)}）计算，"
               f"与基期 {m.group(3)}、目标 {m.group(4)} 可比；按所选口径（{m.group(6)}）为 "
               f"{m.group(7)} {m.group(8)}，不可与规划数值直接比较"),
    (re.compile(r"^firms without a patent figure count as 0$"), "未填报专利的企业按 0 计"),
    (re.compile(r"^revenue ≥ (.+)$"), r"营业收入 ≥ \1"),
    (re.compile(r"^firms with (\w+) true$"), lambda m: {
        "high_tech": "认定为高新技术企业的企业数", "specialized": "认定为专精特新的企业数",
    }.get(m.group(1), f"{m.group(1)} 为“是”的企业数")),
    (re.compile(r"^tech firms \(industries: (.+)\) founded (\d+)–(\d+), per year; "
                r"only firms still in the data are seen$"),
     lambda m: f"{m.group(2)}–{m.group(3)} 年成立的科技型企业（{m.group(1).replace(', ', '、')}）"
               "的年均数；仅统计数据中仍存续的企业"),
    (re.compile(r"^Σ rnd_wan (\d+)–(\d+), annual$"), r"\1–\2 年企业研发费用合计的年均增速"),
    (re.compile(r"^the layers carry no incubator accreditation.*$"),
     "图层中没有孵化器认定等级（市级/国家级），无法计算"),
    (re.compile(r"^needs the zones and parcels layers$"), "需要分区和地块图层"),
    (re.compile(r"^needs enterprise figures for at least two years$"),
     "需要至少两个年份的企业数据"),
    (re.compile(r"^no (\w+) column.*$"), r"企业图层缺少 \1 字段"),
    (re.compile(r"^no founded_year figures$"), "企业图层没有成立年份"),
]


#: Site solutions of a charging siting, as the report names them.
SOLUTION_ZH = {"set_cover": "达到目标的最少站点", "mclp": "覆盖最大化"}


#: Label of a proposed site by its solution: the fewest sites reaching the target are the
#: ones to build (新建站点); the maximal-covering sites are an alternative set (备选站点),
#: so two different points never share a label.
SITE_LABEL_ZH = {"set_cover": "新建站点", "mclp": "备选站点"}


def site_label_zh(rank: object, solution: object = "set_cover") -> str:
    """Chinese label of a proposed site: 新建站点1 … or 备选站点1 … (its rank in its solution).

    Examples
    --------
    >>> site_label_zh(2), site_label_zh(1, "mclp")
    ('新建站点2', '备选站点1')
    """
    return f"{SITE_LABEL_ZH.get(str(solution), '新建站点')}{int(rank)}"


def site_labels_zh(sites: pd.DataFrame) -> pd.Series:
    """:func:`site_label_zh` of each row of a sites table (``rank``, ``solution``)."""
    import pandas as pd

    return pd.Series([site_label_zh(r, s) for r, s in zip(sites["rank"], sites["solution"],
                                                          strict=True)],
                     index=sites.index, dtype=object)


def road_name_zh(names: pd.Series) -> pd.Series:
    """Nearest roads as the report names them: 无名道路 where no named road is near."""
    from zonekit.analysis.circles.gap_areas import UNNAMED_ZH
    from zonekit.analysis.circles.site_descriptions import UNNAMED

    text = names.astype("string")
    return text.mask(text.isna() | text.eq(UNNAMED) | text.eq(""), UNNAMED_ZH).astype(object)


def number_text(value: Any, decimals: int = 1) -> str:
    """Format a figure with thousands separators and ``decimals`` places; "—" if missing."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "—"
    return "—" if v != v else f"{v:,.{decimals}f}"


def solver_clause_zh(solver: object, what: str = "最优") -> str:
    """Say in Chinese that a plan is not proven optimal, with the bound the solver proved.

    ``solver`` is a ``solver`` entry of ``summary.json`` (renewal: ``status``, ``optimal``,
    ``bound_m2``, ``gap_m2``; siting: ``status``, ``optimal``, ``bound``); ``""`` when it
    is missing or optimal, so proven answers read as before.
    """
    if not isinstance(solver, dict) or solver.get("optimal", True):
        return ""
    timed = solver.get("status") in ("time_limit", "no_solution")
    why = "求解达到时限" if timed else "求解提前停止"
    if solver.get("bound_m2") is not None:
        return (f"（{why}，未证明{what}；面积下界 {number_text(solver['bound_m2'] / 1e6, 4)} "
                f"km²，至多多出 {number_text(solver.get('gap_m2'), 0)} m²）")
    return f"（{why}，未证明{what}）"


_GRADE_NOTES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"^no matching parcel: no land to divide by$"),
     lambda m: "无对应地块，无法计算亩均"),
    (re.compile(r"^(\w+) land: graded in a ranking of its own, not with industrial firms$"),
     lambda m: f"{_land_zh(m.group(1))}用地：单独排名参评，不与工业企业混排"),
    (re.compile(r"^land class (\w+) is not graded$"),
     lambda m: f"{_land_zh(m.group(1))}用地不参评"),
    (re.compile(r"^founded (\d+), < (\S+) years before (\d+)$"),
     lambda m: f"{m.group(1)} 年成立，至 {m.group(3)} 年不满 {m.group(2)} 年"),
    (re.compile(r"^revenue (\S+) 万元 < (\S+) 万元$"),
     lambda m: f"营业收入 {m.group(1)} 万元，低于参评门槛 {m.group(2)} 万元"),
    (re.compile(r"^land (\S+) 亩 < (\S+) 亩$"),
     lambda m: f"用地 {m.group(1)} 亩，低于参评门槛 {m.group(2)} 亩"),
]


_BASIS = [
    (re.compile(r"^P(\S+) of (\d+) (\w+) parcels in the park(?: \(zone has < (\d+)\))?$"),
     lambda m: f"全园 {m.group(2)} 宗在产{_land_zh(m.group(3))}用地地块地均产出的"
               f"第 {m.group(1)} 百分位"
               + (f"（所在分区同类不足 {m.group(4)} 宗）" if m.group(4) else "")),
    (re.compile(r"^P(\S+) of (\d+) (\w+) parcels in (.+)$"),
     lambda m: f"分区 {m.group(4)} 内 {m.group(2)} 宗在产{_land_zh(m.group(3))}用地地块地均产出的"
               f"第 {m.group(1)} 百分位"),
    (re.compile(r"^fewer than (\d+) producing (\w+) parcels to compare with$"),
     lambda m: f"在产{_land_zh(m.group(2))}用地地块不足 {m.group(1)} 宗，无可比对象"),
    (re.compile(r"^target 亩均营业收入 (\S+) 万元/亩$"),
     lambda m: f"按目标亩均营业收入 {m.group(1)} 万元/亩"),
]


def basis_zh(basis: object) -> str:
    """Say in Chinese what a renewal parcel's post-renewal output is taken from.

    Examples
    --------
    >>> basis_zh("P75 of 161 industrial parcels in GZ")
    '分区 GZ 内 161 宗在产工业用地地块地均产出的第 75 百分位'
    >>> basis_zh("P75 of 32 logistics parcels in the park (zone has < 3)")
    '全园 32 宗在产物流仓储用地地块地均产出的第 75 百分位（所在分区同类不足 3 宗）'
    """
    return _rewrite(basis, _BASIS)


def _rewrite(value: object, patterns: Any) -> str:
    """Rewrite ``value`` by the first of ``patterns`` (regex, replacement) it matches."""
    text = "" if value is None or value != value else str(value).strip()
    for pattern, repl in patterns:
        if pattern.match(text):
            return pattern.sub(repl, text)
    return text


def basis_sentence_zh(plan: Any, target: object) -> str:
    """Say what the renewal table's post-renewal output is (not the plan's target)."""
    if plan is None or not len(plan) or "basis" not in plan:
        return ""
    q = plan["basis"].astype(str).str.extract(r"^P(\S+) of ")[0].dropna()
    if q.empty:
        return ""
    return (f"更新后地均产出不是规划目标值，而是按各地块所在分区同类在产地块地均产出的第 "
            f"{q.iloc[0]} 百分位估算（同类地块不足时取全园同类，见表中“更新后产出依据”列），"
            f"故单宗地块更新后的地均产出可能仍低于目标 {number_text(target)}。")


def _land_zh(cls: str) -> str:
    from zonekit.maps.style import LAND_CLASS_ZH

    return LAND_CLASS_ZH.get(cls, cls)


def grade_note_zh(note: object) -> str:
    """Rewrite an enterprise's 参评说明 (``grade_note``) in Chinese.

    Examples
    --------
    >>> grade_note_zh("founded 2024, < 2 years before 2024")
    '2024 年成立，至 2024 年不满 2 年'
    """
    return _rewrite(note, _GRADE_NOTES)


def note_zh(note: object) -> str:
    """Rewrite an indicator note in Chinese (unknown notes are kept as they are)."""
    return _rewrite(note, _NOTES)


def park_name(out: Outputs) -> str:
    """Name of the park: given to :class:`Outputs`, a zones column, the sample's, or 园区."""
    return out.park_name or park_name_of(out.zone_geo, out.synthetic)


def park_name_of(zones: Any, synthetic: bool) -> str:
    """Name of the park from its zones' ``park_name``/``park_zh``/``park`` column.

    Without one: the sample's name for the sample, 园区 for other data.
    """
    for col in ("park_name", "park_zh", "park"):
        if zones is not None and col in zones:
            names = zones[col].dropna().astype(str).unique()
            if len(names) == 1 and names[0].strip():
                return names[0].strip()
    return SAMPLE_PARK_ZH if synthetic else FALLBACK_PARK_ZH


def report_title(out: Outputs) -> str:
    """Title of the report, after the park's name."""
    return f"{park_name(out)} 空间布局与土地效益分析报告"


def data_source(out: Outputs) -> str:
    """Where the data comes from, without a path: 示例数据（合成） or the user's layers."""
    return DATA_SAMPLE_ZH if out.synthetic else DATA_USER_ZH


def scheme_name(scheme: object, profile: object) -> str:
    """Name of the 亩均 scheme: its Chinese name and whether the shipped profile was used."""
    text = str(scheme or "")
    head = re.match(r"^[^\sA-Za-z(（]+", text)
    name = head.group(0) if head else "亩均效益综合评价"
    shipped = str(profile or "").replace("\\", "/").endswith("analysis/profiles/mujun.yaml")
    return f"{name}综合评价（{'内置方案' if shipped or not profile else '用户自定义方案'}）"


def notes_zh(out: Outputs) -> tuple[list[str], list[str]]:
    """口径说明 in Chinese, and the analyses' own processing notes (kept verbatim)."""
    s = out.intensity
    denominator = str(s.get("denominator", "built"))
    items = [
        f"地均产出用地口径：{DENOMINATOR_NOTE_ZH.get(denominator, denominator)}。",
        f"亩均效益评价方案：{scheme_name(s.get('scheme'), s.get('profile'))}。得分 = Σ 权重 × "
        "指标值 ÷ 基准值，基准值为参评企业均值，按排名比例分为 A、B、C、D 四类；数据中没有增加值，"
        "以营业收入代替增加值，没有排放数据，其权重计入研发投入强度。",
        f"发展路径模型：{TRAJECTORY_ZH}",
        f"规划目标来源：{out.indicator_summary.get('targets_source', '')}。",
        f"数据来源：{data_source(out)}；统计年份 {s.get('base_year') or '—'}。",
    ]
    credits = sorted({str(run.get("summary", {}).get("attribution"))
                      for run in out.circles.values() if run.get("summary", {}).get("attribution")})
    items += [f"道路数据来自 OpenStreetMap：{c}。" for c in credits]
    raw = [str(n) for n in (s.get("input_notes") or [])]
    if s.get("year_note"):
        raw.append(str(s["year_note"]))
    return items, raw


__all__ = ["data_source", "grade_note_zh", "note_zh", "notes_zh", "number_text", "park_name",
           "report_title",
           "scheme_name"]
