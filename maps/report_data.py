"""What the report shows: the analyses' results as the report takes them, and its tables.

``zonekit report`` runs the analyses (``zones``, ``intensity``, ``indicators`` and, when
the data has roads and facilities, the circles), writes each into a sub-folder of one
folder and hands their results, in memory, to the report as an :class:`Outputs` (made
by ``zonekit.api.report.outputs_of``); :func:`report_tables` turns them into the
report's tables with Chinese headers. Every number in the report comes from these
results: nothing is computed twice or written in code.
"""

# Module size: ~420 lines — the report's tables are built here together (each from the
# results, with its denominator), so their totals can be checked side by side.

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zonekit.maps.style import KIND_ZH, Field
from zonekit.maps.workbook import chinese_table, field_of

if TYPE_CHECKING:
    from collections.abc import Mapping

    import geopandas as gpd
    import pandas as pd


@dataclass
class Outputs:
    """The analyses' results as the report reads them."""

    folder: Path
    zone_summary: dict[str, Any]
    zones: pd.DataFrame
    zone_geo: gpd.GeoDataFrame
    intensity: dict[str, Any]
    intensity_zones: pd.DataFrame
    industries: pd.DataFrame
    renewal_plan: pd.DataFrame
    trajectory: pd.DataFrame
    parcels: gpd.GeoDataFrame
    enterprises: pd.DataFrame
    indicators: pd.DataFrame
    indicator_summary: dict[str, Any]
    circles: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Name of the park for titles; ``None``: from the zones layer or the sample's.
    park_name: str | None = None
    #: Adds the light base of roads and water under a map's layers (``None``: no base).
    base: Callable[[list[Any]], list[Any]] | None = None

    @property
    def synthetic(self) -> bool:
        """Whether the data is the bundled synthetic sample."""
        return bool(self.zone_summary.get("synthetic"))


# --- the tables ------------------------------------------------------------------------------

INDICATOR_COLUMNS = ("row", "name_zh", "unit", "value", "baseline", "target", "gap",
                     "required_annual_growth_pct", "trend_years", "trend_growth_pct",
                     "on_track", "note")
ZONE_COLUMNS = ("zone_id", "name_zh", "kind", "area_km2", "parcels", "built_land_km2",
                "industrial_land_km2", "enterprises", "employees", "revenue_yi",
                "land_output_yi_per_km2", "output_per_employee_wan")
ZONE_MUJUN_COLUMNS = ("zone_id", "name_zh", "land_km2", "land_mu", "revenue_yi", "tax_wan",
                      "land_output_yi_per_km2", "revenue_per_mu_wan", "tax_per_mu_wan",
                      "output_per_employee_wan")
INDUSTRY_COLUMNS = ("industry", "enterprises", "revenue_yi", "revenue_share_pct", "land_km2",
                    "land_output_yi_per_km2", "revenue_per_mu_wan", "tax_per_mu_wan",
                    "output_per_employee_wan")
PLAN_COLUMNS = ("priority_conservative", "priority_main", "rank", "parcel_id", "zone_id",
                "zone_name_zh", "road_name", "road_distance_m", "lon", "lat", "firms",
                "lease_end_year", "land_class", "status", "area_mu",
                "current_land_output_yi_per_km2", "post_land_output_yi_per_km2", "basis_zh",
                "gain_yi", "reasons_zh", "in_plan_main", "in_plan_conservative")
PLAN_FIELDS = {
    "basis_zh": Field("basis_zh", "更新后产出依据"),
    # every candidate ranked by gain; the plans' own order is 推进顺序
    "rank": Field("rank", "候选排名（按增收，全部候选）", "", 0),
    "zone_name_zh": Field("zone_name_zh", "所在分区"),
    "road_name": Field("road_name", "最近道路"),
    "road_distance_m": Field("road_distance_m", "距最近道路", "m", 0),
}
TRAJECTORY_COLUMNS = ("scenario", "year", "land_km2", "revenue_without_plan_yi",
                      "land_output_without_plan_yi_per_km2", "renewal_revenue_yi",
                      "revenue_with_plan_yi", "land_output_with_plan_yi_per_km2",
                      "target_yi_per_km2")
