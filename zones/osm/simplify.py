"""osmnx's topology simplification (``osmnx.simplify_graph``) on arrays, without networkx.

The result is osmnx's, edge for edge (same ``u``, ``v``, ``key`` and merged segments; the
tests compare with ``simplify_graph`` on the real extracts and on generated graphs), for
its defaults ``node_attrs_include=None``, ``edge_attrs_differ=None``,
``remove_rings=True``. osmnx's rules, restated on arrays:

* A node is an **endpoint** when it has a self-loop, no incoming or no outgoing segment,
  or not (exactly two neighbours and 2 or 4 incident segments).
* From each endpoint ``E``, through each successor ``s`` that is not an endpoint, a path
  is walked: at a non-endpoint ``t`` entered from ``p`` it goes on to ``t``'s other
  neighbour ``q`` when a segment ``t → q`` exists and stops at ``t`` otherwise; it ends at
  the first endpoint. Each such step is a *state* (a distinct directed node pair) with at
  most one next state, so the walks are found for all paths at once by pointer jumping.
* Each path becomes one new edge ``E → end`` with the attributes of the first segment of
  each of its node pairs (osmnx's ``next(iter(G.get_edge_data(u, v).values()))``); its key
  counts on from the segments already joining the pair, paths from one endpoint taken in
  the order of its successors (first segment first), as networkx numbers them.
* The paths' inner nodes are removed with every segment touching them; then every weakly
  connected piece with no endpoint left (an isolated ring) is removed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Simplified:
    """Edges of the simplified graph and the segments and nodes each one is made of.

    Attributes
    ----------
    u, v, key
        Node index of each edge's start and end; networkx's key among the ``u → v`` edges.
    members
        Per edge ``i``, ``members[offsets[i]:offsets[i + 1]]`` are the segments (indices
        into the input) whose attributes it takes, in path order: the edge itself when
        osmnx kept it as it was, the first segment of each node pair of a merged path.
    path
        The nodes along edge ``i``: ``path[offsets[i] + i : offsets[i + 1] + i + 1]``.
    offsets
        ``len(u) + 1`` offsets into ``members``.
    """

    u: np.ndarray
    v: np.ndarray
    key: np.ndarray
    members: np.ndarray
    path: np.ndarray
    offsets: np.ndarray


def _topology(u: np.ndarray, v: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Return osmnx's endpoint test of each node, and each node's sum of neighbour indices."""
    out, inn = np.bincount(u, minlength=n), np.bincount(v, minlength=n)
    loop = np.zeros(n, dtype=bool)
    loop[u[u == v]] = True
    a, b = np.minimum(u, v), np.maximum(u, v)
    pairs = np.unique(a[a != b] * n + b[a != b])
    a, b = pairs // n, pairs % n
    neighbours = np.bincount(a, minlength=n) + np.bincount(b, minlength=n)
    total = (np.bincount(a, weights=b, minlength=n)
             + np.bincount(b, weights=a, minlength=n)).astype(np.int64)  # exact < 2**53
    degree = out + inn
    inner = (neighbours == 2) & ((degree == 2) | (degree == 4))
    return loop | (out == 0) | (inn == 0) | ~inner, total


