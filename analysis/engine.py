"""Nearest-facility travel times on a road network (15-/5-minute service circles).

Method (exact, vectorised). Travel time is measured **from each origin to a facility**,
respecting one-way streets. For each facility category one multi-source Dijkstra runs
on the *reversed* graph from a virtual super-source appended as node ``n``: it has an
arc to each end node of every facility's edge from which the facility can be reached
along that edge, weighted by the partial-edge time plus the facility's access leg
(parallel arcs to one node keep the minimum). The resulting node times are "time from
this node to the nearest facility". An origin at fraction ``t`` of edge ``u → v`` with
edge time ``c`` leaves via ``v`` in ``(1 - t)·c`` if ``u → v`` is allowed and via ``u``
in ``t·c`` if ``v → u`` is allowed; it may also reach a facility on the **same edge**
directly (computed with segmented running minima over facilities sorted along each
edge). Its own access leg is added last. Times above the limit become NaN.

A point snapped exactly onto an end node of its edge (fraction 0 or 1, common for points
beyond a dead end or in the outer corner of a junction) is treated as standing on that
node, so it can use the node in any direction even on a one-way edge; otherwise the
arbitrary choice between the edges meeting there would change the result.

All super-source arcs carry a constant offset (:data:`SOURCE_OFFSET_S`), subtracted
afterwards, so no arc weighs zero (``scipy.sparse`` may drop explicit zeros).
"""

from __future__ import annotations

import logging
import multiprocessing as mp
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from time import perf_counter

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from zonekit.errors import SchemaError, ZonekitError, format_rows

from .network import Network
from .snapping import Snapped

logger = logging.getLogger(__name__)

#: Constant added to every super-source arc (seconds) and subtracted from the result.
SOURCE_OFFSET_S = 1.0

#: Rounding allowance (seconds) when comparing a time with the limit: a time equal to
#: the limit counts as within it.
LIMIT_TOLERANCE_S = 1e-7


def _check(network: Network, snapped: Snapped, what: str) -> None:
    if snapped.network_uid != network.uid:
        raise ZonekitError(
            f"{what}: expected points snapped to this network (uid {network.uid}), "
            f"found points snapped to network uid {snapped.network_uid}; snap them again"
        )


def _legs(network: Network, snapped: Snapped, sel: np.ndarray, toward_point: bool):
    """Arcs between points ``sel`` and their edge's end nodes (partial-edge time, s).

    ``toward_point``: node → point legs (reaching a facility); otherwise point → node
    (leaving an origin). Returns (point position, node, seconds).
    """
    e = snapped.edge[sel]
    t = snapped.frac[sel]
    c = network.edge_cost_s[e]
    fwd, bwd = network.edge_fwd[e], network.edge_bwd[e]
    u, v = network.edge_u[e], network.edge_v[e]
    # a point exactly on an end node (t = 0 or 1) is that node, whatever the direction
    if toward_point:  # u --t·c--> point along u→v; v --(1-t)·c--> point along v→u
        fwd, bwd = fwd | (t == 0.0), bwd | (t == 1.0)
        nodes = np.concatenate([u[fwd], v[bwd]])
        secs = np.concatenate([(t * c)[fwd], ((1.0 - t) * c)[bwd]])
    else:  # point --(1-t)·c--> v along u→v; point --t·c--> u along v→u
        fwd, bwd = fwd | (t == 1.0), bwd | (t == 0.0)
        nodes = np.concatenate([v[fwd], u[bwd]])
        secs = np.concatenate([((1.0 - t) * c)[fwd], (t * c)[bwd]])
    return np.concatenate([sel[fwd], sel[bwd]]), nodes, secs


