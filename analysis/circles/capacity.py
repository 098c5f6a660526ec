"""Capacity within reach: two-step floating catchment area (2SFCA, Luo & Wang 2003).

For each category with threshold T (minutes, or metres with ``measure="metres"``) and
the network times ``t_ij`` origin i → facility j of the circle itself (same edge snapping,
same access legs, one-way streets respected):

* step 1, per facility j: ``R_j = S_j / Σ P_i`` over the origins i with ``t_ij ≤ T``
  (``S_j`` its capacity, ``P_i`` the origin's weight: persons of a population cell, or
  the origins file's weight column); NaN when that sum is 0 (it then adds nothing);
* step 2, per origin i: ``A_i = Σ R_j`` over the facilities j with ``t_ij ≤ T`` (0 when
  none).

``capacity_method="e2sfca"`` or ``"gravity"`` weights each pair by a distance decay
``w_ij`` in both steps (:mod:`~zonekit.analysis.circles.capacity_methods` has the
formulas); ``catchment_persons`` is then the weighted sum ``Σ P_i·w_ij``.

Outputs are per 1,000 persons: ``per1000_<category> = 1000·A_i`` on the origins,
``catchment_persons = Σ P_i`` and ``per1000 = 1000·R_j`` on the facilities. The pairs
within T come from bounded searches per facility
(:func:`~zonekit.analysis.circles.siting.coverage_pairs`); both steps are sums over
those sparse pairs (``np.bincount``), no loop per pair.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from zonekit.analysis.circles.capacity_methods import Decay
from zonekit.errors import ProfileError, SchemaError

if TYPE_CHECKING:
    from zonekit.analysis.network.graph import Network
    from zonekit.analysis.network.snapping import Snapped


def capacities(facilities: pd.DataFrame, column: str) -> np.ndarray:
    """Return the capacity column of the facilities as numbers ≥ 0.

    Raises
    ------
    SchemaError
        The column is missing, or holds blanks, text or negative numbers (rows named).
    """
    if column not in facilities.columns:
        raise SchemaError(f"facilities, column '{column}' (capacity_col=): column not found; "
                          f"columns are {', '.join(map(str, facilities.columns))}")
    from zonekit.analysis.circles.origins import non_negative

    return non_negative(facilities, column, f"facilities, column '{column}' (capacity_col=)")


def two_step(origin: np.ndarray, facility: np.ndarray, weight: np.ndarray,
             capacity: np.ndarray, decay: np.ndarray | None = None
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """2SFCA over the pairs within the threshold (E2SFCA / gravity with ``decay``).

    Parameters
    ----------
    origin, facility
        Positions of each (origin, facility) pair with ``t_ij ≤ T`` (each pair once).
    weight
        Weight (persons) of every origin.
    capacity
        Capacity of every facility.
    decay
        Distance-decay weight ``w_ij`` of each pair (default 1: plain 2SFCA), used in
        both steps (:mod:`~zonekit.analysis.circles.capacity_methods`).

    Returns
    -------
    catchment, ratio, access
        Σ P_i·w_ij per facility; ``R_j`` per facility (NaN when its catchment is 0);
        ``A_i`` per origin (0 when it reaches none).

    Examples
    --------
    >>> c, r, a = two_step(np.array([0, 1, 1]), np.array([0, 0, 1]), np.array([10., 30.]),
    ...                    np.array([4., 6., 1.]))
    >>> c.tolist(), r[:2].tolist(), a.tolist()
    ([40.0, 30.0, 0.0], [0.1, 0.2], [0.1, 0.30000000000000004])
    """
    w = np.ones(len(origin)) if decay is None else decay
    catchment = np.bincount(facility, weights=weight[origin] * w, minlength=len(capacity))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(catchment > 0, capacity / catchment, np.nan)
    access = np.bincount(origin, weights=np.nan_to_num(ratio[facility]) * w,
                         minlength=len(weight))
    return catchment, ratio, access


@dataclass(frozen=True)
class Setup:
    """How capacity is measured: limits (the measure's unit), method, norms per 1,000."""

    limits: dict[str, float]
    measure: str = "minutes"
    decay: Decay = field(default_factory=Decay)
    #: Category → norm per 1,000 persons (the ``per1000`` of :func:`load_norms`).
    norms: dict[str, float] = field(default_factory=dict)


def category_capacity(network: Network, origins: Snapped, facilities: Snapped,
                      in_category: np.ndarray, limit_minutes: float, weight: np.ndarray,
                      capacity: np.ndarray, decay: Decay | None = None,
                      norm: float | None = None) -> dict[str, np.ndarray]:
    """Floating catchment of one category: :func:`two_step` over its pairs within the limit.

    ``in_category`` selects the category's facilities (a boolean mask over
    ``facilities``); ``limit_minutes`` is the threshold in engine minutes; ``decay`` the
    method (default 2SFCA). Returns ``catchment``, ``ratio``, ``access`` (the arrays of
    :func:`two_step`, over all facilities: 0 / NaN outside the category) and, with a
    ``norm``, the added-unit figures of :func:`~zonekit.analysis.circles.capacity_added.added_unit`.
    """
    from zonekit.analysis.circles.capacity_added import added_unit
    from zonekit.analysis.circles.siting import coverage_pairs

    # the other categories' facilities take part in no pair: positions stay aligned
    only = dataclasses.replace(facilities, edge=np.where(in_category, facilities.edge, -1))
    pairs = coverage_pairs(network, origins, only, limit_minutes)
    cap = np.where(in_category, capacity, 0.0)
    i, j = pairs["origin"].to_numpy(), pairs["target"].to_numpy()
    w = (decay or Decay()).weight(pairs["minutes"].to_numpy(), limit_minutes)
    catch, ratio, access = two_step(i, j, weight, cap, w)
    out = {"catchment": catch, "ratio": ratio, "access": access}
    if norm is not None:
        out |= added_unit(i, j, w, weight, catch, access, norm)
    return out


def circle_capacity(network: Network, res: Any, capacity: np.ndarray, setup: Setup,
                    column: str, n_jobs: int = 1) -> dict[str, Any]:
    """Add the capacity columns to a circle's result (in place); return the summary figures.

    ``res`` is a :class:`~zonekit.analysis.circles.kinds.CircleResult` (its snapped origins
    and facilities); ``capacity`` is aligned with ``res.facilities``. Origins gain
    ``per1000_<category>``, facilities ``capacity``, ``catchment_persons``, ``per1000``
    and, in categories with a norm, ``added_unit_persons`` and ``unmet_capacity``. With
    ``n_jobs > 1`` the categories are shared among worker processes (one search per
    facility: the circle's costliest addition).
    """
    from zonekit.analysis.circles.capacity_added import ADDED_COLUMNS, best_for_added
    from zonekit.parallel import in_parallel

    cats = res.facilities["category"].astype(str).to_numpy()
    todo = [c for c in setup.limits if (cats == c).any()]
    calls = [_chunk_call(network, res, capacity, setup, chunk)
             for chunk in _chunks(todo, cats, n_jobs)]
    results = dict(kv for part in in_parallel(calls, n_jobs) for kv in part.items())
    fac, weight = res.facilities, res.origins["weight"].to_numpy(float)
    fac["capacity"] = capacity
    for col in ("catchment_persons", "per1000", *(ADDED_COLUMNS if setup.norms else ())):
        fac[col] = np.nan
    figures = {}
    for cat in todo:
        mask, got = cats == cat, results[cat]
        fac.loc[mask, "catchment_persons"] = got["catchment"][mask]
        fac.loc[mask, "per1000"] = 1000.0 * got["ratio"][mask]
        for col in ADDED_COLUMNS:
            if col in got:
                fac.loc[mask, col] = got[col][mask]
        res.origins[f"per1000_{cat}"] = 1000.0 * got["access"]
        figures[cat] = _figures(fac[mask], weight, got["access"], setup.limits[cat])
        if cat in setup.norms:
            figures[cat]["best_for_added_capacity"] = best_for_added(fac[mask])
    return {"column": column, "method": setup.decay.formula(),
            "method_parameters": setup.decay.as_dict(), "categories": figures}


def _chunks(todo: list[str], cats: np.ndarray, n: int) -> list[list[str]]:
    """Share the categories among ``n`` calls, the most facilities first (greedy balance)."""
    parts: list[list[str]] = [[] for _ in range(max(1, min(n, len(todo))))]
    load = np.zeros(len(parts))
    for c in sorted(todo, key=lambda c: -int((cats == c).sum())):
        k = int(np.argmin(load))
        parts[k].append(c)
        load[k] += (cats == c).sum()
    return [p for p in parts if p]


def _chunk_call(network: Network, res: Any, capacity: np.ndarray, setup: Setup,
                chunk: list[str]) -> Any:
    """Return the call computing ``chunk``'s categories (picklable: any start method)."""
    from functools import partial

    return partial(_chunk, network, res.snapped["origins"], res.snapped["facilities"],
                   res.facilities["category"].astype(str).to_numpy(), chunk, setup,
                   res.origins["weight"].to_numpy(float), capacity)


def _chunk(network: Network, so: Any, sf: Any, cats: np.ndarray, chunk: list[str],
           setup: Setup, weight: np.ndarray, capacity: np.ndarray) -> dict[str, Any]:
    from zonekit.analysis.circles.kinds import engine_limit

    return {c: category_capacity(network, so, sf, cats == c,
                                 engine_limit(setup.limits[c], setup.measure), weight,
                                 capacity, setup.decay, setup.norms.get(c))
            for c in chunk}


def _figures(fac: pd.DataFrame, weight: np.ndarray, access: np.ndarray,
             limit: float) -> dict[str, Any]:
    """Summary figures of one category: totals, mean per 1,000, most crowded facilities."""
    total = float(weight.sum())
    reached = fac["catchment_persons"].to_numpy(float)
    crowded = fac.assign(_load=reached / fac["capacity"].replace(0, np.nan)).sort_values(
        "_load", ascending=False, na_position="last").head(5)
    return {
        "limit": float(limit), "facilities": len(fac),
        "capacity_total": float(fac["capacity"].sum()),
        "facilities_reached_by_nobody": int((reached == 0).sum()),
        "weight_total": total,
        "per1000_mean": float(1000.0 * (weight * access).sum() / total) if total else None,
        "weight_without_capacity": float(weight[access == 0].sum()),
        # persons per unit of capacity, highest first: where added capacity is most needed
        "most_crowded": [{"facility_id": str(r.facility_id), "capacity": float(r.capacity),
                          "catchment_persons": float(r.catchment_persons),
                          "per1000": None if np.isnan(r.per1000) else float(r.per1000)}
                         for r in crowded.itertuples()],
    }


#: The shipped norms (per 1,000 persons), overridden by a profile's ``capacity_norms``.
NORMS_PATH = Path(__file__).resolve().parents[1] / "profiles" / "capacity_norms.yaml"
_NORM_KEYS = {"per1000", "unit", "clause", "checked"}


def load_norms(profile: str | Path | None = None) -> dict[str, dict[str, Any]]:
    """Return category → norm (``per1000``, ``unit``, ``clause``, ``checked``).

    The shipped :data:`NORMS_PATH`, with the ``capacity_norms`` key of the circles
    profile ``profile`` (a county's file) merged over it. Categories whose ``per1000`` is
    null are left out.

    Raises
    ------
    ProfileError
        An unknown key, or a ``per1000`` that is not a number ≥ 0 (file and key named).
    """
    from zonekit.analysis import profile_io as pio

    data = pio.section(pio.read_yaml(NORMS_PATH), "norms", str(NORMS_PATH))
    src = str(NORMS_PATH)
    if profile is not None:
        src = f"{profile} (over {NORMS_PATH.name})"
        data = pio.merge(data, pio.section(pio.read_yaml(profile), "capacity_norms",
                                           str(profile)))
    out = {}
    for cat, norm in data.items():
        where = f"{src}, key '{cat}'"
        if norm is None:
            continue
        if not isinstance(norm, dict):
            raise ProfileError(f"{where}: expected {{per1000, unit, clause}}, found {norm!r}")
        pio.check_keys(norm, _NORM_KEYS, where)
        value = pio.number(norm.get("per1000"), "per1000", where, minimum=0, allow_none=True)
        if value is not None:
            out[str(cat)] = {"per1000": value, "unit": str(norm.get("unit", "")),
                             "clause": str(norm.get("clause", "")),
                             "checked": bool(norm.get("checked", False))}
    return out


def below_norm(res: Any, norms: dict[str, dict[str, Any]], limits: dict[str, float],
               summary: dict[str, Any]) -> pd.DataFrame:
    """Flag the origins below their category's norm (``below_norm_<category>``, in place).

    Adds each norm and the weight and number of origins below it to ``summary``'s
    categories; returns coverage rows: measure ``below_norm`` (``covered`` = the weight
    below the norm, ``share`` of the total) and ``added_unit_best`` (``covered`` = the
    persons one more unit at the best facility brings up to the norm,
    :mod:`~zonekit.analysis.circles.capacity_added`).
    """
    from zonekit.analysis.circles.kinds import COVERAGE_COLUMNS

    weight = res.origins["weight"].to_numpy(float)
    total = float(weight.sum())
    rows = []
    for cat, figures in summary["categories"].items():
        norm = norms.get(cat)
        figures["norm"] = norm
        if norm is None:
            continue
        below = res.origins[f"per1000_{cat}"].to_numpy(float) < norm["per1000"]
        res.origins[f"below_norm_{cat}"] = below
        figures["below_norm_weight"] = float(weight[below].sum())
        figures["below_norm_origins"] = int(below.sum())
        best = figures.get("best_for_added_capacity") or [{"added_unit_persons": 0.0}]
        for measure, covered in (("below_norm", figures["below_norm_weight"]),
                                 ("added_unit_best", best[0]["added_unit_persons"])):
            rows.append({"scenario": "current", "category": cat, "name_zh": cat,
                         "measure": measure, "unit": "persons", "limit": limits[cat],
                         "total": total, "covered": covered,
                         "share": covered / total if total else 0.0})
    summary["norms_without_value"] = sorted(set(summary["categories"]) - set(norms))
    return pd.DataFrame(rows, columns=list(COVERAGE_COLUMNS))
