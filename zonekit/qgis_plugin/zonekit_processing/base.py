"""What every zonekit algorithm shares: parameters, layers to files, running, results."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

from qgis.core import (
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingOutputMultipleLayers,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterRasterLayer,
    QgsProcessingUtils,
)

from .layers import layer_path, load_result
from .runner import ZonekitCancelledError, ZonekitRunError, find_executable, run_zonekit

POLYGON, POINT, LINE = (QgsProcessing.TypeVectorPolygon, QgsProcessing.TypeVectorPoint,
                        QgsProcessing.TypeVectorLine)
EXPORT_PERCENT = 10.0  # share of the progress bar for writing the input layers

#: Land for land output (--denominator): value, label.
DENOMINATORS = (("built", "建设用地（在用或闲置）built"), ("all", "分区全部面积 all"),
                ("industrial", "工业用地 industrial"))


class ZonekitAlgorithm(QgsProcessingAlgorithm):
    """Run one ``zonekit`` command on QGIS layers and load its styled results.

    Subclasses set the class attributes, declare their parameters in ``initAlgorithm`` and
    implement ``arguments`` (the command line) and ``results`` (layers to load).
    """

    NAME = ""
    DISPLAY = ""
    COMMAND = ""
    GROUP = ("analysis", "分析 Analysis")
    STEPS = 1  # progress steps the command reports (ZONEKIT_PROGRESS=jsonl)
    HELP = ""

    def name(self) -> str:
        """Algorithm id inside the provider."""
        return self.NAME

    def displayName(self) -> str:  # noqa: N802 - QGIS API
        """Chinese display name."""
        return self.DISPLAY

    def group(self) -> str:
        """Group in the toolbox."""
        return self.GROUP[1]

    def groupId(self) -> str:  # noqa: N802 - QGIS API
        """Group id."""
        return self.GROUP[0]

    def shortHelpString(self) -> str:  # noqa: N802 - QGIS API
        """Help beside the dialog."""
        return f"{self.HELP}<br><br>运行 / runs <code>zonekit {self.COMMAND}</code>."

    def createInstance(self) -> ZonekitAlgorithm:  # noqa: N802 - QGIS API
        """Return a fresh copy for each run."""
        return type(self)()

    # -- parameters -------------------------------------------------------------------
    def add_layer(self, name: str, label: str, kind: int, optional: bool = False) -> None:
        """Add a vector layer parameter of geometry ``kind``."""
        self.addParameter(QgsProcessingParameterFeatureSource(name, label, [kind],
                                                              optional=optional))

    def add_park_layers(self) -> None:
        """Zones, parcels and enterprises: the layers of zones, intensity, indicators."""
        self.add_layer("ZONES", "功能分区 Zones", POLYGON)
        self.add_layer("PARCELS", "地块 Parcels", POLYGON)
        self.add_layer("ENTERPRISES", "企业 Enterprises", POINT)

    def add_denominator(self) -> None:
        """Which land land output divides by."""
        self.addParameter(QgsProcessingParameterEnum(
            "DENOMINATOR", "地均产出的用地口径 Land for land output",
            [label for _, label in DENOMINATORS], defaultValue=0))

    def add_population(self) -> None:
        """Add an optional population GeoTIFF (persons per cell)."""
        self.addParameter(QgsProcessingParameterRasterLayer(
            "POPULATION", "人口栅格 Population GeoTIFF (persons per cell)", optional=True))

    def add_output(self) -> None:
        """Output folder, overwrite switch and the list of loaded layers."""
        self.addParameter(QgsProcessingParameterFolderDestination("OUTPUT", "输出文件夹 Output"))
        self.addParameter(QgsProcessingParameterBoolean(
            "OVERWRITE", "覆盖文件夹中已有的结果 Overwrite earlier results", defaultValue=False))
        self.addOutput(QgsProcessingOutputMultipleLayers("LAYERS", "结果图层 Result layers"))

    # -- parameters to the command line -------------------------------------------------
    def layer_args(self, parameters: dict, context: object, feedback: object, folder: Path,
                   roles: dict[str, str], export: bool = False) -> list[str]:
        """``--role FILE`` for each given layer parameter (``roles``: parameter → role)."""
        args = []
        for param, role in roles.items():
            layer = self.parameterAsVectorLayer(parameters, param, context)
            if layer is None:
                continue
            args += [f"--{role}", layer_path(layer, role, folder, context, feedback, export)]
        return args

    def population_path(self, parameters: dict, context: object) -> str | None:
        """Return the population GeoTIFF's file, or ``None`` when not given."""
        raster = self.parameterAsRasterLayer(parameters, "POPULATION", context)
        if raster is None:
            return None
        path = raster.source().split("|")[0]
        if raster.providerType() != "gdal" or not Path(path).is_file():
            raise QgsProcessingException(
                f"population: layer '{raster.name()}' must be a GeoTIFF file, got {path}")
        return path

    def out_args(self, parameters: dict, context: object) -> tuple[Path, list[str]]:
        """Return the output folder and ``--out DIR [--force]``."""
        out = Path(self.parameterAsFileOutput(parameters, "OUTPUT", context))
        force = self.parameterAsBoolean(parameters, "OVERWRITE", context)
        return out, ["--out", str(out)] + (["--force"] if force else [])

    def enum_value(self, parameters: dict, name: str, context: object,
                   values: tuple) -> object:
        """Return the value behind an enum parameter's chosen index."""
        return values[self.parameterAsEnum(parameters, name, context)]

    # -- running --------------------------------------------------------------------------
    def arguments(self, parameters: dict, context: object, feedback: object,
                  work: Path) -> tuple[Path, list[str]]:
        """Return the output path and the command's arguments (after the sub-command)."""
        raise NotImplementedError

    def results(self, out: Path, context: object) -> list:
        """Open the result layers (``load_result``) and return them."""
        return []

    def processAlgorithm(self, parameters: dict, context: object,  # noqa: N802 - QGIS API
                         feedback: object) -> dict:
        """Write the inputs, run zonekit, load its results; zonekit's errors become ours."""
        from .provider import configured_executable

        work = Path(QgsProcessingUtils.tempFolder()) / f"zonekit_{uuid.uuid4().hex[:8]}"
        (work / "data").mkdir(parents=True)
        try:
            executable = find_executable(configured_executable())
            out, args = self.arguments(parameters, context, feedback, work)
            existed = out.exists()
            feedback.setProgress(EXPORT_PERCENT)
            try:
                run_zonekit(executable, [self.COMMAND, *args], feedback, self.STEPS,
                            EXPORT_PERCENT)
            except (ZonekitRunError, ZonekitCancelledError):
                _remove_if_new_and_empty(out, existed)
                raise
        except (ZonekitRunError, ZonekitCancelledError) as exc:
            raise QgsProcessingException(str(exc)) from None
        finally:
            shutil.rmtree(work, ignore_errors=True)
        layers = [layer for layer in self.results(out, context) if layer is not None]
        return {"OUTPUT": str(out), "LAYERS": [layer.id() for layer in layers]}


def _remove_if_new_and_empty(out: Path, existed: bool) -> None:
    """Remove the empty folder a failed run into a new folder left (never any file)."""
    if not existed and out.is_dir():
        try:
            out.rmdir()
        except OSError:  # not empty: zonekit's own output handling decides
            pass


__all__ = ["DENOMINATORS", "LINE", "POINT", "POLYGON", "ZonekitAlgorithm", "load_result"]
