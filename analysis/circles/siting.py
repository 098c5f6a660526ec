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


#: Absolute optimality gap of the siting models, in model units. The demand weights enter
#: the MCLP scaled (:func:`weight_scale`: m² for km², persons as they are, at least 1 for
#: the smallest demand point), so this and HiGHS's pruning tolerance (1e-6) are a
#: millionth of a square metre or person; the relative gap is 0 (PuLP leaves HiGHS's 1e-4).
ABS_GAP = 1e-6


def weight_scale(weights: np.ndarray, unit: str = "") -> float:
    """Factor the demand weights are multiplied by in the MCLP objective.

    ``1e6`` when the unit is ``km2`` (the model counts m²); otherwise the smallest power of
    ten (≥ 1) that lifts the smallest positive weight to at least 1, so the solver's
    absolute tolerances (1e-6) stay far below any difference between two demand points.
    """
    if unit == "km2":
        return 1e6
    w = np.asarray(weights, dtype=float)
    w = w[w > 0]
    if not len(w) or w.min() >= 1:
        return 1.0
    return float(10.0 ** min(12, int(np.ceil(-np.log10(w.min())))))


def make_solver(name: str, time_limit_s: float) -> Any:
    """Return the PuLP solver: ``highs`` (highspy) or ``cbc`` (bundled with PuLP).

    Both at zero relative gap and :data:`ABS_GAP` absolute, stopped by ``time_limit_s``.
    """
    import pulp

    if name == "highs":
        solver = pulp.HiGHS(msg=False, timeLimit=time_limit_s, gapRel=0.0, gapAbs=ABS_GAP)
    else:  # PuLP 3.3 deprecates its bundled CBC (gone in PuLP 4): HiGHS is the default
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit_s, gapRel=0.0,
                                       gapAbs=ABS_GAP)
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


@dataclass(frozen=True)
class Solve:
    """What one siting model's solver reported (objective and bound in demand units).

    Attributes
    ----------
    status
        ``optimal``, ``time_limit`` (stopped by the time limit with a solution), ``stopped``
        (another stop with a solution) or ``no_solution`` (stopped before any: the greedy
        answer is used instead).
    objective, bound
        The solution's objective and the bound the solver proved (an upper bound on the
        covered demand for MCLP, a lower bound on the sites for LSCP); ``bound`` is
        ``None`` when the solver reports none (CBC stopped early).
    """

    status: str
    objective: float | None = None
    bound: float | None = None

    @property
    def optimal(self) -> bool:
        """Whether the solver proved the solution optimal."""
        return self.status == "optimal"


def _solve(model: Any, solver: Any, scale: float = 1.0) -> tuple[np.ndarray | None, Solve]:
    """Solve a spopt model; the picked sites (``None`` without a solution) and the status.

    The PuLP status is read, never assumed: PuLP calls a time-limited HiGHS or CBC run
    "Optimal" with an integer-feasible solution status.
    """
    import pulp

    with _quiet_stdout():
        model.problem.solve(solver)
    lp = model.problem
    if lp.sol_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible) \
            or lp.status != pulp.LpStatusOptimal:
        return None, Solve("no_solution")
    objective = float(pulp.value(lp.objective) or 0.0) / scale
    bound, status = None, "optimal"
    highs = getattr(lp, "solverModel", None)
    if highs is not None and hasattr(highs, "getInfo"):
        text = highs.modelStatusToString(highs.getModelStatus())
        dual = float(highs.getInfo().mip_dual_bound)
        if np.isfinite(dual):
            bound = (-dual if lp.sense == pulp.LpMaximize else dual) / scale
        if text != "Optimal":
            status = "time_limit" if "time limit" in text.lower() else "stopped"
    elif lp.sol_status != pulp.LpSolutionOptimal:  # CBC: stopped (on time) with a solution
        status = "time_limit"
    if status == "optimal":
        bound = objective
    pick = np.array([v.value() is not None and v.value() > 0.5 for v in model.fac_vars])
    return pick, Solve(status, objective, bound)


