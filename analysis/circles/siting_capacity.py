"""New sites with a capacity each: maximal covering of the capacity shortfall.

With a norm N (capacity units per 1,000 persons) and the circle's capacity per 1,000
persons ``a_i`` (:mod:`~zonekit.analysis.circles.capacity`), origin i lacks
``s_i = P_i · max(0, N − a_i) / 1000`` units of capacity (its shortfall). ``k`` new sites
of capacity ``C`` each are chosen among the candidates to serve the most shortfall, each
site serving only origins within the category's threshold and at most ``C`` units — the
capacitated maximal covering model with divisible demand (Current & Storbeck 1988):

    maximise   Σ_ij x_ij                      over the pairs (i, j) within the threshold
    subject to Σ_j x_ij ≤ s_i                 (no origin served beyond its shortfall)
               Σ_i x_ij ≤ C · y_j             (a site serves at most its capacity)
               x_ij ≤ s_i · y_j               (only open sites serve; tightens the LP)
               Σ_j y_j = k,  y_j ∈ {0, 1},  x_ij ≥ 0

spopt has no capacitated maximal covering model, so it is built with PuLP and solved by
the siting's solver (HiGHS or CBC, :func:`~zonekit.analysis.circles.siting.make_solver`);
the solver's status is read, never assumed (:func:`~zonekit.analysis.circles.siting._solve`).
Origins reached by the same candidates are merged first (their shortfalls summed: the
optimum is unchanged, demand being divisible). Candidates are not merged: two alike
candidates together give twice the capacity.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd


def shortfall(weight: np.ndarray, per1000: np.ndarray, norm: float) -> np.ndarray:
    """Capacity units each origin lacks to reach ``norm``: ``P_i·max(0, N − a_i)/1000``."""
    return np.asarray(weight, float) * np.maximum(0.0, norm - np.asarray(per1000, float)) / 1000


@dataclass
class CapacitySiting:
    """Chosen sites (candidate positions), the shortfall each serves, and the solve."""

    chosen: np.ndarray
    served: np.ndarray
    summary: dict[str, Any] = field(default_factory=dict)


def capacitated_mclp(pairs: pd.DataFrame, short: np.ndarray, n_candidates: int, k: int,
                     capacity: float, *, solver: str = "highs",
                     time_limit_s: float = 60.0) -> CapacitySiting:
    """Choose ``k`` sites of ``capacity`` each serving the most shortfall (model above).

    Parameters
    ----------
    pairs
        From :func:`~zonekit.analysis.circles.siting.coverage_pairs` (origins → candidates).
    short
        Shortfall of every origin (capacity units, :func:`shortfall`).
    n_candidates, k, capacity
        Candidates, sites to choose, capacity of each new site (units > 0).
    solver, time_limit_s
        As :func:`~zonekit.analysis.circles.siting.site_facilities`.

    Returns
    -------
    CapacitySiting
        ``chosen`` sorted by the shortfall each serves (largest first); ``summary`` with
        ``shortfall_total``, ``shortfall_reachable``, ``served``, ``solver`` (status,
        optimal, bound).
    """
    from zonekit.analysis.circles.siting import _hash_groups, make_solver, solver_report

    short = np.asarray(short, float)
    info: dict[str, Any] = {"k": int(k), "site_capacity": float(capacity),
                            "shortfall_total": float(short.sum()), "candidates": n_candidates}
    p = pairs[short[pairs["origin"].to_numpy()] > 0]
    if not len(p) or k <= 0:
        info.update(shortfall_reachable=0.0, served=0.0, sites=0,
                    solver=solver_report([]), note="no candidate reaches an origin short of "
                                                   "the norm" if k > 0 else "k = 0")
        return CapacitySiting(np.zeros(0, np.int64), np.zeros(0), info)
    ci, clients = pd.factorize(p["origin"].to_numpy())
    cj, cands = pd.factorize(p["target"].to_numpy())
    group = _hash_groups(ci, cj, len(clients), 1)
    s = np.bincount(group, weights=short[clients])
    gp = pd.DataFrame({"g": group[ci], "c": cj}).drop_duplicates().to_numpy()
    info.update(shortfall_reachable=float(s.sum()), demand_groups=len(s),
                useful_candidates=len(cands))
    pick, x, st = _solve_model(gp, s, len(cands), min(k, len(cands)), float(capacity),
                               make_solver(solver, time_limit_s))
    # the solver's feasibility tolerance (1e-7 relative) may pass a capacity by a hair
    served = np.minimum(np.bincount(gp[:, 1], weights=x, minlength=len(cands)), capacity)
    order = np.flatnonzero(pick)[np.argsort(-served[pick], kind="stable")]
    info.update(served=float(served[order].sum()), sites=len(order),
                solver=solver_report([st]))
    return CapacitySiting(cands[order].astype(np.int64), served[order], info)


def _solve_model(gp: np.ndarray, s: np.ndarray, n: int, k: int, cap: float,
                 slv: Any) -> tuple[np.ndarray, np.ndarray, Any]:
    """Build and solve the model on (group, candidate) pairs ``gp``; picks, flows, status."""
    import pulp

    from zonekit.analysis.circles.siting import _solve, weight_scale

    scale = weight_scale(s)
    lp = pulp.LpProblem("capacitated_mclp", pulp.LpMaximize)
    with warnings.catch_warnings():  # PuLP 3.3 deprecates LpVariable(...) for PuLP 4
        warnings.simplefilter("ignore", DeprecationWarning)
        y = [pulp.LpVariable(f"y_{j}", cat="Binary") for j in range(n)]
        x = [pulp.LpVariable(f"x_{e}", lowBound=0) for e in range(len(gp))]
    lp += pulp.lpSum(x) * scale
    by_g = pd.Series(np.arange(len(gp))).groupby(gp[:, 0]).apply(list)
    by_c = pd.Series(np.arange(len(gp))).groupby(gp[:, 1]).apply(list)
    for g, es in by_g.items():
        lp += pulp.lpSum(x[e] for e in es) <= s[g]
    for c, es in by_c.items():
        lp += pulp.lpSum(x[e] for e in es) <= cap * y[c]
    for e, (g, c) in enumerate(gp):
        lp += x[e] <= s[g] * y[c]
    lp += pulp.lpSum(y) == k
    pick, st = _solve(SimpleNamespace(problem=lp, fac_vars=y), slv, scale)
    if pick is None:  # no solution in time: nothing is proposed, the status says so
        return np.zeros(n, bool), np.zeros(len(gp)), st
    flows = np.array([v.value() or 0.0 for v in x], dtype=float)
    return pick, np.maximum(flows, 0.0), st


def capacity_sites(job: Any, res: Any, network: Any, snapped_candidates: Any,
                   candidates: pd.DataFrame, category: str) -> dict[str, Any]:
    """Run the capacitated siting of a charging run: ``job.new_sites`` sites of ``capacity``.

    Demand is the circle's origins (persons) short of the category's norm
    (``job.norms``), after the capacity step has added ``per1000_<category>``. Adds
    ``chosen_capacity_mclp`` and ``capacity_served`` to ``candidates`` (in place); returns
    the summary block (``sites``: candidate ids with the shortfall each serves).
    """
    from zonekit.analysis.circles.kinds import engine_limit
    from zonekit.analysis.circles.siting import coverage_pairs

    site = job.spec.siting
    norm = float(job.norms[category]["per1000"])
    col = f"per1000_{category}"  # absent when the run has no station of the category
    now = res.origins[col].to_numpy(float) if col in res.origins else np.zeros(len(res.origins))
    short = shortfall(res.origins["weight"].to_numpy(float), now, norm)
    pairs = coverage_pairs(network, res.snapped["origins"], snapped_candidates,
                           engine_limit(job.limits[category], job.measure))
    got = capacitated_mclp(pairs, short, len(candidates), job.new_sites or 0,
                           job.new_site_capacity, solver=site.solver,
                           time_limit_s=site.time_limit_s)
    served = np.zeros(len(candidates))
    served[got.chosen] = got.served
    candidates["chosen_capacity_mclp"] = np.isin(np.arange(len(candidates)), got.chosen)
    candidates["capacity_served"] = served
    ids = candidates["candidate_id"].to_numpy()
    return {**got.summary, "norm_per1000": norm, "category": category,
            "sites_chosen": [{"candidate_id": str(ids[j]), "served": float(v)}
                             for j, v in zip(got.chosen, got.served, strict=True)],
            "method": "capacitated maximal covering (Current & Storbeck 1988), divisible "
                      "demand: k sites of the given capacity maximise the capacity "
                      "shortfall P_i·max(0, N − per1000_i)/1000 they serve within the "
                      "threshold; PuLP model, see zonekit.analysis.circles.siting_capacity"}
