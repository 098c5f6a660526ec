"""The zonekit algorithms: one per command (circles: one per kind, plus one with a choice)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from qgis.core import (
    QgsProcessing,
    QgsProcessingOutputFile,
    QgsProcessingOutputMultipleLayers,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)

from .base import DENOMINATORS, LINE, POINT, POLYGON, ZonekitAlgorithm, load_result
from .layers import layer_path, own_file

PARK_ROLES = {"ZONES": "zones", "PARCELS": "parcels", "ENTERPRISES": "enterprises"}


class _ParkAlgorithm(ZonekitAlgorithm):
    """Zones, parcels, enterprises and a land-output denominator in; a folder out."""

    def initAlgorithm(self, config: dict | None = None) -> None:  # noqa: N802 - QGIS API
        """Park layers, denominator, output."""
        self.add_park_layers()
        self.add_denominator()
        self.add_output()

    def arguments(self, parameters: dict, context: object, feedback: object,
                  work: Path) -> tuple[Path, list[str]]:
        """Return ``--data EMPTY`` (nothing falls back to the bundled sample) and the layers."""
        out, out_args = self.out_args(parameters, context)
        layers = self.layer_args(parameters, context, feedback, work / "data", PARK_ROLES)
        denominator = self.enum_value(parameters, "DENOMINATOR", context, DENOMINATORS)[0]
        return out, ["--data", str(work / "data"), *layers, "--denominator", denominator,
                     *out_args, *self.extra_args(parameters, context)]

    def extra_args(self, parameters: dict, context: object) -> list[str]:
        """Return command options beyond the shared ones."""
        return []


class ZonesAlgorithm(_ParkAlgorithm):
    """``zonekit zones``."""

    NAME, COMMAND, DISPLAY, STEPS = "zones", "zones", "功能分区与地均产出", 2
    HELP = ("每个功能分区的面积、建设用地、企业、营收与地均产出（亿元/km²）。"
            "Area, built land, enterprises, revenue and land output of each zone.")

    def results(self, out: Path, context: object) -> list:
        """Open the zones layer, styled by zone kind."""
        return [load_result(context, out / "zones.gpkg", "功能分区与地均产出", "zones")]


class IntensityAlgorithm(_ParkAlgorithm):
    """``zonekit intensity`` (with the renewal plan)."""

    NAME, COMMAND, DISPLAY, STEPS = "intensity", "intensity", "亩均评价与低效用地", 2
    HELP = ("亩均效益评价、低效用地识别与腾笼换鸟方案。"
            "亩均 evaluation of parcels, low-efficiency land and the renewal plan.")

    def initAlgorithm(self, config: dict | None = None) -> None:  # noqa: N802 - QGIS API
        """Park layers, denominator, target and year, output."""
        super().initAlgorithm(config)
        self.addParameter(QgsProcessingParameterNumber(
            "TARGET", "目标地均产出（亿元/km²，空：规划目标）Target land output",
            QgsProcessingParameterNumber.Double, optional=True, minValue=0))
        self.addParameter(QgsProcessingParameterNumber(
            "TARGET_YEAR", "目标年份（空：2030）Target year",
            QgsProcessingParameterNumber.Integer, optional=True, minValue=2000, maxValue=2100))

    def extra_args(self, parameters: dict, context: object) -> list[str]:
        """Return ``--target`` and ``--target-year`` when given."""
        args = []
        if _given(parameters, "TARGET"):
            args += ["--target", str(self.parameterAsDouble(parameters, "TARGET", context))]
        if _given(parameters, "TARGET_YEAR"):
            args += ["--target-year", str(self.parameterAsInt(parameters, "TARGET_YEAR",
                                                              context))]
        return args

    def results(self, out: Path, context: object) -> list:
        """Open the styled parcels, the renewal plan and the zone table."""
        return [load_result(context, out / "parcels.gpkg", "亩均评价与低效用地", "parcels"),
                load_result(context, out / "renewal_plan.csv", "腾笼换鸟方案"),
                load_result(context, out / "zones.csv", "分区亩均")]


class IndicatorsAlgorithm(_ParkAlgorithm):
    """``zonekit indicators``."""

    NAME, COMMAND, DISPLAY, STEPS = "indicators", "indicators", "规划指标跟踪", 1
    HELP = ("规划表1-1主要指标：数据中的现值、基期值、2030目标与所需增速。"
            "The plan's Table 1-1 indicators from the data beside baseline and target.")

    def results(self, out: Path, context: object) -> list:
        """Open the indicator table (and the trend table when the data has several years)."""
        return [load_result(context, out / "indicators.csv", "规划指标跟踪"),
                load_result(context, out / "trend.csv", "规划指标趋势")]


#: Written by `zonekit qgis install` from zonekit's circle registry (the shipped kinds and
#: those of the county profile given with --circles-profile): the plugin names no kind.
KINDS_FILE = "circle_kinds.json"


def _circle_kinds() -> tuple[list[dict], str | None]:
    """Return the circle kinds zonekit recorded (kind, name_zh, proposes_sites) and the profile."""
    try:
        data = json.loads(Path(__file__).with_name(KINDS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return [], None
    return list(data.get("kinds", [])), data.get("profile")


_KINDS, PROFILE = _circle_kinds()
#: circle kind, toolbox name, display name.
KINDS = tuple((k["kind"], f"circles_{k['kind']}", k["name_zh"]) for k in _KINDS)
#: Kinds whose runs may propose new sites (charging-like).
SITE_KINDS = {k["kind"] for k in _KINDS if k.get("proposes_sites")}
MODES = (("", "圈层默认 circle's default"), ("walk", "步行 walk"), ("bike", "骑行 bike"),
         ("drive", "驾车 drive"))
ORIGINS = (("", "圈层默认 circle's default"), ("population", "人口栅格 population"),
           ("residential", "居住用地 residential parcels"))
CIRCLE_ROLES = {"ROADS": "roads", "FACILITIES": "facilities", "ZONES": "zones",
                "PARCELS": "parcels", "ENTERPRISES": "enterprises"}


class CirclesAlgorithm(ZonekitAlgorithm):
    """``zonekit circles --kind …``: who reaches which facilities within N minutes."""

    NAME, COMMAND, DISPLAY, STEPS = "circles", "circles", "服务圈（生活圈/产业生态圈/充电圈）", 2
    GROUP = ("circles", "服务圈 Circles")
    KIND: str | None = None  # fixed kind of the per-kind algorithms
    HELP = ("路网上的服务圈：每个起点在阈值内能到达哪些类别的设施、覆盖率、缺口与新增站点。"
            "Network circles: coverage per facility category, gaps, new charging sites.")

    def initAlgorithm(self, config: dict | None = None) -> None:  # noqa: N802 - QGIS API
        """Roads, facilities and their fields, origins, thresholds, mode, new sites, output."""
        if self.KIND is None and KINDS:
            self.addParameter(QgsProcessingParameterEnum(
                "KIND", "服务圈 Circle", [k[2] for k in KINDS], defaultValue=0))
        elif self.KIND is None:  # no kinds recorded: zonekit's own names, typed
            self.addParameter(QgsProcessingParameterString(
                "KIND", "服务圈 Circle (zonekit --kind)", optional=True))
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
        self.addParameter(QgsProcessingParameterNumber(
            "MINUTES", "时间阈值（分钟，空：各类别按配置）Minutes for every category",
            QgsProcessingParameterNumber.Double, optional=True, minValue=0.1))
        self.addParameter(QgsProcessingParameterEnum(
            "MODE", "出行方式 Mode", [m[1] for m in MODES], defaultValue=0))
        if self.KIND is None or self.KIND in SITE_KINDS:
            self.addParameter(QgsProcessingParameterNumber(
                "NEW_SITES", "新增充电站数（仅充电圈）New charging sites",
                QgsProcessingParameterNumber.Integer, optional=True, minValue=0))
        self.add_output()

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
        if PROFILE:  # the county profile that defines the recorded kinds
            args += ["--profile", PROFILE]
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
        if _given(parameters, "MINUTES"):
            args += ["--minutes", str(self.parameterAsDouble(parameters, "MINUTES", context))]
        mode = self.enum_value(parameters, "MODE", context, MODES)[0]
        if mode:
            args += ["--mode", mode]
        if _given(parameters, "NEW_SITES"):
            args += ["--new-sites", str(self.parameterAsInt(parameters, "NEW_SITES", context))]
        return out, args + out_args

    def origin_args(self, parameters: dict, context: object, feedback: object,
                    work: Path) -> list[str]:
        """``--origins`` from the origins layer, else the chosen kind of origin."""
        layer = self.parameterAsVectorLayer(parameters, "ORIGINS_LAYER", context)
        if layer is not None:
            return ["--origins", layer_path(layer, "origins", work / "inputs", context,
                                            feedback)]
        choice = self.enum_value(parameters, "ORIGINS", context, ORIGINS)[0]
        return ["--origins", choice] if choice else []

    def results(self, out: Path, context: object) -> list:
        """Open origins, gaps, isochrones (roads for charging), new sites, coverage table."""
        found = [load_result(context, out / "origins.gpkg", "起点覆盖", "origins"),
                 load_result(context, out / "gaps.gpkg", "服务缺口", "gaps"),
                 load_result(context, out / "isochrones.gpkg", "等时圈", "isochrones"),
                 load_result(context, out / "isochrones.gpkg", "道路覆盖", "roads",
                             optional=True),
                 load_result(context, out / "sites.gpkg", "新增站点", "sites", optional=True),
                 load_result(context, out / "sites.gpkg", "候选站点", "candidates",
                             optional=True),
                 load_result(context, out / "coverage.csv", "覆盖率")]
        return found


def _circle(kind: str, name: str, display: str) -> type:
    """Make a circles algorithm with the kind fixed (its own entry in the toolbox)."""
    return type(f"Circles_{kind}", (CirclesAlgorithm,),
                {"NAME": name, "DISPLAY": display, "KIND": kind, "__doc__": display})


class ConvertAlgorithm(ZonekitAlgorithm):
    """``zonekit convert``: GCJ-02 (Amap) or BD-09 (Baidu) to WGS84."""

    NAME, COMMAND, DISPLAY = "convert", "convert", "坐标转换 GCJ-02/BD-09 → WGS84"
    GROUP = ("tools", "工具 Tools")
    SOURCES = (("gcj02", "GCJ-02（高德、腾讯）Amap"), ("bd09", "BD-09（百度）Baidu"))
    HELP = ("把高德/百度坐标的图层转换为 WGS84（EPSG:4326），保留属性。"
            "Converts a layer in Amap or Baidu coordinates to WGS84, keeping attributes.")

    def initAlgorithm(self, config: dict | None = None) -> None:  # noqa: N802 - QGIS API
        """Input layer, its coordinate system, output GeoPackage."""
        self.addParameter(QgsProcessingParameterFeatureSource(
            "INPUT", "输入图层 Input", [QgsProcessing.TypeVectorAnyGeometry]))
        self.addParameter(QgsProcessingParameterEnum(
            "FROM", "输入坐标系 Input coordinates", [s[1] for s in self.SOURCES],
            defaultValue=0))
        self.addParameter(QgsProcessingParameterFileDestination(
            "OUTPUT", "输出 Output (WGS84)", "GeoPackage (*.gpkg)"))
        self.addOutput(QgsProcessingOutputMultipleLayers("LAYERS", "结果图层 Result layers"))

    def arguments(self, parameters: dict, context: object, feedback: object,
                  work: Path) -> tuple[Path, list[str]]:
        """``convert SRC DST --from X --force`` (QGIS's dialog asked about overwriting)."""
        layer = self.parameterAsVectorLayer(parameters, "INPUT", context)
        dst = Path(self.parameterAsFileOutput(parameters, "OUTPUT", context))
        src, extra = own_file(layer), []
        self.output_layer = dst.stem  # zonekit names the output layer after --layer or the file
        if src is None:
            src = layer_path(layer, "input", work / "inputs", context, feedback, export=True)
            extra, self.output_layer = ["--layer", "input"], "input"
        source = self.enum_value(parameters, "FROM", context, self.SOURCES)[0]
        return dst, [src, str(dst), "--from", source, "--force", *extra]

    def results(self, out: Path, context: object) -> list:
        """Open the converted layer (named after the file)."""
        return [load_result(context, out, f"{out.stem} (WGS84)", self.output_layer)]


class ReportAlgorithm(ZonekitAlgorithm):
    """``zonekit report``: every analysis, one HTML report and one Excel workbook."""

    NAME, COMMAND, DISPLAY, STEPS = "report", "report", "报告", 2
    GROUP = ("tools", "工具 Tools")
    BASEMAPS = ("none", "osm", "tianditu", "amap")
    HELP = ("运行全部分析，生成 HTML 报告与 Excel 工作簿，完成后在浏览器中打开报告。"
            "Runs every analysis and writes report.html (opened in the browser) and report.xlsx.")

    def initAlgorithm(self, config: dict | None = None) -> None:  # noqa: N802 - QGIS API
        """Park layers, optional roads/facilities/population, basemap, open, output."""
        self.add_park_layers()
        self.add_layer("ROADS", "道路（可选，服务圈）Roads", LINE, optional=True)
        self.add_layer("FACILITIES", "设施（可选，服务圈）Facilities", POINT, optional=True)
        self.add_population()
        self.addParameter(QgsProcessingParameterEnum(
            "BASEMAP", "底图 Basemap (none: opens offline)", list(self.BASEMAPS),
            defaultValue=0))
        self.addParameter(QgsProcessingParameterBoolean(
            "OPEN", "完成后在浏览器中打开 Open in the browser", defaultValue=True))
        self.add_output()
        self.addOutput(QgsProcessingOutputFile("REPORT", "报告 report.html"))
        self.addOutput(QgsProcessingOutputFile("WORKBOOK", "工作簿 report.xlsx"))

    def arguments(self, parameters: dict, context: object, feedback: object,
                  work: Path) -> tuple[Path, list[str]]:
        """``report --data DIR`` with every layer written into DIR (the command reads a folder)."""
        roles = {**PARK_ROLES, "ROADS": "roads", "FACILITIES": "facilities"}
        data = work / "data"
        layers = self.layer_args(parameters, context, feedback, data, roles, export=True)
        if "--roads" not in layers or "--facilities" not in layers:
            self.STEPS = 2  # reading; the analyses and the report
        population = self.population_path(parameters, context)
        if population:
            shutil.copyfile(population, data / "population.tif")
        self.open_report = self.parameterAsBoolean(parameters, "OPEN", context)
        out, out_args = self.out_args(parameters, context)
        basemap = self.enum_value(parameters, "BASEMAP", context, self.BASEMAPS)
        return out, ["--data", str(data), "--basemap", basemap, *out_args]

    def processAlgorithm(self, parameters: dict, context: object,  # noqa: N802 - QGIS API
                         feedback: object) -> dict:
        """Run the report; name the HTML report and the workbook."""
        result = super().processAlgorithm(parameters, context, feedback)
        out = Path(result["OUTPUT"])
        self.report = out / "report.html"
        return {**result, "REPORT": str(self.report), "WORKBOOK": str(out / "report.xlsx")}

    def postProcessAlgorithm(self, context: object, feedback: object) -> dict:  # noqa: N802
        """Open the report in the browser (on QGIS's main thread)."""
        if getattr(self, "open_report", False) and getattr(self, "report", None):
            from qgis.PyQt.QtCore import QUrl
            from qgis.PyQt.QtGui import QDesktopServices

            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.report)))
        return {}


def _given(parameters: dict, name: str) -> bool:
    """Whether an optional parameter has a value (None and "" mean "not set")."""
    return parameters.get(name) not in (None, "")


ALGORITHMS = [ZonesAlgorithm, IntensityAlgorithm, IndicatorsAlgorithm, CirclesAlgorithm,
              *(_circle(*k) for k in KINDS), ConvertAlgorithm, ReportAlgorithm]