PARCEL_COLUMNS = ("parcel_id", "zone_id", "land_use", "land_class", "status", "area_mu",
                  "floor_area_m2", "plot_ratio", "enterprises", "revenue_yi",
                  "revenue_per_mu_wan", "tax_per_mu_wan", "grade_status", "class",
                  "total_score", "rank", "low_efficiency", "reasons_zh", "renewal_candidate",
                  "in_plan_main", "in_plan_conservative")
ENTERPRISE_COLUMNS = ("ent_id", "name", "industry", "parcel_id", "zone_id", "revenue_wan",
                      "tax_wan", "employees", "energy_tce", "rnd_wan", "patents",
                      "founded_year", "high_tech", "specialized", "land_mu", "grade_status",
                      "grade_note", "class", "rank", "total_score", "tax_per_mu_wan",
                      "revenue_per_mu_wan", "revenue_per_tce_wan", "rnd_intensity_pct",
                      "revenue_per_employee_wan")
INDICATOR_NAME = {"name_zh": Field("name_zh", "指标")}
ZONE_KIND = {"kind": Field("kind", "类型", values={**KIND_ZH, "total": "合计"})}
TOTAL_ZH = "合计"


def _total(df: pd.DataFrame, column: str) -> pd.DataFrame:
    """Name the park total row (``park``) 合计, and the rows of no zone without their codes."""
    from zonekit.analysis.land.intensity import NO_ZONE, UNASSIGNED

    out = df.copy()
    out[column] = out[column].replace({"park": TOTAL_ZH, UNASSIGNED: "—", NO_ZONE: "—"})
    return out


def grade_labels(frame: pd.DataFrame) -> pd.Series:
    """Each unit's grade as the report counts it: its class, its separate ranking's, or why not.

    Units graded in a separate ranking (commercial, public service land) count with that
    ranking's class (``A类（商业服务业单独排名）``); units graded in neither are 未参评 with
    the reason (``未参评：规模或用地低于参评门槛``).
    """
    import pandas as pd

    from zonekit.maps.style import GRADE_STATUS_ZH, LAND_CLASS_ZH

    graded = list("ABCD")
    cls = frame["class"].astype(str)
    status = (frame["grade_status"].astype(str) if "grade_status" in frame
              else pd.Series("not_graded", index=frame.index))
    label = (cls + "类").where(cls.isin(graded))
    if "separate_class" in frame:
        sep = status.eq("graded_separately")
        s_cls = frame["separate_class"].astype(str)
        ranking = frame["separate_ranking"].astype(str).map(lambda r: LAND_CLASS_ZH.get(r, r))
        hit = sep & s_cls.isin(graded)
        label[hit] = s_cls[hit] + "类（" + ranking[hit] + "单独排名）"
        status = status.mask(sep & ~hit, frame["separate_status"].astype(str))
    rest = label.isna()
    label[rest] = "未参评：" + status[rest].map(lambda v: GRADE_STATUS_ZH.get(v, v))
    return label


def _by_grade(frame: pd.DataFrame, **agg: tuple[str, Any]) -> pd.DataFrame:
    """Aggregate by :func:`grade_labels`: own classes, separate rankings, then 未参评."""
    import pandas as pd

    g = frame.assign(grade=grade_labels(frame)).groupby("grade").agg(**agg)
    order = sorted(g.index, key=lambda v: (v.startswith("未参评"), v.partition("（")[2], v))
    return pd.DataFrame(g.reindex(order)).rename_axis("class").reset_index()


def class_table(out: Outputs) -> pd.DataFrame:
    """Parcels per 亩均 grade (own class, separate ranking, 未参评 by reason): land, revenue."""
    g = _by_grade(out.parcels, parcels=("parcel_id", "size"), area_mu=("area_mu", "sum"),
                  revenue_yi=("revenue_yi", "sum"), tax_wan=("tax_wan", "sum"))
    g["share_pct"] = 100 * g["area_mu"] / g["area_mu"].sum()
    return g


def enterprise_class_table(out: Outputs) -> pd.DataFrame:
    """Enterprises per 亩均 grade (own class, separate ranking, 未参评 by reason)."""
    e = out.enterprises
    cols = {"enterprises": ("class", "size")}
    for col in ("land_mu", "revenue_wan", "tax_wan", "employees"):
        if col in e:
            cols[col] = (col, "sum")
    g = _by_grade(e, **cols)
    g["share_pct"] = 100 * g["enterprises"] / g["enterprises"].sum()
    return g