def node_times(
    network: Network,
    sources: Snapped,
    limit_minutes: float | None = None,
    *,
    direction: str = "to",
    select: np.ndarray | None = None,
) -> np.ndarray:
    """Travel time between every node and the nearest of a set of snapped points.

    One Dijkstra run from a virtual super-source, whatever the number of points.

    Parameters
    ----------
    network
        The network.
    sources
        Snapped points (facilities); unreachable ones are ignored.
    limit_minutes
        Stop searching beyond this many minutes (None: no limit).
    direction
        ``"to"``: time from each node to its nearest point (for origin → facility
        trips); ``"from"``: time from the nearest point to each node (isochrones
        around facilities).
    select
        Optional positions or boolean mask restricting ``sources``.

    Returns
    -------
    numpy.ndarray
        Seconds per node (float64, length ``n_nodes``), including the points' access
        legs; ``inf`` where unreachable or beyond the limit.
    """
    _check(network, sources, "sources")
    if direction not in ("to", "from"):
        raise ValueError(f"direction must be 'to' or 'from', got {direction!r}")
    pos = np.arange(len(sources)) if select is None else np.asarray(select)
    if pos.dtype == bool:
        pos = np.flatnonzero(pos)
    pos = pos[sources.edge[pos] >= 0]
    n = network.n_nodes
    out = np.full(n, np.inf)
    if not len(pos) or not n:
        return out
    which, nodes, secs = _legs(network, sources, pos, toward_point=direction == "to")
    weight = np.full(n, np.inf)
    np.minimum.at(weight, nodes, secs + sources.access_s[which])
    targets = np.flatnonzero(np.isfinite(weight))
    base = network.graph_reversed if direction == "to" else network.graph
    aug = csr_matrix(
        (
            np.concatenate([base.data, weight[targets] + SOURCE_OFFSET_S]),
            np.concatenate([base.indices, targets.astype(base.indices.dtype)]),
            np.r_[base.indptr, base.indptr[-1] + len(targets)].astype(base.indptr.dtype),
        ),
        shape=(n + 1, n + 1),
    )
    limit = (np.inf if limit_minutes is None
             else float(limit_minutes) * 60.0 + SOURCE_OFFSET_S + LIMIT_TOLERANCE_S)
    dist = dijkstra(aug, directed=True, indices=n, limit=limit)
    return dist[:n] - SOURCE_OFFSET_S


def _segmented_min(edge: np.ndarray, pos: np.ndarray, rank: np.ndarray, value: np.ndarray,
                   reverse: bool) -> np.ndarray:
    """Compute the running minimum of ``value`` along each edge, ordered by (pos, rank).

    Returns, for every input element, the minimum over the elements of the same edge at
    or before it (``reverse=False``) or at or after it (``reverse=True``).
    """
    order = np.lexsort((rank, pos, edge))
    if reverse:
        order = order[::-1]
    run = pd.Series(value[order]).groupby(edge[order], sort=False).cummin().to_numpy()
    out = np.empty_like(run)
    out[order] = run
    return out


def _same_edge(network: Network, origins: Snapped, opos: np.ndarray,
               facilities: Snapped, fpos: np.ndarray) -> np.ndarray:
    """Time from each origin in ``opos`` to the best facility on its own edge, directly.

    Excludes both access legs of the origin; includes the facility's. ``inf`` if none.
    """
    out = np.full(len(opos), np.inf)
    fe = facilities.edge[fpos]
    on = np.isin(origins.edge[opos], fe)
    if not on.any():
        return out
    oi = np.flatnonzero(on)
    oe = origins.edge[opos[oi]]
    ot = origins.frac[opos[oi]]
    ft = facilities.frac[fpos]
    fa = facilities.access_s[fpos]
    edge = np.concatenate([oe, fe])
    pos = np.concatenate([ot, ft])
    c = network.edge_cost_s[edge]
    m = len(oi)
    is_o = np.r_[np.ones(m, bool), np.zeros(len(fe), bool)]
    # forward (u→v): facilities at s ≥ t, cost (s·c + a) − t·c; origins sort before ties
    val = np.where(is_o, np.inf, np.concatenate([np.zeros(m), ft * c[m:] + fa]))
    ahead = _segmented_min(edge, pos, (~is_o).astype(np.int8), val, reverse=True)[:m] - ot * c[:m]
    # backward (v→u): facilities at s ≤ t, cost (a − s·c) + t·c; origins sort after ties
    val = np.where(is_o, np.inf, np.concatenate([np.zeros(m), fa - ft * c[m:]]))
    behind = _segmented_min(edge, pos, is_o.astype(np.int8), val, reverse=False)[:m] + ot * c[:m]
    ahead[~network.edge_fwd[oe]] = np.inf
    behind[~network.edge_bwd[oe]] = np.inf
    out[oi] = np.minimum(ahead, behind)
    return out


def _categories(facilities: Snapped, facility_category) -> tuple[list, np.ndarray]:
    cat = facility_category
    if not isinstance(cat, pd.Series):
        cat = pd.Series(cat)
    if len(cat) != len(facilities):
        raise SchemaError(
            f"facility_category: expected one value per facility ({len(facilities)}), "
            f"found {len(cat)}"
        )
    if isinstance(cat.dtype, pd.CategoricalDtype):
        labels, codes = list(cat.cat.categories), cat.cat.codes.to_numpy()
    else:
        codes, uniques = pd.factorize(cat.to_numpy(dtype=object))
        try:
            order = np.argsort(np.asarray(uniques, dtype=object), kind="stable")
        except TypeError:
            order = np.argsort(np.asarray([str(u) for u in uniques]), kind="stable")
        remap = np.empty(len(uniques) + 1, dtype=np.int64)
        remap[order] = np.arange(len(uniques))
        remap[-1] = -1
        labels, codes = [uniques[k] for k in order], remap[codes]
    if (codes < 0).any():
        raise SchemaError(
            f"facility_category: expected a category for every facility, found missing values "
            f"on facility rows {format_rows(facilities.index[codes < 0])}"
        )
    return labels, codes


