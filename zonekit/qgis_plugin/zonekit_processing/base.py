"""What every zonekit algorithm shares: parameters, layers to files, running, results."""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path

from qgis.core import (
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingLayerPostProcessorInterface,
    QgsProcessingOutputMultipleLayers,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterRasterLayer,
    QgsProcessingUtils,
)

from .layers import input_layer, load_result, write_input
from .messages import Terms
from .runner import ZonekitCancelledError, ZonekitRunError, find_executable, run_zonekit

POLYGON, POINT, LINE = (QgsProcessing.TypeVectorPolygon, QgsProcessing.TypeVectorPoint,
                        QgsProcessing.TypeVectorLine)
EXPORT_PERCENT = 10.0  # share of the progress bar for writing the input layers

#: Command-line option → the parameter that gives it (for messages in the dialog's terms).
OPTION_PARAMS = {
    "--zones": "ZONES", "--parcels": "PARCELS", "--enterprises": "ENTERPRISES",
    "--roads": "ROADS", "--facilities": "FACILITIES", "--origins": "ORIGINS_LAYER",
    "--population": "POPULATION", "--category-col": "CATEGORY_FIELD",
    "--facility-id": "FACILITY_ID", "--origin-id": "ORIGIN_ID", "--minutes": "MINUTES",
    "--mode": "MODE", "--new-sites": "NEW_SITES", "--kind": "KIND", "--profile": "PROFILE",
    "--category-map": "CATEGORY_MAP", "--denominator": "DENOMINATOR", "--target": "TARGET",
    "--target-year": "TARGET_YEAR", "--basemap": "BASEMAP", "--out": "OUTPUT",
    "--force": "OVERWRITE", "--from": "FROM", "--layer": "INPUT",
}
#: The post-processors of recent runs' layers, kept alive (QGIS's documented pattern: the
#: context holds only the C++ object, which dies with its Python wrapper).
_GROUPERS: list = []

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
                   roles: dict[str, str]) -> list[str]:
        """``--role FILE`` for each given layer parameter (``roles``: parameter → role).

        Each layer is written as QGIS holds it (selection, filter, project CRS) to
        ``folder/role.gpkg``; a layer whose CRS is unknown is refused.
        """
        args = []
        for param, role in roles.items():
            path = self.input_file(parameters, param, context, feedback, folder / f"{role}.gpkg")
            if path is not None:
                args += [f"--{role}", path]
        return args

    def input_file(self, parameters: dict, param: str, context: object, feedback: object,
                   path: Path) -> str | None:
        """Write the layer of parameter ``param`` to ``path``; ``None`` when not given."""
        layer, selected = input_layer(parameters.get(param), context)
        if layer is None:
            return None
        label = self.parameterDefinition(param).description()
        write_input(layer, selected, label, path, context, feedback)
        self.terms.file(str(path), f"layer '{layer.name()}' ({label})")
        return str(path)

    def population_path(self, parameters: dict, context: object) -> str | None:
        """Return the population GeoTIFF's file, or ``None`` when not given."""
        raster = self.parameterAsRasterLayer(parameters, "POPULATION", context)
        if raster is None:
            return None
        path = raster.source().split("|")[0]
        label = self.parameterDefinition("POPULATION").description()
        if raster.providerType() != "gdal" or not Path(path).is_file():
            raise QgsProcessingException(
                f"{label}: layer '{raster.name()}' must be a GeoTIFF file")
        self.terms.file(path, f"layer '{raster.name()}' ({label})")
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

    def results(self, out: Path, context: object, summary: dict) -> list[tuple]:
        """Open the result layers (``load_result``); return ``(layer, name)`` pairs."""
        return []

    def run_title(self, parameters: dict, context: object, summary: dict) -> str:
        """Name of the run: its layer group, and the end of each layer's name."""
        return self.DISPLAY

    def option_terms(self) -> Terms:
        """Return the command's options said as this dialog's parameters."""
        names = {p.name(): p.description() for p in self.parameterDefinitions()}
        return Terms({flag: names[p] for flag, p in OPTION_PARAMS.items() if p in names})

    def processAlgorithm(self, parameters: dict, context: object,  # noqa: N802 - QGIS API
                         feedback: object) -> dict:
        """Write the inputs, run zonekit, load its results; zonekit's errors become ours."""
        from .provider import configured_executable

        work = Path(QgsProcessingUtils.tempFolder()) / f"zonekit_{uuid.uuid4().hex[:8]}"
        (work / "data").mkdir(parents=True)
        self.terms = self.option_terms()
        self.terms.folder(str(work))
        self.terms.file(str(work / "data"), "the input layers (输入图层)")
        try:
            executable = find_executable(configured_executable())
            out, args = self.arguments(parameters, context, feedback, work)
            existed = out.exists()
            feedback.setProgress(EXPORT_PERCENT)
            try:
                held = run_zonekit(executable, [self.COMMAND, *args], feedback, self.STEPS,
                                   EXPORT_PERCENT, self.terms.say)
            except (ZonekitRunError, ZonekitCancelledError):
                _remove_if_new_and_empty(out, existed)
                raise
        except (ZonekitRunError, ZonekitCancelledError) as exc:
            raise QgsProcessingException(self.terms.say(str(exc))) from None
        finally:
            shutil.rmtree(work, ignore_errors=True)
        summary = read_summary(out)
        self.push_warnings(summary, held, feedback)
        title = self.run_title(parameters, context, summary)
        layers = self.load(self.results(out, context, summary), title, context)
        return {"OUTPUT": str(out), "LAYERS": [layer.id() for layer in layers]}

    def push_warnings(self, summary: dict, held: list[str], feedback: object) -> None:
        """Report the run's warnings (``summary.json``, else the console's) as warnings."""
        said = []
        listed = summary.get("warnings", []) + summary.get("siting", {}).get("warnings", [])
        for text in [*listed, *held]:
            message = self.terms.say(str(text))
            if message not in said:
                said.append(message)
                feedback.pushWarning(message)

    def load(self, found: list[tuple], title: str, context: object) -> list:
        """Name the result layers after the run; Processing loads them into its group."""
        ids = [layer.id() for layer, _ in found if layer is not None]
        run = {"title": title, "group": None, "order": ids}  # shared by the post-processors
        layers = []
        for layer, name in found:
            if layer is None:
                continue
            layer.setName(f"{name} · {title}")
            details = QgsProcessingContext.LayerDetails(layer.name(), context.project(), "")
            details.forceName = True
            context.addLayerToLoadOnCompletion(layer.id(), details)
            grouper = RunGroup(run)  # the context owns it; Python must keep its wrapper
            _GROUPERS[:] = [*_GROUPERS[-200:], grouper]
            context.layerToLoadOnCompletionDetails(layer.id()).setPostProcessor(grouper)
            layers.append(layer)
        return layers


