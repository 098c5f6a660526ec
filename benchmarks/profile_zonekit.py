"""Profile zonekit's build, snap and query on a benchmark city with pyinstrument.

Run from the repository root (needs ``pip install pyinstrument``)::

    .venv/bin/python -m benchmarks.profile_zonekit --size 100k --mode walk [--n-jobs 1]

Prints the wall time of each step and a pyinstrument call tree per step (``--n-jobs 1``
by default, so that the query's work is in this process and shows in the profile).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from benchmarks.networks import CATEGORIES, LIMIT_MINUTES, make_city, parse_size


def main(argv: list[str] | None = None) -> None:
    """Profile the three steps on one case."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.profile_zonekit")
    p.add_argument("--size", default="100k")
    p.add_argument("--mode", default="walk")
    p.add_argument("--n-jobs", type=int, default=1)
    p.add_argument("--interval", type=float, default=0.001, help="sampling interval (s)")
    p.add_argument("--depth", type=int, default=40, help="lines of each call tree")
    opts = p.parse_args(argv)

    from pyinstrument import Profiler

    from zonekit.analysis.network.engine import nearest_times
    from zonekit.analysis.network.graph import build_network
    from zonekit.analysis.network.snapping import snap_points
    from zonekit.analysis.network.travel import load_travel_profile

    city = make_city(parse_size(opts.size), label=opts.size)
    roads = city.roads_gdf()
    origins, facilities = city.points_gdf(city.orig_node), city.points_gdf(city.fac_node)
    category = np.asarray(CATEGORIES, dtype=object)[city.fac_cat]
    limit = LIMIT_MINUTES[opts.mode]
    state: dict = {}

    def build():
        state["net"] = build_network(roads, load_travel_profile(opts.mode))

    def snap():
        state["so"] = snap_points(state["net"], origins)
        state["sf"] = snap_points(state["net"], facilities)

    def query():
        nearest_times(state["net"], state["so"], state["sf"], category, limit,
                      n_jobs=opts.n_jobs)

    for name, fn in (("build", build), ("snap", snap), ("query", query)):
        prof = Profiler(interval=opts.interval)
        t0 = time.perf_counter()
        prof.start()
        fn()
        prof.stop()
        print(f"=== {name}: {time.perf_counter() - t0:.3f} s "
              f"({opts.size} {opts.mode}, n_jobs={opts.n_jobs})")
        text = prof.output_text(unicode=False, color=False, show_all=False)
        print("\n".join(text.splitlines()[:opts.depth]))


if __name__ == "__main__":
    main()