def _mclp(a: np.ndarray, w: np.ndarray, p: int, solver: Any,
          scale: float = 1.0) -> tuple[np.ndarray, Solve]:
    """Maximal covering with ``p`` sites; the greedy ``p`` sites when no solution came."""
    from spopt.locate import MCLP

    with warnings.catch_warnings():  # spopt builds variables the way PuLP 4 deprecates
        warnings.simplefilter("ignore", DeprecationWarning)
        model = MCLP.from_cost_matrix(np.where(a, 0.0, 2.0), w * scale, service_radius=1.0,
                                      p_facilities=p)
    pick, st = _solve(model, solver, scale)
    if pick is None:
        cols, _ = _greedy_order(a, w, np.ones(a.shape[1], bool))
        pick = np.isin(np.arange(a.shape[1]), cols[:p])
    return pick, st


def _lscp(a: np.ndarray, solver: Any) -> tuple[np.ndarray, Solve]:
    """Fewest sites covering every row; the greedy cover when no solution came."""
    from spopt.locate import LSCP

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        model = LSCP.from_cost_matrix(np.where(a, 0.0, 2.0), service_radius=1.0)
    pick, st = _solve(model, solver)
    if st.bound is not None:  # site counts are whole: the bound rounds up
        st = Solve(st.status, st.objective, float(np.ceil(st.bound - 1e-6)))
    if pick is None:
        ones = np.ones(a.shape[0])
        cols, _ = _greedy_order(a, ones, np.ones(a.shape[1], bool), stop_at=a.shape[0])
        pick = np.isin(np.arange(a.shape[1]), cols)
    return pick, st


def solver_report(solves: list[Solve], proven: bool | None = None,
                  bound: float | None = None) -> dict[str, Any]:
    """Summarise the solves behind one solution for ``summary.json``.

    ``optimal`` is whether the solution is proven (``proven``, default: every solve
    optimal); ``status`` the worst status met; ``bound`` the bound proved on the
    solution's objective (covered demand for MCLP, sites for set covering).
    """
    order = ["optimal", "stopped", "time_limit", "no_solution"]
    worst = max((s.status for s in solves), key=order.index, default="optimal")
    ok = all(s.optimal for s in solves) if proven is None else proven
    if bound is None and len(solves) == 1:
        bound = solves[0].bound
    return {"status": "optimal" if ok else worst, "optimal": bool(ok),
            "bound": None if bound is None else float(bound), "models_solved": len(solves),
            "statuses": sorted({s.status for s in solves})}


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
                    solver: str = "highs", time_limit_s: float = 60.0,
                    unit: str = "") -> SitingResult:
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
    unit
        Unit of the weights (``km2`` puts the MCLP objective in m², see
        :func:`weight_scale`).

    Notes
    -----
    Each solution's ``solver`` entry in the summary says whether it is proven optimal,
    the solver status and the bound proved (MCLP: most demand ``k`` sites can cover; set
    covering: fewest sites that can reach the target). A model stopped by the time limit
    keeps its best solution (the greedy one when it had none); the summary's
    ``warnings`` then say so, and ``optimal`` is false.
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
        info.update(optimal=True, warnings=[])
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
    scale = weight_scale(gw, unit)
    info["objective_scale"] = scale
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
        pick, st = _mclp(a, gw, min(k, a.shape[1]), slv, scale)
        gain = record("mclp", pick)
        report = solver_report([st])
        if report["bound"] is not None:  # most demand k sites can cover, and its share
            report["bound"] = min(base + report["bound"], base + reachable)
            report["share_bound"] = report["bound"] / total
        if st.optimal:
            report["bound"], report["share_bound"] = base + gain, (base + gain) / total
        info["mclp"] = {"sites": len(res.chosen["mclp"]), "covered_after": base + gain,
                        "share_after": (base + gain) / total, "solver": report}
    need = target_share * total - base - 1e-9 * max(total, 1.0)
    if need <= 0:
        info["set_cover"] = {"sites": 0, "share_after": base / total,
                             "method": "target already met"}
        res.chosen["set_cover"], res.gains["set_cover"] = np.zeros(0, np.int64), np.zeros(0)
    elif reachable < need or target_share >= 1.0:
        pick, st = _lscp(a, slv)
        gain = record("set_cover", pick)
        method = ("LSCP over all demand the candidates reach (target out of reach)"
                  if reachable < need else
                  "LSCP (spopt): fewest sites covering all reachable demand")
        info["set_cover"] = {"sites": len(res.chosen["set_cover"]),
                             "share_after": (base + gain) / total, "method": method,
                             "solver": solver_report([st])}
    else:
        best, report = _fewest_sites(a, gw, need, slv, scale)
        gain = record("set_cover", best)
        info["set_cover"] = {"sites": len(res.chosen["set_cover"]),
                             "share_after": (base + gain) / total, "solver": report,
                             "method": "fewest sites reaching the target share: smallest p "
                                       "whose optimal MCLP (spopt) reaches it, found by "
                                       "bisection"}
    info["target_reachable"] = info["share_max"] >= target_share - 1e-12
    info["optimal"] = all(info[n]["solver"]["optimal"] for n in ("mclp", "set_cover")
                          if "solver" in info.get(n, {}))
    info["warnings"] = solver_warnings(info, time_limit_s)
    return res


