"""The directed street segments of an OSM file as arrays, as osmnx would add them to a graph.

:func:`read_segments` reads a file once with pyosmium (libosmium filters out the nodes and
the ways without ``highway`` before Python sees them; node locations come from its
location cache), keeps the ways osmnx keeps for the travel mode
(:mod:`zonekit.zones.osm.filters`) and returns the segments osmnx's ``_add_paths`` would
insert into its ``MultiDiGraph``, **in the same order**: per way piece its segments in node
order, then (two-way) the same segments reversed. The order matters: it decides osmnx's
edge keys and which of two parallel segments its simplification keeps. Ways cut at the
extract's edge (nodes missing from the file) are cut at the missing nodes and kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from zonekit.errors import DataFileError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

#: osmnx's ``oneway`` values meaning one-way, and those meaning against the node order.
_ONEWAY = {"yes", "true", "1", "-1", "reverse", "T", "F"}
_REVERSED = {"-1", "reverse", "T"}


@dataclass(frozen=True)
class Segments:
    """Directed segments in osmnx's insertion order, and the ways they come from.

    Attributes
    ----------
    u, v
        Node index of each segment's start and end (into ``node_id``).
    way
        Row of ``ways`` each segment comes from.
    reversed
        osmnx's ``reversed``: the segment runs against its way's node order.
    node_id, lon, lat
        OSM id and location (degrees) of each node.
    ways
        One row per way piece: ``osmid`` and osmnx's useful way tags, ``oneway`` (bool).
    cut
        Ways cut at nodes missing from the file.
    """

    u: np.ndarray
    v: np.ndarray
    way: np.ndarray
    reversed: np.ndarray
    node_id: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    ways: pd.DataFrame
    cut: int


def _scan(path: Path, mode: str) -> tuple[list, list, list, list]:
    """Read the kept ways: nodes, osmnx's way attributes, one-way and reversed flags.

    Nodes are ``(ref, x, y)`` with libosmium's fixed-point coordinates (1e-7 degrees).
    """
    import osmium
    import osmnx as ox
    from osmnx import graph as ox_graph

    from zonekit.zones.osm.filters import filter_keys, way_filter

    keep = way_filter(mode)
    wanted = tuple(ox.settings.useful_tags_way)
    keys = tuple(dict.fromkeys((*filter_keys(mode), *wanted)))  # fetched one by one: faster
    bidirectional = mode in ox.settings.bidirectional_network_types
    nodes, attrs, one_way, back = [], [], [], []
    reader = (osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
              .with_locations()
              .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
              .with_filter(osmium.filter.KeyFilter("highway")))
    for way in reader:
        got = way.tags.get
        tags = {k: t for k in keys if (t := got(k)) is not None}
        if not keep(tags):
            continue
        nodes.append([(n.ref, n.x, n.y) for n in way.nodes])
        found = {k: tags[k] for k in wanted if k in tags}
        attrs.append({"osmid": way.id, **found})
        one_way.append(ox_graph._is_path_one_way(found, bidirectional, _ONEWAY))
        back.append(one_way[-1] and ox_graph._is_path_reversed(found, _REVERSED))
    return nodes, attrs, one_way, back


def _runs(nodes: list[list]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """Flat node refs, x, y and piece of the ways' runs, as osmnx reads them.

    A way is cut at nodes missing from the file (libosmium's invalid location); in each
    piece, repeated consecutive nodes count once (osmnx: no repeats); pieces of fewer
    than two nodes are dropped. Returns ``ref, x, y, piece, way of each piece, cut``.
    """
    import numpy as np

    sizes = np.fromiter(map(len, nodes), dtype=np.int64, count=len(nodes))
    flat = np.array([r for way in nodes for r in way], dtype=np.int64).reshape(-1, 3)
    ref, x, y = flat.T
    way = np.repeat(np.arange(len(nodes)), sizes)
    valid = (np.abs(x) <= 1_800_000_000) & (np.abs(y) <= 900_000_000)  # Location::valid()
    head = np.r_[True, (way[1:] != way[:-1]) | ~valid[:-1]]
    piece = np.cumsum(head & valid) - 1
    repeat = np.r_[False, (piece[1:] == piece[:-1]) & (ref[1:] == ref[:-1]) & valid[:-1]]
    take = np.flatnonzero(valid & ~repeat)
    piece = piece[take]
    size = np.bincount(piece)
    ok = size[piece] > 1
    take, piece = take[ok], piece[ok]
    _, piece = np.unique(piece, return_inverse=True)  # renumber the pieces kept
    cut = int(np.unique(way[~valid]).size)
    piece_way = np.zeros(piece.max(initial=-1) + 1, dtype=np.int64)
    piece_way[piece] = way[take]
    return ref[take], x[take], y[take], piece, piece_way, cut


def read_segments(path: str | Path, mode: str) -> Segments:
    """Read the directed segments of an OSM file for one travel mode (osmnx's order).

    Raises
    ------
    zonekit.errors.DataFileError
        Unreadable file, or no way for the mode.
    """
    import numpy as np
    import pandas as pd

    path = Path(path)
    try:
        nodes, attrs, one_way, back = _scan(path, mode)
    except RuntimeError as exc:  # libosmium reports unreadable input as RuntimeError
        raise DataFileError(f"{path}: cannot read the OSM file ({exc})") from exc
    ref, x, y, piece, piece_way, cut = _runs(nodes or [[]])
    if not len(piece):
        raise DataFileError(f"{path}: no ways for mode '{mode}' (osmnx's {mode} filter keeps "
                            "none of the file's highway ways)")
    back = np.asarray(back, dtype=bool)[piece_way][piece]
    order = np.lexsort((np.where(back, -np.arange(len(piece)), 0), piece))  # -1: reversed
    ref, x, y, piece = ref[order], x[order], y[order], piece[order]
    node_id, first, index = np.unique(ref, return_index=True, return_inverse=True)
    seg = np.flatnonzero(piece[1:] == piece[:-1])  # segment k: node k → k + 1
    one_way = np.asarray(one_way, dtype=bool)[piece_way]
    fwd_u, fwd_v, fwd_way = index[seg], index[seg + 1], piece[seg]
    two = ~one_way[fwd_way]
    # osmnx adds a piece's segments, then (two-way) the same reversed, piece after piece
    u = np.concatenate([fwd_u, fwd_v[two]])
    v = np.concatenate([fwd_v, fwd_u[two]])
    way = np.concatenate([fwd_way, fwd_way[two]])
    rev = np.concatenate([np.zeros(len(seg), bool), np.ones(int(two.sum()), bool)])
    order = np.lexsort((rev, way))  # stable: node order within each
    ways = pd.DataFrame(attrs).iloc[piece_way].reset_index(drop=True)
    ways["oneway"] = one_way
    return Segments(u=u[order], v=v[order], way=way[order], reversed=rev[order],
                    node_id=node_id, lon=x[first] / 1e7, lat=y[first] / 1e7, ways=ways,
                    cut=cut)
