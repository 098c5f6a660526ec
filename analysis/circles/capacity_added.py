"""Where added capacity serves most people: one more unit at each facility, against the norm.

In a floating catchment, one more unit of capacity at facility j raises ``R_j`` by
``1 / D_j`` (``D_j = Σ_i P_i·w_ij``, its catchment) and so raises the capacity per 1,000
persons of every origin i within reach by ``gain_ij = 1000·w_ij / D_j``. Against a
category's norm N (per 1,000 persons), with ``a_i = 1000·A_i`` today:

* ``added_unit_persons_j = Σ P_i`` over the origins within reach of j with
  ``a_i < N ≤ a_i + gain_ij``: the persons that one more unit at j brings up to the norm;
* ``unmet_capacity_j = Σ_i w_ij·P_i·max(0, N − a_i) / 1000``: the capacity the origins
  within reach of j lack to reach the norm (weighted by ``w_ij`` like its catchment).

The facilities are ranked by ``added_unit_persons`` and then ``unmet_capacity``: the
first is where one more seat (bed, charger …) lifts the most people to the norm, and,
among equals, where the shortfall it could serve is largest. A facility reached by nobody
(``D_j = 0``) serves no one: both are 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

#: Facility columns this adds in categories with a norm.
ADDED_COLUMNS = ("added_unit_persons", "unmet_capacity")
#: How many facilities the summary lists per category.
TOP = 5


def added_unit(origin: np.ndarray, facility: np.ndarray, decay: np.ndarray,
               weight: np.ndarray, catchment: np.ndarray, access: np.ndarray,
               norm: float) -> dict[str, np.ndarray]:
    """Per facility: persons one more unit brings up to ``norm``, and the unmet capacity.

    Parameters
    ----------
    origin, facility, decay
        The pairs within the threshold (positions) and their weight ``w_ij``.
    weight
        Persons of every origin.
    catchment, access
        ``D_j`` per facility and ``A_i`` per origin (:func:`~zonekit.analysis.circles.
        capacity.two_step`).
    norm
        The category's norm, capacity units per 1,000 persons.

    Returns
    -------
    dict
        ``added_unit_persons`` (persons) and ``unmet_capacity`` (capacity units), one
        value per facility.

    Examples
    --------
    >>> out = added_unit(np.array([0, 1]), np.array([0, 0]), np.ones(2),
    ...                  np.array([500., 500.]), np.array([1000.]), np.array([0.0, 0.0]), 1.0)
    >>> out["added_unit_persons"].tolist(), out["unmet_capacity"].tolist()
    ([1000.0], [1.0])
    """
    now = 1000.0 * access[origin]
    d = catchment[facility]
    with np.errstate(divide="ignore", invalid="ignore"):
        gain = np.where(d > 0, 1000.0 * decay / d, 0.0)
    lifted = (now < norm) & (now + gain >= norm) & (gain > 0)
    persons = weight[origin]
    n = len(catchment)
    short = np.maximum(0.0, norm - now) / 1000.0
    return {"added_unit_persons": np.bincount(facility, weights=persons * lifted, minlength=n),
            "unmet_capacity": np.bincount(facility, weights=decay * persons * short,
                                          minlength=n)}


def best_for_added(fac: pd.DataFrame) -> list[dict[str, Any]]:
    """Return the :data:`TOP` facilities of a category where one more unit serves most people."""
    ranked = fac.sort_values(["added_unit_persons", "unmet_capacity"], ascending=False,
                             kind="stable").head(TOP)
    return [{"facility_id": str(r.facility_id), "capacity": float(r.capacity),
             "catchment_persons": float(r.catchment_persons),
             "added_unit_persons": float(r.added_unit_persons),
             "unmet_capacity": float(r.unmet_capacity)}
            for r in ranked.itertuples() if r.catchment_persons > 0]
