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
directly (pairs of points sharing an edge, found by sorting facilities by edge). Its own
access leg is added last. Times above the limit become NaN.

A point snapped onto an end node of its edge (fraction 0 or 1: points beyond a dead end,
in the outer corner of a junction, or within ``snapping.NODE_TOLERANCE_M`` of the node,
as points given at node coordinates in another CRS come back) is treated as standing on
that node, so it can use the node in any direction even on a one-way edge; otherwise the
arbitrary choice between the edges meeting there would change the result.

All super-source arcs carry a constant offset (:data:`SOURCE_OFFSET_S`), subtracted
afterwards, so no arc weighs zero (``scipy.sparse`` may drop explicit zeros).

Node times are remembered per network, keyed by the super-source arcs themselves (their
nodes and seconds), the direction and the limit: a circle's origins and its travel-time
grid, or a coverage and its road pieces, ask for the same times and get one Dijkstra
(:data:`MEMO_MAX_BYTES` per network, oldest forgotten first; the arrays are read-only).
"""

from __future__ import annotations

import hashlib
import logging
import weakref
from collections import OrderedDict
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from time import perf_counter

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from zonekit.analysis.network.graph import Network
from zonekit.analysis.network.snapping import Snapped
from zonekit.errors import SchemaError, ZonekitError, format_rows
from zonekit.parallel import pool_context, start_method

logger = logging.getLogger(__name__)

# Module size: ~470 lines — one engine: the node times, their memo, same-edge pairs and the
# per-category worker pool share the super-source arcs and the memo (module state the forked
# workers inherit); split, that private state would be imported across modules.

#: Constant added to every super-source arc (seconds) and subtracted from the result.
SOURCE_OFFSET_S = 1.0

#: Work (seconds, estimated from the first category) above which ``n_jobs > 1`` forks
#: worker processes for the other categories; below it forking costs more than it saves.
PARALLEL_MIN_S = 0.2
#: The same for workers that start afresh (spawn, forkserver): each imports numpy, scipy
#: and zonekit's engine and unpickles the network once before its first search (about
#: 3 s to the first result on the sample, against 0.15 s forked, on a loaded 2-core machine).
FRESH_WORKER_MIN_S = 3.0

#: Rounding allowance (seconds) when comparing a time with the limit: a time equal to
#: the limit counts as within it.
LIMIT_TOLERANCE_S = 1e-7

#: Bytes of node times remembered per network (a million-node network: 8 MB per category).
MEMO_MAX_BYTES = 512 * 2**20

_MEMO: weakref.WeakKeyDictionary[Network, OrderedDict[tuple, np.ndarray]] = (
    weakref.WeakKeyDictionary())


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
        Seconds per node (float64, length ``n_nodes``, read-only: it may be shared with
        other calls asking for the same times), including the points' access legs; ``inf``
        where unreachable or beyond the limit.
    """
    _check(network, sources, "sources")
    if direction not in ("to", "from"):
        raise ValueError(f"direction must be 'to' or 'from', got {direction!r}")
    arcs = _super_source(network, sources, select, direction, limit_minutes)
    if arcs is None:
        return np.full(network.n_nodes, np.inf)
    known = _MEMO.get(network, {}).get(arcs[0])
    if known is not None:
        return known
    out = _dijkstra(network, *arcs[1:], direction)
    _remember(network, {arcs[0]: out})
    return out


def _super_source(network: Network, sources: Snapped, select: np.ndarray | None,
                  direction: str, limit_minutes: float | None):
    """Return the super-source's arcs: (memo key, target nodes, seconds, limit in s).

    ``None`` when no source is reachable.
    """
    pos = np.arange(len(sources)) if select is None else np.asarray(select)
    if pos.dtype == bool:
        pos = np.flatnonzero(pos)
    pos = pos[sources.edge[pos] >= 0]
    n = network.n_nodes
    if not len(pos) or not n:
        return None
    which, nodes, secs = _legs(network, sources, pos, toward_point=direction == "to")
    weight = np.full(n, np.inf)
    np.minimum.at(weight, nodes, secs + sources.access_s[which])
    targets = np.flatnonzero(np.isfinite(weight))
    limit = (np.inf if limit_minutes is None
             else float(limit_minutes) * 60.0 + SOURCE_OFFSET_S + LIMIT_TOLERANCE_S)
    key = (direction, limit, hashlib.blake2b(targets.tobytes() + weight[targets].tobytes(),
                                             digest_size=16).digest())
    return key, targets, weight[targets], limit


