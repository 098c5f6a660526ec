"""The zonekit algorithms: one per command (circles: one per kind, plus one with a choice)."""

from __future__ import annotations

import shutil
from pathlib import Path

from qgis.core import (
    QgsProcessing,
    QgsProcessingOutputFile,
    QgsProcessingOutputMultipleLayers,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
)

from .base import DENOMINATORS, LINE, POINT, ZonekitAlgorithm, given, load_result
from .circles import KINDS, CirclesAlgorithm, circle_algorithm

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

    def results(self, out: Path, context: object, summary: dict) -> list[tuple]:
        """Open the zones layer, styled by zone kind."""
        return [(load_result(context, out / "zones.gpkg", "zones", "zones"), "功能分区")]


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
        if given(parameters, "TARGET"):
            args += ["--target", str(self.parameterAsDouble(parameters, "TARGET", context))]
        if given(parameters, "TARGET_YEAR"):
            args += ["--target-year", str(self.parameterAsInt(parameters, "TARGET_YEAR",
                                                              context))]
        return args

    def results(self, out: Path, context: object, summary: dict) -> list[tuple]:
        """Open the styled parcels, the renewal plan and the zone table."""
        return [(load_result(context, out / "parcels.gpkg", "parcels", "parcels"), "地块亩均"),
                (load_result(context, out / "renewal_plan.csv", "renewal_plan"), "腾笼换鸟方案"),
                (load_result(context, out / "zones.csv", "zones"), "分区亩均")]


class IndicatorsAlgorithm(_ParkAlgorithm):
    """``zonekit indicators``."""

    NAME, COMMAND, DISPLAY, STEPS = "indicators", "indicators", "规划指标跟踪", 1
    HELP = ("规划表1-1主要指标：数据中的现值、基期值、2030目标与所需增速。"
            "The plan's Table 1-1 indicators from the data beside baseline and target.")

    def results(self, out: Path, context: object, summary: dict) -> list[tuple]:
        """Open the indicator table (and the trend table when the data has several years)."""
        return [(load_result(context, out / "indicators.csv", "indicators"), "规划指标"),
                (load_result(context, out / "trend.csv", "trend"), "指标趋势")]


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
        dst = Path(self.parameterAsFileOutput(parameters, "OUTPUT", context))
        src = self.input_file(parameters, "INPUT", context, feedback,
                              work / "inputs" / "input.gpkg")
        source = self.enum_value(parameters, "FROM", context, self.SOURCES)[0]
        return dst, [src, str(dst), "--from", source, "--force", "--layer", "input"]

    def run_title(self, parameters: dict, context: object, summary: dict) -> str:
        """Return the output file's name: the converted layer is named after it."""
        return Path(self.parameterAsFileOutput(parameters, "OUTPUT", context)).stem

    def results(self, out: Path, context: object, summary: dict) -> list[tuple]:
        """Open the converted layer."""
        return [(load_result(context, out, "input", "input"), "WGS84")]


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
        layers = self.layer_args(parameters, context, feedback, data, roles)
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


ALGORITHMS = [ZonesAlgorithm, IntensityAlgorithm, IndicatorsAlgorithm, CirclesAlgorithm,
              *(circle_algorithm(*k) for k in KINDS), ConvertAlgorithm, ReportAlgorithm]
