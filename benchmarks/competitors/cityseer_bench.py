"""cityseer (Rust core): network structure, data assignment, nearest distance per land use.

Walk only: cityseer measures pedestrian distances in metres on an undirected street
network. With zonekit's walk profile (4.5 km/h on every street, 1.25 m/s) a time limit
of L minutes is ``L × 75`` metres and a distance ``d`` is ``d / 75`` minutes.

Steps: ``build`` (a ``rustalgos.graph.NetworkStructure`` filled through its own
``add_street_node`` / ``add_street_edge`` calls, one edge per direction as
``io.network_structure_from_nx`` does for an undirected graph, then ``validate`` and
``build_edge_rtree``; this skips cityseer's NetworkX/GeoPandas import helpers, which are
much slower, so it is the fastest public path), ``snap`` (``DataMap.insert`` of the
facilities and ``assign_data_to_network``) and ``query`` (``DataMap.accessibility`` for all
12 categories in one call, whose ``distance`` result is the nearest distance per land
use). Only origin nodes are marked ``live``, so cityseer computes only for them.

Facilities lie on nodes: cityseer assigns each to the two end nodes of its nearest
street, adding the straight distance from node to point (0 at its own node).
"""

from __future__ import annotations

import numpy as np

LABEL = "cityseer"
MODES = ("walk",)
REQUIRES = ("cityseer",)
TIME_TOL_MIN = 1e-4
CHECKED = True
DIST = "cityseer"


def run(city, mode, limit_minutes, rec, n_jobs):
    """Build, assign and query; return minutes per origin and category."""
    import shapely
    from cityseer import config, rustalgos

    from benchmarks.networks import CATEGORIES
    from zonekit.analysis.network.travel import load_travel_profile

    config.QUIET_MODE = True
    profile = load_travel_profile(mode)
    if profile.speeds_kmh or profile.oneway:
        raise RuntimeError("cityseer comparison assumes one walking speed and no one-ways")
    m_per_min = profile.default_speed_kmh * 1000.0 / 60.0
    dist = int(round(limit_minutes * m_per_min))
    if abs(dist - limit_minutes * m_per_min) > 1e-9:
        raise RuntimeError("cityseer takes whole metres: choose a limit giving whole metres")
    _, usable = city.edge_seconds(mode)
    u, v = city.edge_u[usable], city.edge_v[usable]
    xs, ys = city.node_x, city.node_y
    live = np.zeros(city.n_nodes, bool)
    live[city.orig_node] = True
    fac_xy = (xs[city.fac_node], ys[city.fac_node])
    with rec.step("build"):
        ns = rustalgos.graph.NetworkStructure()
        keys = [str(i) for i in range(city.n_nodes)]
        for i, (x, y, lv) in enumerate(zip(xs.tolist(), ys.tolist(), live.tolist(), strict=True)):
            ns.add_street_node(keys[i], x, y, lv, 1.0)
        xy = np.stack([xs, ys], axis=1)
        fwd = shapely.to_wkt(shapely.linestrings(np.stack([xy[u], xy[v]], axis=1)),
                             rounding_precision=-1)
        bwd = shapely.to_wkt(shapely.linestrings(np.stack([xy[v], xy[u]], axis=1)),
                             rounding_precision=-1)
        for k, (a, b) in enumerate(zip(u.tolist(), v.tolist(), strict=True)):
            ns.add_street_edge(a, b, k, keys[a], keys[b], fwd[k])
            ns.add_street_edge(b, a, k, keys[b], keys[a], bwd[k])
        ns.validate()
        ns.build_edge_rtree()
    with rec.step("snap"):
        data = rustalgos.data.DataMap()
        wkt = shapely.to_wkt(shapely.points(*fac_xy), rounding_precision=-1)
        for k, text in enumerate(wkt):
            data.insert(str(k), text, None)
        data.assign_data_to_network(ns, 100.0, 50)
    landuses = {str(k): CATEGORIES[c] for k, c in enumerate(city.fac_cat)}
    with rec.step("query"):
        res = data.accessibility(ns, landuses, CATEGORIES, distances=[dist], pbar_disabled=True)
    index = np.asarray(res.node_indices)
    out = np.full((len(city.orig_node), len(CATEGORIES)), np.nan)
    for k, cat in enumerate(CATEGORIES):
        full = np.full(city.n_nodes, np.nan)
        full[index] = np.asarray(res.result[cat].distance[dist], dtype=float)
        out[:, k] = full[city.orig_node] / m_per_min
    out[~(out <= limit_minutes)] = np.nan
    rec.note(f"limit {dist} m at {m_per_min:g} m/min; {2 * len(u):,} directed street edges")
    return {"minutes": out}
