"""Road layers from networkx graphs in osmnx form (``osmnx.graph_from_place`` and the like).

:func:`roads_from_graph` turns the ``MultiDiGraph`` osmnx returns (or its undirected
``MultiGraph``) into the edge layer the network builder reads: ``u``, ``v``, ``key``,
``osmid``, ``highway``, ``oneway``, ``maxspeed``, ``name``, ``length``, ``reversed`` and the
line from ``u`` to ``v``, in the graph's CRS (``G.graph["crs"]``). One-way is kept as osmnx
states it: a directed graph holds each allowed direction as an edge ``u → v`` and marks a
one-way street ``oneway=True`` (``reversed=True`` when that runs against the OSM way); walk
and bike profiles make every edge two-way, as osmnx's walk networks are. An undirected
graph has no directions: all its edges are two-way.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from zonekit.errors import CRSError, SchemaError, ZonekitError

if TYPE_CHECKING:
    import geopandas as gpd


def is_graph(obj: Any) -> bool:
    """Tell whether ``obj`` is a networkx graph (without importing networkx).

    Examples
    --------
    >>> import networkx as nx
    >>> is_graph(nx.MultiDiGraph()), is_graph("roads.gpkg")
    (True, False)
    """
    nx = sys.modules.get("networkx")
    return nx is not None and isinstance(obj, nx.Graph)


def _orient(edges: gpd.GeoDataFrame, graph: Any) -> gpd.GeoDataFrame:
    """Reverse the lines that run ``v → u`` (undirected graphs store either way)."""
    import numpy as np
    import pandas as pd
    import shapely

    xy = pd.DataFrame.from_dict(dict(graph.nodes(data=True)), orient="index")[["x", "y"]]
    geoms = edges.geometry.to_numpy()
    start = shapely.get_coordinates(shapely.get_point(geoms, 0))
    at_u = xy.loc[edges["u"]].to_numpy(float)
    at_v = xy.loc[edges["v"]].to_numpy(float)
    flip = np.hypot(*(start - at_v).T) < np.hypot(*(start - at_u).T)
    if flip.any():
        edges = edges.copy()
        edges.loc[flip, edges.geometry.name] = shapely.reverse(geoms[flip])
    return edges


def roads_from_graph(graph: Any, label: str = "roads=") -> gpd.GeoDataFrame:
    """Return the edges of an osmnx graph as the road layer the circles read.

    Parameters
    ----------
    graph
        A ``networkx.MultiDiGraph`` as osmnx returns it (``graph_from_place``,
        ``graph_from_xml``, ``project_graph`` …), its undirected ``MultiGraph``
        (``osmnx.convert.to_undirected``), or a plain ``DiGraph``/``Graph`` of the same
        form: nodes with ``x``/``y``, edges with optional ``geometry`` (else the straight
        line between the nodes), ``highway``, ``oneway``, ``maxspeed`` …, and
        ``graph.graph["crs"]``.
    label
        How the graph was given, for error messages.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per edge: ``u``, ``v``, ``key``, ``osmid`` (text), ``highway`` (lists as
        text), ``oneway`` (bool, as osmnx states it; all ``False`` for an undirected
        graph), ``maxspeed`` (lists as ``"50;40"``), ``name``, ``length`` (osmnx's metres),
        ``reversed`` and the line from ``u`` to ``v``, in the graph's CRS.

    Raises
    ------
    zonekit.errors.CRSError
        The graph carries no CRS.
    zonekit.errors.SchemaError
        No edges, a node without ``x``/``y``, a ``oneway`` value osmnx never writes.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph(crs="EPSG:4326")
    >>> g.add_node(1, x=116.80, y=40.0); g.add_node(2, x=116.81, y=40.0)
    >>> _ = g.add_edge(1, 2, highway="primary", oneway=True, reversed=False, length=853.0)
    >>> roads_from_graph(g)[["u", "v", "highway", "oneway", "length"]].values.tolist()
    [[1, 2, 'primary', True, 853.0]]
    """
    import networkx as nx

    from zonekit.zones.osm.roads import edges_from_graph

    if not isinstance(graph, nx.Graph):
        raise ZonekitError(f"{label}: expected a networkx graph, got {type(graph).__name__}")
    kind = type(graph).__name__
    if graph.graph.get("crs") is None:
        raise CRSError(f"{label}: the {kind} carries no CRS (graph.graph['crs']); osmnx's graphs "
                       "do. Set it, e.g. G.graph['crs'] = 'EPSG:4326', or pass "
                       "osmnx.graph_to_gdfs(G, nodes=False) with its CRS")
    if graph.number_of_edges() == 0:
        raise SchemaError(f"{label}: the {kind} has no edges")
    directed = graph.is_directed()
    if not graph.is_multigraph():
        graph = (nx.MultiDiGraph if directed else nx.MultiGraph)(graph)
    try:
        edges = edges_from_graph(graph, keep=("reversed",))
    except KeyError as exc:  # osmnx builds missing edge lines from the nodes' x/y
        raise SchemaError(f"{label}: expected osmnx's node coordinates 'x' and 'y' on every "
                          f"node (lines of edges without 'geometry' are drawn from them); "
                          f"missing {exc}") from None
    if not directed:
        edges["oneway"] = False
        edges = _orient(edges, graph)
    return edges
