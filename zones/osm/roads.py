"""Road networks from OpenStreetMap files (``.osm``, ``.osm.gz``, ``.osm.bz2``, ``.osm.pbf``).

:func:`read_osm_roads` reads a file offline with pyosmium into arrays of the segments
osmnx would build (:mod:`zonekit.zones.osm.ways`: the ways osmnx keeps for the travel
mode, its one-way rules and insertion order), simplifies them with osmnx's rules on arrays
(:mod:`zonekit.zones.osm.simplify`) and returns the edges in osmnx form
(:mod:`zonekit.zones.osm.layer`), without building a networkx graph. :func:`osm_graph` is
the osmnx path the tests and ``benchmarks/bench_osm.py`` compare it with: the same ways
through osmnx's own ``_add_paths``, ``add_edge_lengths`` and ``simplify_graph``. Unlike
``osmnx.graph_from_xml``, ways cut at the extract's edge (nodes missing from the file) are
cut at the missing nodes and kept, and every connected piece is kept (zonekit's network
reports the pieces itself).
"""

from __future__ import annotations

import logging
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from zonekit.errors import DataFileError

if TYPE_CHECKING:
    import geopandas as gpd
    import networkx as nx

logger = logging.getLogger(__name__)

#: Columns of the edge layer, in order (then ``geometry``).
EDGE_COLUMNS = ("u", "v", "key", "osmid", "highway", "oneway", "maxspeed", "name", "length")

OSM_SUFFIXES = (".osm", ".osm.gz", ".osm.bz2", ".osm.pbf", ".pbf")


def is_osm_file(path: str | Path) -> bool:
    """Tell whether ``path`` names an OpenStreetMap file by its suffix.

    Examples
    --------
    >>> is_osm_file("city.osm.pbf"), is_osm_file("roads.gpkg")
    (True, False)
    """
    name = Path(path).name.lower()
    return any(name.endswith(s) for s in OSM_SUFFIXES)


def _check_file(path: Path) -> None:
    if not path.exists():
        raise DataFileError(f"{path}: OSM file not found")
    if not is_osm_file(path):
        raise DataFileError(f"{path}: not an OSM file (expected one of {', '.join(OSM_SUFFIXES)})")


def _runs(refs: list[tuple[int, float, float] | None]) -> list[list[tuple[int, float, float]]]:
    """Split a way's nodes at the missing ones (``None``): the pieces with 2+ nodes."""
    pieces, current = [], []
    for ref in refs + [None]:
        if ref is None:
            if len(current) > 1:
                pieces.append(current)
            current = []
        else:
            current.append(ref)
    return pieces


def _scan(path: Path, mode: str) -> tuple[dict[int, dict], list[dict], int]:
    """Read nodes and the mode's ways: node attributes, osmnx path dicts, ways cut."""
    import osmium
    import osmnx as ox

    from zonekit.zones.osm.filters import way_filter

    keep = way_filter(mode)
    node_tags_wanted = tuple(ox.settings.useful_tags_node)
    way_tags_wanted = tuple(ox.settings.useful_tags_way)
    node_tags: dict[int, dict[str, str]] = {}
    nodes: dict[int, dict[str, Any]] = {}
    paths: list[dict[str, Any]] = []
    cut = 0
    try:
        reader = osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
        for obj in reader.with_locations():
            if obj.is_node():
                if len(obj.tags):
                    found = {k: obj.tags[k] for k in node_tags_wanted if k in obj.tags}
                    if found:
                        node_tags[obj.id] = found
                continue
            if "highway" not in obj.tags:
                continue
            tags = {t.k: t.v for t in obj.tags}
            if not keep(tags):
                continue
            refs = [(n.ref, n.location.lon, n.location.lat) if n.location.valid() else None
                    for n in obj.nodes]
            pieces = _runs(refs)
            cut += len(pieces) != 1 or len(pieces[0]) != len(refs)
            attrs = {k: tags[k] for k in way_tags_wanted if k in tags}
            for piece in pieces:
                for ref, lon, lat in piece:
                    nodes[ref] = {"y": lat, "x": lon}
                ids = [g for g, _ in groupby(r[0] for r in piece)]  # as osmnx: no repeats
                if len(ids) > 1:
                    paths.append({"osmid": obj.id, "nodes": ids, **attrs})
    except RuntimeError as exc:  # libosmium reports unreadable input as RuntimeError
        raise DataFileError(f"{path}: cannot read the OSM file ({exc})") from exc
    for ref, attrs in nodes.items():
        attrs.update(node_tags.get(ref, {}))
    return nodes, paths, cut


def osm_graph(path: str | Path, mode: Literal["walk", "bike", "drive"] = "drive"
              ) -> nx.MultiDiGraph:
    """Build osmnx's simplified ``MultiDiGraph`` of an OSM file for one travel mode.

    The osmnx path, kept as the reference :func:`read_osm_roads` is tested against (and
    for node attributes, which the road layer does not carry): about ten times slower.

    Parameters
    ----------
    path
        ``.osm``, ``.osm.gz``, ``.osm.bz2`` or ``.osm.pbf`` file.
    mode
        ``"walk"``, ``"bike"`` or ``"drive"``: osmnx's ``network_type`` of that name
        chooses the ways; walk networks are bidirectional as in osmnx.

    Returns
    -------
    networkx.MultiDiGraph
        Unprojected (EPSG:4326) graph with osmnx's node and edge attributes; edge
        ``length`` in metres (great-circle).
    """
    import networkx as nx
    import osmnx as ox
    from osmnx import graph as ox_graph

    path = Path(path)
    _check_file(path)
    nodes, paths, cut = _scan(path, mode)
    if not paths:
        raise DataFileError(f"{path}: no ways for mode '{mode}' (osmnx's {mode} filter keeps "
                            "none of the file's highway ways)")
    if cut:
        logger.info("%s: %d way(s) reach past the extract's edge; cut at the missing nodes",
                    path, cut)
    graph = nx.MultiDiGraph(crs=ox.settings.default_crs, source=str(path))
    graph.add_nodes_from(nodes.items())
    # osmnx's own way → edges step: one-way rules (oneway=-1 reversed, roundabouts one-way)
    ox_graph._add_paths(graph, paths, mode in ox.settings.bidirectional_network_types)
    graph = ox.distance.add_edge_lengths(graph)
    return ox.simplify_graph(graph)


