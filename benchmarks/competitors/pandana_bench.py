"""pandana: contraction-hierarchy network, then ``nearest_pois`` per category.

Steps: ``build`` (``pandana.Network``: loads the arcs and preprocesses contraction
hierarchies, on all cores), ``snap`` (``Network.get_node_ids`` for origins and facilities:
nearest node by KD-tree) and ``query`` (per category ``set_pois`` with the limit as
``maxdist``, which indexes the category's nodes in the hierarchy, then
``nearest_pois(limit, category, num_pois=1)``, which answers for every node).

Direction: ``pandana.Network(..., twoway=False)`` takes one row per allowed direction
(``from`` → ``to``), so drive one-ways are honoured; ``nearest_pois`` gives the time from a
node *to* its nearest POI (checked against zonekit), the same as zonekit's. Walk uses
``twoway=True`` with one row per street. Edge weights are travel seconds precomputed
from zonekit's profile (not timed).

pandana stores weights in reduced precision internally: its times differ from the exact
ones by up to a few hundredths of a second (see ``TIME_TOL_MIN``).
"""

from __future__ import annotations

import numpy as np

LABEL = "pandana"
MODES = ("walk", "drive")
REQUIRES = ("pandana",)
TIME_TOL_MIN = 0.01  # 0.6 s
CHECKED = True
DIST = "pandana"


def run(city, mode, limit_minutes, rec, n_jobs):
    """Build, snap and query; return minutes per origin and category."""
    import pandana
    import pandas as pd

    from benchmarks.networks import CATEGORIES

    limit_s = float(limit_minutes) * 60.0
    if mode == "walk":
        secs, usable = city.edge_seconds(mode)
        src, dst, w, twoway = city.edge_u[usable], city.edge_v[usable], secs[usable], True
    else:
        (src, dst, w), twoway = city.arcs(mode), False
    node_x, node_y = pd.Series(city.node_x), pd.Series(city.node_y)
    edges = (pd.Series(src), pd.Series(dst), pd.DataFrame({"seconds": w}))
    ox, oy = pd.Series(city.node_x[city.orig_node]), pd.Series(city.node_y[city.orig_node])
    fx, fy = pd.Series(city.node_x[city.fac_node]), pd.Series(city.node_y[city.fac_node])
    with rec.step("build"):
        net = pandana.Network(node_x, node_y, *edges, twoway=twoway)
    with rec.step("snap"):
        onode = net.get_node_ids(ox, oy).to_numpy()
        net.get_node_ids(fx, fy)
    out = np.full((len(onode), len(CATEGORIES)), np.nan)
    with rec.step("query"):
        for k, cat in enumerate(CATEGORIES):
            sel = city.fac_cat == k
            net.set_pois(cat, limit_s, 1, fx[sel], fy[sel])
            d = net.nearest_pois(limit_s, cat, num_pois=1, max_distance=np.inf)[1]
            out[:, k] = d.to_numpy()[onode] / 60.0
    out[~(out <= limit_minutes)] = np.nan
    rec.note(f"twoway={twoway}; {len(src):,} rows")
    return {"minutes": out}