def _is_known(network: Network, sources: Snapped, select: np.ndarray, limit_minutes) -> bool:
    """Whether the "to" node times of ``sources[select]`` are remembered (or need no search)."""
    arcs = _super_source(network, sources, select, "to", limit_minutes)
    return arcs is None or arcs[0] in _MEMO.get(network, {})


def forget_node_times(network: Network | None = None) -> None:
    """Forget the remembered node times of ``network`` (of every network when ``None``)."""
    if network is None:
        _MEMO.clear()
    else:
        _MEMO.pop(network, None)


def _remember(network: Network, entries: Mapping[tuple, np.ndarray]) -> None:
    """Keep node times for later calls (read-only), forgetting the oldest beyond the cap."""
    memo = _MEMO.setdefault(network, OrderedDict())
    for key, times in entries.items():
        times.flags.writeable = False
        memo[key] = times
    while len(memo) > 1 and sum(a.nbytes for a in memo.values()) > MEMO_MAX_BYTES:
        memo.popitem(last=False)


def _dijkstra(network: Network, targets: np.ndarray, seconds: np.ndarray, limit: float,
              direction: str) -> np.ndarray:
    """One Dijkstra from a super-source with arcs to ``targets`` (``seconds`` each)."""
    n = network.n_nodes
    base = network.graph_reversed if direction == "to" else network.graph
    aug = csr_matrix(
        (
            np.concatenate([base.data, seconds + SOURCE_OFFSET_S]),
            np.concatenate([base.indices, targets.astype(base.indices.dtype)]),
            np.r_[base.indptr, base.indptr[-1] + len(targets)].astype(base.indptr.dtype),
        ),
        shape=(n + 1, n + 1),
    )
    dist = dijkstra(aug, directed=True, indices=n, limit=limit)
    return dist[:n] - SOURCE_OFFSET_S


def same_edge_pairs(network: Network, origins: Snapped, opos: np.ndarray,
                    targets: Snapped, tpos: np.ndarray):
    """Origin–target pairs sharing an edge, and the direct time along it.

    Pairs are found by sorting the targets by edge, so the work grows with the number
    of pairs: small, unless thousands of points share one edge.

    Parameters
    ----------
    network
        The network both point sets were snapped to.
    origins, targets
        Snapped points.
    opos, tpos
        Positions of the reachable origins and targets taking part.

    Returns
    -------
    k, j, seconds
        Positions into ``opos`` and ``tpos`` of each pair, and the time (s) from the
        origin straight along the edge to the target, including the target's access leg
        but not the origin's; ``inf`` where the edge's one-way direction forbids it.
    """
    te = targets.edge[tpos]
    oe = origins.edge[opos]
    shared = np.zeros(network.n_edges, dtype=bool)
    shared[te] = True  # a mask, not np.isin: one pass over the origins
    k = np.flatnonzero(shared[oe])
    if not len(k):
        return k, k, np.zeros(0)
    order = np.argsort(te, kind="stable")
    te_sorted = te[order]
    lo = np.searchsorted(te_sorted, oe[k], side="left")
    count = np.searchsorted(te_sorted, oe[k], side="right") - lo
    kk = np.repeat(k, count)
    j = order[np.repeat(lo - (np.cumsum(count) - count), count) + np.arange(len(kk))]
    e = oe[kk]
    c = network.edge_cost_s[e]
    t, s = origins.frac[opos[kk]], targets.frac[tpos[j]]
    a = targets.access_s[tpos[j]]
    ahead = np.where(network.edge_fwd[e] & (s >= t), (s - t) * c + a, np.inf)
    behind = np.where(network.edge_bwd[e] & (s <= t), (t - s) * c + a, np.inf)
    return kk, j, np.minimum(ahead, behind)