#: The low-efficiency table's row of parcels outside the land-output land (no share).
OUTSIDE_LAND_ZH = "不计入地均产出计算用地"


def low_efficiency_table(out: Outputs) -> pd.DataFrame:
    """Low-efficiency parcels by reason: count, area, share of the land-output land.

    The share's denominator is the land of the land-output figure (``land_km2`` of the
    intensity run, the headline card's), so both say the same share; parcels outside that
    land (green, roads, under construction …) are one row of their own, without a share.
    """
    import pandas as pd

    from zonekit.maps.analysis_maps import LOW_EFFICIENCY_CLASSES

    p = out.parcels
    inside = p["in_denominator"].astype(bool) if "in_denominator" in p else p.index == p.index
    key = p["le_class"].where(inside, "_outside")
    g = p.groupby(key).agg(parcels=("parcel_id", "size"), area_mu=("area_mu", "sum"),
                           area_km2=("area_m2", lambda s: s.sum() / 1e6))
    g = g.reindex([k for k in [*LOW_EFFICIENCY_CLASSES, "_outside"] if k in g.index])
    land_km2 = float(out.intensity.get("land_km2") or g.loc[g.index != "_outside",
                                                            "area_km2"].sum())
    g["share_pct"] = (100 * g["area_km2"] / land_km2).where(g.index != "_outside")
    g.index = [LOW_EFFICIENCY_CLASSES[k][0] if k != "_outside" else OUTSIDE_LAND_ZH
               for k in g.index]
    return pd.DataFrame(g).rename_axis("le_class").reset_index()


#: The industry table's row of land-output land no enterprise of the data occupies.
NO_FIRM_LAND_ZH = "无在册企业的计算用地"


def industry_table(out: Outputs) -> pd.DataFrame:
    """Industries, a row of land without firms, and the park's total on the park's land.

    An industry's land is that of its firms' parcels; the land-output land also holds
    parcels without a firm in the data, so their land is a row of its own and the total
    row is the park's (``land_km2`` and land output of the intensity run).
    """
    import pandas as pd

    ind = out.industries
    rows, park = ind.loc[ind["industry"] != "park"], ind.loc[ind["industry"] == "park"]
    land = out.intensity.get("land_km2")
    if park.empty or land is None:
        return ind
    total = park.iloc[0].copy()
    rest = float(land) - float(rows["land_km2"].sum())
    extra = {"industry": NO_FIRM_LAND_ZH, "enterprises": 0, "revenue_yi": 0.0,
             "revenue_share_pct": 0.0, "land_km2": rest, "land_mu": rest * 1500}
    total["land_km2"], total["land_mu"] = float(land), float(land) * 1500
    for col, key in (("land_output_yi_per_km2", "land_output_yi_per_km2"),
                     ("revenue_per_mu_wan", "revenue_per_mu_wan"),
                     ("tax_per_mu_wan", "tax_per_mu_wan")):
        if key in out.intensity:
            total[col] = float(out.intensity[key])
    parts = [rows, pd.DataFrame([extra])] if rest > 1e-9 else [rows]
    return pd.concat([*parts, pd.DataFrame([total])], ignore_index=True)


def _plan(out: Outputs) -> pd.DataFrame:
    from zonekit.maps.report_text import basis_zh, road_name_zh

    plan = out.renewal_plan.copy()
    reasons = out.parcels.set_index("parcel_id")["reasons_zh"]
    plan["reasons_zh"] = plan["parcel_id"].map(reasons)
    if "basis" in plan:
        plan["basis_zh"] = plan["basis"].map(basis_zh)
    if "name_zh" in out.zone_geo:
        plan["zone_name_zh"] = plan["zone_id"].map(out.zone_geo.set_index("zone_id")["name_zh"])
    if "road_name" in plan:
        plan["road_name"] = road_name_zh(plan["road_name"])
    order = f"priority_{(out.intensity.get('renewal') or {}).get('act_on', '')}"
    if order in plan:  # the plan to act on first, in its order of work; then the rest by rank
        plan = plan.sort_values([order, "rank"], na_position="last", kind="stable")
    return plan


