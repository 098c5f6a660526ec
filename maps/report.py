"""One self-contained HTML report of a park: headline figures, tables, chart and maps.

:func:`render_report` turns the analyses' results (:class:`~zonekit.maps.report_data.Outputs`)
into a single HTML file that opens from disk with no network: the trajectory chart is a
PNG inlined as base64, and each map is a complete folium page (Leaflet inlined) in an
``<iframe srcdoc>``. The default basemap is ``none``: the report is a file to archive and
pass around, often opened on government intranets where tile servers are unreachable
(OpenStreetMap is slow or blocked in mainland China, 天地图 needs a key), and a report
must look the same on every machine and in ten years; ``--basemap osm`` adds tiles.

Every number comes from the analyses' results: the plan's targets from the indicators table
(Table 1-1 of the plan, via :mod:`zonekit.analysis.indicators`), land and 亩均 figures from
the intensity run, and so on.
"""

# Module size: ~510 lines — the report is one page: its sections, cards, tables and screen
# and print CSS are rendered here together; texts live in report_text.py, figures in
# report_data.py.

from __future__ import annotations

import base64
import html
import io
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zonekit.analysis.mujun import SCENARIO_ZH
from zonekit.maps.conclusions import conclusions, conclusions_html
from zonekit.maps.interactive import FONT_CSS, SYNTHETIC_NOTE_ZH
from zonekit.maps.report_data import COUNT_UNITS, UNIT_ZH, Outputs, report_tables
from zonekit.maps.report_text import (
    data_source,
    notes_zh,
    number_text,
    park_name,
    report_title,
    solver_clause_zh,
)

if TYPE_CHECKING:
    import folium
    import pandas as pd
    from matplotlib.axes import Axes

HEADLINE_KEYS = ("total_revenue_yi", "land_output_yi_per_km2", "output_per_employee_wan")
CIRCLE_TABLES = ("生活圈覆盖", "服务缺口片区", "充电站选址")


# --- headline figures ------------------------------------------------------------------------

_num = number_text  # one formatting of figures for the report's text


def headline(out: Outputs) -> list[dict[str, str]]:
    """Headline cards: the plan's key indicators against their 2030 targets, low-efficiency land.

    Returns
    -------
    list of dict
        ``label``, ``value``, ``unit``, ``detail`` and ``status`` (``ok``, ``behind``,
        ``info``) of each card, all from the output files.
    """
    cards = []
    ind = out.indicators.set_index("indicator")
    for key in HEADLINE_KEYS:
        if key not in ind.index or not bool(ind.at[key, "supported"]):
            continue
        r = ind.loc[key]
        track = r["on_track"]
        status = "info" if track != track or track is None else ("ok" if bool(track) else "behind")
        verdict = {"ok": "进度达标", "behind": "落后于规划进度", "info": "进度待判定"}[status]
        if key == "land_output_yi_per_km2":
            status, verdict = _land_output_verdict(out, status, verdict)
        cards.append({
            "label": f"{r['name_zh']}（{int(r['year'])} 年）", "value": _num(r["value"]),
            "unit": str(r["unit"]), "status": status,
            "detail": (f"{int(r['target_year'])} 年目标 {_num(r['target'])}，需年均增长 "
                       f"{_num(r['required_annual_growth_pct'], 2)}%；{verdict}")})
    s = out.intensity
    land = float(s["land_km2"])
    share = 100 * float(s["low_efficiency_area_km2"]) / land if land > 0 else float("nan")
    cards.append({
        "label": "低效用地", "value": f"{int(s['low_efficiency_parcels'])}", "unit": "块",
        "status": "info",
        "detail": (f"{_num(s['low_efficiency_area_km2'], 2)} km²，占地均产出计算用地 "
                   f"{_num(land, 2)} km² 的 {_num(share)}%")})
    cards.extend(_circle_cards(out))
    return cards


