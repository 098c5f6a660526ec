"""Road coverage: the parts of every road within the limit of a facility, exactly.

Method. Each edge is split at the positions where the time from the road to the nearest
facility crosses the limit: from a point at fraction t of edge u → v the time is
min((1-t)·c + T(v), t·c + T(u), same-edge facilities), each piece linear in t, so the
covered part of an edge is a union of at most a few intervals, computed in closed form
(:func:`road_coverage`, no midpoint approximation); :func:`road_pieces` cuts the roads
into covered and uncovered pieces.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from zonekit.analysis.network.engine import LIMIT_TOLERANCE_S, node_times
from zonekit.analysis.network.graph import Network
from zonekit.analysis.network.snapping import Snapped

if TYPE_CHECKING:
    import geopandas as gpd


def road_coverage(network: Network, facilities: Snapped, limit_minutes: float,
                  select: np.ndarray | None = None) -> pd.DataFrame:
    """Covered intervals of every edge: road positions within the limit of a facility.

    Time is measured from a point on the road (no access leg) to the nearest facility
    (its access leg included), one-way streets respected.

    Returns
    -------
    pandas.DataFrame
        Merged intervals ``edge``, ``t0``, ``t1`` (fractions 0–1 along the edge, u → v).
    """
    limit_s = float(limit_minutes) * 60.0 + LIMIT_TOLERANCE_S
    d = node_times(network, facilities, limit_minutes, direction="to", select=select)
    c = network.edge_cost_s
    du, dv = d[network.edge_u], d[network.edge_v]
    e = np.arange(network.n_edges)
    parts = [
        pd.DataFrame({"edge": e, "t0": 1.0 - (limit_s - dv) / c, "t1": 1.0})[
            network.edge_fwd & (dv <= limit_s)],
        pd.DataFrame({"edge": e, "t0": 0.0, "t1": (limit_s - du) / c})[
            network.edge_bwd & (du <= limit_s)],
    ]
    pos = np.arange(len(facilities)) if select is None else np.asarray(select)
    if pos.dtype == bool:
        pos = np.flatnonzero(pos)
    pos = pos[facilities.edge[pos] >= 0]
    if len(pos):
        fe, s = facilities.edge[pos], facilities.frac[pos]
        reach = (limit_s - facilities.access_s[pos]) / c[fe]
        ok = reach >= 0
        parts.append(pd.DataFrame({"edge": fe, "t0": s - reach, "t1": s})[
            ok & network.edge_fwd[fe]])
        parts.append(pd.DataFrame({"edge": fe, "t0": s, "t1": s + reach})[
            ok & network.edge_bwd[fe]])
    iv = pd.concat(parts, ignore_index=True)
    iv["t0"], iv["t1"] = iv["t0"].clip(0.0, 1.0), iv["t1"].clip(0.0, 1.0)
    iv = iv[iv["t1"] > iv["t0"]].sort_values(["edge", "t0"], ignore_index=True)
    if not len(iv):
        return pd.DataFrame({"edge": [], "t0": [], "t1": []})
    prev = iv.groupby("edge")["t1"].cummax().groupby(iv["edge"]).shift()
    start = prev.isna() | (iv["t0"] > prev)
    grp = start.cumsum()
    return iv.groupby(grp).agg(edge=("edge", "first"), t0=("t0", "min"), t1=("t1", "max"))\
        .reset_index(drop=True)


def road_pieces(network: Network, intervals: pd.DataFrame) -> gpd.GeoDataFrame:
    """Road pieces, covered and not, from :func:`road_coverage` intervals.

    Returns ``edge``, ``covered`` (bool), ``length_m`` and the piece's geometry; edges
    wholly covered or not are whole lines, only split edges are cut.
    """
    import geopandas as gpd
    from shapely.ops import substring

    n = network.n_edges
    cov = intervals.copy()
    cov["covered"] = True
    # complement intervals per edge
    edges = np.arange(n)
    starts = pd.concat([pd.DataFrame({"edge": edges, "t1": 0.0}), cov[["edge", "t1"]]])
    ends = pd.concat([cov[["edge", "t0"]], pd.DataFrame({"edge": edges, "t0": 1.0})])
    starts = starts.sort_values(["edge", "t1"], kind="stable").reset_index(drop=True)
    ends = ends.sort_values(["edge", "t0"], kind="stable").reset_index(drop=True)
    gaps = pd.DataFrame({"edge": starts["edge"], "t0": starts["t1"], "t1": ends["t0"],
                         "covered": False})
    pieces = pd.concat([cov, gaps[gaps["t1"] > gaps["t0"] + 1e-12]], ignore_index=True)
    pieces = pieces.sort_values(["edge", "t0"], ignore_index=True)
    e = pieces["edge"].to_numpy(np.int64)
    whole = (pieces["t0"].to_numpy() <= 0) & (pieces["t1"].to_numpy() >= 1)
    geoms = network.edge_geom[e].copy()
    cut = np.flatnonzero(~whole)
    geoms[cut] = [substring(network.edge_geom[e[k]], pieces["t0"].iat[k], pieces["t1"].iat[k],
                            normalized=True) for k in cut]
    return gpd.GeoDataFrame({
        "edge": e, "covered": pieces["covered"].to_numpy(bool),
        "length_m": (pieces["t1"] - pieces["t0"]).to_numpy() * network.edge_length_m[e],
    }, geometry=geoms, crs=network.crs)