def _lookup(codes: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Position of each ``wanted`` code in the sorted ``codes``, -1 when absent."""
    pos = np.minimum(np.searchsorted(codes, wanted), len(codes) - 1)
    return np.where(codes[pos] == wanted, pos, -1)


def _walk(nxt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pointer jumping: the last state reached from each state, and the steps to it."""
    jump = np.where(nxt < 0, np.arange(len(nxt)), nxt)
    dist = (nxt >= 0).astype(np.int64)
    for _ in range(int(np.log2(max(len(nxt), 1))) + 2):
        dist, jump = dist + dist[jump], jump[jump]
        if (jump == jump[jump]).all():
            break
    return jump, dist


def _group_rank(codes: np.ndarray) -> np.ndarray:
    """Rank of each item among the items with its code, in input order (networkx keys)."""
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    first = np.r_[True, sorted_codes[1:] != sorted_codes[:-1]]
    starts = np.maximum.accumulate(np.where(first, np.arange(len(codes)), 0))
    rank = np.empty(len(codes), dtype=np.int64)
    rank[order] = np.arange(len(codes)) - starts
    return rank


def _paths(u: np.ndarray, v: np.ndarray, n: int, end: np.ndarray, total: np.ndarray):
    """Every path osmnx merges: its states in order, per start state (E → s)."""
    codes, first, count = np.unique(u * n + v, return_index=True, return_counts=True)
    pu, pv = codes // n, codes % n
    inner = ~end[pv]
    nxt = np.where(inner, _lookup(codes, pv * n + (total[pv] - pu)), -1)
    jump, dist = _walk(nxt)
    starts = np.flatnonzero(end[pu] & inner)
    starts = starts[np.lexsort((first[starts], pu[starts]))]  # per endpoint, successor order
    owner = np.full(len(codes), -1)
    owner[jump[starts]] = np.arange(len(starts))
    states = np.flatnonzero((owner[jump] >= 0) & (nxt[jump] < 0))
    states = states[np.lexsort((-dist[states], owner[jump[states]]))]
    sizes = dist[starts] + 1
    return codes, first, count, starts, states, sizes


def _ranges(starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """``concatenate([arange(s, s + k) for s, k in zip(starts, sizes)])`` without a loop."""
    ends = np.cumsum(sizes)
    return np.repeat(starts - ends + sizes, sizes) + np.arange(ends[-1] if len(ends) else 0)


def _in_rings(u: np.ndarray, v: np.ndarray, n: int) -> np.ndarray:
    """Edges of weakly connected pieces with no endpoint (osmnx's ``_remove_rings``)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    end, _ = _topology(u, v, n)
    graph = coo_matrix((np.ones(len(u), dtype=np.int8), (u, v)), shape=(n, n))
    _, label = connected_components(graph, directed=True, connection="weak")
    has_end = np.zeros(label.max() + 1, dtype=bool)
    has_end[label[end]] = True  # nodes without edges are pieces of their own
    return ~has_end[label[u]]


def simplify_segments(u: np.ndarray, v: np.ndarray, n: int) -> Simplified:
    """Simplify a directed multigraph given as segments, as ``osmnx.simplify_graph`` does.

    Parameters
    ----------
    u, v
        Start and end node (``0 … n-1``) of each segment, in the order they were added to
        the graph (it decides keys and which of parallel segments a merged edge takes).
    n
        Number of nodes.

    Returns
    -------
    Simplified
        The simplified graph's edges: first the segments kept as they were (input order),
        then the merged paths.
    """
    u, v = np.asarray(u, dtype=np.int64), np.asarray(v, dtype=np.int64)
    end, total = _topology(u, v, n)
    codes, first, count, starts, states, sizes = _paths(u, v, n, end, total)
    at = np.r_[0, np.cumsum(sizes)]
    new_u, new_v = codes[starts] // n, codes[states[at[1:] - 1]] % n
    held = _lookup(codes, new_u * n + new_v)
    new_key = np.where(held >= 0, count[held], 0) + _group_rank(new_u * n + new_v)
    removed = np.zeros(n, dtype=bool)
    inner = np.ones(len(states), dtype=bool)
    inner[at[1:] - 1] = False
    removed[codes[states[inner]] % n] = True
    kept = np.flatnonzero(~removed[u] & ~removed[v])
    new = np.flatnonzero(~removed[new_u] & ~removed[new_v])
    ring = _in_rings(np.r_[u[kept], new_u[new]], np.r_[v[kept], new_v[new]], n)
    kept, new = kept[~ring[:len(kept)]], new[~ring[len(kept):]]
    take = states[_ranges(at[new], sizes[new])]
    heads = np.r_[0, np.cumsum(sizes[new])[:-1]] if len(new) else np.zeros(0, np.int64)
    merged = np.insert(codes[take] % n, heads, new_u[new])
    return Simplified(
        u=np.r_[u[kept], new_u[new]], v=np.r_[v[kept], new_v[new]],
        key=np.r_[_group_rank(u * n + v)[kept], new_key[new]],
        members=np.r_[kept, first[take]],
        path=np.r_[np.column_stack([u[kept], v[kept]]).ravel(), merged],
        offsets=np.r_[0, np.cumsum(np.r_[np.ones(len(kept), np.int64), sizes[new]])])