def _as_text(value: Any, sep: str | None) -> Any:
    """List values (merged ways) as text zonekit reads back; ``sep=None`` → ``"['a', 'b']"``."""
    if not isinstance(value, list):
        return value
    return str(value) if sep is None else sep.join(str(v) for v in value)


def oneway_flags(values: Any) -> Any:
    """Return osmnx's ``oneway`` values as booleans (a pandas Series of them).

    ``True``/``False`` as osmnx gives them; a list (edges merged by simplification) is
    one-way when a part is; missing (an edge without the attribute) is two-way; text
    ``yes``/``true``/``1`` and ``no``/``false``/``0``.

    Raises
    ------
    zonekit.errors.SchemaError
        Another value (``-1``, ``reversible`` …: osmnx edges run in the travel direction).
    """
    import pandas as pd

    from zonekit.errors import SchemaError, format_rows

    if values.dtype == bool:
        return values
    text = {"yes": True, "true": True, "1": True, "no": False, "false": False, "0": False}
    bad: list[Any] = []

    def flag(value: Any, row: Any) -> bool:
        if isinstance(value, list):
            return any(flag(v, row) for v in value)
        if isinstance(value, str):
            if value.strip().lower() not in text:
                bad.append(row)
            return text.get(value.strip().lower(), False)
        return False if value is None or value is pd.NA or value != value else bool(value)

    flags = pd.Series([flag(v, r) for r, v in values.items()], index=values.index, dtype=bool)
    if bad:
        raise SchemaError(f"roads, column 'oneway': expected osmnx's True/False, found "
                          f"{sorted({str(values[r]) for r in bad})} on rows {format_rows(bad)}")
    return flags


def edges_from_graph(graph: nx.MultiDiGraph, keep: tuple[str, ...] = ()) -> gpd.GeoDataFrame:
    """Return a graph's edges in osmnx form with list values written as text.

    ``highway`` lists as ``"['primary', 'secondary']"`` (read by the network builder),
    ``maxspeed`` lists as ``"50;40"`` (the lowest is used), ``name`` lists joined with
    ``"; "``, ``osmid`` always text, ``oneway`` boolean (:func:`oneway_flags`); the
    columns ``keep`` follow :data:`EDGE_COLUMNS` (lists as text); sorted by ``u``, ``v``,
    ``key``.
    """
    import osmnx as ox

    edges = ox.graph_to_gdfs(graph, nodes=False).reset_index()
    columns = [*EDGE_COLUMNS, *keep]
    for col in columns:
        if col not in edges.columns:
            edges[col] = None
    edges = edges[[*columns, "geometry"]].copy()
    for col, sep in (("highway", None), ("maxspeed", ";"), ("name", "; "), ("osmid", None),
                     *((k, None) for k in keep)):
        edges[col] = edges[col].map(lambda v, s=sep: _as_text(v, s))
    edges["osmid"] = edges["osmid"].astype(str)
    edges["oneway"] = oneway_flags(edges["oneway"])
    return edges.sort_values(["u", "v", "key"], ignore_index=True)


def read_osm_roads(path: str | Path, mode: Literal["walk", "bike", "drive"] = "drive"
                   ) -> gpd.GeoDataFrame:
    """Read the road network of an OSM file for one travel mode, offline.

    Parameters
    ----------
    path
        ``.osm``, ``.osm.gz``, ``.osm.bz2`` or ``.osm.pbf`` file.
    mode
        ``"walk"``, ``"bike"`` or ``"drive"``: the ways osmnx keeps for that network type.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per directed edge (osmnx form): ``u``, ``v``, ``key``, ``osmid``,
        ``highway``, ``oneway`` (bool), ``maxspeed``, ``name``, ``length`` (metres) and
        the line from ``u`` to ``v``, in EPSG:4326.

    Raises
    ------
    zonekit.errors.DataFileError
        Missing or unreadable file, or no way for the mode.

    Examples
    --------
    >>> roads = read_osm_roads("city.osm.pbf", mode="walk")  # doctest: +SKIP
    """
    from zonekit.zones.osm.layer import roads_layer
    from zonekit.zones.osm.simplify import simplify_segments
    from zonekit.zones.osm.ways import read_segments

    path = Path(path)
    _check_file(path)
    seg = read_segments(path, mode)
    if seg.cut:
        logger.info("%s: %d way(s) reach past the extract's edge; cut at the missing nodes",
                    path, seg.cut)
    edges = roads_layer(seg, simplify_segments(seg.u, seg.v, len(seg.node_id)))
    logger.info("%s: %d %s edges", path, len(edges), mode)
    return edges