def _land_output_verdict(out: Outputs, status: str, verdict: str) -> tuple[str, str]:
    """Judge the land-output card by the scenario to act on, not by the trend alone."""
    heads = out.intensity.get("renewal") or {}
    act = heads.get(str(heads.get("act_on", ""))) or {}
    if not act.get("renewal_needed"):
        return status, verdict
    label = SCENARIO_ZH.get(str(heads["act_on"]), str(heads["act_on"]))
    return "behind", (f"{verdict}，但按{label}不腾退 {act['target_year']} 年仅 "
                      f"{_num(act['land_output_without_renewal'])}，需腾笼换鸟方能达标")


def _circle_cards(out: Outputs) -> list[dict[str, str]]:
    """Each circle's headline shares, as its kind's ``report.headlines`` name them."""
    from zonekit.maps.circle_maps import COMPOSITE, kind_of

    cards = []
    for run in out.circles.values():
        cov = run.get("coverage")
        if cov is None:
            continue
        for head in kind_of(run.get("summary"))["headlines"]:
            cats = COMPOSITE if head["category"] == "complete" else (head["category"],)
            hit = cov.loc[(cov["scenario"] == "current") & cov["category"].isin(cats)]
            if head["measure"] is not None:
                hit = hit.loc[hit["measure"] == head["measure"]]
            if hit.empty:
                continue
            cards.append(_circle_card(hit.iloc[0], head["label"], run))
    return cards


#: Coverage measures counting the circle's origins (those of its study area).
ORIGIN_MEASURES = ("population", "origins")


def _circle_card(r: Any, label: str, run: dict[str, Any]) -> dict[str, str]:
    from zonekit.maps.circle_maps import kind_of

    s = run.get("summary") or {}
    if r["limit"] == r["limit"]:
        limit = f"{r['limit']:g} 分钟内"
    elif not kind_of(s).get("categories_from_data"):
        limit = "各要素均在各自时限内"
    else:  # the complete set: each basic within its own threshold
        basics = (s.get("circle") or {}).get("basics", [])
        own = sorted({float((s.get("limits") or {})[b]) for b in basics
                      if b in (s.get("limits") or {})})
        limit = (f"{len(basics)} 类基本业态均在各自时限内（"
                 f"{'、'.join(_num(m, 0) for m in own)} 分钟，见生活圈结论）")
    unit = UNIT_ZH.get(str(r["unit"]), str(r["unit"]))
    places = 0 if str(r["unit"]) in COUNT_UNITS else 1  # people and firms are counted whole
    area = (s.get("study_area") or {}).get("area_zh")
    scope = f"；统计范围：{area}" if area and r["measure"] in ORIGIN_MEASURES else ""
    return {"label": label, "value": _num(100 * r["share"]), "unit": "%", "status": "info",
            "detail": f"{limit}：{_num(r['covered'], places)} / {_num(r['total'], places)} "
                      f"{unit}{scope}"}


def renewal_sentences(out: Outputs) -> list[str]:
    """Say what each growth scenario means for renewal (腾笼换鸟), in Chinese, from summary.json."""
    lines = []
    for name, sc in out.intensity.get("scenarios", {}).items():
        a = sc["assumptions"]
        head = (f"{SCENARIO_ZH.get(name, name)}（年均自然增长 {_num(a['growth_pct'], 2)}%）："
                f"不更新时 "
                f"{a['target_year']} 年地均产出 {_num(sc['land_output_without_plan_yi_per_km2'])} "
                f"亿元/km²")
        target = _num(a["target_yi_per_km2"])
        if sc["plan_parcels"] == 0 and sc["plan_reaches_target"]:
            lines.append(f"{head}，已达到目标 {target}，无需腾笼换鸟。")
        elif sc["plan_reaches_target"]:
            unproven = solver_clause_zh(sc.get("solver"), "面积最小")
            which = "可达目标的组合" if unproven else "面积最小的组合"
            lines.append(f"{head}；更新 {sc['plan_parcels']} 块低效用地（"
                         f"{_num(sc['plan_area_km2'], 2)} km²，{which}）后达到 "
                         f"{_num(sc['plan_land_output_yi_per_km2'])}，实现目标 {target}"
                         f"{unproven}。")
        else:
            lines.append(f"{head}；即使更新全部 {sc['plan_parcels']} 块候选地块（"
                         f"{_num(sc['plan_area_km2'], 2)} km²）也只能达到 "
                         f"{_num(sc['plan_land_output_yi_per_km2'])}，低于目标 {target}。")
    return lines


