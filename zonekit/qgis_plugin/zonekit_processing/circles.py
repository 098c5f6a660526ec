"""The circle algorithms: one per circle kind of zonekit's registry, plus one with a choice.

The kinds come from ``circle_kinds.json``, written by ``zonekit qgis install`` from the
registry (the shipped kinds and a county profile's): the plugin names no kind.
"""

from __future__ import annotations

import json
from pathlib import Path

from qgis.core import (
    QgsProcessing,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFile,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)

from .base import LINE, POINT, POLYGON, ZonekitAlgorithm, given, load_result

#: Written by `zonekit qgis install` from zonekit's circle registry (the shipped kinds and
#: those of the county profile given with --circles-profile): the plugin names no kind.
KINDS_FILE = "circle_kinds.json"


def _circle_kinds() -> dict:
    """Return what zonekit recorded: circle kinds (names, mode, categories), modes, profile."""
    try:
        return json.loads(Path(__file__).with_name(KINDS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


_RECORD = _circle_kinds()
_KINDS, PROFILE = list(_RECORD.get("kinds", [])), _RECORD.get("profile")
RECORDS = {k["kind"]: k for k in _KINDS}
#: circle kind, toolbox name, display name.
KINDS = tuple((k["kind"], f"circles_{k['kind']}", k["name_zh"]) for k in _KINDS)
#: Kinds whose runs may propose new sites (charging-like).
SITE_KINDS = {k["kind"] for k in _KINDS if k.get("proposes_sites")}
#: "" (the circle's own mode), then zonekit's travel modes as recorded (zonekit.travel_modes).
MODES = (("", "圈层默认 circle's default"),
         *((m["mode"], f"{m['name_zh']} {m['mode']}") for m in _RECORD.get("modes", [])))
MODES_ZH = {m: label.split()[0] for m, label in MODES if m}
ORIGINS = (("", "圈层默认 circle's default"), ("population", "人口栅格 population"),
           ("residential", "居住用地 residential parcels"))
CIRCLE_ROLES = {"ROADS": "roads", "FACILITIES": "facilities", "ZONES": "zones",
                "PARCELS": "parcels", "ENTERPRISES": "enterprises"}


def minutes_help(record: dict) -> str:
    """Say which categories MINUTES sets in the circle ``record`` (from circle_kinds.json)."""
    own = "、".join(f"{c['name_zh']} {c['minutes']:g}" for c in record.get("categories", []))
    if record.get("categories_from_data"):
        return (f"{record['name_zh']}：本值只用于数据中圈层未定义的类别；圈层已定义的类别保持"
                f"各自阈值（分钟）：{own}。要改这些阈值，请在圈层配置文件中修改。"
                "Sets the categories of your data the circle does not define; its own "
                "categories keep their thresholds (change them in the profile file).")
    return (f"{record['name_zh']}：本值用于全部类别（配置值：{own}）。"
            "Sets the threshold of every category.")


class CirclesAlgorithm(ZonekitAlgorithm):
    """``zonekit circles --kind …``: who reaches which facilities within N minutes."""

    NAME, COMMAND, DISPLAY, STEPS = "circles", "circles", "服务圈（选择圈层）", 2
    GROUP = ("circles", "服务圈 Circles")
    KIND: str | None = None  # fixed kind of the per-kind algorithms
    HELP = ("路网上的服务圈：每个起点在阈值内能到达哪些类别的设施、覆盖率、缺口与新增站点。"
            "Network circles: coverage per facility category, gaps, new charging sites.")

    def shortHelpString(self) -> str:  # noqa: N802 - QGIS API
        """Help beside the dialog: what the circle does and which categories MINUTES sets."""
        records = [RECORDS[self.KIND]] if self.KIND in RECORDS else list(RECORDS.values())
        minutes = "<br>".join(minutes_help(r) for r in records)
        return f"{self.HELP}<br><br><b>时间阈值 Minutes</b><br>{minutes}<br><br>" \
               f"运行 / runs <code>zonekit {self.COMMAND}</code>."

    def initAlgorithm(self, config: dict | None = None) -> None:  # noqa: N802 - QGIS API
        """Roads, facilities and their fields, origins, thresholds, mode, new sites, output."""
        if self.KIND is None and KINDS:
            self.addParameter(QgsProcessingParameterEnum(
                "KIND", "服务圈 Circle", [k[2] for k in KINDS], defaultValue=0))
        elif self.KIND is None:  # no kinds recorded: zonekit's own names, typed
            self.addParameter(QgsProcessingParameterString(
                "KIND", "服务圈 Circle (zonekit kind)", optional=True))
        self.add_layer("ROADS", "道路 Roads", LINE)
        self.add_layer("FACILITIES", "设施 Facilities", POINT)
        self.addParameter(QgsProcessingParameterField(
            "CATEGORY_FIELD", "设施类别字段 Facility category field", parentLayerParameterName=
            "FACILITIES", optional=True))
        self.addParameter(QgsProcessingParameterField(
            "FACILITY_ID", "设施编号字段 Facility id field", parentLayerParameterName=
            "FACILITIES", optional=True))
        self.addParameter(QgsProcessingParameterEnum(
            "ORIGINS", "起点 Origins", [o[1] for o in ORIGINS], defaultValue=0))
        self.addParameter(QgsProcessingParameterFeatureSource(
            "ORIGINS_LAYER", "起点图层（点或面，优先于上项）Origins layer",
            [QgsProcessing.TypeVectorAnyGeometry], optional=True))
        self.addParameter(QgsProcessingParameterField(
            "ORIGIN_ID", "起点编号字段 Origin id field", parentLayerParameterName=
            "ORIGINS_LAYER", optional=True))
        self.add_population()
        for param, label, kind in (("ZONES", "功能分区 Zones", POLYGON),
                                   ("PARCELS", "地块 Parcels", POLYGON),
                                   ("ENTERPRISES", "企业 Enterprises", POINT)):
            self.add_layer(param, label, kind, optional=True)
        self.add_minutes()
        self.addParameter(QgsProcessingParameterEnum(
            "MODE", "出行方式 Mode", [m[1] for m in MODES], defaultValue=0))
        record = RECORDS.get(self.KIND or "")
        if self.KIND is None or self.KIND in SITE_KINDS:
            self.addParameter(QgsProcessingParameterNumber(
                "NEW_SITES", "新增充电站数（仅充电圈）New charging sites",
                QgsProcessingParameterNumber.Integer, optional=True, minValue=0))
        if record is None or record.get("categories_from_data"):
            self.addParameter(QgsProcessingParameterFile(
                "CATEGORY_MAP", "类别对照表（CSV：你的类别, 配置类别）Category map",
                extension="csv", optional=True))
        self.addParameter(QgsProcessingParameterFile(
            "PROFILE", "圈层配置文件（YAML，空：zonekit 自带）Circles profile",
            extension="yaml", optional=True, defaultValue=PROFILE))
        self.add_output()

    def add_minutes(self) -> None:
        """MINUTES, labelled and helped with what it sets in this circle."""
        record = RECORDS.get(self.KIND or "")
        if record is not None and record.get("categories_from_data"):
            label = "其他类别的时间阈值（分钟，空：按配置）Minutes for categories the circle lacks"
        elif record is not None:
            label = "时间阈值（分钟，空：按配置）Minutes for every category"
        else:
            label = "时间阈值（分钟，空：按配置；见说明）Minutes (see the help)"
        param = QgsProcessingParameterNumber(
            "MINUTES", label, QgsProcessingParameterNumber.Double, optional=True, minValue=0.1)
        records = [record] if record is not None else list(RECORDS.values())
        param.setHelp("\n".join(minutes_help(r) for r in records))
        self.addParameter(param)

    def kind(self, parameters: dict, context: object) -> str:
        """Return the circle kind: fixed, or the chosen one ("" for zonekit's default)."""
        if self.KIND or not KINDS:
            return self.KIND or self.parameterAsString(parameters, "KIND", context)
        return self.enum_value(parameters, "KIND", context, KINDS)[0]

    def arguments(self, parameters: dict, context: object, feedback: object,
                  work: Path) -> tuple[Path, list[str]]:
        """``circles --kind K --data EMPTY --roads … --category-col … --out …``."""
        out, out_args = self.out_args(parameters, context)
        kind = self.kind(parameters, context)
        args = (["--kind", kind] if kind else []) + ["--data", str(work / "data")]
        args += self.file_args(parameters, context)
        args += self.layer_args(parameters, context, feedback, work / "data", CIRCLE_ROLES)
        for param, option in (("CATEGORY_FIELD", "--category-col"),
                              ("FACILITY_ID", "--facility-id"), ("ORIGIN_ID", "--origin-id")):
            value = self.parameterAsString(parameters, param, context)
            if value:
                args += [option, value]
        args += self.origin_args(parameters, context, feedback, work)
        population = self.population_path(parameters, context)
        if population:
            args += ["--population", population]
        if given(parameters, "MINUTES"):
            args += ["--minutes", str(self.parameterAsDouble(parameters, "MINUTES", context))]
        mode = self.enum_value(parameters, "MODE", context, MODES)[0]
        if mode:
            args += ["--mode", mode]
        if given(parameters, "NEW_SITES"):
            args += ["--new-sites", str(self.parameterAsInt(parameters, "NEW_SITES", context))]
        return out, args + out_args

    def file_args(self, parameters: dict, context: object) -> list[str]:
        """``--profile FILE`` and ``--category-map FILE`` when given."""
        args = []
        for param, option in (("PROFILE", "--profile"), ("CATEGORY_MAP", "--category-map")):
            path = (self.parameterAsFile(parameters, param, context)
                    if self.parameterDefinition(param) is not None else "")
            if path:
                args += [option, path]
                label = self.parameterDefinition(param).description()
                self.terms.file(path, f"「{label}」 {Path(path).name}")
        return args

    def origin_args(self, parameters: dict, context: object, feedback: object,
                    work: Path) -> list[str]:
        """``--origins`` from the origins layer, else the chosen kind of origin."""
        path = self.input_file(parameters, "ORIGINS_LAYER", context, feedback,
                               work / "inputs" / "origins.gpkg")
        if path is not None:
            return ["--origins", path]
        choice = self.enum_value(parameters, "ORIGINS", context, ORIGINS)[0]
        return ["--origins", choice] if choice else []

    def run_title(self, parameters: dict, context: object, summary: dict) -> str:
        """"<circle> <mode> <minutes>", e.g. "15分钟便民生活圈 步行 5–15分钟"."""
        spec = summary.get("circle_kind", {})
        title = spec.get("title_zh") or spec.get("name_zh") or self.DISPLAY
        limits = sorted({float(v) for v in summary.get("limits", {}).values()})
        unit = "米" if summary.get("measure") == "metres" else "分钟"
        span = (f"{limits[0]:g}{unit}" if len(limits) == 1 else
                f"{limits[0]:g}–{limits[-1]:g}{unit}" if limits else "")
        mode = MODES_ZH.get(summary.get("mode", ""), summary.get("mode", ""))
        return " ".join(part for part in (title, mode, span) if part)

    def results(self, out: Path, context: object, summary: dict) -> list[tuple]:
        """Origins, gaps, isochrones per category (roads for charging), sites, coverage."""
        iso = out / "isochrones.gpkg"
        found = [(load_result(context, out / "sites.gpkg", "sites", "sites", optional=True),
                  "新增站点"),
                 (load_result(context, out / "sites.gpkg", "candidates", "candidates",
                              optional=True), "候选站点"),
                 (load_result(context, out / "origins.gpkg", "origins", "origins"), "起点覆盖"),
                 (load_result(context, out / "gaps.gpkg", "gaps", "gaps"), "服务缺口"),
                 (load_result(context, iso, "roads", "roads", optional=True), "道路覆盖")]
        for category, name_zh in isochrone_categories(iso):
            subset = "\"category\" = '{}'".format(category.replace("'", "''"))
            found.append((load_result(context, iso, category, "isochrones", subset=subset),
                          f"等时圈·{name_zh}"))
        return [*found, (load_result(context, out / "coverage.csv", "coverage"), "覆盖率")]


def isochrone_categories(path: Path) -> list[tuple[str, str]]:
    """Return the isochrones' categories (id, Chinese name), in the run's order."""
    from qgis.core import QgsVectorLayer

    layer = QgsVectorLayer(f"{path}|layername=isochrones", "isochrones", "ogr")
    if not layer.isValid():
        return []
    has_zh = layer.fields().indexOf("name_zh") >= 0
    seen: dict[str, str] = {}
    for feature in layer.getFeatures():  # a few bands per category
        category = str(feature["category"])
        seen.setdefault(category, str(feature["name_zh"]) if has_zh else category)
    return list(seen.items())


def circle_algorithm(kind: str, name: str, display: str) -> type:
    """Make a circles algorithm with the kind fixed (its own entry in the toolbox)."""
    return type(f"Circles_{kind}", (CirclesAlgorithm,),
                {"NAME": name, "DISPLAY": display, "KIND": kind, "__doc__": display})


__all__ = ["KINDS", "CirclesAlgorithm", "circle_algorithm"]