class RunGroup(QgsProcessingLayerPostProcessorInterface):
    """Moves a run's layers into one layer-tree group named after the run (on QGIS's thread).

    ``run`` (``title``, ``group``, layer ``order``) is shared by the post-processors of one
    run's layers. A second run of the same name gets a group "name (2)": two runs never
    share a group.
    """

    def __init__(self, run: dict) -> None:
        super().__init__()
        self.run = run

    def postProcessLayer(self, layer: object, context: object,  # noqa: N802 - QGIS API
                         feedback: object) -> None:
        """Put ``layer``, just added to the project, into the run's group."""
        project = context.project()
        if project is None:
            return
        root = project.layerTreeRoot()
        node = root.findLayer(layer.id())
        if node is None:
            return
        if self.run["group"] is None:
            taken = {g.name() for g in root.findGroups(True)}
            name, n = self.run["title"], 1
            while name in taken:
                n += 1
                name = f"{self.run['title']} ({n})"
            self.run["group"] = root.insertGroup(0, name)
        group, order = self.run["group"], self.run["order"]
        rank = order.index(layer.id()) if layer.id() in order else len(order)
        before = sum(1 for n in group.findLayers() if n.layerId() in order
                     and order.index(n.layerId()) < rank)
        group.insertLayer(before, layer)  # the run's order, whatever order QGIS loads them in
        node.parent().removeChildNode(node)


def given(parameters: dict, name: str) -> bool:
    """Whether an optional parameter has a value (None and "" mean "not set")."""
    return parameters.get(name) not in (None, "")


def read_summary(out: Path) -> dict:
    """Return the run's ``summary.json`` (``{}`` when the command writes none)."""
    path = Path(out) / "summary.json" if Path(out).is_dir() else None
    try:
        return json.loads(path.read_text(encoding="utf-8")) if path else {}
    except (OSError, ValueError):
        return {}


def _remove_if_new_and_empty(out: Path, existed: bool) -> None:
    """Remove the empty folder a failed run into a new folder left (never any file)."""
    if not existed and out.is_dir():
        try:
            out.rmdir()
        except OSError:  # not empty: zonekit's own output handling decides
            pass


__all__ = ["DENOMINATORS", "LINE", "POINT", "POLYGON", "ZonekitAlgorithm", "given", "load_result"]
