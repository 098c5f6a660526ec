"""New facility sites: who reaches which candidate, maximal covering and set covering.

:func:`coverage_pairs` lists every (origin, target) pair whose travel time, origin →
target along the network with one-way streets respected and both access legs included,
is within a limit. It is exact and agrees with :func:`zonekit.analysis.network.engine.nearest_times`
(the same partial-edge legs and same-edge shortcut): targets are run in batches through
one ``scipy`` Dijkstra call on the reversed graph augmented with one virtual node per
target, so there is no Python loop over targets.

:func:`site_facilities` chooses candidate sites with spopt:

* **maximal covering** (MCLP): ``k`` sites maximising the demand weight newly brought
  within the limit (demand already covered by existing facilities is left out);
* **set covering**: the fewest sites bringing the covered share to a target. With a
  target of 1 this is spopt's LSCP over all demand any candidate can reach; below 1 it is
  the smallest ``p`` whose optimal MCLP reaches the target (MCLP coverage never falls as
  ``p`` grows, so a bisection over ``p`` finds it exactly). If even every candidate
  together misses the target, the LSCP answer (all reachable demand) is given and the
  summary says the target is out of reach.

Before the models are built the problem is reduced without changing its optimum: demand
points no candidate reaches are dropped, demand points reached by the same set of
candidates are merged (weights summed), candidates reaching nothing or the same set as
another are dropped. Solver: HiGHS through ``highspy`` (``pulp.HiGHS``), or PuLP's
bundled CBC (``pulp.PULP_CBC_CMD``); both ship as wheels with the package's dependencies.
"""

# Module size: ~460 lines — coverage pairs, candidates and the two spopt models are one
# workflow with shared arrays; site_descriptions.py holds the site descriptions.

from __future__ import annotations

import logging
import os
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix

from zonekit.analysis.network.engine import (
    LIMIT_TOLERANCE_S,
    SOURCE_OFFSET_S,
    Departures,
    _legs,
    same_edge_pairs,
)
from zonekit.analysis.network.graph import Network
from zonekit.analysis.network.snapping import Snapped
from zonekit.errors import ZonekitError

if TYPE_CHECKING:
    import geopandas as gpd

logger = logging.getLogger(__name__)

#: Cells of the dense batch arrays (targets × nodes) per Dijkstra call; bounds memory.
BATCH_CELLS = 20_000_000


