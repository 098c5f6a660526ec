"""Capacity benchmark: the whole ``zonekit circles`` command with ``--capacity-col`` vs without.

Run from the repository root::

    .venv/bin/python -m benchmarks.bench_capacity              # 25k nodes, walk
    .venv/bin/python -m benchmarks.bench_capacity --size 25k --mode drive
    .venv/bin/python -m benchmarks.bench_capacity --method e2sfca   # a decay variant

The case is the product benchmark's city (:func:`benchmarks.bench_product.write_case`:
25,000 nodes, 2,400 facilities in 12 categories, 20,000 origins, 45 minutes), its
facilities given a ``capacity`` column (random whole numbers 0–200). Each command runs
as one process, start to exit (:mod:`benchmarks.measure`); the issue's target is the
command with ``--capacity-col`` within 2× of the same command without it. The ratio is
printed and appended to ``benchmarks/results_capacity.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    __package__ = "benchmarks"  # noqa: A001

from benchmarks.bench_product import _monitored, write_case, zonekit_command  # noqa: E402

HERE = Path(__file__).resolve().parent
#: The issue's target: with capacity at most this many times the run without.
MAX_RATIO = 2.0


def with_capacity(case: Path, seed: int = 0) -> Path:
    """Add a ``capacity`` column to the case's facilities (once)."""
    import geopandas as gpd

    from zonekit.zones.io import write_gpkg

    path = case / "facilities_capacity.gpkg"
    if not path.exists():
        fac = gpd.read_file(case / "facilities.gpkg")
        fac["capacity"] = np.random.default_rng(seed).integers(0, 201, len(fac)).astype(float)
        write_gpkg({"facilities": fac}, path)
    return path


def run(size: str, mode: str, work: Path, timeout_s: float, method: str | None = None) -> dict:
    """Time the command without, then with ``--capacity-col``; return both and the ratio.

    ``method``: the ``--capacity-method`` of the run with capacity (default 2SFCA).
    """
    case = write_case(size, work / "cases")
    fac = with_capacity(case)
    out = {}
    cap = ["--capacity-col", "capacity", *(["--capacity-method", method] if method else [])]
    for label, extra in (("without", []), ("with", cap)):
        cmd = zonekit_command(case, mode, work / f"out-{label}")
        cmd[cmd.index("--facilities") + 1] = str(fac)
        print("  " + " ".join(cmd + extra), flush=True)
        res = _monitored(cmd + extra, work / f"{label}.log", timeout_s)
        if res["returncode"] != 0 or res["timed_out"]:
            raise SystemExit((work / f"{label}.log").read_text(errors="replace")[-1500:])
        out[label] = res
        print(f"  {label} --capacity-col: {res['wall_s']} s, {res['peak_mem_mib']} MiB, "
              f"other processes' CPU share {res['other_cpu_share']}", flush=True)
    ratio = out["with"]["wall_s"] / out["without"]["wall_s"]
    return {"size": size, "mode": mode, "method": method or "2sfca",
            "ratio": round(ratio, 3), "target": MAX_RATIO,
            "met": ratio <= MAX_RATIO, **out, "when": datetime.now(UTC).isoformat()}


def main(argv: list[str] | None = None) -> int:
    """Run the case and record it."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", default="25k")
    p.add_argument("--mode", default="walk")
    p.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "zk-bench-cap")
    p.add_argument("--timeout", type=float, default=1800.0)
    p.add_argument("--method", choices=("2sfca", "e2sfca", "gravity"), default=None)
    a = p.parse_args(argv)
    a.work.mkdir(parents=True, exist_ok=True)
    res = run(a.size, a.mode, a.work, a.timeout, a.method)
    print(f"ratio with/without --capacity-col: {res['ratio']:.2f} (target ≤ {MAX_RATIO:g})")
    path = HERE / "results_capacity.json"
    doc = json.loads(path.read_text()) if path.exists() else []
    path.write_text(json.dumps(doc + [res], indent=1, ensure_ascii=False) + "\n")
    return 0 if res["met"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
