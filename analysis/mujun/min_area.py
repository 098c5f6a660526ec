"""The smallest set of candidates whose gains reach a requirement: an exact 0/1 knapsack.

:func:`solve_min_area` solves it as an integer programme (:func:`scipy.optimize.milp`,
HiGHS), areas in m², zero relative gap, every plan checked in exact arithmetic; the
solver's status and proved bound are kept in a :class:`Choice`. Used by
:mod:`zonekit.analysis.mujun.renewal` (腾笼换鸟 plans).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

#: Land in the renewal programme is in m² (parcel areas as measured), never km². HiGHS
#: keeps absolute tolerances in objective units: a branch is pruned unless it can beat the
#: incumbent by ``mip_feasibility_tolerance`` (1e-6), and ``mip_abs_gap`` is set to this
#: value. With the objective in m² both mean 1e-6 m² (one square millimetre), four orders of
#: magnitude below the smallest area difference worth telling apart (0.01 m²); in km² they
#: meant 1 m², and plans up to 1 m² larger than the optimum were returned as optimal.
AREA_TOLERANCE_M2 = 1e-6
#: Time limit of each renewal integer programme, seconds. A plan stopped by it is reported
#: as not proven minimal, with the lower bound the solver proved.
TIME_LIMIT_S = 60.0
#: Re-solves allowed when a plan the solver accepted within its feasibility tolerance falls
#: short of the requirement in exact arithmetic (each adds a cut excluding it and its subsets).
MAX_CUTS = 25


@dataclass(frozen=True)
class Choice:
    """The renewal programme's answer and what the solver proved about it.

    Attributes
    ----------
    mask : numpy.ndarray or None
        Chosen candidates (boolean); ``None`` when even all of them fall short.
    status : str
        ``optimal`` (proven smallest), ``time_limit`` or ``stopped`` (the solver stopped
        before proving it: node limit, numerical trouble, cuts exhausted), or, when no
        programme is solved, ``not_needed`` (nothing required) and ``out_of_reach``.
    optimal : bool
        Whether the plan is proven to have the smallest area (to ``AREA_TOLERANCE_M2``).
        True for ``not_needed`` and ``out_of_reach``, whose plans are forced.
    area_m2 : float
        Area of the plan, m² (exact sum); all candidates' when out of reach.
    bound_m2 : float or None
        Lower bound on the area of every plan reaching the requirement, proved by the
        solver (``None`` when it proved none).
    message : str
        The solver's own words, or why no programme was solved.
    cuts : int
        Plans the solver accepted within its feasibility tolerance that fell short of the
        requirement in exact arithmetic, and were cut off.
    time_limit_s : float
        The time limit of each programme.
    """

    mask: np.ndarray | None
    status: str
    optimal: bool
    area_m2: float
    bound_m2: float | None
    message: str
    cuts: int = 0
    time_limit_s: float = TIME_LIMIT_S

    @property
    def gap_m2(self) -> float | None:
        """Area the plan may exceed the optimum by (m²): ``area_m2 - bound_m2``, ≥ 0."""
        if self.bound_m2 is None:
            return None
        return max(0.0, self.area_m2 - self.bound_m2)

    def summary(self) -> dict[str, Any]:
        """Solver figures for ``summary.json`` (``renewal.<scenario>.solver``)."""
        gap = self.gap_m2
        gap = None if gap is None else round(gap, 6)
        rel = gap / self.area_m2 if gap is not None and self.area_m2 > 0 else (
            0.0 if gap is not None else None)
        return {
            "status": self.status, "optimal": bool(self.optimal),
            "objective_m2": round(self.area_m2, 6),
            "bound_m2": None if self.bound_m2 is None else round(self.bound_m2, 6),
            "gap_m2": None if gap is None else round(gap, 6),
            "rel_gap": None if rel is None else float(f"{rel:.3g}"),
            "tolerance_m2": AREA_TOLERANCE_M2, "mip_rel_gap": 0.0,
            "time_limit_s": self.time_limit_s, "exactness_cuts": self.cuts,
            "message": self.message,
        }


def _milp(c: np.ndarray, constraints: list, time_limit_s: float,
          node_limit: int | None) -> Any:
    """One HiGHS solve (binary variables) at zero relative and 1e-6 m² absolute gap."""
    import warnings

    from scipy.optimize import Bounds, milp

    n = c.size
    options: dict[str, Any] = {"mip_rel_gap": 0.0, "presolve": True,
                               "time_limit": float(time_limit_s),
                               "mip_abs_gap": AREA_TOLERANCE_M2}
    if node_limit is not None:
        options["node_limit"] = int(node_limit)
    with warnings.catch_warnings():  # mip_abs_gap goes to HiGHS verbatim, with a warning
        warnings.filterwarnings("ignore", "Unrecognized options", RuntimeWarning)
        return milp(c, constraints=constraints, integrality=np.ones(n),
                    bounds=Bounds(np.zeros(n), np.ones(n)), options=options)


def _stop_status(res: Any) -> str:
    if res.status == 0:
        return "optimal"
    return "time_limit" if "time limit" in str(res.message).lower() else "stopped"


def _finite_or_none(value: Any) -> float | None:
    return float(value) if value is not None and np.isfinite(value) else None


def solve_min_area(area_m2: np.ndarray, gain: np.ndarray, required: float, *,
                   time_limit_s: float = TIME_LIMIT_S,
                   node_limit: int | None = None) -> Choice:
    """Find the set of smallest total area whose gains sum to at least ``required``.

    An exact 0/1 knapsack (covering form): minimise Σ area·x subject to Σ gain·x ≥ required,
    x ∈ {0, 1}, solved with :func:`scipy.optimize.milp` (HiGHS). The scaling keeps the
    solver's absolute tolerances meaningless for the answer:

    * the objective is in m² and the gaps are zero relative, ``AREA_TOLERANCE_M2`` absolute;
    * the requirement is written ``Σ (gain / required)·x ≥ 1`` (coefficients of order one),
      and every plan the solver returns is checked in exact arithmetic
      (:func:`math.fsum` of its gains ≥ ``required``). One accepted only within the
      solver's feasibility tolerance is cut off (no subset of it suffices either: gains are
      ≥ 0) and the programme solved again, so a plan short of the target is never given
      and a feasible one is never excluded;
    * among plans of equal smallest area (to ``AREA_TOLERANCE_M2``), the one with most gain.

    The solver's status is kept: a plan stopped by ``time_limit_s`` (or ``node_limit``) is
    returned with ``optimal=False`` and the lower bound proved; when it stopped before any
    plan, the candidates are taken by gain per m² until the requirement is met.

    Parameters
    ----------
    area_m2, gain
        Area (m²) and gain (any unit, ≥ 0) of each candidate.
    required
        Gain to reach, in the unit of ``gain``.
    time_limit_s, node_limit
        Limits of each HiGHS solve.

    Returns
    -------
    Choice
        The plan and its solver status.

    Examples
    --------
    >>> c = solve_min_area(np.array([1.0, 5.0, 4.5]), np.array([6.0, 10.0, 5.0]), 10.0)
    >>> c.mask.tolist(), c.status, c.area_m2
    ([False, True, False], 'optimal', 5.0)
    """
    from scipy.optimize import LinearConstraint

    area, gain = _checked(area_m2, gain)
    n = area.size
    if required <= 0:
        return Choice(np.zeros(n, bool), "not_needed", True, 0.0, 0.0,
                      "nothing required: the empty plan", time_limit_s=time_limit_s)
    if math.fsum(gain) < required:
        return Choice(None, "out_of_reach", True, math.fsum(area), None,
                      "even every candidate falls short", time_limit_s=time_limit_s)
    cons = [LinearConstraint((gain / required)[None, :], lb=1.0, ub=np.inf)]
    x, res, cuts = None, None, 0
    while True:
        res = _milp(area, cons, time_limit_s, node_limit)
        if res.x is None:
            break
        x = np.round(res.x).astype(bool)
        if math.fsum(gain[x]) >= required:
            break
        x = None
        if cuts == MAX_CUTS:
            break
        cuts += 1  # x and its subsets fall short: at least one other candidate is needed
        cons.append(LinearConstraint((~np.round(res.x).astype(bool)).astype(float)[None, :],
                                     lb=1.0, ub=np.inf))
    bound = _finite_or_none(getattr(res, "mip_dual_bound", None))
    if x is None:  # no exactly feasible plan proved: greedy by gain per m², not optimal
        x = _by_gain_per_m2(area, gain, required)
        why = (f"cut {cuts} plans short of the requirement in exact arithmetic"
               if res.x is not None else str(res.message))
        return Choice(x, _stop_status(res) if res.status != 0 else "stopped", False,
                      math.fsum(area[x]), bound,
                      f"{why}; no plan proved: candidates taken by gain per m²", cuts,
                      time_limit_s)
    status = _stop_status(res)
    if status == "optimal":
        x = _most_gain(area, gain, required, x, cons, time_limit_s, node_limit)
    best = math.fsum(area[x])
    if bound is not None and status == "optimal":
        bound = min(bound, best)
    return Choice(x, status, status == "optimal", best, bound, str(res.message), cuts,
                  time_limit_s)


def _checked(area_m2: np.ndarray, gain: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return area and gain as float arrays, refusing unequal lengths and bad values."""
    area = np.asarray(area_m2, dtype=float)
    gain = np.asarray(gain, dtype=float)
    if area.shape != gain.shape:
        raise ValueError(f"area and gain must have the same length, got {area.size} and "
                         f"{gain.size}")
    if not (np.isfinite(area).all() and np.isfinite(gain).all()) or (gain < 0).any() \
            or (area < 0).any():
        raise ValueError("area and gain must be finite and ≥ 0")
    return area, gain


