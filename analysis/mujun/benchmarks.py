"""Benchmarks and rankings of the 亩均 evaluation, in parts that add up across partitions.

:func:`zonekit.analysis.mujun.evaluation.score` scores units against benchmarks taken
from the graded
units themselves (Σ tax / Σ 亩, means, medians, min–max) and ranks them among each
other. Both are whole-run quantities. Here they are computed from *parts*: each partition
of a run reports :func:`benchmark_parts`, :func:`combine_benchmark_parts` adds them up and
:func:`benchmarks` finishes them; a :class:`Ranking` holds every graded total. A run in
one piece takes the same path with one part, and the sums are exact
(:mod:`zonekit.analysis.exact_sums`), so a partitioned run (:mod:`zonekit.analysis.scale`)
gives the same benchmarks, scores, ranks and classes to the last bit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from zonekit.analysis.exact_sums import exact_parts
from zonekit.analysis.exact_sums import total as exact_total
from zonekit.analysis.mujun.profile import INDICATORS

if TYPE_CHECKING:
    from zonekit.analysis.mujun.profile import Evaluation, IndicatorSpec

logger = logging.getLogger("zonekit.analysis.mujun.evaluation")


def indicator_values(table: pd.DataFrame, names: list[str] | tuple[str, ...]) -> pd.DataFrame:
    """Compute indicator values from a table of sums (NaN where a denominator is ≤ 0 or missing).

    Examples
    --------
    >>> t = pd.DataFrame({"tax_wan": [150.0], "land_mu": [10.0]})
    >>> float(indicator_values(t, ["tax_per_mu_wan"]).iloc[0, 0])
    15.0
    """
    out = pd.DataFrame(index=table.index)
    for name in names:
        num, den, scale, _ = INDICATORS[name]
        if num not in table or den not in table:
            out[name] = np.nan
            continue
        n = _floats(table[num])
        d = _floats(table[den])
        with np.errstate(divide="ignore", invalid="ignore"):
            out[name] = np.where(d > 0, scale * n / d, np.nan)
    return out


def benchmark_of(spec: IndicatorSpec, table: pd.DataFrame, values: pd.Series) -> float:
    """Return the benchmark of one indicator over the graded rows of ``table``/``values``."""
    from zonekit.analysis.mujun.profile import Evaluation

    parts = benchmark_parts(table, pd.Series(True, index=table.index),
                            Evaluation(indicators=(spec,)), values.to_frame(spec.name))
    return _benchmark(spec, parts[spec.name])


def benchmark_parts(table: pd.DataFrame, graded: pd.Series, ev: Evaluation,
                    values: pd.DataFrame | None = None) -> dict[str, dict[str, Any]]:
    """Collect what the benchmarks need from these rows, in parts that add up across partitions.

    Per indicator: ``count`` (graded rows reporting it) and, by method, exact sums of the
    numerator and denominator (``aggregate``), of the values (``mean``), the values
    themselves (``median``) or their ``min``/``max`` (``minmax`` scoring). Combine the
    parts of several partitions with :func:`combine_benchmark_parts`; :func:`benchmarks`
    turns them into benchmarks. Sums are exact (:mod:`zonekit.analysis.exact_sums`), so the
    benchmarks do not depend on row order or on how the rows were split.
    """
    names = [s.name for s in ev.indicators]
    values = indicator_values(table, names) if values is None else values
    graded = graded.reindex(table.index).fillna(False).astype(bool).to_numpy()
    parts: dict[str, dict[str, Any]] = {}
    for spec in ev.indicators:
        v = values[spec.name].to_numpy(dtype=float)
        ok = graded & ~np.isnan(v)
        part: dict[str, Any] = {"count": int(ok.sum())}
        if ev.scoring == "minmax":
            part["min"] = float(v[ok].min()) if ok.any() else np.nan
            part["max"] = float(v[ok].max()) if ok.any() else np.nan
        elif spec.benchmark == "aggregate":
            num, den, _, _ = INDICATORS[spec.name]
            part["num"] = exact_parts(_column_floats(table, num)[ok])
            part["den"] = exact_parts(_column_floats(table, den)[ok])
        elif spec.benchmark == "mean":
            part["sum"] = exact_parts(v[ok])
        elif spec.benchmark == "median":
            part["values"] = v[ok]
        parts[spec.name] = part
    return parts


def combine_benchmark_parts(parts: list[dict[str, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """Add up the :func:`benchmark_parts` of several partitions (exactly)."""
    out: dict[str, dict[str, Any]] = {}
    for name in parts[0]:
        ps = [p[name] for p in parts]
        merged: dict[str, Any] = {"count": sum(p["count"] for p in ps)}
        for key in ("num", "den", "sum"):
            if key in ps[0]:
                merged[key] = [x for p in ps for x in p[key]]
        if "values" in ps[0]:
            merged["values"] = np.concatenate([p["values"] for p in ps])
        for key, pick in (("min", min), ("max", max)):
            if key in ps[0]:
                found = [p[key] for p in ps if p["count"]]
                merged[key] = pick(found) if found else np.nan
        out[name] = merged
    return out


def _benchmark(spec: IndicatorSpec, part: dict[str, Any]) -> float:
    if not isinstance(spec.benchmark, str):
        return float(spec.benchmark) * spec.multiple
    if not part["count"]:
        return float("nan")
    if spec.benchmark == "aggregate":
        scale = INDICATORS[spec.name][2]
        n, d = exact_total([part["num"]]), exact_total([part["den"]])
        base = scale * n / d if d > 0 else float("nan")
    elif spec.benchmark == "mean":
        base = exact_total([part["sum"]]) / part["count"]
    else:
        base = float(pd.Series(part["values"]).median())
    return base * spec.multiple


def benchmarks(parts: dict[str, dict[str, Any]], ev: Evaluation) -> dict[str, dict[str, Any]]:
    """Benchmarks ``{indicator: {"benchmark": …, "weight": …, …}}`` from combined parts.

    For ``minmax`` scoring: ``min`` and ``max`` instead of ``benchmark``. An indicator no
    graded unit reports gets a NaN benchmark (a warning is logged) and is not scored.
    """
    bench: dict[str, dict[str, Any]] = {}
    for spec in ev.indicators:
        part = parts[spec.name]
        if ev.scoring == "minmax":
            bench[spec.name] = {"weight": spec.weight, "min": np.float64(part["min"]),
                                "max": np.float64(part["max"])}
            continue
        b = _benchmark(spec, part)
        if not np.isfinite(b) or b <= 0:
            logger.warning("indicator %s: no benchmark (no graded unit reports it); not scored",
                           spec.name)
        bench[spec.name] = {"weight": spec.weight, "benchmark": b,
                            "method": (spec.benchmark if isinstance(spec.benchmark, str)
                                       else "given"),
                            "multiple": spec.multiple}
    return bench


@dataclass(frozen=True)
class Ranking:
    """The total scores of every graded unit of a run, sorted ascending.

    Ranks (and rank-share classes) are positions among *all* graded units: a partition of
    a larger run is ranked against the whole run's :class:`Ranking`.
    """

    totals: np.ndarray

    @classmethod
    def of(cls, totals: pd.Series | np.ndarray | list[np.ndarray]) -> Ranking:
        """Ranking of the non-missing totals (one array, or a list of partitions' arrays)."""
        arrays = totals if isinstance(totals, list) else [totals]
        v = np.concatenate([_floats(pd.Series(a)) for a in arrays]) if arrays else np.zeros(0)
        return cls(np.sort(v[~np.isnan(v)]))

    def __len__(self) -> int:
        return len(self.totals)

    def rank(self, total: pd.Series) -> pd.Series:
        """1 + the number of units scoring strictly higher (ties share the best rank).

        Equal to ``total.rank(ascending=False, method="min")`` over the whole run; ``<NA>``
        where ``total`` is missing.
        """
        t = _floats(total)
        higher = len(self.totals) - np.searchsorted(self.totals, t, side="right")
        return pd.Series(higher + 1.0, index=total.index).where(~np.isnan(t)).astype("Int64")


def _floats(series: pd.Series) -> np.ndarray:
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _column_floats(table: pd.DataFrame, column: str) -> np.ndarray:
    """Return the column as floats; NaN when the layer lacks it (an optional column)."""
    return _floats(table[column]) if column in table else np.full(len(table), np.nan)
