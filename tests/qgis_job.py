"""Run zonekit Processing algorithms in PyQGIS (the system Python, offscreen).

Used by tests/test_qgis.py, never by the venv's pytest directly (it cannot import qgis):
``python3 qgis_job.py PLUGINS_DIR JOBS.json RESULTS.json``. Each job is
``{"alg": "zonekit:…", "params": {…}, "cancel_on": "text" or null}``; each result holds the
outputs, the error message (QgsProcessingException) and the loaded layers with their
renderer, so the test compares them with the CLI's files.
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
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProject,
)

app = QgsApplication([], False)
app.initQgis()
from processing.core.Processing import Processing  # noqa: E402

Processing.initialize()
import processing  # noqa: E402
from zonekit_processing.provider import ZonekitProvider  # noqa: E402

provider = ZonekitProvider()
QgsApplication.processingRegistry().addProvider(provider)


class Feedback(QgsProcessingFeedback):
    """Record texts and progress; cancel when a step text contains ``cancel_on``."""

    def __init__(self, cancel_on):
        super().__init__()
        self.cancel_on, self.texts, self.log, self.top = cancel_on, [], [], 0.0
        self.progressChanged.connect(lambda v: setattr(self, "top", max(self.top, v)))

    def setProgressText(self, text):  # noqa: N802 - QGIS API
        """Record the step; cancel when it is the trigger."""
        self.texts.append(text)
        if self.cancel_on and self.cancel_on in text:
            self.cancel()

    def pushInfo(self, info):  # noqa: N802 - QGIS API
        """Record a message."""
        self.log.append(info)


def describe(layer):
    """Name, validity, size and renderer of a loaded layer."""
    info = {"name": layer.name(), "valid": layer.isValid(), "features": layer.featureCount(),
            "source": layer.source(), "provider": layer.providerType(),
            "fields": [f.name() for f in layer.fields()], "renderer": None, "color": None}
    if layer.isSpatial():
        renderer = layer.renderer()
        info["renderer"] = renderer.type()
        if renderer.type() == "singleSymbol":
            info["color"] = renderer.symbol().color().name()
    return info


results = []
for job in json.load(open(jobs_path, encoding="utf-8")):
    feedback = Feedback(job.get("cancel_on"))
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    entry = {"alg": job["alg"], "error": None, "outputs": {}, "layers": []}
    try:
        res = processing.run(job["alg"], job["params"], feedback=feedback, context=context)
        entry["outputs"] = {k: v for k, v in res.items() if k != "LAYERS"}
        entry["layers"] = [describe(layer) for layer in res.get("LAYERS", [])]
    except QgsProcessingException as exc:
        entry["error"] = str(exc)
    entry.update(texts=feedback.texts, log=feedback.log, progress=feedback.top)
    results.append(entry)
with open(results_path, "w", encoding="utf-8") as f:
    json.dump(results, f, ensure_ascii=False)
# PyQGIS may crash while tearing down layers the runs created (exitQgis): the results are
# written, so leave without the teardown.
os._exit(0)
