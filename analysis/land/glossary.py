"""One glossary of land terms: what each land figure counts, and the columns that carry it.

Several figures are "land" and look alike: on the sample, 18.11 km² of built land (zone
table), 15.63 km² of land held by firms (the 各产业 合计 row), 19.4 km² of construction
land including land under construction (the charging circle's demand). They differ by
definition, not by error; every table and report names them by :data:`TERMS`, so a
reader sees which is which. The glossary is data: :func:`glossary_table` gives it as a
table to print.

Statuses (parcel ``status``): ``in_use``, ``idle`` (闲置/停产) count as built (已建);
``under_construction`` (在建) does not. Construction-land classes (建设用地):
industrial, logistics, commercial, residential, public service
(:data:`zonekit.zones.landuse.CONSTRUCTION_CLASSES`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

#: Chinese names of the analysis land classes (:data:`zonekit.zones.landuse.CLASSES`).
CLASS_ZH = {
    "industrial": "工业用地", "logistics": "物流仓储用地", "commercial": "商业服务业用地",
    "residential": "居住用地", "public_service": "公共管理与公共服务用地",
    "green": "绿地与开敞空间用地", "road": "交通运输用地", "water": "陆地水域", "other": "其他用地",
}


@dataclass(frozen=True)
class Term:
    """One land term: names, definition, and where it appears (``table: column``)."""

    key: str
    name_zh: str
    name_en: str
    definition_zh: str
    definition_en: str
    columns: tuple[str, ...]


TERMS: tuple[Term, ...] = (
    Term("zone_area", "分区面积", "zone area",
         "功能分区（街区）边界围合的全部面积，含道路、绿地、水域和未建设用地。",
         "Whole area inside the zone boundaries, roads, green, water and unbuilt land included.",
         ("zone table: area_km2", "intensity zones: area_km2",
          "land_km2 when denominator='all'")),
    Term("built_land", "建设用地（已建）", "built land",
         "状态为使用中或闲置/停产、用地类别为建设用地（工业、物流仓储、商业服务业、居住、"
         "公共管理与公共服务）的地块面积之和；不含在建地块。规划“地均产出”的分母。",
         "Parcels in use or idle whose land class is construction land (industrial, logistics, "
         "commercial, residential, public service); land under construction excluded. The "
         "denominator of the plan's land output (地均产出).",
         ("zone table: built_land_km2", "land_km2 when denominator='built' (default)")),
    Term("land_under_construction", "在建用地", "land under construction",
         "状态为在建的建设用地地块面积；建成后计入建设用地（已建）。",
         "Construction-land parcels with status under_construction; they join built land once "
         "built.",
         ("renewal scenarios: new_land_km2, new_land_producing_km2",)),
    Term("construction_land", "建设用地（含在建）", "construction land incl. under construction",
         "建设用地类别的全部地块面积，不论已建、闲置或在建 = 建设用地（已建）+ 在建用地。"
         "充电圈选址按此覆盖（需求口径）。",
         "Every construction-land parcel whatever its status = built land + land under "
         "construction. The charging circle's siting demand.",
         ("charging circle: measure and demand 'built_land_km2' (a legacy name: it includes "
          "land under construction)", "sites: added_weight where demand_unit is km2",
          "intensity summary: land_figures")),
    Term("industrial_land", "工业用地（已建）", "built industrial land",
         "用地类别为工业、状态为使用中或闲置/停产的地块面积。",
         "Built parcels (in use or idle) of land class industrial.",
         ("zone table: industrial_land_km2", "land_km2 when denominator='industrial'")),
    Term("enterprise_land", "企业占用建设用地", "land held by firms",
         "有企业入驻的地块中计入分母的面积（多家企业共用地块时按从业人员比例分摊）；"
         "无企业的已建地块不计入，故小于建设用地（已建）。各产业“合计”行即此口径。",
         "Denominator land of parcels that hold firms, shared among the firms on a parcel "
         "(by employees); built parcels without firms are not counted, so it is smaller "
         "than built land. The 合计 row of the industry table.",
         ("industry table: land_km2, land_mu", "enterprises: land_mu")),
    Term("denominator_land", "地均产出分母用地", "land-output denominator",
         "地均产出 = 营业收入 / 分母用地；分母按 denominator 取建设用地（已建，默认，与规划一致）、"
         "分区面积或工业用地（已建）。",
         "Land output = revenue / this land; per denominator: built land (default, the plan's "
         "definition), zone area or built industrial land.",
         ("zone table: land_km2", "intensity zones: land_km2")),
    Term("parcel_area", "地块面积", "parcel area",
         "单个地块的面积（m²、亩；1 亩 = 666.67 m²）。",
         "Area of one parcel (m², 亩; 1 亩 = 666.67 m²).",
         ("parcels: area_m2, area_mu",)),
)


def term(key: str) -> Term:
    """Return the term ``key`` (e.g. ``"built_land"``).

    Raises
    ------
    KeyError
        Unknown key; the message lists the known ones.
    """
    for t in TERMS:
        if t.key == key:
            return t
    raise KeyError(f"unknown land term {key!r}; known: {', '.join(t.key for t in TERMS)}")


def glossary_table() -> pd.DataFrame:
    """Return the glossary as a table: key, names, definitions and the columns."""
    return pd.DataFrame([{"key": t.key, "name_zh": t.name_zh, "name_en": t.name_en,
                          "definition_zh": t.definition_zh, "definition_en": t.definition_en,
                          "columns": "; ".join(t.columns)} for t in TERMS])


def land_figures(zone_table: pd.DataFrame, industry_table: pd.DataFrame,
                 under_construction_km2: float) -> pd.DataFrame:
    """Return the park's land figures side by side, each under its glossary name (km²).

    Parameters
    ----------
    zone_table
        :func:`zonekit.analysis.land.measures.zone_table` or
        :func:`zonekit.analysis.land.intensity.zone_intensity` output (``park`` row used).
    industry_table
        :func:`zonekit.analysis.land.intensity.industry_intensity` output.
    under_construction_km2
        Area of construction-land parcels under construction, km².

    Returns
    -------
    DataFrame with ``key``, ``name_zh``, ``name_en`` and ``km2``, so the figures that look
    alike are printed under distinct, explained names.
    """
    park = zone_table.loc[zone_table["zone_id"] == "park"].iloc[0]
    ind = industry_table.loc[industry_table["industry"] == "park"].iloc[0]
    built = float(park["built_land_km2"])
    values = {"zone_area": float(park["area_km2"]), "built_land": built,
              "land_under_construction": under_construction_km2,
              "construction_land": built + under_construction_km2,
              "industrial_land": float(park["industrial_land_km2"]),
              "enterprise_land": float(ind["land_km2"])}
    return pd.DataFrame([{"key": k, "name_zh": term(k).name_zh, "name_en": term(k).name_en,
                          "km2": v} for k, v in values.items()])
