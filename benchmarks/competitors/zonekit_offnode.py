"""zonekit with origins and facilities displaced off the nodes (its usual input).

Same as :mod:`benchmarks.competitors.zonekit_engine`, but each point is moved up to 30 m
away from its node in a random direction, so snapping finds a point inside an edge and
adds an access leg, as with real homes and shops. The answers differ from the
on-node problem by those legs, so they are not compared with the peers; the timing
shows the cost of real snapping.
"""

from __future__ import annotations

from .zonekit_engine import MODES, REQUIRES  # noqa: F401
from .zonekit_engine import run as _run

LABEL = "zonekit (points off nodes)"
TIME_TOL_MIN = None
CHECKED = False
DIST = "zonekit"


def run(city, mode, limit_minutes, rec, n_jobs):
    """Run zonekit with points displaced up to 30 m from their nodes."""
    return _run(city, mode, limit_minutes, rec, n_jobs, displace_m=30.0)
