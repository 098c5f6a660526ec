"""One module per competitor, each with the same interface.

A competitor module defines ``LABEL`` (name in tables), ``MODES`` (travel modes it
supports), ``REQUIRES`` (import names), ``TIME_TOL_MIN`` (tolerance, in minutes, when
comparing its times with zonekit's), ``CHECKED`` (whether its answers are compared with
zonekit's) and ``run(city, mode, limit_minutes, rec, n_jobs)``, which times its steps
with ``rec.step(name)`` and returns ``{"minutes": array}`` (origins × categories, NaN
beyond the limit) or ``{"covered": bool array}`` (coverage only).
"""

from __future__ import annotations

import importlib
from importlib import metadata
from importlib.util import find_spec

#: Competitor key → module, in running order (zonekit first: it is the reference).
COMPETITORS = {
    "zonekit": "benchmarks.competitors.zonekit_engine",
    "zonekit_offnode": "benchmarks.competitors.zonekit_offnode",
    "pandana": "benchmarks.competitors.pandana_bench",
    "cityseer": "benchmarks.competitors.cityseer_bench",
    "nx_msd": "benchmarks.competitors.networkx_recipe:multi_source",
    "nx_sssp": "benchmarks.competitors.networkx_recipe:per_facility",
    "nx_ego": "benchmarks.competitors.networkx_recipe:ego_graph",
    "scipy_floor": "benchmarks.competitors.scipy_floor",
}

#: Distribution names whose versions go into the results.
PACKAGES = ["zonekit", "numpy", "scipy", "pandas", "shapely", "geopandas", "networkx",
            "osmnx", "pandana", "cityseer"]


def load(key: str):
    """Return the competitor object (a module, or an object inside one)."""
    target = COMPETITORS[key]
    module, _, attr = target.partition(":")
    mod = importlib.import_module(module)
    return getattr(mod, attr) if attr else mod


def missing(key: str) -> list[str]:
    """Import names the competitor needs that are not installed."""
    comp = load(key)
    return [name for name in comp.REQUIRES if find_spec(name) is None]


def version(dist: str) -> str | None:
    """Installed version of a distribution, None if absent."""
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None