# --- chart -----------------------------------------------------------------------------------

def trajectory_axes(trajectory: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Draw land output per year under each scenario, without and with the renewal plan.

    Parameters
    ----------
    trajectory
        ``trajectory.csv`` of ``zonekit intensity`` (one row per scenario and year).
    ax
        Axes to draw on; a new figure when ``None``.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on. Labels are Chinese when a CJK font is installed, English otherwise.
    """
    import matplotlib.pyplot as plt

    from zonekit.maps.static import FontNotFoundError, cjk_rc

    try:
        with cjk_rc():
            return _draw_trajectory(trajectory, ax, chinese=True)
    except FontNotFoundError:
        plt.close("all")
        return _draw_trajectory(trajectory, ax, chinese=False)


def _draw_trajectory(trajectory: pd.DataFrame, ax: Axes | None, chinese: bool) -> Axes:
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.2))
    colors = {"main": "#1f78b4", "conservative": "#e6550d"}
    names = SCENARIO_ZH if chinese else {"main": "main", "conservative": "conservative"}
    for name, rows in trajectory.groupby("scenario", sort=False):
        c = colors.get(str(name), "#555555")
        label = names.get(str(name), str(name))
        ax.plot(rows["year"], rows["land_output_without_plan_yi_per_km2"], "--", color=c,
                label=f"{label}：不更新" if chinese else f"{label}: no renewal")
        ax.plot(rows["year"], rows["land_output_with_plan_yi_per_km2"], "-o", color=c, ms=3,
                label=f"{label}：按更新方案" if chinese else f"{label}: with plan")
    target = float(trajectory["target_yi_per_km2"].iloc[0])
    ax.axhline(target, color="#333333", lw=1, ls=":")
    ax.annotate(f"目标 {target:g}" if chinese else f"target {target:g}",
                (trajectory["year"].min(), target), xytext=(2, 3), textcoords="offset points",
                fontsize=9)
    ax.set_xlabel("年份" if chinese else "year")
    ax.set_ylabel("地均产出（亿元/km²）" if chinese else "land output (100 M yuan/km²)")
    ax.set_xticks(sorted(trajectory["year"].unique()))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")  # rising paths: upper left holds the target label
    ax.figure.tight_layout()
    return ax


def _chart_html(out: Outputs) -> str:
    """Draw the trajectory chart in Chinese, or say why it is left out (no CJK font)."""
    from zonekit.maps.static import FontNotFoundError, find_cjk_font

    try:
        find_cjk_font()
    except FontNotFoundError:
        return ('<p class="zk-note">未安装中文字体，发展路径图从略（安装 Noto Sans CJK 等中文字体'
                '后重新生成报告即可显示）；逐年数值见“发展路径”表。</p>')
    uri = png_data_uri(trajectory_axes(out.trajectory))
    return f'<img class="zk-chart" alt="地均产出发展路径" src="{uri}">'


def png_data_uri(ax_or_fig: Any, dpi: int = 130) -> str:
    """Encode the figure as a ``data:image/png;base64,…`` URI (Chinese kept) and close it."""
    from contextlib import ExitStack

    import matplotlib.pyplot as plt

    from zonekit.maps.static import FontNotFoundError, cjk_rc

    fig = getattr(ax_or_fig, "figure", ax_or_fig)
    buf = io.BytesIO()
    with ExitStack() as stack:
        try:  # text is laid out when saving: the CJK font must be active then
            stack.enter_context(cjk_rc())
        except FontNotFoundError:
            pass
        fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


# --- maps ------------------------------------------------------------------------------------

def report_maps(out: Outputs, basemap: str = "none") -> list[tuple[str, str, folium.Map]]:
    """Draw the report's maps as ``(section, title, map)``: zones, 亩均, renewal, circles.

    Titles are shown above each map, not on it, so no zone label is covered.
    """
    from zonekit.maps import analysis_maps as am
    from zonekit.maps import zone_maps as zm

    name = park_name(out)
    denominator = out.intensity.get("denominator", "built")
    specs = [
        ("zones", zm.zone_layers(out.zone_geo), zm.zone_title(name)),
        ("zones", zm.land_output_layers(out.zone_geo),
         zm.land_output_title(denominator, name)),
        ("mujun", am.mujun_layers(out.parcels, out.zone_geo), am.mujun_title(name)),
        ("renewal", am.low_efficiency_layers(out.parcels, out.zone_geo),
         am.low_efficiency_title(name)),
    ]
    if out.circles:
        from zonekit.maps import circle_maps as cm

        for run in out.circles.values():
            for layers, title in cm.circle_layers(run, out.zone_geo, name):
                specs.append(("circles", layers, title))
    base = out.base or list  # the park's roads and water under each map
    return [(section, title, report_map(base(layers), basemap, out.synthetic))
            for section, layers, title in specs]


#: In the report's frames: legend at the top left under the zoom buttons, clear of the
#: layer control (top right) and the scale (bottom left).
REPORT_MAP_CSS = """<style>
#zk-report-legend { position: absolute; top: 80px; left: 10px; bottom: auto; right: auto;
  z-index: 1000;
  background: #fff; padding: 6px 8px; border-radius: 4px; max-width: 260px;
  box-shadow: 0 1px 4px rgba(0,0,0,.3); font-size: 12px; line-height: 1.5;
  max-height: calc(100% - 150px); overflow-y: auto; }