def plan_columns(out: Outputs, plan: pd.DataFrame, full: bool) -> list[str]:
    """Columns of the renewal table: all in the workbook; the plans' own in the report.

    The report lists the parcels a plan takes, so it numbers them by each plan's order
    of work (推进顺序, the plan acted on first) and leaves out the rank among all
    candidates (it would start past 1 and skip numbers) and the plans that take no parcel.
    """
    if full:
        return list(PLAN_COLUMNS)
    act_on = (out.intensity.get("renewal") or {}).get("act_on", "")
    used = sorted((c for c in plan if c.startswith("priority_") and plan[c].notna().any()),
                  key=lambda c: c != f"priority_{act_on}")
    dropped = {"rank", "in_plan_main", "in_plan_conservative", "priority_main",
               "priority_conservative", *(["zone_id"] if "zone_name_zh" in plan else [])}
    return used + [c for c in PLAN_COLUMNS if c not in dropped]


def report_tables(out: Outputs, full: bool = False) -> dict[str, pd.DataFrame]:
    """Build the report's tables with Chinese headers, by title.

    With ``full`` (the workbook) the parcel, enterprise and candidate lists are complete;
    otherwise (the HTML report) the renewal list holds only the parcels a plan takes.
    """
    plan = _plan(out)
    in_plan = plan[[c for c in plan if c.startswith("in_plan_")]].any(axis=1)
    from zonekit.maps.report_text import note_zh

    indicators = out.indicators.assign(note=out.indicators["note"].map(note_zh)) \
        if "note" in out.indicators else out.indicators
    tables = {
        "规划指标": _whole_counts(indicators, chinese_table(
            indicators, INDICATOR_COLUMNS, INDICATOR_NAME, not full), "unit", COUNTED_ZH,
            ("value", "baseline", "target", "gap"), not full),
        "功能分区": chinese_table(_total(out.zones, "zone_id"), ZONE_COLUMNS, ZONE_KIND,
                                  not full),
        "分区亩均效益": chinese_table(_total(out.intensity_zones, "zone_id"), ZONE_MUJUN_COLUMNS,
                                      as_text=not full),
        "产业": chinese_table(_total(industry_table(out), "industry"), INDUSTRY_COLUMNS,
                              as_text=not full),
        "地块亩均效益分类": chinese_table(class_table(out), (
            "class", "parcels", "area_mu", "share_pct", "revenue_yi", "tax_wan"),
            {"share_pct": Field("share_pct", "面积占比", "%", 1)}, as_text=not full),
        "企业亩均效益分类": chinese_table(enterprise_class_table(out), (
            "class", "enterprises", "share_pct", "land_mu", "revenue_wan", "tax_wan",
            "employees"), {"share_pct": Field("share_pct", "企业数占比", "%", 1)},
            as_text=not full),
        "低效用地": chinese_table(low_efficiency_table(out), ("le_class", "parcels", "area_mu",
                                                          "area_km2", "share_pct"),
                                  {"share_pct": Field("share_pct", "占地均产出计算用地比例", "%",
                                                      1)}, as_text=not full),
        "更新方案": chinese_table(plan if full else plan.loc[in_plan],
                                  plan_columns(out, plan, full), PLAN_FIELDS, as_text=not full),
        "发展路径": chinese_table(out.trajectory, TRAJECTORY_COLUMNS, as_text=not full),
    }
    if full:
        tables["地块"] = chinese_table(out.parcels, PARCEL_COLUMNS)
        from zonekit.maps.report_text import grade_note_zh

        ents = out.enterprises.assign(grade_note=out.enterprises["grade_note"].map(grade_note_zh)) \
            if "grade_note" in out.enterprises else out.enterprises
        tables["企业"] = chinese_table(ents, ENTERPRISE_COLUMNS)
    tables.update(circle_tables(out, as_text=not full))
    return tables


