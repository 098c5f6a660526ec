"""The road layer of simplified OSM segments, attributes merged as osmnx merges them.

An edge osmnx kept as it was has its segment's attributes; a merged edge has, per
attribute, the one value its segments share or the list of their distinct values
(osmnx's ``list(set(values))``; here sorted, so the text is the same from run to run),
``length`` the sum of its segments' great-circle lengths added in path order (osmnx's
``sum``), and the line through its nodes. Lists are written as text as
:func:`zonekit.zones.osm.roads.edges_from_graph` writes them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

    from zonekit.zones.osm.simplify import Simplified
    from zonekit.zones.osm.ways import Segments

#: How list values are written per column: ``None`` → Python's ``"['a', 'b']"``, else joined.
LIST_TEXT = {"osmid": None, "highway": None, "reversed": None, "maxspeed": ";", "name": "; "}


def segment_lengths(seg: Segments) -> np.ndarray:
    """Great-circle length (metres) of each segment, as ``osmnx.distance.add_edge_lengths``."""
    from osmnx.distance import great_circle

    c = np.column_stack([seg.lat[seg.u], seg.lon[seg.u], seg.lat[seg.v], seg.lon[seg.v]])
    dists = great_circle(c[:, 0], c[:, 1], c[:, 2], c[:, 3])
    dists[np.isnan(dists)] = 0
    return dists


def _in_order_sums(values: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Per group, ``sum(values[a:b])`` added left to right as Python's ``sum`` does.

    One vectorised step per position (the longest group's length), so that the rounding
    is osmnx's to the last bit (numpy's pairwise sums round differently).
    """
    sizes = np.diff(offsets)
    total = np.zeros(len(sizes))
    for k in range(int(sizes.max(initial=0))):
        grow = np.flatnonzero(sizes > k)
        total[grow] += values[offsets[grow] + k]
    return total


def _text(value: Any, sep: str | None) -> str:
    return repr(value) if sep is None else str(value)


def _merge(column: pd.Series, group: np.ndarray, n: int, sep: str | None) -> np.ndarray:
    """Per group, the one value of ``column`` or its sorted distinct values as text."""
    import pandas as pd

    codes, uniques = pd.factorize(column, sort=True)  # NaN → -1: osmnx skips absent tags
    pair = np.unique(group[codes >= 0] * (len(uniques) + 1) + codes[codes >= 0])
    g, c = pair // (len(uniques) + 1), pair % (len(uniques) + 1)
    count = np.bincount(g, minlength=n)
    out = np.full(n, np.nan, dtype=object)
    single = count[g] == 1
    out[g[single]] = np.asarray(uniques, dtype=object)[c[single]]
    if (~single).any():
        words = np.array([_text(x, sep) for x in uniques], dtype=object)[c[~single]]
        g = g[~single]
        head = np.r_[True, g[1:] != g[:-1]]
        words = np.where(head, words, ", " + words if sep is None else sep + words)
        joined = np.add.reduceat(words, np.flatnonzero(head))
        out[g[head]] = "[" + joined + "]" if sep is None else joined
    return out


def roads_layer(seg: Segments, simple: Simplified, keep: tuple[str, ...] = ()
                ) -> gpd.GeoDataFrame:
    """Return the simplified edges as the road layer (EPSG:4326), sorted by u, v, key.

    Columns :data:`zonekit.zones.osm.roads.EDGE_COLUMNS`, then ``keep`` (e.g.
    ``"reversed"``), then ``geometry``; ``oneway`` is True when a merged segment is.
    """
    import geopandas as gpd
    import pandas as pd
    import shapely

    from zonekit.zones.osm.roads import EDGE_COLUMNS

    n = len(simple.u)
    group = np.repeat(np.arange(n), np.diff(simple.offsets))
    parts = seg.ways.iloc[seg.way[simple.members]].reset_index(drop=True)
    parts["reversed"] = seg.reversed[simple.members]
    data: dict[str, Any] = {"u": seg.node_id[simple.u], "v": seg.node_id[simple.v],
                            "key": simple.key}
    for col in [c for c in (*EDGE_COLUMNS[3:], *keep) if c not in ("oneway", "length")]:
        data[col] = (_merge(parts[col], group, n, LIST_TEXT.get(col)) if col in parts
                     else np.full(n, None, dtype=object))
    data["osmid"] = data["osmid"].astype(str)
    data["oneway"] = np.bincount(group, weights=parts["oneway"].to_numpy(), minlength=n) > 0
    data["length"] = _in_order_sums(segment_lengths(seg)[simple.members], simple.offsets)
    node_group = np.repeat(np.arange(n), np.diff(simple.offsets) + 1)
    lines = shapely.linestrings(seg.lon[simple.path], seg.lat[simple.path], indices=node_group)
    edges = gpd.GeoDataFrame(pd.DataFrame(data)[[*EDGE_COLUMNS, *keep]], geometry=lines,
                             crs="EPSG:4326")
    return edges.sort_values(["u", "v", "key"], ignore_index=True)
