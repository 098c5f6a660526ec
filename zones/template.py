"""Mapping templates: guess how a planner's files map onto the layer model.

``zonekit schema FILE …`` writes a YAML template with one block per file: columns whose
names zonekit recognises (Chinese or English, e.g. 企业名称, 营业收入, DLBM) are filled in,
the rest are listed as comments for the planner to complete.
"""

from __future__ import annotations

from pathlib import Path

from zonekit.zones.schema import LAYERS

#: Common field names → model column (without unit suffix where the model has one).
SYNONYMS: dict[str, str] = {
    "统一社会信用代码": "ent_id", "信用代码": "ent_id", "企业代码": "ent_id",
    "企业名称": "name", "单位名称": "name", "名称": "name",
    "地块编号": "parcel_id", "地块号": "parcel_id", "dkbh": "parcel_id", "bsm": "parcel_id",
    "行业": "industry", "所属行业": "industry", "产业": "industry",
    "营业收入": "revenue", "收入": "revenue", "总收入": "revenue",
    "税收": "tax", "纳税额": "tax", "实缴税金": "tax",
    "从业人员": "employees", "从业人员数": "employees", "职工人数": "employees",
    "综合能耗": "energy", "能耗": "energy", "研发费用": "rnd", "研发投入": "rnd",
    "发明专利": "patents", "有效发明专利": "patents", "成立年份": "founded_year",
    "高新技术企业": "high_tech", "专精特新": "specialized", "上市": "listed",
    "dlbm": "land_use", "地类编码": "land_use", "用地代码": "land_use", "用地性质": "land_use",
    "dlmc": "land_use_name", "地类名称": "land_use_name", "建筑面积": "floor_area",
    "状态": "status", "土地状态": "status", "出让年限": "lease_end_year",
    "分区": "zone_id", "所属分区": "zone_id", "片区": "zone_id",
    "类别": "category", "设施类型": "category", "道路等级": "highway", "单行": "oneway",
    "限速": "maxspeed", "设计速度": "maxspeed",
}


def guess_layer(path: Path, columns: list[str]) -> str | None:
    """Which model layer a file probably holds, from its name, then its columns."""
    stem = path.stem.lower()
    for name in LAYERS:
        if name in stem or name.rstrip("s") in stem:
            return name
    hints = {"企业": "enterprises", "地块": "parcels", "用地": "parcels", "道路": "roads",
             "路网": "roads", "设施": "facilities", "分区": "zones", "充电": "facilities"}
    for key, name in hints.items():
        if key in path.stem:
            return name
    targets = {SYNONYMS.get(c.lower(), SYNONYMS.get(c)) for c in columns}
    if "ent_id" in targets or "revenue" in targets:
        return "enterprises"
    if "land_use" in targets:
        return "parcels"
    return None


def mapping_template(files: dict[Path, list[str]]) -> str:
    """YAML text of a mapping template for files and their column names."""
    lines = ["# zonekit mapping template: check every line, complete the commented ones.",
             "# Units: 元 / 万元 / 亿元 for money; m2 / 亩 / 公顷 / km2 for areas.", ""]
    for path, columns in files.items():
        layer = guess_layer(path, columns) or "LAYER  # zones|parcels|enterprises|facilities|roads"
        lines += [f"{layer}:", f"  file: {path.name}", "  columns:"]
        for col in columns:
            target = SYNONYMS.get(col.lower(), SYNONYMS.get(col))
            lines.append(f"    {col}: {target}" if target else f"    # {col}: ?")
        if any(SYNONYMS.get(c) in ("revenue", "tax", "rnd") for c in columns):
            lines.append("  units: {revenue: 万元, tax: 万元}   # state the units of your table")
        lines.append("")
    return "\n".join(lines)


def schema_text() -> str:
    """Describe the layer model as plain text (for ``zonekit schema``)."""
    out = []
    for layer in LAYERS.values():
        out.append(f"{layer.name} ({layer.geometry}): {layer.description}")
        for col in layer.columns:
            need = ("default" if col.default is not None else
                    "required" if col.required else "optional")
            choices = f" [{' | '.join(col.choices)}]" if col.choices else ""
            if col.default is not None:
                value = "blank" if col.default.value is None else col.default.value
                choices += f" (default {value}: {col.default.meaning})"
            out.append(f"  {col.name:<16} {col.kind:<6} {need:<9} {col.description}{choices}")
        out.append("")
    out.append("default: a layer without the column gets the default value, named in a note.")
    return "\n".join(out)