COVERAGE_FIELDS = {
    "circle_zh": Field("circle_zh", "圈层"),
    "scenario": Field("scenario", "情景", values={
        "current": "现状", "mclp": "新增站点（最大覆盖）",
        "set_cover": "新增站点（达到目标覆盖率的最少站点）"}),
    "name_zh": Field("name_zh", "业态"),
    "measure": Field("measure", "覆盖对象", values={
        "population": "人口", "origins": "起点", "parcels": "地块", "enterprises": "企业",
        "road_length_km": "道路长度（km）", "chain_enterprises": "产业链企业",
        "built_land_km2": "建设用地（含在建，km²）", "employees": "从业人员"}),
    "limit": Field("limit", "时间阈值", "分钟", 0), "total": Field("total", "总量", "", 1),
    "covered": Field("covered", "覆盖量", "", 1),
    "share_pct": Field("share_pct", "覆盖比例", "%", 1),
    "solution": Field("solution", "选址方案", values={"mclp": "最大覆盖选址",
                                                  "set_cover": "达到目标覆盖率的最少站点"}),
    "site_id": Field("site_id", "站点编号"), "unit_zh": Field("unit_zh", "单位"),
    "share_after_pct": Field("share_after_pct", "选址后覆盖比例", "%", 1),
    "zone_name": Field("zone_name", "所在分区"), "road_name": Field("road_name", "最近道路"),
    "lon_wgs84": Field("lon_wgs84", "经度（WGS84）", "°", 6),
    "lat_wgs84": Field("lat_wgs84", "纬度（WGS84）", "°", 6),
    "lon_gcj02": Field("lon_gcj02", "经度（GCJ-02，高德）", "°", 6),
    "lat_gcj02": Field("lat_gcj02", "纬度（GCJ-02，高德）", "°", 6),
}


UNIT_ZH = {"persons": "人", "enterprises": "家", "parcels": "块", "origins": "个起点",
           "weight": "（权重）", "km": "km", "km2": "km²"}
#: Demand a charging siting maximises: (what, unit) for the 新增覆盖 heading.
SITE_DEMAND_UNITS = {"built_land_km2": ("建设用地（含在建）", "km²"),
                     "population": ("人口", "人"), "parcels": ("地块", "块"),
                     "enterprises": ("企业", "家"), "employees": ("从业人员", "人")}
#: Columns saying where a proposed site is, when the siting run adds them.
SITE_PLACE_COLUMNS = ("zone_name", "zone_id", "road_name", "lon_wgs84", "lat_wgs84",
                      "lon_gcj02", "lat_gcj02")


def coverage_table(out: Outputs) -> pd.DataFrame:
    """Coverage of every circles run, one row per circle, scenario, category and measure."""
    import pandas as pd

    from zonekit.maps.circle_maps import kind_of

    parts = []
    for run in out.circles.values():
        cov = run.get("coverage")
        if cov is not None:
            parts.append(cov.assign(circle_zh=kind_of(run.get("summary"))["title_zh"],
                                    share_pct=100 * cov["share"],
                                    unit_zh=cov["unit"].map(lambda u: UNIT_ZH.get(u, u))))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def circle_tables(out: Outputs, as_text: bool = True) -> dict[str, pd.DataFrame]:
    """Tables of the circles runs (coverage, proposed charging sites), when present."""
    tables = {}
    cov = coverage_table(out)
    if len(cov):
        tables["生活圈覆盖"] = _whole_counts(cov, chinese_table(
            cov, ("circle_zh", "scenario", "name_zh", "measure", "limit", "covered", "total",
                  "unit_zh", "share_pct"), COVERAGE_FIELDS, as_text), "unit", COUNT_UNITS,
            ("covered", "total"), as_text, COVERAGE_FIELDS)
    areas = gap_area_table(out, None if not as_text else GAP_AREAS_SHOWN)
    if len(areas):
        tables["服务缺口片区"] = chinese_table(areas, (
            "circle_zh", "name_zh", "limit", "place_zh", "zone_name_zh", "road_name", "weight",
            "unit_zh", "pieces", "area_km2"), GAP_AREA_FIELDS, as_text)
    for run in circle_runs(out, "proposes_sites"):
        tables.update(_site_table(run, as_text))
    return tables


#: Coverage units that count things (people, firms, parcels): shown as whole numbers.
COUNT_UNITS = ("persons", "enterprises", "parcels", "origins")
#: Indicator units that count things (plan Table 1-1: 家, 个, 人).
COUNTED_ZH = ("家", "个", "人")


