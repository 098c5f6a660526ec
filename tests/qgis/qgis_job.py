"""Run zonekit Processing algorithms in PyQGIS (the system Python, offscreen).

Used by tests/qgis/test_qgis.py, never by the venv's pytest directly (it cannot import qgis):
``python3 qgis_job.py PLUGINS_DIR JOBS.json RESULTS.json``. Each job is
``{"alg": "zonekit:…", "params": {…}, "layers": {…}, "cancel_on": "text" or null}``.
``layers`` puts layers into the project first, as a planner has them: name → ``{"uri",
"provider", "crs" ("none": no CRS), "memory" (a memory copy), "subset", "select"
(an expression), "join"}``; a parameter value ``"@name"`` is that layer, ``{"selected": "@name"}``
its selected features only. Results are loaded into the project as the Processing dialog
does (handleAlgorithmResults). Each result holds the outputs, the error message
(QgsProcessingException), the warnings and the loaded layers with their renderer and group.
"""

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
plugins, jobs_path, results_path = sys.argv[1:4]
sys.path.insert(0, plugins)
sys.path.append("/usr/share/qgis/python/plugins")

from qgis.core import (  # noqa: E402 - after sys.path
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsFeatureRequest,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeatureSourceDefinition,
    QgsProcessingFeedback,
    QgsProject,
    QgsVectorLayer,
    QgsVectorLayerJoinInfo,
)

app = QgsApplication([], False)
app.initQgis()
from processing.core.Processing import Processing  # noqa: E402

Processing.initialize()
import processing  # noqa: E402
from processing.gui.Postprocessing import handleAlgorithmResults  # noqa: E402
from zonekit_processing.provider import ZonekitProvider  # noqa: E402

provider = ZonekitProvider()
QgsApplication.processingRegistry().addProvider(provider)


class Feedback(QgsProcessingFeedback):
    """Record texts and progress; cancel when a step text contains ``cancel_on``."""

    def __init__(self, cancel_on):
        super().__init__()
        self.cancel_on, self.texts, self.log, self.top = cancel_on, [], [], 0.0
        self.warnings, self.errors = [], []
        self.progressChanged.connect(lambda v: setattr(self, "top", max(self.top, v)))

    def setProgressText(self, text):  # noqa: N802 - QGIS API
        """Record the step; cancel when it is the trigger."""
        self.texts.append(text)
        if self.cancel_on and self.cancel_on in text:
            self.cancel()

    def pushInfo(self, info):  # noqa: N802 - QGIS API
        """Record a message."""
        self.log.append(info)

    def pushWarning(self, warning):  # noqa: N802 - QGIS API
        """Record a warning."""
        self.warnings.append(warning)

    def reportError(self, error, fatalError=False):  # noqa: N802, N803 - QGIS API
        """Record an error (e.g. a result layer Processing could not load)."""
        self.errors.append(error)


def add_layer(name, spec, made):
    """Put a layer into the project as the planner set it up; return it.

    ``spec["join"]``: ``[other layer's name, its field, this layer's field, prefix]``.
    """
    layer = QgsVectorLayer(spec["uri"], name, spec.get("provider", "ogr"))
    if spec.get("join"):
        other, field, target, prefix = spec["join"]
        join = QgsVectorLayerJoinInfo()
        join.setJoinLayer(made[other])
        join.setJoinFieldName(field)
        join.setTargetFieldName(target)
        join.setPrefix(prefix)
        join.setUsingMemoryCache(True)
        layer.addJoin(join)
    if spec.get("memory"):
        layer = layer.materialize(QgsFeatureRequest())
        layer.setName(name)
    if spec.get("crs") == "none":
        layer.setCrs(QgsCoordinateReferenceSystem())
    elif spec.get("crs"):
        layer.setCrs(QgsCoordinateReferenceSystem(spec["crs"]))
    if spec.get("subset"):
        layer.setSubsetString(spec["subset"])
    if spec.get("select"):
        layer.selectByExpression(spec["select"])
    QgsProject.instance().addMapLayer(layer)
    return layer


def resolve(value, layers):
    """Replace "@name" by the layer and {"selected": "@name"} by its selection."""
    if isinstance(value, dict) and "selected" in value:
        return QgsProcessingFeatureSourceDefinition(layers[value["selected"][1:]].id(), True)
    if isinstance(value, str) and value.startswith("@"):
        return layers[value[1:]]
    return value


def tree_groups():
    """Group name → layer names, for the groups at the top of the layer tree."""
    root = QgsProject.instance().layerTreeRoot()
    return {g.name(): [n.name() for n in g.findLayers()] for g in root.findGroups()}


def describe(layer):
    """Name, validity, size and renderer of a loaded layer."""
    info = {"name": layer.name(), "valid": layer.isValid(), "features": layer.featureCount(),
            "source": layer.source(), "provider": layer.providerType(),
            "fields": [f.name() for f in layer.fields()], "renderer": None, "color": None,
            "subset": layer.subsetString() if hasattr(layer, "subsetString") else ""}
    if layer.isSpatial():
        renderer = layer.renderer()
        info["renderer"] = renderer.type()
        if renderer.type() == "categorizedSymbol":
            info["labels"] = [c.label() for c in renderer.categories()]
        if renderer.type() == "singleSymbol":
            info["color"] = renderer.symbol().color().name()
    return info


results = []
with open(jobs_path, encoding="utf-8") as f:
    jobs = json.load(f)
QgsApplication.messageLog().messageReceived.connect(
    lambda message, tag, level: print(f"{tag}: {message}", file=sys.stderr))
for job in jobs:
    feedback = Feedback(job.get("cancel_on"))
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    entry = {"alg": job["alg"], "error": None, "outputs": {}, "layers": []}
    if job["alg"] == "describe":  # the provider's algorithms, as the toolbox shows them
        entry["algorithms"] = {
            a.id(): {"display": a.displayName(), "help": a.shortHelpString(),
                     "params": {p.name(): [p.description(), p.help(),
                                           str(p.defaultValue() or "")]
                                for p in a.parameterDefinitions()}}
            for a in provider.algorithms()}
        results.append(entry)
        continue
    made = {}
    for name, spec in job.get("layers", {}).items():
        made[name] = add_layer(name, spec, made)
    params = {k: resolve(v, made) for k, v in job["params"].items()}
    try:
        res = processing.run(job["alg"], params, feedback=feedback, context=context,
                             onFinish=lambda alg, ctx, fb, p=params: handleAlgorithmResults(
                                 alg, ctx, fb, parameters=p))
        entry["outputs"] = {k: v for k, v in res.items() if k != "LAYERS"}
        found = [QgsProject.instance().mapLayer(i) for i in res.get("LAYERS", [])]
        entry["layers"] = [describe(layer) for layer in found if layer is not None]
    except QgsProcessingException as exc:
        entry["error"] = str(exc)
    entry.update(texts=feedback.texts, log=feedback.log, progress=feedback.top,
                 warnings=feedback.warnings, errors=feedback.errors, groups=tree_groups())
    results.append(entry)
with open(results_path, "w", encoding="utf-8") as f:
    json.dump(results, f, ensure_ascii=False)
# PyQGIS may crash while tearing down layers the runs created (exitQgis): the results are
# written, so leave without the teardown.
os._exit(0)
