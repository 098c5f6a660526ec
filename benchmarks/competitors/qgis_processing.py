"""QGIS Processing as a planner runs it: a service area per category, then select by location.

Run with the system Python that has PyQGIS (Debian's ``python3-qgis``), in its own
process, as ``QT_QPA_PLATFORM=offscreen /usr/bin/python3 qgis_processing.py CASE_DIR
MINUTES OUT_CSV RECORD``. It reads ``roads.gpkg``, ``facilities.gpkg`` (``category``) and
``origins.gpkg`` (``origin_id``) of a case written by :mod:`benchmarks.bench_product` and,
for each category:

1. ``native:serviceareafromlayer``: the network within ``MINUTES`` of the category's
   facilities (``STRATEGY`` 1, fastest; 4.5 km/h on every street, both directions: the
   walk case; the service area lines are written to a temporary layer);
2. ``native:selectbylocation``: the origins that touch those lines (origins lie on street
   nodes, so an origin is reached exactly when it is a vertex of a reached street).

It writes ``origin_id`` and ``covered_<category>`` per origin to ``OUT_CSV`` and its
steps (seconds) to ``RECORD`` (JSON). Coverage only: QGIS gives the reached network,
not each origin's minutes. Standard library and PyQGIS only: the venv's packages are
not importable from the system Python.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import time
from pathlib import Path

WALK_KMH = 4.5
PLUGINS = "/usr/share/qgis/python/plugins"  # where Debian puts the processing plugin


def start_qgis():
    """Start a headless QGIS application with the Processing framework."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.append(PLUGINS)
    from qgis.core import QgsApplication

    app = QgsApplication([], False)
    app.initQgis()
    from processing.core.Processing import Processing

    Processing.initialize()
    return app


def covered_by_category(case: Path, minutes: float) -> tuple[list, dict, list]:
    """Return origin ids, category → set of covered origin ids, and the steps' seconds."""
    import processing
    from qgis.core import (
        QgsProcessingContext,
        QgsProcessingFeedback,
        QgsProject,
        QgsVectorLayer,
    )

    steps: list = []
    t0 = time.perf_counter()
    roads = QgsVectorLayer(f"{case / 'roads.gpkg'}|layername=roads", "roads", "ogr")
    origins = QgsVectorLayer(f"{case / 'origins.gpkg'}|layername=origins", "origins", "ogr")
    fac_path = f"{case / 'facilities.gpkg'}|layername=facilities"
    facilities = QgsVectorLayer(fac_path, "facilities", "ogr")
    categories = sorted(facilities.uniqueValues(facilities.fields().indexOf("category")))
    ids = [f["origin_id"] for f in origins.getFeatures()]
    steps.append({"step": "read", "wall_s": round(time.perf_counter() - t0, 3)})
    context, feedback = QgsProcessingContext(), QgsProcessingFeedback()
    context.setProject(QgsProject.instance())  # temporary outputs live in the project
    context.setEllipsoid("NONE")  # planar metres, as the projected CRS gives them
    covered = {}
    for cat in categories:
        t0 = time.perf_counter()
        start = QgsVectorLayer(fac_path, f"facilities {cat}", "ogr")
        start.setSubsetString(f"\"category\" = '{cat}'")
        area = processing.run("native:serviceareafromlayer", {
            "INPUT": roads, "STRATEGY": 1, "DEFAULT_DIRECTION": 2, "DEFAULT_SPEED": WALK_KMH,
            "TOLERANCE": 0, "START_POINTS": start, "TRAVEL_COST2": minutes / 60.0,
            "INCLUDE_BOUNDS": False, "OUTPUT_LINES": "TEMPORARY_OUTPUT",
        }, context=context, feedback=feedback)["OUTPUT_LINES"]
        t1 = time.perf_counter()
        processing.run("native:selectbylocation", {
            "INPUT": origins, "PREDICATE": [0], "INTERSECT": area, "METHOD": 0,
        }, context=context, feedback=feedback)
        covered[cat] = {f["origin_id"] for f in origins.getSelectedFeatures()}
        steps += [{"step": f"service area {cat}", "wall_s": round(t1 - t0, 3)},
                  {"step": f"select {cat}", "wall_s": round(time.perf_counter() - t1, 3)}]
    return ids, covered, steps


def main(argv: list[str]) -> int:
    """Entry point (see the module docstring)."""
    case, minutes, out_csv, record = Path(argv[0]), float(argv[1]), argv[2], argv[3]
    t0 = time.perf_counter()
    app = start_qgis()
    steps = [{"step": "start QGIS", "wall_s": round(time.perf_counter() - t0, 3)}]
    ids, covered, more = covered_by_category(case, minutes)
    t0 = time.perf_counter()
    cats = sorted(covered)
    with open(out_csv, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["origin_id"] + [f"covered_{c}" for c in cats])
        writer.writerows([i] + [i in covered[c] for c in cats] for i in ids)
    steps += more + [{"step": "write", "wall_s": round(time.perf_counter() - t0, 3)}]
    Path(record).write_text(json.dumps({"peer": "qgis", "status": "ok", "steps": steps,
                                        "categories": cats}))
    app.exitQgis()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