def _whole_counts(frame: pd.DataFrame, table: pd.DataFrame, unit: str, counted_units: Any,
                  columns: Any, as_text: bool,
                  overrides: Mapping[str, Field] | None = None) -> pd.DataFrame:
    """Show ``columns`` whole in the rows whose ``unit`` counts things (a table of mixed units).

    ``frame`` is the table's source, ``table`` its :func:`chinese_table`; in the workbook
    those cells hold integers with a format without decimals (``row_formats``).
    """
    import pandas as pd

    rows = frame[unit].isin(counted_units)
    for col in columns:
        heading = field_of(col, overrides).heading
        counted = (rows & frame[col].notna()).to_numpy()
        if as_text:
            table[heading] = [f"{v:,.0f}" if c else t for v, c, t in
                              zip(frame[col], counted, table[heading], strict=True)]
        else:
            table[heading] = pd.Series([round(v) if c else v for v, c in  # ints stay int
                                        zip(frame[col], counted, strict=True)],
                                       index=table.index, dtype=object)
            fmt = table.attrs["number_formats"][heading]
            table.attrs.setdefault("row_formats", {})[heading] = [
                "#,##0" if c else fmt for c in counted]
    return table


#: Gap areas per category the HTML report lists (the workbook lists all).
GAP_AREAS_SHOWN = 3
GAP_AREA_FIELDS = {
    "circle_zh": Field("circle_zh", "圈层"), "name_zh": Field("name_zh", "业态"),
    "limit": Field("limit", "时间阈值", "分钟", 0), "place_zh": Field("place_zh", "缺口片区"),
    "zone_name_zh": Field("zone_name_zh", "所在分区"),
    "road_name": Field("road_name", "最近道路"),
    "weight": Field("weight", "未覆盖", "", 0), "unit_zh": Field("unit_zh", "未覆盖的单位"),
    "pieces": Field("pieces", "相连网格块数", "", 0),
    "area_km2": Field("area_km2", "面积", "km²", 2),
}


def gap_area_table(out: Outputs, first: int | None = None) -> pd.DataFrame:
    """Named gap areas of the service circles (largest first per category; ``first`` each)."""
    import pandas as pd

    from zonekit.maps.circle_maps import kind_of
    from zonekit.maps.life_circle_text import origin_words

    parts = []
    for run in circle_runs(out, "categories_from_data"):
        areas = run.get("gap_areas")
        if areas is None or not len(areas):
            continue
        limits = (run.get("summary") or {}).get("limits") or {}
        frame = pd.DataFrame(areas.drop(columns=areas.geometry.name))
        if first is not None:
            frame = frame.groupby("category", sort=False).head(first)
        parts.append(frame.assign(circle_zh=kind_of(run.get("summary"))["title_zh"],
                                  limit=frame["category"].map(limits),
                                  unit_zh=origin_words(run)[1]))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def circle_runs(out: Outputs, trait: str) -> list[dict[str, Any]]:
    """Return the circles runs whose kind has ``trait`` (e.g. ``proposes_sites``)."""
    from zonekit.maps.circle_maps import kind_of

    return [run for run in out.circles.values() if kind_of(run.get("summary")).get(trait)]


def _site_table(run: dict[str, Any], as_text: bool) -> dict[str, pd.DataFrame]:
    """Return the table of the sites a charging-like run proposed, if any."""
    tables = {}
    sites = run.get("sites")
    if sites is not None and len(sites):
        demand = str(((run.get("summary") or {}).get("siting") or {}).get("demand", ""))
        unit = SITE_DEMAND_UNITS.get(demand, ("", ""))
        fields = {**COVERAGE_FIELDS,
                  "added_weight": Field("added_weight", f"新增覆盖{unit[0]}", unit[1],
                                        0 if unit[1] in ("人", "块", "家") else 2)}
        from zonekit.maps.report_text import SOLUTION_ZH, site_labels_zh

        frame = sites.drop(columns="geometry").assign(
            share_after_pct=100 * sites["share_after"], site_id=site_labels_zh(sites),
            solution=sites["solution"].map(lambda v: SOLUTION_ZH.get(str(v), str(v))))
        if "road_name" in frame:  # the siting names a road without a name "(unnamed)"
            from zonekit.maps.report_text import road_name_zh

            frame["road_name"] = road_name_zh(frame["road_name"])
        extra = [c for c in SITE_PLACE_COLUMNS if c in frame]
        tables["充电站选址"] = chinese_table(
            frame, ("solution", "rank", "site_id", "candidate_id", *extra, "added_weight",
                    "share_after_pct"), fields, as_text)
    return tables


__all__ = ["Outputs", "circle_tables", "class_table", "coverage_table",
           "enterprise_class_table", "low_efficiency_table", "report_tables"]