def coverage_pairs(network: Network, origins: Snapped, targets: Snapped,
                   limit_minutes: float) -> pd.DataFrame:
    """Every (origin, target) pair within ``limit_minutes``, origin → target.

    Parameters
    ----------
    network
        The network both point sets were snapped to.
    origins, targets
        Snapped points; unreachable ones take part in no pair.
    limit_minutes
        Travel-time limit in minutes (inclusive).

    Returns
    -------
    pandas.DataFrame
        Columns ``origin`` and ``target`` (positions in ``origins`` / ``targets``) and
        ``minutes``, sorted by origin then target.
    """
    for what, pts in (("origins", origins), ("targets", targets)):
        if pts.network_uid != network.uid:
            raise ZonekitError(f"{what}: expected points snapped to this network "
                               f"(uid {network.uid}), found uid {pts.network_uid}")
    limit_s = float(limit_minutes) * 60.0
    n = network.n_nodes
    opos = np.flatnonzero(origins.edge >= 0)
    tpos = np.flatnonzero(targets.edge >= 0)
    empty = pd.DataFrame({"origin": np.zeros(0, np.int64), "target": np.zeros(0, np.int64),
                          "minutes": np.zeros(0)})
    if not len(opos) or not len(tpos) or not n:
        return empty
    which, nodes, secs = _legs(network, targets, tpos, toward_point=True)
    secs = secs + targets.access_s[which]
    vidx = np.searchsorted(tpos, which)
    dep = Departures.of(network, origins)
    leave_v, leave_u, ev, eu, acc = dep.via_v_s, dep.via_u_s, dep.node_v, dep.node_u, dep.access_s
    base = network.graph_reversed
    batch = max(1, int(BATCH_CELLS // max(n + len(opos), 1)))
    found = []
    from scipy.sparse.csgraph import dijkstra

    for lo in range(0, len(tpos), batch):
        hi = min(lo + batch, len(tpos))
        sel = (vidx >= lo) & (vidx < hi)
        m = hi - lo
        extra = pd.DataFrame({"r": vidx[sel] - lo, "c": nodes[sel], "w": secs[sel]})
        extra = extra.groupby(["r", "c"], as_index=False)["w"].min()
        counts = np.bincount(extra["r"].to_numpy(), minlength=m)
        indptr = np.r_[base.indptr, base.indptr[-1] + np.cumsum(counts)].astype(np.int64)
        aug = csr_matrix(
            (np.r_[base.data, extra["w"].to_numpy() + SOURCE_OFFSET_S],
             np.r_[base.indices, extra["c"].to_numpy()].astype(np.int64), indptr),
            shape=(n + m, n + m))
        dist = dijkstra(aug, directed=True, indices=n + np.arange(m),
                        limit=limit_s + SOURCE_OFFSET_S + LIMIT_TOLERANCE_S)[:, :n]
        dist -= SOURCE_OFFSET_S
        total = np.minimum(leave_v + dist[:, ev], leave_u + dist[:, eu]) + acc
        r, k = np.nonzero(total <= limit_s + LIMIT_TOLERANCE_S)
        found.append(pd.DataFrame({"i": opos[k], "j": tpos[lo + r], "sec": total[r, k]}))
    k, j, sec = same_edge_pairs(network, origins, opos, targets, tpos)
    direct = pd.DataFrame({"i": opos[k], "j": tpos[j], "sec": sec + acc[k]})
    found.append(direct[direct["sec"] <= limit_s + LIMIT_TOLERANCE_S])
    allp = pd.concat(found, ignore_index=True)
    if not len(allp):
        return empty
    best = allp.groupby(["i", "j"], as_index=False)["sec"].min()
    return pd.DataFrame({"origin": best["i"].to_numpy(np.int64),
                         "target": best["j"].to_numpy(np.int64),
                         "minutes": best["sec"].to_numpy() / 60.0})


@dataclass
class SitingResult:
    """Chosen sites and what they achieve (shares of the demand weight, 0–1).

    Attributes
    ----------
    chosen
        Solution name (``mclp``, ``set_cover``) → candidate positions, in greedy order (the
        site adding most coverage first).
    gains
        Solution name → demand weight each chosen site adds, in that order.
    summary
        Figures and method notes for ``summary.json``.
    """

    chosen: dict[str, np.ndarray] = field(default_factory=dict)
    gains: dict[str, np.ndarray] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)


def _hash_groups(major: np.ndarray, minor: np.ndarray, n_major: int, seed: int) -> np.ndarray:
    """Group ids of ``major`` items with identical sets of ``minor`` items (random hashing)."""
    rng = np.random.default_rng(seed)
    keys = rng.integers(1, 2**62, size=(int(minor.max()) + 1, 2), dtype=np.int64)
    h = np.zeros((n_major, 2), dtype=np.uint64)
    np.add.at(h, major, keys[minor].astype(np.uint64))
    return pd.factorize(pd.MultiIndex.from_arrays([h[:, 0], h[:, 1]]))[0]


def make_solver(name: str, time_limit_s: float) -> Any:
    """Return the PuLP solver: ``highs`` (highspy) or ``cbc`` (bundled with PuLP)."""
    import pulp

    if name == "highs":
        solver = pulp.HiGHS(msg=False, timeLimit=time_limit_s)
    else:  # PuLP 3.3 deprecates its bundled CBC (gone in PuLP 4): HiGHS is the default
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit_s)
    if not solver.available():
        raise ZonekitError(f"siting solver {name!r} is not available in this installation; "
                           "install highspy (highs) or a PuLP wheel bundling CBC (cbc)")
    return solver


@contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Silence C-level stdout (highspy prints a banner whatever PuLP's ``msg``)."""
    sys.stdout.flush()
    saved, devnull = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def _solve(model: Any, solver: Any) -> np.ndarray:
    with _quiet_stdout():
        model.solve(solver, results=False)
    return np.array([v.value() > 0.5 for v in model.fac_vars])


def _mclp(a: np.ndarray, w: np.ndarray, p: int, solver: Any) -> np.ndarray:
    from spopt.locate import MCLP

    with warnings.catch_warnings():  # spopt builds variables the way PuLP 4 deprecates
        warnings.simplefilter("ignore", DeprecationWarning)
        model = MCLP.from_cost_matrix(np.where(a, 0.0, 2.0), w, service_radius=1.0,
                                      p_facilities=p)
    return _solve(model, solver)


def _lscp(a: np.ndarray, solver: Any) -> np.ndarray:
    from spopt.locate import LSCP

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        model = LSCP.from_cost_matrix(np.where(a, 0.0, 2.0), service_radius=1.0)
    return _solve(model, solver)


def _greedy_order(a: np.ndarray, w: np.ndarray, pick: np.ndarray,
                  stop_at: float = np.inf) -> tuple[np.ndarray, np.ndarray]:
    """Order the picked columns by marginal gain (biggest first); stop once ``stop_at`` is met.

    Returns the columns and the weight each adds. One matrix-vector product per step.
    """
    cols = np.flatnonzero(pick)
    sub = a[:, cols].astype(float)
    left = w.astype(float).copy()
    order, gains = [], []
    open_ = np.ones(len(cols), bool)
    while open_.any() and sum(gains) < stop_at:
        g = np.where(open_, left @ sub, -1.0)
        best = int(np.argmax(g))
        order.append(cols[best])
        gains.append(float(g[best]))
        open_[best] = False
        left[sub[:, best] > 0] = 0.0
    return np.array(order, dtype=np.int64), np.array(gains, dtype=float)


# Long on purpose: the two spopt models (MCLP, set covering) share one coverage matrix
# and one summary; each step is commented below.
def site_facilities(pairs: pd.DataFrame, weights: np.ndarray, covered_now: np.ndarray,
                    n_candidates: int, k: int, target_share: float, *,
                    solver: str = "highs", time_limit_s: float = 60.0) -> SitingResult:
    """Choose ``k`` sites (maximal covering) and the fewest reaching ``target_share``.

    Parameters
    ----------
    pairs
        From :func:`coverage_pairs` (origins = demand points, targets = candidates).
    weights
        Demand weight of every origin (persons, …), including unreachable ones: the
        shares' denominator is their sum.
    covered_now
        Boolean per origin: already within the limit of an existing facility.
    n_candidates
        Number of candidates (targets).
    k
        Sites to choose for the maximal covering solution.
    target_share
        Share of the total weight (0–1) the set covering solution must reach.
    solver, time_limit_s
        ``highs`` or ``cbc``, and the time limit per model (seconds).
    """
    weights = np.asarray(weights, dtype=float)
    total = float(weights.sum())
    base = float(weights[covered_now].sum())
    res = SitingResult()
    open_ = ~covered_now[pairs["origin"].to_numpy()] & (weights[pairs["origin"].to_numpy()] > 0)
    p = pairs[open_]
    info: dict[str, Any] = {
        "demand_total": total, "covered_before": base,
        "share_before": base / total if total else 0.0, "candidates": int(n_candidates),
        "solver": {"highs": "HiGHS (highspy) via pulp.HiGHS",
                   "cbc": "CBC bundled with PuLP (pulp.PULP_CBC_CMD)"}[solver],
        "target_share": target_share, "k": k,
    }
    res.summary = info
    if not len(p):
        met = info["share_before"] >= target_share - 1e-12
        info.update(note="no candidate brings uncovered demand within the limit",
                    share_max=info["share_before"], target_reachable=met)
        for name in (["mclp"] if k > 0 else []) + ["set_cover"]:
            res.chosen[name], res.gains[name] = np.zeros(0, np.int64), np.zeros(0)
            info[name] = {"sites": 0, "share_after": info["share_before"]}
        return res
    cli, cand = p["origin"].to_numpy(), p["target"].to_numpy()
    ci, clients = pd.factorize(cli)
    cj, cands = pd.factorize(cand)
    rgroup = _hash_groups(ci, cj, len(clients), 1)
    gw = np.bincount(rgroup, weights=weights[clients])
    a_full = np.zeros((len(gw), len(cands)), bool)
    a_full[rgroup[ci], cj] = True
    cgroup = _hash_groups(cj, rgroup[ci], len(cands), 2)
    _, keep = np.unique(cgroup, return_index=True)
    keep = np.sort(keep)
    a = a_full[:, keep]
    cands = cands[keep]
    slv = make_solver(solver, time_limit_s)
    reachable = float(gw.sum())
    info.update(share_max=(base + reachable) / total, demand_points=len(clients),
                demand_groups=len(gw), useful_candidates=len(cands))
    logger.info("siting: %d demand points in %d groups, %d useful candidates", len(clients),
                len(gw), len(cands))

    def record(name: str, pick: np.ndarray) -> float:
        order, gains = _greedy_order(a, gw, pick)
        res.chosen[name], res.gains[name] = cands[order], gains
        return float(gains.sum())

    if k > 0:
        gain = record("mclp", _mclp(a, gw, min(k, a.shape[1]), slv))
        info["mclp"] = {"sites": len(res.chosen["mclp"]), "covered_after": base + gain,
                        "share_after": (base + gain) / total}
    need = target_share * total - base - 1e-9 * max(total, 1.0)
    if need <= 0:
        info["set_cover"] = {"sites": 0, "share_after": base / total,
                             "method": "target already met"}
        res.chosen["set_cover"], res.gains["set_cover"] = np.zeros(0, np.int64), np.zeros(0)
    elif reachable < need:
        gain = record("set_cover", _lscp(a, slv))
        info["set_cover"] = {"sites": len(res.chosen["set_cover"]),
                             "share_after": (base + gain) / total,
                             "method": "LSCP over all demand the candidates reach (target "
                                       "out of reach)"}
    else:
        hi_pick = _lscp(a, slv) if target_share >= 1.0 else None
        if hi_pick is not None:
            gain = record("set_cover", hi_pick)
            method = "LSCP (spopt): fewest sites covering all reachable demand"
        else:
            _, gains = _greedy_order(a, gw, np.ones(a.shape[1], bool), stop_at=need)
            lo, hi = 1, len(gains)  # the greedy answer is feasible: an upper bound
            best = None
            while lo < hi:
                mid = (lo + hi) // 2
                pick = _mclp(a, gw, mid, slv)
                if (gw * a[:, pick].any(axis=1)).sum() >= need:
                    hi, best = mid, pick
                else:
                    lo = mid + 1
            if best is None or best.sum() != lo:
                best = _mclp(a, gw, lo, slv)
            gain = record("set_cover", best)
            method = ("fewest sites reaching the target share: smallest p whose optimal MCLP "
                      "(spopt) reaches it, found by bisection")
        info["set_cover"] = {"sites": len(res.chosen["set_cover"]),
                             "share_after": (base + gain) / total, "method": method}
    info["target_reachable"] = info["share_max"] >= target_share - 1e-12
    return res


def candidate_grid(parcels: gpd.GeoDataFrame | None, network: Network, spacing_m: float,
                   road_max_m: float, land_classes: tuple[str, ...],
                   max_candidates: int) -> gpd.GeoDataFrame:
    """Candidate sites: a square grid over suitable land, near drivable roads.

    Grid points ``spacing_m`` apart inside parcels whose land-use class is one of
    ``land_classes`` (all of the network's extent when there are no such parcels) and no
    farther than ``road_max_m`` from a network edge. The spacing is widened by 25 % steps
    until at most ``max_candidates`` points remain.

    Returns
    -------
    geopandas.GeoDataFrame
        Points with ``candidate_id`` (``C0001`` …) and ``spacing_m``.
    """
    import geopandas as gpd
    import shapely

    from zonekit.zones.landuse import land_use_class

    area = None
    if parcels is not None and len(parcels):
        ok = land_use_class(parcels["land_use"]).isin(land_classes).to_numpy()
        if ok.any():
            area = shapely.union_all(parcels.geometry.to_numpy()[ok])
            shapely.prepare(area)
    if area is None:
        logger.info("no parcels of classes %s: candidates over the whole road network",
                    ", ".join(land_classes))
    x0, y0 = network.node_x.min(), network.node_y.min()
    x1, y1 = network.node_x.max(), network.node_y.max()
    if area is not None:
        x0, y0, x1, y1 = area.bounds
    spacing = float(spacing_m)
    while True:
        xs = np.arange(x0 + spacing / 2, x1, spacing)
        ys = np.arange(y0 + spacing / 2, y1, spacing)
        gx, gy = (a.ravel() for a in np.meshgrid(xs, ys))
        if area is not None:
            inside = shapely.contains_xy(area, gx, gy)
            gx, gy = gx[inside], gy[inside]
        pts = shapely.points(gx, gy)
        hit = np.unique(network.edge_tree.query(pts, predicate="dwithin",
                                                distance=road_max_m)[0])
        if len(hit) <= max_candidates:
            break
        spacing *= 1.25
    return gpd.GeoDataFrame({"candidate_id": [f"C{i:04d}" for i in range(1, len(hit) + 1)],
                             "spacing_m": spacing}, geometry=pts[hit], crs=network.crs)


def site_table(candidates: gpd.GeoDataFrame, result: SitingResult, total: float,
               base: float, *, zones: gpd.GeoDataFrame | None = None,
               roads: gpd.GeoDataFrame | None = None, unit: str = "",
               road_max_m: float = 200.0) -> gpd.GeoDataFrame:
    """Tabulate the chosen sites: which solution, rank, gains and shares, and where they are.

    Parameters
    ----------
    candidates, result
        The candidates and :func:`site_facilities` output.
    total, base
        Total demand weight and the weight covered before any new site.
    zones, roads
        For each site's zone and nearest named road
        (:func:`zonekit.analysis.circles.site_descriptions.locate`).
    unit
        Unit of the demand weight (``km2``, ``persons``, …), written beside every figure.
    road_max_m
        Nearest named road searched within this distance, m.

    Returns
    -------
    GeoDataFrame: ``site_id``, ``solution``, ``rank``, ``candidate_id``, the place columns
    (``zone_id``, ``zone_name_zh``, ``road_name``, ``road_distance_m``, ``lon_wgs84``,
    ``lat_wgs84``, ``lon_gcj02``, ``lat_gcj02``), ``added_weight`` (in ``demand_unit``),
    ``added_share_pct`` and ``share_after_pct`` (%, of the total demand), ``share_after``
    (0–1, kept for older readers) and ``demand_unit``.
    """
    import geopandas as gpd

    from zonekit.analysis.circles.site_descriptions import PLACE_COLUMNS, locate

    frames = []
    for name, pos in result.chosen.items():
        if not len(pos):
            continue
        gains = result.gains[name]
        part = candidates.iloc[pos][["candidate_id", "geometry"]].copy()
        part.insert(0, "solution", name)
        part.insert(1, "rank", np.arange(1, len(pos) + 1))
        part["added_weight"] = gains
        part["share_after"] = (base + np.cumsum(gains)) / total if total else 0.0
        frames.append(part)
    columns = ["site_id", "solution", "rank", "candidate_id", *PLACE_COLUMNS, "added_weight",
               "added_share_pct", "share_after_pct", "share_after", "demand_unit"]
    if not frames:
        return gpd.GeoDataFrame({c: [] for c in columns},
                                geometry=gpd.GeoSeries([], crs=candidates.crs), crs=candidates.crs)
    out = pd.concat(frames, ignore_index=True)
    out.insert(0, "site_id", [f"{s}-{r}" for s, r in zip(out["solution"], out["rank"],
                                                          strict=True)])
    out = pd.concat([out, locate(gpd.GeoSeries(out.geometry, crs=candidates.crs), zones, roads,
                                 road_max_m)], axis=1)
    out["added_share_pct"] = 100 * out["added_weight"] / total if total else 0.0
    out["share_after_pct"] = 100 * out["share_after"]
    out["demand_unit"] = unit
    return gpd.GeoDataFrame(out[[*columns, "geometry"]], geometry="geometry", crs=candidates.crs)
