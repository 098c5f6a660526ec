"""A whole peer script for the product benchmark: GeoPackages in, per-origin table out.

Run as ``python -m benchmarks.product_peer PEER CASE_DIR MODE MINUTES OUT_CSV RECORD
BUDGET_S``:
reads ``roads.gpkg``, ``facilities.gpkg`` and ``origins.gpkg`` of a case written by
:mod:`benchmarks.bench_product` (the files ``zonekit circles`` reads), rebuilds the
street graph's nodes from the line ends, runs the peer's recipe
(:mod:`benchmarks.competitors`: the same code as the engine benchmark, with its
``build``, ``snap`` and ``query`` steps) and writes one row per origin (``origin_id``
and ``minutes_<category>`` or ``covered_<category>``) to ``OUT_CSV``. Its steps go to
``RECORD`` (JSON); the parent measures the whole process (start to exit, memory of the
process tree). A recipe that estimates it would pass ``BUDGET_S`` stops and records the
estimate (``status`` ``skipped``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    __package__ = "benchmarks"  # noqa: A001

from benchmarks import measure  # noqa: E402
from benchmarks.networks import CATEGORIES, City  # noqa: E402


def city_from_files(case: Path) -> tuple[City, np.ndarray]:
    """Read the case's layers as a :class:`City` (nodes: distinct line ends), and origin ids."""
    import pyogrio
    import shapely
    from scipy.spatial import cKDTree

    roads = pyogrio.read_dataframe(case / "roads.gpkg", use_arrow=True)
    fac = pyogrio.read_dataframe(case / "facilities.gpkg", use_arrow=True)
    orig = pyogrio.read_dataframe(case / "origins.gpkg", use_arrow=True)
    ends = shapely.get_coordinates(shapely.boundary(roads.geometry.to_numpy()))
    nodes, inverse = np.unique(ends, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    tree = cKDTree(nodes)
    fac_node = tree.query(shapely.get_coordinates(fac.geometry.to_numpy()))[1]
    orig_node = tree.query(shapely.get_coordinates(orig.geometry.to_numpy()))[1]
    cat_index = {c: k for k, c in enumerate(CATEGORIES)}
    maxspeed = roads["maxspeed"].astype(object).where(roads["maxspeed"].notna(), None)
    city = City(label=case.name, seed=0, node_x=nodes[:, 0].copy(), node_y=nodes[:, 1].copy(),
                edge_u=inverse[0::2].astype(np.int64), edge_v=inverse[1::2].astype(np.int64),
                highway=roads["highway"].to_numpy(object),
                oneway=roads["oneway"].to_numpy(object), maxspeed=maxspeed.to_numpy(object),
                fac_node=fac_node, fac_cat=fac["category"].map(cat_index).to_numpy(),
                orig_node=orig_node)
    return city, orig["origin_id"].to_numpy()


def write_table(path: Path, origin_id: np.ndarray, answers: dict) -> None:
    """One row per origin: minutes (or covered) per category."""
    import pandas as pd

    key = "minutes" if "minutes" in answers else "covered"
    values = answers[key]
    table = pd.DataFrame(values, columns=[f"{key}_{c}" for c in CATEGORIES])
    table.insert(0, "origin_id", origin_id)
    table.to_csv(path, index=False)


def main(argv: list[str]) -> int:
    """Entry point (see the module docstring)."""
    from benchmarks.competitors import load

    peer, case, mode, minutes, out_csv, record, budget = argv
    rec = measure.Recorder(float(budget))
    doc: dict = {"peer": peer, "status": "ok"}
    with rec.step("read"):
        city, origin_id = city_from_files(Path(case))
    try:
        answers = load(peer).run(city, mode, float(minutes), rec, 2)
        with rec.step("write"):
            write_table(Path(out_csv), origin_id, answers)
    except measure.OverBudgetError as exc:
        doc.update(status="skipped", estimate_s=round(exc.estimate_s, 1), reason=exc.note)
    doc["steps"] = [{"step": s["step"], "wall_s": round(s["wall_s"], 3)} for s in rec.steps]
    Path(record).write_text(json.dumps(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
