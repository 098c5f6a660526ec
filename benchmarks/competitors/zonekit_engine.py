"""zonekit: network build from road edges, snapping, nearest time per category.

Steps: ``build`` (:func:`zonekit.analysis.network.graph.build_network` on the road
GeoDataFrame: class speeds, ``maxspeed``, one-ways, CSR graphs), ``snap``
(:func:`~zonekit.analysis.network.snapping.snap_points` for origins and facilities, including the
edge STRtree) and ``query`` (:func:`~zonekit.analysis.network.engine.nearest_times`, one
multi-source Dijkstra per category, ``n_jobs`` worker processes).

Origins and facilities lie exactly on nodes: each snaps onto an edge at fraction 0 or 1
with a 0 m access leg, and the engine treats it as standing on that node.
"""

from __future__ import annotations

import numpy as np

LABEL = "zonekit"
MODES = ("walk", "drive")
REQUIRES = ("zonekit",)
TIME_TOL_MIN = 1e-6
CHECKED = True
DIST = "zonekit"


def run(city, mode, limit_minutes, rec, n_jobs, *, displace_m: float = 0.0):
    """Build, snap and query; return minutes per origin and category."""
    from benchmarks.networks import CATEGORIES
    from zonekit.analysis.network.engine import nearest_times
    from zonekit.analysis.network.graph import build_network
    from zonekit.analysis.network.snapping import snap_points
    from zonekit.analysis.network.travel import load_travel_profile

    roads = city.roads_gdf()
    origins = city.points_gdf(city.orig_node, displace_m=displace_m, seed=1)
    facilities = city.points_gdf(city.fac_node, displace_m=displace_m, seed=2)
    category = np.asarray(CATEGORIES, dtype=object)[city.fac_cat]
    with rec.step("build"):
        network = build_network(roads, load_travel_profile(mode))
    with rec.step("snap"):
        so = snap_points(network, origins, layer="origins")
        sf = snap_points(network, facilities, layer="facilities")
    with rec.step("query"):
        table = nearest_times(network, so, sf, category, limit_minutes, n_jobs=n_jobs)
    rec.note(f"{network.n_nodes:,} nodes, {network.graph.nnz:,} arcs; n_jobs={n_jobs}")
    return {"minutes": table[[f"minutes_{c}" for c in CATEGORIES]].to_numpy()}
