"""Exact, order-independent sums: the same answer however the rows are ordered or split.

Benchmarks of the 亩均 evaluation (Σ tax / Σ 亩 of the graded firms) and the class means
of the low-efficiency rule are sums over every unit of the run. A float sum depends on the
order of its terms, so a run split into partitions (see :mod:`zonekit.analysis.scale`) or a
layer read in another row order could move a benchmark by one unit in the last place, and
a firm sitting exactly on a rank boundary could change class. Here every such sum is the
correctly rounded value of the exact sum (:func:`math.fsum`), which depends only on the
values; :func:`exact_parts` keeps a partition's sum *exactly*, as a few floats, so sums of
parts combine to the same correctly rounded total.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

#: Safety bound on the parts of one exact sum (float64 needs at most ~40).
_MAX_PARTS = 64


def exact_parts(values: Iterable[float] | np.ndarray) -> list[float]:
    """Floats whose exact sum is the exact sum of ``values`` (NaN skipped).

    Usually one to three floats: the correctly rounded sum, then what rounding lost.

    Examples
    --------
    >>> exact_parts([1e16, 1.0, -1e16, 1.0])
    [2.0]
    >>> total([exact_parts([0.1, 0.2]), exact_parts([0.3])]) == math.fsum([0.1, 0.2, 0.3])
    True
    """
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    if not len(v):
        return []
    if not np.isfinite(v).all():
        return [float(v.sum())]
    items = v.tolist()
    parts: list[float] = []
    while len(parts) < _MAX_PARTS:
        rest = math.fsum(items + [-p for p in parts])
        if rest == 0.0:
            break
        parts.append(rest)
    return parts


def total(parts: Iterable[list[float]]) -> float:
    """Correctly rounded sum of several :func:`exact_parts` lists (0.0 when empty)."""
    return math.fsum(p for part in parts for p in part)


def exact_sum(values: Iterable[float] | np.ndarray) -> float:
    """Correctly rounded sum of ``values``, NaN skipped (like ``Series.sum()``, exact)."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    return math.fsum(v.tolist()) if np.isfinite(v).all() else float(v.sum())
