"""Single process versus a LocalCluster on this machine, for ``zonekit scale``.

Run from the repository root (generates the data once into ``--data``)::

    .venv/bin/python -m benchmarks.bench_scale                 # 200 parks, 1M firms, city
    .venv/bin/python -m benchmarks.bench_scale --parks 20 --enterprises 1000 --city-side 80

Each measured run is its own subprocess: its wall time per stage is taken inside it
(``time.perf_counter``), its peak memory from ``os.wait4`` (``ru_maxrss``: resident
high-water mark; for the cluster child that is the largest of its process tree) and, for
the cluster, from every worker (``getrusage`` in the worker processes). Worker CPU
seconds are read before and after each run. Single-process runs are repeated twice, the
cluster runs cold (workers import zonekit on their first task) then twice warm; the
fastest counts. Every size is also run at a quarter, to measure how time and memory
grow. Then the outputs of the paths are compared (ids, statuses, classes, ranks and
flags exactly, floats to 1e-9 relative) and everything goes to
``benchmarks/scale_results.json`` (``--markdown``: and into ``benchmarks/SCALE.md``;
``--rewrite``: only recompute the estimate and SCALE.md from the JSON). The runs
themselves are in :mod:`benchmarks.scale_runs`, the estimate in
:mod:`benchmarks.scale_estimate`.

Stages, both paths: read GeoParquet → check against the layer model → land, eligibility,
sums → benchmarks → scores → ranks and classes → low-efficiency flags → zone tables →
write GeoParquet. Circles: build network → snap → nearest facility per category (walk,
15 minutes), single network versus tiles with their buffers.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    __package__ = "benchmarks"  # noqa: A001

from benchmarks import scale_estimate  # noqa: E402
from benchmarks import scale_runs as runs  # noqa: E402

HERE = Path(__file__).resolve().parent


def _child(args: list[str]) -> tuple[dict, float]:
    """Run ``python -m benchmarks.bench_scale --child …``; return its record and peak MiB."""
    cmd = [sys.executable, "-m", "benchmarks.bench_scale", "--child", *args]
    print("$", " ".join(cmd[2:]), flush=True)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=HERE.parent)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)  # before Popen reaps it: the child's rusage
    proc.returncode = code = os.waitstatus_to_exitcode(status)
    lines = [line for line in out.splitlines() if line.startswith("RESULT ")]
    if code or not lines:
        raise SystemExit(f"child {args[0]} failed (exit {code}):\n{out[-3000:]}")
    return json.loads(lines[-1][7:]), round(usage.ru_maxrss / 1024, 1)


def _machine() -> dict:
    from importlib import metadata

    mem = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal"):
                mem = int(line.split()[1]) / 2**20
    cpu = next((line.split(":")[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor())
    versions = {p: metadata.version(p) for p in ("dask", "distributed", "dask-geopandas",
                                                 "pyarrow", "pandas", "geopandas", "numpy",
                                                 "scipy", "shapely")}
    return {"cpus": os.cpu_count(), "cpu_model": cpu, "ram_gib": round(mem, 1),
            "python": platform.python_version(), "platform": platform.platform(),
            "versions": versions}


def main() -> None:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--child", nargs="+")
    ap.add_argument("--parks", type=int, default=200)
    ap.add_argument("--enterprises", type=int, default=5000, help="per park")
    ap.add_argument("--parts", type=int, default=20)
    ap.add_argument("--city-side", type=int, default=300)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--data", type=Path, default=Path("/tmp/zonekit-scale-bench"))
    ap.add_argument("--results", type=Path, default=HERE / "scale_results.json")
    ap.add_argument("--markdown", action="store_true", help="rewrite the table in SCALE.md")
    ap.add_argument("--rewrite", action="store_true",
                    help="recompute the estimate and SCALE.md from --results, measuring nothing")
    ap.add_argument("--spill-limit", default="1GiB",
                    help="memory limit per worker of a run that must spill to disk ('' to skip)")
    args = ap.parse_args()
    if args.child:
        kind, rest = args.child[0], args.child[1:]
        data, out = Path(rest[0]), Path(rest[1])
        workers = int(rest[2]) if len(rest) > 2 else 2
        limit = rest[3] if len(rest) > 3 else "auto"
        {"single-intensity": lambda: runs.single_intensity(data, out),
         "cluster-intensity": lambda: runs.cluster_intensity(data, out, workers, limit),
         "sequential-intensity": lambda: runs.sequential_intensity(data, out),
         "single-circles": lambda: runs.single_circles(data, out),
         "cluster-circles": lambda: runs.cluster_circles(data, out, workers),
         "check": lambda: runs.check(out)}[kind]()
        return

    if args.rewrite:
        record = json.loads(args.results.read_text())
        record["estimate"] = scale_estimate.estimate(record)
        args.results.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
        scale_estimate.write_markdown(record, HERE / "SCALE.md")
        print(scale_estimate.markdown(record))
        return
    sizes = {"full": (args.parks, args.parts, args.city_side),
             "quarter": (max(1, args.parks // 4), max(1, args.parts // 4), args.city_side // 2)}
    folders = {k: _generate(args.data / f"data-{k}", args.enterprises, *v) for k, v in
               sizes.items()}
    data, out = folders["full"], args.data / "out"
    import shutil

    shutil.rmtree(out, ignore_errors=True)
    w = str(args.workers)
    record: dict = {"machine": _machine(), "data": {
        "parks": args.parks, "enterprises_per_park": args.enterprises, "partitions": args.parts,
        "city_side_junctions": args.city_side, "generator": "benchmarks/scale_data.py",
        "command": " ".join(["python -m benchmarks.bench_scale", *sys.argv[1:]])},
        "load_before": runs.load()}
    record["intensity_single_quarter"] = _best(
        ["single-intensity", str(folders["quarter"]), str(out / "quarter")])
    record["intensity_single"] = _best(["single-intensity", str(data), str(out / "single")])
    record["intensity_sequential"] = _best(["sequential-intensity", str(data), str(out / "seq")])
    rec, peak = _child(["cluster-intensity", str(folders["quarter"]), str(out / "cq"), w])
    record["intensity_cluster_quarter"] = {**rec, "tree_peak_rss_mib": peak,
                                           "workers": args.workers}
    rec, peak = _child(["cluster-intensity", str(data), str(out / "cluster"), w])
    record["intensity_cluster"] = {**rec, "tree_peak_rss_mib": peak, "workers": args.workers}
    if args.spill_limit:
        rec, peak = _child(["cluster-intensity", str(data), str(out / "spill"), w,
                            args.spill_limit])
        record["intensity_cluster_spill"] = {**rec, "tree_peak_rss_mib": peak,
                                             "workers": args.workers,
                                             "memory_limit": args.spill_limit}
    if args.city_side:
        record["circles_single_quarter"] = _best(
            ["single-circles", str(folders["quarter"]), str(out / "sq")])
        record["circles_single"] = {**_best(["single-circles", str(data),
                                             str(out / "circles-single")]),
                                    "mode": runs.MODE, "limit_minutes": runs.LIMIT}
        rec, peak = _child(["cluster-circles", str(data), str(out / "circles-cluster"), w])
        record["circles_cluster"] = {**rec, "tree_peak_rss_mib": peak, "workers": args.workers}
    rec, _ = _child(["check", str(data), str(out)])
    record["identity"] = rec
    record["load_after"] = runs.load()
    record["volumes_mib"] = {
        "input_enterprises_parcels_zones": _mib(data, ("zones", "parcels", "enterprises")),
        "input_roads_population_facilities": _mib(data, ("roads", "population", "facilities")),
        "output_intensity": _mib(out / "cluster" / "warm", ("enterprises", "parcels")),
        "output_circles": _mib(out / "circles-cluster" / "warm", ("origins",))}
    record["estimate"] = scale_estimate.estimate(record)
    args.results.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    print(scale_estimate.markdown(record))
    print(f"written {args.results}")
    if args.markdown:
        scale_estimate.write_markdown(record, HERE / "SCALE.md")
        print(f"updated {HERE / 'SCALE.md'}")


def _mib(root: Path, names: tuple[str, ...]) -> float:
    """Size of the GeoParquet files under ``root/<name>/`` (MiB)."""
    return round(sum(f.stat().st_size for n in names for f in (root / n).glob("*.parquet"))
                 / 2**20, 1)


def _best(args: list[str], repeat: int = 2) -> dict:
    """Run a single-process child ``repeat`` times; keep the fastest (least disturbed)."""
    runs = []
    for _ in range(repeat):
        rec, peak = _child(args)
        runs.append({**rec, "peak_rss_mib": peak})
    best = min(runs, key=lambda r: r["total_s"])
    return {**best, "repeats_total_s": [r["total_s"] for r in runs]}


def _generate(folder: Path, per_park: int, parks: int, parts: int, side: int) -> Path:
    """Generate the data once (a stamp file names the sizes)."""
    import shutil

    tag = folder / f".{parks}x{per_park}-{parts}-city{side}"
    if not tag.exists():
        shutil.rmtree(folder, ignore_errors=True)
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "benchmarks.scale_data", "--parks", str(parks),
                        "--enterprises", str(per_park), "--parts", str(parts), "--city-side",
                        str(side), "--out", str(folder)], check=True, cwd=HERE.parent)
        tag.write_text(f"generated in {time.perf_counter() - t:.1f} s\n")
    return folder


if __name__ == "__main__":
    main()