def nearest_times(
    network: Network,
    origins: Snapped,
    facilities: Snapped,
    facility_category,
    limit_minutes: float | Mapping[object, float | None] | None,
    *,
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Minutes from each origin to the nearest facility of each category.

    Parameters
    ----------
    network
        The network both point sets were snapped to.
    origins
        Snapped origins (homes, workplaces).
    facilities
        Snapped facilities.
    facility_category
        One category per facility (array-like or Series, aligned by position). With a
        categorical dtype, every declared category gets a column, even if empty.
    limit_minutes
        Search limit in minutes: one number for all categories, a mapping
        category → minutes (None meaning no limit) covering every category, or None.
    n_jobs
        Number of worker processes (categories run in parallel; Linux/macOS ``fork``
        only, otherwise serial). 1 runs in this process.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``origins``, one float column ``minutes_<category>`` per category
        (sorted unless categorical): travel time in minutes including both access legs;
        NaN when no facility lies within the limit, or the origin is unreachable.
    """
    _check(network, origins, "origins")
    _check(network, facilities, "facilities")
    labels, codes = _categories(facilities, facility_category)
    if isinstance(limit_minutes, Mapping):
        missing = [c for c in labels if c not in limit_minutes]
        if missing:
            raise ZonekitError(
                "limit_minutes: expected a limit for every category, "
                f"missing {', '.join(map(str, missing))}"
            )
        limits = {c: limit_minutes[c] for c in labels}
    else:
        limits = dict.fromkeys(labels, limit_minutes)
    for c, lim in limits.items():
        if lim is not None and not float(lim) > 0:
            raise ZonekitError(f"limit_minutes for {c!r}: expected positive minutes, found {lim!r}")

    fok = facilities.edge >= 0
    tasks = [(np.flatnonzero((codes == k) & fok), limits[label]) for k, label in enumerate(labels)]
    state = (network, origins, facilities)
    if n_jobs > 1 and len(tasks) > 1 and "fork" in mp.get_all_start_methods():
        # scipy's Dijkstra holds the GIL: use forked processes, which share the network
        # copy-on-write (initargs are inherited, not pickled, under fork)
        with ProcessPoolExecutor(min(n_jobs, len(tasks)), mp_context=mp.get_context("fork"),
                                 initializer=_init_worker, initargs=state) as pool:
            results = list(pool.map(_worker, tasks))
    else:
        results = [_category_minutes(*state, *task) for task in tasks]
    return pd.DataFrame(
        {f"minutes_{label}": col for label, col in zip(labels, results, strict=True)},
        index=origins.index,
    )


_STATE: tuple = ()


def _init_worker(*state) -> None:
    global _STATE
    _STATE = state


def _worker(task) -> np.ndarray:
    return _category_minutes(*_STATE, *task)


def _category_minutes(network: Network, origins: Snapped, facilities: Snapped,
                      fpos: np.ndarray, lim: float | None) -> np.ndarray:
    """Minutes from every origin to the nearest of facilities ``fpos`` (NaN if none)."""
    start = perf_counter()
    minutes = np.full(len(origins), np.nan)
    opos = np.flatnonzero(origins.edge >= 0)
    if not len(fpos) or not len(opos):
        return minutes
    e = origins.edge[opos]
    t = origins.frac[opos]
    c = network.edge_cost_s[e]
    d = node_times(network, facilities, lim, direction="to", select=fpos)
    # leave along u → v via v, or along v → u via u (a point on an end node may use it freely)
    via_v = np.where(network.edge_fwd[e] | (t == 1.0), (1.0 - t) * c + d[network.edge_v[e]], np.inf)
    via_u = np.where(network.edge_bwd[e] | (t == 0.0), t * c + d[network.edge_u[e]], np.inf)
    direct = _same_edge(network, origins, opos, facilities, fpos)
    total = np.minimum(np.minimum(via_v, via_u), direct)
    total += origins.access_s[opos]
    if lim is not None:
        total[total > float(lim) * 60.0 + LIMIT_TOLERANCE_S] = np.inf
    total[~np.isfinite(total)] = np.nan
    minutes[opos] = total / 60.0
    logger.debug("%d facilities: %.3f s", len(fpos), perf_counter() - start)
    return minutes