def _by_gain_per_m2(area: np.ndarray, gain: np.ndarray, required: float) -> np.ndarray:
    """Take candidates by gain per m² until ``required`` is met (the no-plan fallback)."""
    x = np.zeros(area.size, bool)
    per_m2 = np.where(area > 0, gain / np.where(area > 0, area, 1.0), np.inf)
    for i in np.argsort(-per_m2, kind="stable"):
        if math.fsum(gain[x]) >= required:
            break
        x[i] = True
    return x


def _most_gain(area: np.ndarray, gain: np.ndarray, required: float, x: np.ndarray,
               cons: list, time_limit_s: float, node_limit: int | None) -> np.ndarray:
    """Among plans of the optimum's area (to ``AREA_TOLERANCE_M2``), the one with most gain."""
    from scipy.optimize import LinearConstraint

    best = math.fsum(area[x])
    cap = LinearConstraint(area[None, :], lb=-np.inf, ub=best + AREA_TOLERANCE_M2)
    second = _milp(-gain / required, [*cons, cap], time_limit_s, node_limit)
    if second.x is None:
        return x
    y = np.round(second.x).astype(bool)
    if math.fsum(gain[y]) >= required and math.fsum(area[y]) <= best + AREA_TOLERANCE_M2 \
            and math.fsum(gain[y]) > math.fsum(gain[x]):
        return y
    return x


def not_optimal_clause(choice: Choice) -> str:
    """Say why a plan is not proven minimal and what the solver proved (English)."""
    why = {"time_limit": f"the integer programme stopped at its {choice.time_limit_s:g} s time "
                         "limit"}.get(choice.status, f"the integer programme stopped "
                                                    f"({choice.status})")
    if choice.bound_m2 is None:
        return f"{why} and proved no lower bound on the area"
    return (f"{why}; no plan reaching the target uses less than "
            f"{choice.bound_m2 / 1e6:.6f} km² (this one may exceed the optimum by up to "
            f"{choice.gap_m2:,.1f} m²)")


def choose_min_area(area: np.ndarray, gain: np.ndarray, required: float) -> np.ndarray | None:
    """Return the mask of :func:`solve_min_area` (``area`` in m²), ``None`` when out of reach.

    Examples
    --------
    >>> choose_min_area(np.array([1.0, 5.0, 4.5]), np.array([6.0, 10.0, 5.0]), 10.0).tolist()
    [False, True, False]
    """
    return solve_min_area(area, gain, required).mask
