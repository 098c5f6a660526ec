"""The floating-catchment variants of ``capacity_method=``: a distance-decay weight per pair.

Every method weights each (origin i, facility j) pair within the category's threshold T by
``w_ij = f(t_ij)`` and uses that weight in both steps (Luo & Qi 2009; PySAL ``access``'s
``two_stage_fca(weight_fn=…)``):

* step 1: ``R_j = S_j / Σ_i P_i·w_ij`` (NaN when that weighted sum is 0);
* step 2: ``A_i = Σ_j R_j·w_ij`` (0 when i reaches no facility).

So ``Σ_i P_i·A_i`` is still the capacity reached. The functions ``f`` (``x = t_ij / T``,
unit-free, the same with minutes or metres):

* ``2sfca`` (Luo & Wang 2003): ``f = 1``;
* ``e2sfca`` (Luo & Qi 2009): stepped, ``f = weights[k]`` for the first band k with
  ``x ≤ bands[k]``; default bands 1/3, 2/3, 1 with weights 1.00, 0.68, 0.22;
* ``gravity`` with ``function: gaussian``: ``f = exp(-x² / (2·sigma²))``, sigma a share
  of T (default 0.5: weight 0.135 at T); with ``function: power``:
  ``f = max(x, min_share)^(-beta)`` (default beta 1.0, min_share 0.1: no infinite weight
  at 0 minutes).

The parameters are data: the ``methods`` key of ``analysis/profiles/capacity_norms.yaml``,
overridden key by key by a county profile's ``capacity_methods``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from zonekit.errors import ProfileError

#: The methods ``capacity_method=`` takes (the first is the default).
METHODS = ("2sfca", "e2sfca", "gravity")
_FUNCTIONS = ("gaussian", "power")
PLAIN = ("2SFCA (Luo & Wang 2003): R_j = capacity_j / Σ P_i over origins with t_ij ≤ T "
         "(blank when 0); A_i = Σ R_j over facilities with t_ij ≤ T (0 when none); "
         "per1000 = 1000·A_i (origins), 1000·R_j (facilities); t_ij: the circle's exact "
         "network times, origin → facility, with both access legs")
_KEYS = {"2sfca": set(), "e2sfca": {"bands", "weights"},
         "gravity": {"function", "sigma", "beta", "min_share"}}


@dataclass(frozen=True)
class Decay:
    """A method and its parameters (shares of the threshold T; weights ≥ 0)."""

    method: str = "2sfca"
    bands: tuple[float, ...] = (1.0,)
    weights: tuple[float, ...] = (1.0,)
    function: str = "gaussian"
    sigma: float = 0.5
    beta: float = 1.0
    min_share: float = 0.1

    def weight(self, t: np.ndarray, limit: float) -> np.ndarray:
        """Return ``f(t)`` of the pairs' times ``t`` under threshold ``limit`` (same unit).

        Pairs just above T (the engine's tolerance of a millisecond) take the last band.
        """
        t = np.asarray(t, dtype=float)
        if self.method == "2sfca":
            return np.ones_like(t)
        if self.method == "e2sfca":
            k = np.searchsorted(np.asarray(self.bands) * limit, t, side="left")
            return np.asarray(self.weights)[np.minimum(k, len(self.weights) - 1)]
        x = t / limit
        if self.function == "gaussian":
            return np.exp(-x * x / (2.0 * self.sigma ** 2))
        return np.power(np.maximum(x, self.min_share), -self.beta)

    def formula(self) -> str:
        """Return the method in words, with its parameters (for ``summary.json`` and the report)."""
        both = "; the same w in both steps: R_j = S_j / Σ P_i·w_ij, A_i = Σ R_j·w_ij"
        if self.method == "2sfca":
            return PLAIN
        if self.method == "e2sfca":
            steps = ", ".join(f"x ≤ {b:g}: {w:g}" for b, w in zip(self.bands, self.weights,
                                                                   strict=True))
            return f"E2SFCA (Luo & Qi 2009), x = t_ij/T, stepped w_ij: {steps}" + both
        if self.function == "gaussian":
            return (f"gravity 2SFCA, Gaussian decay w_ij = exp(-x²/(2·{self.sigma:g}²)), "
                    "x = t_ij/T, within T" + both)
        return (f"gravity 2SFCA, power decay w_ij = max(x, {self.min_share:g})^-{self.beta:g}, "
                "x = t_ij/T, within T" + both)

    def as_dict(self) -> dict[str, Any]:
        """Return the method's own parameters (for ``summary.json``)."""
        if self.method == "e2sfca":
            return {"method": self.method, "bands": list(self.bands),
                    "weights": list(self.weights)}
        if self.method == "gravity":
            return {"method": self.method, "function": self.function, "sigma": self.sigma,
                    "beta": self.beta, "min_share": self.min_share}
        return {"method": self.method}


def load_method(method: str | None, profile: str | Path | None = None) -> Decay:
    """Return the :class:`Decay` of ``method`` (default ``2sfca``) with its parameters.

    Parameters come from the shipped capacity profile's ``methods``, with the county
    ``profile``'s ``capacity_methods`` merged over them.

    Raises
    ------
    ProfileError
        An unknown method or key, bands not increasing up to 1, negative weights (file and
        key named).
    """
    from zonekit.analysis import profile_io as pio
    from zonekit.analysis.circles.capacity import NORMS_PATH

    method = method or METHODS[0]
    if method not in METHODS:
        raise ProfileError(f"capacity_method= must be one of {', '.join(METHODS)}, "
                           f"got {method!r}")
    data = pio.section(pio.read_yaml(NORMS_PATH), "methods", str(NORMS_PATH))
    src = str(NORMS_PATH)
    if profile is not None:
        data = pio.merge(data, pio.section(pio.read_yaml(profile), "capacity_methods",
                                           str(profile)))
        src = f"{profile} (over {NORMS_PATH.name})"
    pio.check_keys(data, set(METHODS), f"{src}, methods")
    raw = pio.section(data, method, src)
    where = f"{src}, method '{method}'"
    pio.check_keys(raw, _KEYS[method], where)
    if method == "e2sfca":
        return _stepped(raw, where)
    if method == "gravity":
        fn = pio.choice(raw.get("function", "gaussian"), "function", where, _FUNCTIONS)
        return Decay(method, function=fn,
                     sigma=_positive(raw.get("sigma", 0.5), "sigma", where),
                     beta=_positive(raw.get("beta", 1.0), "beta", where),
                     min_share=_positive(raw.get("min_share", 0.1), "min_share", where))
    return Decay(method)


def _positive(value: object, key: str, where: str) -> float:
    from zonekit.analysis import profile_io as pio

    out = pio.number(value, key, where, minimum=0)
    if not out:
        raise ProfileError(f"{where}, key '{key}': expected a number > 0, found {value!r}")
    return float(out)


def _stepped(raw: dict[str, Any], where: str) -> Decay:
    """Return the stepped weights of E2SFCA: bands (shares of T, increasing, last 1) and weights."""
    from zonekit.analysis import profile_io as pio

    bands, weights = raw.get("bands"), raw.get("weights")
    if not isinstance(bands, list) or not isinstance(weights, list) or \
            len(bands) != len(weights) or not bands:
        raise ProfileError(f"{where}: expected lists 'bands' and 'weights' of the same "
                           f"length, found {bands!r} and {weights!r}")
    b = [pio.number(v, "bands", where, minimum=0) for v in bands]
    w = [pio.number(v, "weights", where, minimum=0) for v in weights]
    if any(x >= y for x, y in zip(b[:-1], b[1:], strict=True)) or b[-1] != 1.0 or b[0] <= 0:
        raise ProfileError(f"{where}, key 'bands': expected shares of the threshold, "
                           f"increasing, > 0, the last 1, found {bands!r}")
    return Decay("e2sfca", bands=tuple(b), weights=tuple(w))