@dataclass(eq=False)
class Departures:
    """How each reachable origin gets onto the network (computed once per origin set).

    An origin at fraction ``t`` of edge ``u → v`` (time ``c``) reaches ``v`` in
    ``via_v_s = (1 - t)·c`` and ``u`` in ``via_u_s = t·c``, ``inf`` where the one-way
    direction forbids it (an origin exactly on an end node may use that node freely).

    Attributes
    ----------
    opos
        Positions of the reachable origins.
    node_v, node_u, via_v_s, via_u_s
        End nodes and times (s) to them.
    access_s
        Each origin's own access leg (s).
    """

    opos: np.ndarray
    node_v: np.ndarray
    node_u: np.ndarray
    via_v_s: np.ndarray
    via_u_s: np.ndarray
    access_s: np.ndarray

    @classmethod
    def of(cls, network: Network, origins: Snapped) -> Departures:
        """Departures of the reachable ``origins``."""
        opos = np.flatnonzero(origins.edge >= 0)
        e, t = origins.edge[opos], origins.frac[opos]
        c = network.edge_cost_s[e]
        return cls(
            opos=opos, node_v=network.edge_v[e], node_u=network.edge_u[e],
            via_v_s=np.where(network.edge_fwd[e] | (t == 1.0), (1.0 - t) * c, np.inf),
            via_u_s=np.where(network.edge_bwd[e] | (t == 0.0), t * c, np.inf),
            access_s=origins.access_s[opos],
        )


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
        Number of worker processes (categories run in parallel, any OS: see
        :func:`zonekit.parallel.start_method`). 1 runs in this process. Categories run
        here until one with facilities has; the rest go to workers once its time, times
        the number of categories left, exceeds :data:`PARALLEL_MIN_S` when forked, else
        :data:`FRESH_WORKER_MIN_S` (starting workers and returning results cost more than
        a second core saves on small networks).

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
    state = (network, origins, facilities, Departures.of(network, origins))
    # categories whose node times are remembered are quick: they never go to workers
    known = {k for k, (fpos, lim) in enumerate(tasks) if _is_known(network, facilities, fpos, lim)}
    results = {k: _category_minutes(*state, *tasks[k]) for k in sorted(known)}
    pending = [k for k in range(len(tasks)) if k not in known]
    while pending:
        k = pending.pop(0)
        started = perf_counter()
        results[k] = _category_minutes(*state, *tasks[k])
        if len(tasks[k][0]) and _forking_pays(n_jobs, perf_counter() - started, len(pending)):
            # scipy's Dijkstra holds the GIL: use processes; the network goes to each worker
            # once, in the initializer (inherited under fork, pickled once under spawn)
            with ProcessPoolExecutor(min(n_jobs, len(pending)), mp_context=pool_context(),
                                     initializer=_init_worker, initargs=state) as pool:
                for j, (minutes, times) in zip(pending, pool.map(
                        _worker, [tasks[j] for j in pending]), strict=True):
                    results[j] = minutes
                    _remember(network, times)  # the workers' node times serve later calls
            break
    return pd.DataFrame(
        {f"minutes_{label}": results[k] for k, label in enumerate(labels)},
        index=origins.index,
    )


#: At most this many worker processes by default (each holds its own search arrays).
DEFAULT_MAX_JOBS = 4


def default_jobs() -> int:
    """Worker processes when none are asked for: one per usable CPU, at most 4 (any OS)."""
    import os

    usable = (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
              else os.cpu_count() or 1)
    return max(1, min(DEFAULT_MAX_JOBS, usable))


def _forking_pays(n_jobs: int, seconds: float, left: int) -> bool:
    """Whether ``left`` categories like one that took ``seconds`` are worth worker processes."""
    least = PARALLEL_MIN_S if start_method() == "fork" else FRESH_WORKER_MIN_S
    return n_jobs > 1 and left > 1 and seconds * left > least


_STATE: tuple = ()


def _init_worker(*state) -> None:
    global _STATE
    _STATE = state


def _worker(task) -> tuple[np.ndarray, dict[tuple, np.ndarray]]:
    """Return a category's minutes and the node times computed for it (parent's memo)."""
    minutes = _category_minutes(*_STATE, *task)
    return minutes, dict(_MEMO.pop(_STATE[0], {}))


def _category_minutes(network: Network, origins: Snapped, facilities: Snapped,
                      departures: Departures, fpos: np.ndarray, lim: float | None) -> np.ndarray:
    """Minutes from every origin to the nearest of facilities ``fpos`` (NaN if none)."""
    start = perf_counter()
    minutes = np.full(len(origins), np.nan)
    dep = departures
    if not len(fpos) or not len(dep.opos):
        return minutes
    d = node_times(network, facilities, lim, direction="to", select=fpos)
    total = np.minimum(dep.via_v_s + d[dep.node_v], dep.via_u_s + d[dep.node_u])
    k, _, direct = same_edge_pairs(network, origins, dep.opos, facilities, fpos)
    np.minimum.at(total, k, direct)
    total += dep.access_s
    if lim is not None:
        total[total > float(lim) * 60.0 + LIMIT_TOLERANCE_S] = np.inf
    total[~np.isfinite(total)] = np.nan
    minutes[dep.opos] = total / 60.0
    logger.debug("%d facilities: %.3f s", len(fpos), perf_counter() - start)
    return minutes
