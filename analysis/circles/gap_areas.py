"""Gap areas a planner can name: gap pieces by zone and nearest named road, dissolved.

The gap pieces of a service circle (:mod:`~zonekit.analysis.circles.gaps`: connected
cells of uncovered origins) are often single cells — a few isolated 1-ha squares say
nothing to act on. :func:`name_gaps` gives each piece the zone its representative point
lies in and the nearest named road (within ``road_max_m``); :func:`gap_areas` dissolves
the pieces of each category sharing a zone and a road into one area (a coverage union:
pieces of one category never overlap), weights summed, largest first. The area's name,
e.g. ``高端智造区·嘉禾街一带``, is what the report quotes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from zonekit.analysis.circles.site_descriptions import OUTSIDE, UNNAMED, nearest_named_road, zone_of

if TYPE_CHECKING:
    import geopandas as gpd

#: Columns :func:`name_gaps` adds to the gap pieces.
PLACE_COLUMNS = ("zone_id", "zone_name_zh", "road_name", "place_zh")
OUTSIDE_ZH = "分区以外"
UNNAMED_ZH = "无名道路"


def name_gaps(gaps: gpd.GeoDataFrame, zones: gpd.GeoDataFrame | None,
              roads: gpd.GeoDataFrame | None, road_max_m: float = 300.0) -> gpd.GeoDataFrame:
    """Add the zone, the nearest named road and a place name to each gap piece.

    Parameters
    ----------
    gaps
        Gap pieces (:func:`~zonekit.analysis.circles.gaps.grid_gaps` or
        :func:`~zonekit.analysis.circles.gaps.origin_gaps`), projected CRS (metres).
    zones
        Zones with ``zone_id`` and ``name_zh`` (``None``: every piece is 分区以外).
    roads
        Roads with a ``name`` column (``None``: every road is 无名道路).
    road_max_m
        Nearest named road searched within this distance of the piece's representative
        point, m.

    Returns
    -------
    geopandas.GeoDataFrame
        ``gaps`` with :data:`PLACE_COLUMNS`; ``place_zh`` is ``<zone>·<road>一带``.
    """
    if not len(gaps):
        return gaps.assign(**{c: np.array([], dtype=object) for c in PLACE_COLUMNS})
    points = gaps.geometry.representative_point().to_numpy()
    z = zones.to_crs(gaps.crs) if zones is not None else None
    r = roads.to_crs(gaps.crs) if roads is not None else None
    # the zone and the road only: the pieces need no coordinates (locate's WGS84 and
    # GCJ-02 transforms cost 0.35 s for the 296,000 pieces of a 1M-node city)
    zone_id, zone_name = zone_of(points, z)
    road = nearest_named_road(points, r, road_max_m)[0]
    return gaps.assign(**_place_columns(zone_id, zone_name, road))


def _place_columns(zone_id: np.ndarray, zone_name: np.ndarray,
                   road: np.ndarray) -> dict[str, np.ndarray]:
    """Return the :data:`PLACE_COLUMNS` of each piece, worded once per zone and road.

    A city's pieces share a few hundred places at most: their texts are made for those,
    not piece by piece (string columns of 296,000 pieces cost 0.4 s in pandas).
    """
    import pandas as pd

    codes = [pd.factorize(values)[0] for values in (zone_id, zone_name, road)]
    key = np.ravel_multi_index(codes, [int(c.max()) + 1 for c in codes])
    _, first, which = np.unique(key, return_index=True, return_inverse=True)
    rows = []
    for i in first:
        zone = (OUTSIDE_ZH if zone_id[i] == OUTSIDE
                else zone_name[i] if zone_name[i] != "" else zone_id[i])
        name = UNNAMED_ZH if road[i] == UNNAMED else road[i]
        rows.append(("" if zone_id[i] == OUTSIDE else zone_id[i], zone, name,
                     f"{zone}·{name}一带"))
    texts = np.empty((len(rows), len(PLACE_COLUMNS)), dtype=object)
    texts[:] = rows
    which = np.asarray(which).reshape(-1)
    return {column: texts[which, k] for k, column in enumerate(PLACE_COLUMNS)}


def gap_areas(named: gpd.GeoDataFrame, weight: str) -> gpd.GeoDataFrame:
    """Dissolve named gap pieces into one area per category and place, largest first.

    Parameters
    ----------
    named
        Gap pieces with :data:`PLACE_COLUMNS` (:func:`name_gaps`).
    weight
        Column of what the pieces hold (``population`` persons, or ``weight``).

    Returns
    -------
    geopandas.GeoDataFrame
        ``area_id`` (``<category>-<n>``), ``category``, ``name_zh``, ``zone_id``,
        ``zone_name_zh``, ``road_name``, ``place_zh``, ``pieces``, ``cells``, ``weight``
        (sum of ``weight``), ``area_km2``; ``area_id`` numbered by weight within each
        category.
    """
    import geopandas as gpd

    from zonekit.analysis.circles.bands import empty_layer

    keys = ["category", "name_zh", "zone_id", "zone_name_zh", "road_name", "place_zh"]
    cols = [*keys, "pieces", "cells", "weight", "area_km2"]
    if not len(named):
        return empty_layer(["area_id", *cols], named.crs, "MultiPolygon")
    frame = named[[*keys, "cells", weight]].rename(columns={weight: "weight"}).assign(pieces=1)
    groups = frame.groupby(keys, sort=True)  # dissolve's groups, in its order
    out = groups[["pieces", "cells", "weight"]].sum().reset_index()
    code = groups.ngroup().to_numpy()
    ok = code >= 0  # keys left blank (NaN) join no area, as in a dissolve
    out = gpd.GeoDataFrame(out, geometry=_pieces_together(named.geometry.to_numpy()[ok],
                                                          code[ok], len(out)), crs=named.crs)
    out["area_km2"] = out.geometry.area / 1e6
    out = out.sort_values(["category", "weight"], ascending=[True, False], kind="stable")
    out = out.reset_index(drop=True)
    rank = out.groupby("category").cumcount() + 1
    out.insert(0, "area_id", (out["category"].astype(str) + "-" + rank.astype(str)).astype(object))
    out = out[["area_id", *cols, out.geometry.name]]
    out.attrs["geometry_type"] = "MultiPolygon"  # areas of one piece too (see write_gpkg)
    return out


def _pieces_together(pieces: np.ndarray, group: np.ndarray, n: int) -> np.ndarray:
    """Return the pieces of each group ``0 … n-1`` as one (multi)polygon, without a union.

    Gap pieces of one category are 4-connected pieces of cells: no two share an edge (at
    most a corner), so the parts of a group's pieces form a valid MultiPolygon as they
    are — the coverage union of them, for the price of collecting their parts.
    """
    import shapely

    if (shapely.get_type_id(pieces) == 3).all():  # polygons: get_parts would copy each one
        parts, which = pieces, np.arange(len(pieces))
    else:
        parts, which = shapely.get_parts(pieces, return_index=True)
    owner = group[which]
    order = np.argsort(owner, kind="stable")
    parts, owner = parts[order], owner[order]
    counts = np.bincount(owner, minlength=n)
    out = shapely.multipolygons(parts, indices=owner)
    one = counts == 1
    out[one] = parts[np.searchsorted(owner, np.flatnonzero(one))]  # one part: the Polygon
    return out
