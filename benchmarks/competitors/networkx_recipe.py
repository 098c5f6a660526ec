"""The osmnx/networkx recipe: an isochrone per facility, or multi-source Dijkstra.

Steps: ``build`` (an osmnx-style ``networkx.MultiDiGraph``: nodes with ``x``/``y``, one
edge per allowed direction with a ``time`` attribute in seconds), ``snap``
(``osmnx.distance.nearest_nodes``, a KD-tree on the projected node coordinates) and
``query``:

* :data:`ego_graph` — the osmnx isochrone recipe: for every facility
  ``nx.ego_graph(graph, node, radius=limit, distance="time")``, and an origin is covered by a
  category when its node is in the union of that category's ego graphs. Coverage only: the
  recipe gives sets of nodes, not times.
* :data:`multi_source` — ``nx.multi_source_dijkstra_path_length(graph, nodes, cutoff=limit,
  weight="time")`` once per category: exact times.
* :data:`per_facility` — the plain script a networkx user writes first:
  ``nx.single_source_dijkstra_path_length(graph, node, cutoff=limit, weight="time")`` for
  every facility, each origin keeping the nearest facility's time per category.

Direction: the osmnx recipe grows the isochrone *from* the facility along the traffic
direction. zonekit measures origin → facility, so the graph here holds every arc
reversed (``v → u``): the searches from facilities then give origin → facility times on
the drive network's one-way streets. Building the reversed graph costs the same as the
forward one.
"""

from __future__ import annotations

import time
from types import SimpleNamespace

import numpy as np

from benchmarks.measure import OverBudgetError


def _build_and_snap(city, mode, rec):
    import networkx as nx
    import osmnx as ox

    from benchmarks.networks import CRS

    src, dst, w = city.arcs(mode)
    with rec.step("build"):
        graph = nx.MultiDiGraph(crs=CRS)
        graph.add_nodes_from(
            (i, {"x": x, "y": y})
            for i, (x, y) in enumerate(zip(city.node_x.tolist(), city.node_y.tolist(),
                                           strict=True))
        )
        graph.add_weighted_edges_from(
            zip(dst.tolist(), src.tolist(), w.tolist(), strict=True), weight="time"
        )
    with rec.step("snap"):
        onode = np.asarray(ox.distance.nearest_nodes(
            graph, city.node_x[city.orig_node], city.node_y[city.orig_node]))
        fnode = np.asarray(ox.distance.nearest_nodes(
            graph, city.node_x[city.fac_node], city.node_y[city.fac_node]))
    return graph, onode, fnode


def _run_ego(city, mode, limit_minutes, rec, n_jobs):
    import networkx as nx

    from benchmarks.networks import CATEGORIES

    graph, onode, fnode = _build_and_snap(city, mode, rec)
    limit_s = float(limit_minutes) * 60.0
    covered = np.zeros((len(onode), len(CATEGORIES)), bool)
    n_fac = len(fnode)
    with rec.step("query"):
        t0, done = time.perf_counter(), 0
        for k in range(len(CATEGORIES)):
            reach: set = set()
            for f in fnode[city.fac_cat == k].tolist():
                reach.update(nx.ego_graph(graph, f, radius=limit_s, distance="time").nodes)
                done += 1
                _check_budget(rec, done, n_fac, time.perf_counter() - t0, "ego graphs")
            covered[:, k] = np.isin(onode, np.fromiter(reach, dtype=np.int64, count=len(reach)))
    return {"covered": covered}


def _run_msd(city, mode, limit_minutes, rec, n_jobs):
    import networkx as nx

    from benchmarks.networks import CATEGORIES

    graph, onode, fnode = _build_and_snap(city, mode, rec)
    limit_s = float(limit_minutes) * 60.0
    out = np.full((len(onode), len(CATEGORIES)), np.nan)
    with rec.step("query"):
        for k in range(len(CATEGORIES)):
            d = nx.multi_source_dijkstra_path_length(
                graph, set(fnode[city.fac_cat == k].tolist()), cutoff=limit_s, weight="time"
            )
            out[:, k] = [d.get(o, np.nan) for o in onode.tolist()]
    return {"minutes": out / 60.0}


def _run_per_facility(city, mode, limit_minutes, rec, n_jobs):
    import networkx as nx

    from benchmarks.networks import CATEGORIES

    graph, onode, fnode = _build_and_snap(city, mode, rec)
    limit_s = float(limit_minutes) * 60.0
    best = np.full((len(CATEGORIES), city.n_nodes), np.inf)
    n_fac = len(fnode)
    with rec.step("query"):
        t0 = time.perf_counter()
        for done, (f, k) in enumerate(zip(fnode.tolist(), city.fac_cat.tolist(), strict=True), 1):
            d = nx.single_source_dijkstra_path_length(graph, f, cutoff=limit_s, weight="time")
            idx = np.fromiter(d.keys(), dtype=np.int64, count=len(d))
            np.minimum.at(best[k], idx, np.fromiter(d.values(), dtype=float, count=len(d)))
            _check_budget(rec, done, n_fac, time.perf_counter() - t0, "searches")
    out = best[:, onode].T
    out[~np.isfinite(out)] = np.nan
    return {"minutes": out / 60.0}


def _check_budget(rec, done: int, total: int, spent: float, what: str) -> None:
    """Stop with an estimate when ``total`` items at this pace would pass the budget."""
    if done in (10, 50, 200) or done % 500 == 0:
        estimate = spent / done * total
        if rec.elapsed() + estimate > rec.budget_s:
            raise OverBudgetError(rec.elapsed() + estimate,
                                  f"{done} of {total} {what} took {spent:.1f} s")


_COMMON = {"MODES": ("walk", "drive"), "REQUIRES": ("networkx", "osmnx"), "DIST": "networkx"}

ego_graph = SimpleNamespace(
    LABEL="networkx ego_graph per facility (osmnx recipe)", TIME_TOL_MIN=None, CHECKED=True,
    run=_run_ego, **_COMMON,
)
multi_source = SimpleNamespace(
    LABEL="networkx multi-source Dijkstra", TIME_TOL_MIN=1e-6, CHECKED=True, run=_run_msd,
    **_COMMON,
)
per_facility = SimpleNamespace(
    LABEL="networkx Dijkstra with cutoff per facility", TIME_TOL_MIN=1e-6, CHECKED=True,
    run=_run_per_facility, **_COMMON,
)