#zk-report-legend .zk-swatch { display: inline-block; width: 14px; height: 12px;
  margin-right: 6px; vertical-align: middle; box-sizing: border-box; }
#zk-report-legend .zk-legend-title { font-weight: bold; margin-top: 4px; }
@media print { .leaflet-control-zoom, .leaflet-control-layers { display: none; }
  #zk-report-legend { max-height: none; box-shadow: none; border: 1px solid #999; } }
</style>"""


def report_map(layers: list[Any], basemap: str, synthetic: bool) -> folium.Map:
    """One map of the report: the layers, and a legend built from their style specs."""
    import folium

    from zonekit.maps.interactive import make_map
    from zonekit.maps.legend import legend_groups, legend_html

    m = make_map(layers, basemap, synthetic)
    html_root = m.get_root().html
    for key, child in list(html_root._children.items()):
        if 'id="zk-legend"' in child.render():  # make_map's legend: replaced by ours
            del html_root._children[key]
    m.get_root().header.add_child(folium.Element(REPORT_MAP_CSS), name="zk_report_css")
    html_root.add_child(folium.Element(
        legend_html(legend_groups(layers), element_id="zk-report-legend",
                    css_class="zk-legend zk-report-legend")))
    return m


def _iframe(m: folium.Map, title: str) -> str:
    doc = m.get_root().render()
    return (f'<iframe class="zk-map" title="{html.escape(title)}" '
            f'srcdoc="{html.escape(doc, quote=True)}"></iframe>')


# --- the page --------------------------------------------------------------------------------

#: Tables of more columns print on landscape pages (A4 portrait holds about ten at 8 pt).
WIDE_COLUMNS = 10
_NUMBER = re.compile(r"^(—|[-−+]?[\d,]+(\.\d+)?%?)$")


def _td(value: object) -> str:
    text = str(value)
    # Numbers stay on one line; long text keeps a readable width when columns are narrow.
    cls = ' class="n"' if _NUMBER.match(text) else (
        ' class="t"' if len(text) > 12 else (' class="s"' if len(text) <= 8 else ""))
    return f"<td{cls}>{html.escape(text)}</td>"


def _table(df: pd.DataFrame, caption: str = "") -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    body = "".join("<tr>" + "".join(_td(v) for v in row) + "</tr>"
                   for row in df.itertuples(index=False))
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    wide = " zk-wide" if len(df.columns) > WIDE_COLUMNS else ""
    return f'<div class="zk-table{wide}"><table>{cap}<thead><tr>{head}</tr></thead>' \
           f"<tbody>{body}</tbody></table></div>"


def _cards(cards: list[dict[str, str]]) -> str:
    return '<div class="zk-cards">' + "".join(
        f'<div class="zk-card zk-{c["status"]}"><div class="zk-card-label">'
        f'{html.escape(c["label"])}</div><div class="zk-card-value">{html.escape(c["value"])}'
        f' <span>{html.escape(c["unit"])}</span></div><div class="zk-card-detail">'
        f'{html.escape(c["detail"])}</div></div>' for c in cards) + "</div>"


def render_report(out: Outputs, basemap: str = "none") -> str:
    """Write the report's HTML text (one self-contained page).

    Parameters
    ----------
    out
        The analyses' outputs.
    basemap
        Basemap of the maps: ``none`` (default, offline), ``osm``, ``tianditu`` or ``amap``.
    """
    tables = report_tables(out)
    maps: dict[str, list[str]] = {}
    for section, title, m in report_maps(out, basemap):
        maps.setdefault(section, []).append(  # a figure: printed on one page with its title
            f'<figure class="zk-figure"><h3 class="zk-map-title">{html.escape(title)}</h3>'
            f"{_iframe(m, title)}</figure>")
    chart = _chart_html(out)
    s, zs = out.intensity, out.zone_summary
    year = s.get("base_year") or zs.get("enterprise_year")
    data_line = f"数据来源：{data_source(out)}；统计年份 {year}；坐标系 {zs.get('crs')}"
    title = report_title(out)
    sections = [
        ("headline", "核心指标与规划目标", _cards(headline(out))),
        ("conclusions", "结论与建议", conclusions_html(conclusions(out))),
        ("indicators", "规划主要指标（表 1-1）跟踪", _table(tables["规划指标"])),
        ("zones", "功能分区与地均产出",
         _table(tables["功能分区"]) + "".join(maps.get("zones", []))),
        ("mujun", "亩均效益评价",
         _table(tables["分区亩均效益"], "各分区亩均效益") + _table(tables["产业"], "各产业")
         + _table(tables["地块亩均效益分类"], "地块亩均效益分类（按地块评价等级）")
         + _table(tables["企业亩均效益分类"], "企业亩均效益分类（按企业评价等级）")
         + "".join(maps.get("mujun", []))),
        ("renewal", "低效用地与腾笼换鸟",
         _table(tables["低效用地"], "低效用地（按认定原因）")
         + "".join(f"<p>{html.escape(t)}</p>" for t in renewal_sentences(out))
         + _basis_html(out)
         + chart
         + _plan_html(tables["更新方案"], out)
         + _table(tables["发展路径"], "发展路径") + "".join(maps.get("renewal", []))),
    ]
    circle_html = _circle_intro(out) + "".join(
        _table(t, name) for name, t in tables.items() if name in CIRCLE_TABLES) \
        + "".join(maps.get("circles", []))
    if circle_html:
        sections.append(("circles", "生活圈与充电设施", circle_html))
    from zonekit.maps.report_capacity import TITLE_ZH, capacity_tables  # capacity (#30)
    if cap_html := "".join(_table(t, name) for name, t in capacity_tables(out).items()):
        sections.append(("capacity", TITLE_ZH, cap_html))
    sections.append(("notes", "口径说明", _notes(out)))
    nav = " · ".join(f'<a href="#{sid}">{html.escape(t)}</a>' for sid, t, _ in sections)
    body = "".join(f'<section id="{sid}"{_wide(content)}><h2>{html.escape(t)}</h2>{content}'
                   "</section>" for sid, t, content in sections)
    banner = (f'<div class="zk-banner" id="zk-synthetic">{html.escape(SYNTHETIC_NOTE_ZH)}</div>'
              if out.synthetic else "")
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title>{_css()}</head><body>"
            f"<header><h1>{html.escape(title)}</h1><p>{html.escape(data_line)}；zonekit "
            f"{html.escape(str(zs.get('zonekit_version', '')))} 生成</p></header>{banner}"
            f'<nav>{nav}</nav><main>{body}</main></body></html>')


def _wide(content: str) -> str:
    """Class of a section holding a wide table: printed on landscape pages, title and all."""
    return ' class="zk-wide"' if 'class="zk-table zk-wide"' in content else ""


def _plan_html(table: pd.DataFrame, out: Outputs) -> str:
    """Lay out the renewal table, or say so when no plan takes a parcel (no empty table)."""
    if table.empty:
        return '<p class="zk-note">各情景均无需腾退，没有更新方案地块。</p>'
    return _table(table, _plan_caption(out))


def _plan_caption(out: Outputs) -> str:
    """Title of the renewal table: which plans it lists, in the order of work of which."""
    scenarios = out.intensity.get("scenarios") or {}
    taken = [n for n, sc in scenarios.items() if sc.get("plan_parcels")]
    act_on = str((out.intensity.get("renewal") or {}).get("act_on", ""))
    if not taken:
        return "更新方案地块（各情景均无需腾退）"
    taken.sort(key=lambda n: n != act_on)  # the plan acted on first: the table's order
    names = "、".join(SCENARIO_ZH.get(n, n) for n in taken)
    order = f"按{SCENARIO_ZH.get(taken[0], taken[0])}推进顺序" if len(taken) > 1 else "按推进顺序"
    return f"更新方案地块（{names}方案，{order}）"


def _basis_html(out: Outputs) -> str:
    """Say what the renewal table's post-renewal output is taken from."""
    from zonekit.maps.report_text import basis_sentence_zh

    text = basis_sentence_zh(out.renewal_plan, out.intensity.get("target_land_output_yi_per_km2"))
    return f'<p class="zk-note">{html.escape(text)}</p>' if text else ""


def _circle_intro(out: Outputs) -> str:
    """Whom each service circle counts and each category's threshold, before its tables."""
    from zonekit.maps import life_circle_text as lc
    from zonekit.maps.report_data import circle_runs

    texts = [t for run in circle_runs(out, "categories_from_data")
             for t in (lc.scope_zh(run), lc.thresholds_zh(run)) if t]
    return "".join(f'<p class="zk-note">{html.escape(t)}</p>' for t in texts)


def _notes(out: Outputs) -> str:
    items, raw = notes_zh(out)
    body = "<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>"
    if raw:  # the analyses' own notes, as the console printed them
        body += ('<p>数据处理提示（程序原文）：</p><ul class="zk-raw" lang="en">'
                 + "".join(f"<li><code>{html.escape(i)}</code></li>" for i in raw) + "</ul>")
    return body


def _css() -> str:
    return f"""<style>
body {{ font-family: {FONT_CSS}; margin: 0; color: #222; background: #fafafa; }}
header {{ background: #1f4e79; color: #fff; padding: 16px 28px; }}
header h1 {{ margin: 0 0 4px; font-size: 24px; }} header p {{ margin: 0; opacity: .85; }}
.zk-banner {{ background: #fff3cd; color: #7a4d00; padding: 8px 28px; font-weight: bold;
  border-bottom: 1px solid #e0c46c; }}
nav {{ padding: 8px 28px; background: #fff; border-bottom: 1px solid #ddd; font-size: 14px; }}
main {{ padding: 0 28px 40px; max-width: 1280px; }}
h2 {{ border-left: 5px solid #1f4e79; padding-left: 10px; margin-top: 32px; }}
.zk-cards {{ display: flex; flex-wrap: wrap; gap: 12px; }}
.zk-card {{ background: #fff; border-radius: 6px; padding: 12px 16px; min-width: 200px;
  box-shadow: 0 1px 3px rgba(0,0,0,.2); border-top: 4px solid #888; }}
.zk-ok {{ border-top-color: #1a9641; }} .zk-behind {{ border-top-color: #d7191c; }}
.zk-card-label {{ font-size: 13px; color: #555; }}
.zk-card-value {{ font-size: 28px; font-weight: bold; }}
.zk-card-value span {{ font-size: 14px; font-weight: normal; }}
.zk-card-detail {{ font-size: 12px; color: #555; max-width: 260px; }}
.zk-table {{ overflow-x: auto; margin: 12px 0; }}
table {{ border-collapse: collapse; font-size: 13px; background: #fff; }}
caption {{ text-align: left; font-weight: bold; padding: 4px 0; }}
th, td {{ border: 1px solid #ccc; padding: 3px 8px; }} th {{ background: #ddebf7; }}
td {{ text-align: left; }} td.n {{ text-align: right; white-space: nowrap; }}
.zk-map {{ width: 100%; height: 560px; border: 1px solid #bbb; margin: 12px 0;
  box-sizing: border-box; background: #fff; }}
.zk-findings li {{ margin: 6px 0; line-height: 1.6; }}
.zk-source {{ color: #666; font-size: 12px; }}
.zk-map-title {{ margin: 18px 0 0; font-size: 16px; }}
.zk-chart {{ max-width: 100%; background: #fff; border: 1px solid #ddd; }}
.zk-figure {{ margin: 0; }}
{PRINT_CSS}</style>"""


#: Print (A4): page numbers in the bottom margin, each part on new pages, tables in the page
#: width (wide ones on landscape pages), every map on one page with its title.
PRINT_CSS = """@page { size: A4; margin: 14mm 12mm 16mm;
  @bottom-right { content: "第 " counter(page) " 页，共 " counter(pages) " 页";
    font-size: 8pt; color: #555; } }
@page wide { size: A4 landscape; }
@media print {
  body { background: #fff; font-size: 10pt; -webkit-print-color-adjust: exact;
    print-color-adjust: exact; }
  nav { display: none; }
  header { padding: 8px 12px; } header h1 { font-size: 18pt; }
  .zk-banner { padding: 4px 12px; }
  main { padding: 0; max-width: none; }
  section { break-before: page; }
  section#headline, section#conclusions { break-before: auto; }
  h2 { margin-top: 0; break-after: avoid; font-size: 14pt; }
  .zk-card { min-width: 0; width: 30%; padding: 6px 8px; box-shadow: none;
    border: 1px solid #ccc; border-top-width: 4px; break-inside: avoid; }
  .zk-card-value { font-size: 18pt; } .zk-card-detail { max-width: none; }
  .zk-findings li { break-inside: avoid; line-height: 1.45; }
  .zk-table { overflow: visible; margin: 6px 0; }
  section.zk-wide { page: wide; }
  table { width: 100%; font-size: 8pt; }
  th, td { padding: 2px 3px; } td.t { min-width: 9em; }
  td.s { white-space: nowrap; }
  thead { display: table-header-group; } tr { break-inside: avoid; }
  caption { break-after: avoid; }
  .zk-figure { break-inside: avoid; page-break-inside: avoid; margin: 6px 0 0; }
  .zk-map { height: 150mm; margin: 4px 0 0; }
  .zk-chart { max-height: 110mm; break-inside: avoid; }
}
"""


def write_report_from(out: Outputs, folder: Path | str, basemap: str = "none",
                      html_name: str = "report.html",
                      xlsx_name: str = "report.xlsx") -> tuple[Path, Path]:
    """Write ``report.html`` and ``report.xlsx`` into ``folder`` from results in memory."""
    from zonekit.maps.workbook import write_workbook
    from zonekit.zones.io import atomic_path

    folder = Path(folder)
    page = render_report(out, basemap)
    html_path = folder / html_name
    with atomic_path(html_path) as tmp:
        Path(tmp).write_text(page, encoding="utf-8")
    notes = [report_title(out), *(["注意：" + SYNTHETIC_NOTE_ZH] if out.synthetic else []),
             f"数据来源：{data_source(out)}；坐标系 {out.zone_summary.get('crs')}",
             "列名中括号内为单位；亿元 = 10⁸ 元，万元 = 10⁴ 元，1 亩 = 666.67 m²。"]
    mark = "注意：" + SYNTHETIC_NOTE_ZH if out.synthetic else ""
    xlsx = write_workbook(report_tables(out, full=True), folder / xlsx_name, notes, mark)
    return html_path, xlsx


__all__ = ["headline", "png_data_uri", "render_report", "renewal_sentences", "report_maps",
           "trajectory_axes", "write_report_from"]