def _fewest_sites(a: np.ndarray, gw: np.ndarray, need: float, slv: Any,
                  scale: float) -> tuple[np.ndarray, dict[str, Any]]:
    """Smallest ``p`` whose MCLP covers ``need``, by bisection; the pick and its report.

    ``p`` is proven too few when its MCLP is optimal or its bound falls short of ``need``;
    the answer is proven minimal when ``p - 1`` is (coverage never falls as ``p`` grows),
    and the bound is one more than the largest ``p`` proven too few.
    """
    cols, gains = _greedy_order(a, gw, np.ones(a.shape[1], bool), stop_at=need)
    lo, hi = 1, len(gains)  # the greedy answer is feasible: an upper bound
    greedy = np.isin(np.arange(a.shape[1]), cols)
    best, solves, too_few = None, [], {0}

    def reaches(pick: np.ndarray) -> bool:
        return float((gw * a[:, pick].any(axis=1)).sum()) >= need

    while lo < hi:
        mid = (lo + hi) // 2
        pick, st = _mclp(a, gw, mid, slv, scale)
        solves.append(st)
        if reaches(pick):
            hi, best = mid, pick
        else:
            lo = mid + 1
            if st.optimal or (st.bound is not None and st.bound < need):
                too_few.add(mid)
    if best is None or best.sum() != lo:
        pick, st = _mclp(a, gw, lo, slv, scale)
        solves.append(st)
        best = pick if reaches(pick) else greedy
    proven = (lo - 1) in too_few or lo == 1
    return best, solver_report(solves, proven=proven, bound=float(max(too_few) + 1))


def solver_warnings(info: dict[str, Any], time_limit_s: float) -> list[str]:
    """Sentences for each siting solution not proven optimal, with the bound it proves."""
    out = []
    for name, what in (("mclp", "maximal covering"), ("set_cover", "set covering")):
        rep = (info.get(name) or {}).get("solver")
        if not rep or rep["optimal"]:
            continue
        why = {"time_limit": f"stopped by its {time_limit_s:g} s time limit",
               "no_solution": f"found no solution within {time_limit_s:g} s (greedy sites "
                              "shown)"}.get(rep["status"], f"stopped early ({rep['status']})")
        if rep["bound"] is None:
            proof = "no bound reported"
        elif name == "mclp":
            proof = (f"no {info['mclp']['sites']} sites can cover more than "
                     f"{100 * rep.get('share_bound', 0.0):.2f} % of the demand")
        else:
            proof = f"at least {rep['bound']:g} sites are needed"
        out.append(f"siting {name}: the {what} model {why}: not proven optimal; {proof}")
    return out


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
