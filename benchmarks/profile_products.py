"""Where the seconds of ``zonekit circles`` go: whole processes, steps and writers.

Run from the repository root::

    .venv/bin/python -m benchmarks.profile_products --size 25k --repeat 3
    .venv/bin/python -m benchmarks.profile_products --size 25k --writers   # in process

The case is the product benchmark's (:func:`benchmarks.bench_product.write_case`:
GeoPackages of a :mod:`benchmarks.networks` city, 2,400 facilities in 12 categories,
20,000 origins, 45 minutes, walk). The default runs the whole command ``--repeat`` times
and prints, per run, its wall time (process start to exit), the steps of its
``summary.json`` (``timings_s``) and the rest (start-up, imports, console): medians last.
``--writers`` runs the circle once in this process and times each writer of
``result.write`` on its own (tables, layers, surfaces, the HTML map and its parts).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    __package__ = "benchmarks"  # noqa: A001

from benchmarks.bench_product import MINUTES, write_case, zonekit_command  # noqa: E402

STEPS = ("read", "network", "circle", "surfaces", "isochrones", "gaps", "isochrones_gaps",
         "write")


def whole_runs(case: Path, mode: str, repeat: int, work: Path) -> list[dict]:
    """Run the command ``repeat`` times; wall seconds, step seconds and the rest of each."""
    runs = []
    for k in range(repeat):
        out = work / f"run{k}"
        t0 = time.perf_counter()
        subprocess.run(zonekit_command(case, mode, out), check=True, capture_output=True)
        wall = time.perf_counter() - t0
        steps = json.loads((out / "summary.json").read_text())["timings_s"]
        row = {"wall": wall} | {s: steps.get(s, 0.0) for s in STEPS}
        row["other"] = wall - sum(steps.values())
        runs.append(row)
        print("  ".join(f"{k} {v:5.2f}" for k, v in row.items() if v), flush=True)
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    print("median " + "  ".join(f"{k} {v:5.2f}" for k, v in med.items() if v))
    return runs


def writers(case: Path, mode: str, work: Path) -> None:
    """Time each writer of the result on its own (in this process, one after another)."""
    import zonekit as zk

    t0 = time.perf_counter()
    result = zk.circles("service", data=case, roads=case / "roads.gpkg",
                        facilities=case / "facilities.gpkg", origins=case / "origins.gpkg",
                        origin_id="origin_id", facility_id="fac_id", category_col="category",
                        profile=case / "profile.yaml", minutes=MINUTES, mode=mode)
    print(f"circles {time.perf_counter() - t0:.2f} s: {result.timings.seconds}")
    work.mkdir(parents=True, exist_ok=True)
    from zonekit.api.circle_files import file_writers

    parts = {write.func.__name__: write for _, write in file_writers(result, work)}
    parts |= {"map_layers": lambda: result.map_layers(result.kind),
              "map": lambda: result._write_maps(work)}
    for name, call in parts.items():
        t0 = time.perf_counter()
        call()
        print(f"{name:12s} {time.perf_counter() - t0:6.2f} s")


def main(argv: list[str] | None = None) -> None:
    """Profile one case (see the module docstring)."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.profile_products")
    p.add_argument("--size", default="25k")
    p.add_argument("--mode", default="walk")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--writers", action="store_true", help="time each writer in process")
    p.add_argument("--cases", type=Path, default=Path(tempfile.gettempdir()) / "zonekit-bench",
                   help="folder of the benchmark cases (written once)")
    opts = p.parse_args(argv)
    case = write_case(opts.size, opts.cases)
    with tempfile.TemporaryDirectory(prefix="zonekit-profile-") as tmp:
        if opts.writers:
            writers(case, opts.mode, Path(tmp))
        else:
            whole_runs(case, opts.mode, opts.repeat, Path(tmp))


if __name__ == "__main__":
    main()
