"""The floor: the minutes alone, as a plain scipy script computes them.

Steps: ``build`` (one CSR matrix of the arcs, the fastest of parallel arcs kept: scipy's
COO → CSR conversion would *sum* them), ``snap`` (nearest node, ``scipy.spatial.cKDTree``)
and ``query`` (one ``scipy.sparse.csgraph.dijkstra(..., min_only=True, limit=)`` from
each category's facilities). Nothing else: no checks, no products.

Run as a file (``python benchmarks/competitors/scipy_floor.py CASE_DIR MODE MINUTES
OUT_CSV RECORD``) it is the **whole script** of the product benchmark: it imports
neither zonekit nor the benchmark package, reads the case's three GeoPackages with
pyogrio (Arrow), takes class speeds from ``analysis/profiles/travel.yaml`` (and
``maxspeed``, one-ways, exclusions, as the profile says), and writes ``origin_id`` and
``minutes_<category>`` per origin with Arrow's CSV writer. Every ``zonekit circles`` run
is reported as a multiple of it (issue 29: all default outputs within 1.5×). :func:`run`
is the same search inside the engine benchmark.

Direction: the matrix holds every arc reversed (``v → u``), so the searches from the
facilities give origin → facility times, as zonekit measures them.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

import numpy as np

LABEL = "scipy minutes-only script (floor)"
MODES = ("walk", "drive")
REQUIRES = ("scipy",)
TIME_TOL_MIN = 1e-6
CHECKED = True
DIST = "scipy"
TRAVEL = Path(__file__).resolve().parents[2] / "analysis" / "profiles" / "travel.yaml"
MIN_EDGE_S = 1e-9  # as zonekit: no zero-cost arc
_MAXSPEED = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(km/h|kmh|kph|mph)?\s*$")


def csr_reversed(n: int, src: np.ndarray, dst: np.ndarray, w: np.ndarray):
    """CSR matrix of the arcs reversed, the fastest of each parallel pair kept."""
    from scipy.sparse import csr_matrix

    order = np.lexsort((w, dst, src))
    s, d, w = src[order], dst[order], w[order]
    first = np.r_[True, (s[1:] != s[:-1]) | (d[1:] != d[:-1])]
    return csr_matrix((w[first], (d[first], s[first])), shape=(n, n))


def nearest_minutes(graph, onode, fnode, fcat, n_cat: int, limit_s: float) -> np.ndarray:
    """Minutes from each origin node to its category's nearest facility (NaN past the limit)."""
    from scipy.sparse.csgraph import dijkstra

    out = np.full((len(onode), n_cat), np.inf)
    for k in range(n_cat):
        if (fcat == k).any():
            out[:, k] = dijkstra(graph, indices=fnode[fcat == k], min_only=True,
                                 limit=limit_s)[onode]
    out[~np.isfinite(out)] = np.nan
    return out / 60.0


def run(city, mode, limit_minutes, rec, n_jobs):
    """Build, snap and query a benchmark city; return minutes per origin and category."""
    from scipy.spatial import cKDTree

    from benchmarks.networks import CATEGORIES

    src, dst, w = city.arcs(mode)
    with rec.step("build"):
        graph = csr_reversed(city.n_nodes, src, dst, w)
    with rec.step("snap"):
        tree = cKDTree(np.column_stack([city.node_x, city.node_y]))
        onode = tree.query(np.column_stack([city.node_x[city.orig_node],
                                            city.node_y[city.orig_node]]))[1]
        fnode = tree.query(np.column_stack([city.node_x[city.fac_node],
                                            city.node_y[city.fac_node]]))[1]
    with rec.step("query"):
        minutes = nearest_minutes(graph, onode, fnode, city.fac_cat, len(CATEGORIES),
                                  float(limit_minutes) * 60.0)
    return {"minutes": minutes}


# ------------------------------------------------------------------- the whole script
def arc_seconds(roads, mode: str):
    """Seconds of each road piece, and its direction (1 with, -1 against, 0 both; None: no)."""
    import yaml

    prof = yaml.safe_load(TRAVEL.read_text(encoding="utf-8"))["profiles"][mode]
    hw = roads["highway"].astype(str)
    speed = hw.map(prof["speeds_kmh"]).fillna(prof["default_speed_kmh"]).to_numpy(float, copy=True)
    if prof["use_maxspeed"]:
        m = roads["maxspeed"].astype("string").str.extract(_MAXSPEED)
        mph = (m[1] == "mph").fillna(False).to_numpy(bool)
        posted = m[0].astype(float).to_numpy() * np.where(mph, 1.609344, 1.0)
        ok = np.isfinite(posted) & (posted > 0)
        speed[ok] = posted[ok] * prof["maxspeed_factor"]
    secs = np.maximum(roads.geometry.length.to_numpy() / (speed / 3.6), MIN_EDGE_S)
    ow = roads["oneway"].astype(str).to_numpy(object)
    way = np.select([ow == "yes", ow == "-1"], [1, -1], 0) if prof["oneway"] else np.zeros(
        len(ow), int)
    return secs, way, ~hw.isin(prof["excluded"]).to_numpy()


def main(argv: list[str]) -> int:
    """Read the case, search, write the minutes (see the module docstring)."""
    import pyarrow as pa
    import pyogrio
    import shapely
    from pyarrow import csv as pa_csv
    from scipy.spatial import cKDTree

    case, mode, minutes, out_csv, record = Path(argv[0]), argv[1], float(argv[2]), *argv[3:]
    steps, t0 = [], time.perf_counter()
    roads = pyogrio.read_dataframe(case / "roads.gpkg", use_arrow=True)
    fac = pyogrio.read_dataframe(case / "facilities.gpkg", use_arrow=True)
    orig = pyogrio.read_dataframe(case / "origins.gpkg", use_arrow=True)
    t1 = time.perf_counter()
    ends = shapely.get_coordinates(shapely.boundary(roads.geometry.to_numpy()))
    nodes, inverse = np.unique(ends, axis=0, return_inverse=True)
    u, v = inverse.ravel()[0::2], inverse.ravel()[1::2]
    secs, way, usable = arc_seconds(roads, mode)
    fwd, bwd = usable & (way >= 0), usable & (way <= 0)
    graph = csr_reversed(len(nodes), np.r_[u[fwd], v[bwd]], np.r_[v[fwd], u[bwd]],
                         np.r_[secs[fwd], secs[bwd]])
    t2 = time.perf_counter()
    tree = cKDTree(nodes)
    onode = tree.query(shapely.get_coordinates(orig.geometry.to_numpy()))[1]
    fnode = tree.query(shapely.get_coordinates(fac.geometry.to_numpy()))[1]
    cats, fcat = np.unique(fac["category"].to_numpy(str), return_inverse=True)
    t3 = time.perf_counter()
    out = nearest_minutes(graph, onode, fnode, fcat, len(cats), minutes * 60.0)
    t4 = time.perf_counter()
    columns = {"origin_id": pa.array(orig["origin_id"].to_numpy(object))}
    columns.update({f"minutes_{c}": pa.array(out[:, k], from_pandas=True)  # NaN: empty
                    for k, c in enumerate(cats)})
    pa_csv.write_csv(pa.table(columns), out_csv)
    t5 = time.perf_counter()
    for name, a, b in (("read", t0, t1), ("build", t1, t2), ("snap", t2, t3),
                       ("query", t3, t4), ("write", t4, t5)):
        steps.append({"step": name, "wall_s": round(b - a, 3)})
    Path(record).write_text(json.dumps({"peer": "scipy_floor", "status": "ok", "steps": steps}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
