"""Single process versus a LocalCluster on this machine, for ``zonekit scale``.

Run from the repository root (generates the data once into ``--data``)::

    .venv/bin/python -m benchmarks.bench_scale                 # 200 parks, 1M firms, city
    .venv/bin/python -m benchmarks.bench_scale --parks 20 --enterprises 1000 --city-side 80

Each measured run is its own subprocess: its wall time per stage is taken inside it
(``time.perf_counter``), its peak memory from ``os.wait4`` (``ru_maxrss``: resident
high-water mark; for the cluster child that is the largest of its process tree) and, for
the cluster, from every worker (``getrusage`` in the worker processes). Worker CPU
seconds are read before and after each run. The cluster runs twice: cold (workers import
zonekit on their first task) and warm. Then the outputs of both paths are compared (ids,
statuses, classes, ranks and flags exactly, floats to 1e-9 relative) and everything goes
to ``benchmarks/scale_results.json``.

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

HERE = Path(__file__).resolve().parent
YEAR = 2024
LIMIT = 15.0
MODE = "walk"


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _emit(record: dict) -> None:
    print("RESULT " + json.dumps(record, default=float), flush=True)


# ----------------------------------------------------------------------------- children
def single_intensity(data: Path, out: Path) -> None:
    """One process: the single-machine functions on all partitions concatenated."""
    import geopandas as gpd
    import pandas as pd
    from zonekit.analysis import intensity as it
    from zonekit.analysis import lowefficiency, mujun
    from zonekit.analysis.land import zone_table
    from zonekit.analysis.partitions import find_parts, read_zones
    from zonekit.zones.schema import LAYERS
    from zonekit.zones.validate import validate_layer

    t: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        t[name] = round(now - clock, 3)
        clock = now

    prof = mujun.load_profile()
    ev = prof.evaluation
    parts = find_parts(data)
    parcels = pd.concat([gpd.read_parquet(p.parcels) for p in parts.parts], ignore_index=True)
    ents = pd.concat([gpd.read_parquet(p.enterprises) for p in parts.parts], ignore_index=True)
    zones = read_zones(parts.zones)
    lap("read_s")
    parcels, _ = validate_layer(parcels, LAYERS["parcels"], "parcels")
    ents, _ = validate_layer(ents, LAYERS["enterprises"], "enterprises")
    lap("check_s")
    e_out, _ = mujun.evaluate_enterprises(ents, parcels, ev, YEAR)
    lap("evaluate_enterprises_s")
    table = it.parcel_intensity(parcels, ents)
    p_score, _ = mujun.evaluate_parcels(table, e_out, ev)
    lap("evaluate_parcels_s")
    flags = lowefficiency.flag_parcels(table, p_score["class"], prof.low_efficiency)
    p_out = table.join(p_score).join(flags)
    lap("flags_s")
    zi = it.zone_intensity(zones, parcels, ents)
    zone_table(zones, parcels, ents)
    lap("zone_tables_s")
    out.mkdir(parents=True, exist_ok=True)
    extra = [c for c in ents.columns if c not in e_out.columns and c != "geometry"]
    gpd.GeoDataFrame(e_out.join(ents[extra]), geometry=ents.geometry).to_parquet(
        out / "enterprises.parquet", index=False)
    gpd.GeoDataFrame(p_out, geometry=parcels.geometry).to_parquet(out / "parcels.parquet",
                                                                   index=False)
    zi.to_csv(out / "zones.csv", index=False)
    lap("write_s")
    _emit({"timings_s": t, "total_s": round(sum(t.values()), 3), "enterprises": len(ents),
           "parcels": len(parcels), "cpu_s": round(_worker_usage()["cpu_s"], 3),
           "load": _load()})


def _worker_usage() -> dict:
    import resource

    r = resource.getrusage(resource.RUSAGE_SELF)
    return {"cpu_s": r.ru_utime + r.ru_stime, "maxrss_mib": r.ru_maxrss / 1024}


def cluster_intensity(data: Path, out: Path, workers: int, memory_limit: str = "auto") -> None:
    """Run zonekit.analysis.distributed.evaluate on a LocalCluster of ``workers`` processes."""
    from zonekit.analysis import distributed as dz
    from zonekit.analysis import mujun
    from zonekit.analysis.partitions import find_parts

    prof = mujun.load_profile()
    parts = find_parts(data)
    start = time.perf_counter()
    labels = ("cold", "warm", "warm2") if memory_limit == "auto" else ("cold", "warm")
    with dz.open_client(workers=workers, threads_per_worker=1,
                        memory_limit=memory_limit) as client:
        startup = time.perf_counter() - start
        runs = []
        for label in labels:
            before = client.run(_worker_usage)
            t = time.perf_counter()
            res = dz.evaluate(parts, prof, client, year=YEAR, out=out / label)
            wall = time.perf_counter() - t
            after = client.run(_worker_usage)
            res.zones.to_csv(out / label / "zones.csv", index=False)
            n_ents = res.summary["enterprises"]
            runs.append({
                "run": label, "wall_s": round(wall, 3), "stages_s": res.summary["timings_s"],
                "worker_cpu_s": round(sum(after[w]["cpu_s"] - before[w]["cpu_s"]
                                          for w in after), 3),
                "worker_peak_rss_mib": [round(after[w]["maxrss_mib"], 1) for w in after],
                "worker_start_rss_mib": [round(before[w]["maxrss_mib"], 1) for w in before],
                "load": _load()})
            del res
            time.sleep(1)
        info = dz.describe(client)
    _emit({"startup_s": round(startup, 3), "runs": runs, "cluster": info,
           "partitions": len(parts), "enterprises": n_ents,
           "driver_cpu_s": round(_worker_usage()["cpu_s"], 3)})


def single_circles(data: Path, out: Path) -> None:
    """One process: one network over the whole city, every origin at once."""
    import geopandas as gpd
    import pandas as pd
    from zonekit.analysis.engine import nearest_times
    from zonekit.analysis.network import build_network
    from zonekit.analysis.snapping import snap_points
    from zonekit.analysis.travel import load_profile

    def read(name: str) -> gpd.GeoDataFrame:
        return pd.concat([gpd.read_parquet(f) for f in sorted((data / name).glob("*.parquet"))],
                         ignore_index=True)

    t: dict[str, float] = {}
    c = time.perf_counter()
    roads, pop, fac = read("roads"), read("population"), read("facilities")
    t["read_s"] = round(time.perf_counter() - c, 3)
    c = time.perf_counter()
    net = build_network(roads, load_profile(MODE))
    t["network_s"] = round(time.perf_counter() - c, 3)
    c = time.perf_counter()
    so, sf = snap_points(net, pop), snap_points(net, fac)
    t["snap_s"] = round(time.perf_counter() - c, 3)
    c = time.perf_counter()
    minutes = nearest_times(net, so, sf, fac["category"], LIMIT)
    t["nearest_s"] = round(time.perf_counter() - c, 3)
    c = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    minutes.assign(cell_id=pop["cell_id"].to_numpy()).to_parquet(out / "minutes.parquet")
    t["write_s"] = round(time.perf_counter() - c, 3)
    _emit({"timings_s": t, "total_s": round(sum(t.values()), 3), "origins": len(pop),
           "road_edges": len(roads), "facilities": len(fac),
           "cpu_s": round(_worker_usage()["cpu_s"], 3), "load": _load()})


def cluster_circles(data: Path, out: Path, workers: int) -> None:
    """Run the circles on a LocalCluster: tiles with buffers, files read by bbox."""
    from zonekit.analysis import distributed as dz
    from zonekit.analysis import distributed_circles as dc
    from zonekit.analysis.travel import load_profile

    spec = dc.CircleSpec(load_profile(MODE), LIMIT)
    start = time.perf_counter()
    with dz.open_client(workers=workers, threads_per_worker=1) as client:
        startup = time.perf_counter() - start
        runs = []
        for label in ("cold", "warm", "warm2"):
            before = client.run(_worker_usage)
            t = time.perf_counter()
            res = dc.circles(data / "population", data / "roads", data / "facilities", spec,
                             client, out=out / label, id_col="cell_id", weight_col="population",
                             collect=False)
            wall = time.perf_counter() - t
            after = client.run(_worker_usage)
            s = res["summary"]
            runs.append({"run": label, "wall_s": round(wall, 3), "parts": s["parts"],
                         "tile_m": s["tile_m"], "reach_m": s["reach_m"],
                         "overlap_factor": s["overlap_factor"],
                         "part_seconds_sum": s["part_seconds_sum"],
                         "part_seconds_max": s["part_seconds_max"],
                         "worker_cpu_s": round(sum(after[w]["cpu_s"] - before[w]["cpu_s"]
                                                   for w in after), 3),
                         "worker_peak_rss_mib": [round(after[w]["maxrss_mib"], 1)
                                                 for w in after], "load": _load()})
    _emit({"startup_s": round(startup, 3), "runs": runs,
           "driver_cpu_s": round(_worker_usage()["cpu_s"], 3)})


def check(out: Path) -> None:
    """Compare the single and cluster outputs (intensity and circles)."""
    import geopandas as gpd
    import numpy as np
    import pandas as pd

    exact = {"grade_status", "class", "rank", "low_efficiency", "reasons", "n_reasons",
             "parcels", "enterprises", "zone_id"}

    def same(a: pd.DataFrame, b: pd.DataFrame, name: str) -> list[str]:
        bad = []
        if not a.index.equals(b.index):
            return [f"{name}: rows differ"]
        for col in b.columns:
            if col in ("geometry", "bbox") or col not in a:
                continue
            x, y = a[col], b[col]
            if col in exact or not pd.api.types.is_float_dtype(y):
                if not x.astype(str).equals(y.astype(str)):
                    bad.append(f"{name}.{col}")
            else:
                xv, yv = x.to_numpy(float), y.to_numpy(float)
                ok = ~np.isnan(yv)
                if not (np.array_equal(np.isnan(xv), ~ok) and np.allclose(
                        xv[ok], yv[ok], rtol=1e-9, atol=0)):
                    bad.append(f"{name}.{col}")
        return bad

    def folder(path: Path, key: str) -> pd.DataFrame:
        return pd.concat([gpd.read_parquet(f) for f in sorted(path.glob("*.parquet"))]
                         ).set_index(key).sort_index()

    report: dict[str, object] = {}
    single = out / "single"
    if single.exists():
        bad = []
        runs = [out / "cluster" / "warm"] + ([out / "spill" / "warm"]
                                             if (out / "spill").exists() else [])
        for layer, key in (("enterprises", "ent_id"), ("parcels", "parcel_id")):
            want = gpd.read_parquet(single / f"{layer}.parquet").set_index(key).sort_index()
            for run in runs:
                got = folder(run / layer, key)
                bad += same(got[want.columns.intersection(got.columns)], want,
                            f"{run.parent.name}/{layer}")
        zs = pd.read_csv(single / "zones.csv")
        zc = pd.read_csv(out / "cluster" / "warm" / "zones.csv")
        bad += same(zc, zs, "zones")
        report["intensity_identical"] = not bad
        report["intensity_differences"] = bad
    if (out / "circles-single").exists():
        want = pd.read_parquet(out / "circles-single" / "minutes.parquet").set_index("cell_id")
        got = folder(out / "circles-cluster" / "warm" / "origins", "cell_id")
        want = want.sort_index()
        bad = same(got[want.columns], want, "minutes")
        report["circles_identical"] = not bad and len(got) == len(want)
        report["circles_differences"] = bad
    _emit(report)


# ------------------------------------------------------------------------------ parent
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
        {"single-intensity": lambda: single_intensity(data, out),
         "cluster-intensity": lambda: cluster_intensity(data, out, workers, limit),
         "single-circles": lambda: single_circles(data, out),
         "cluster-circles": lambda: cluster_circles(data, out, workers),
         "check": lambda: check(out)}[kind]()
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
        "load_before": _load()}
    record["intensity_single_quarter"] = _best(
        ["single-intensity", str(folders["quarter"]), str(out / "quarter")])
    record["intensity_single"] = _best(["single-intensity", str(data), str(out / "single")])
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
                                    "mode": MODE, "limit_minutes": LIMIT}
        rec, peak = _child(["cluster-circles", str(data), str(out / "circles-cluster"), w])
        record["circles_cluster"] = {**rec, "tree_peak_rss_mib": peak, "workers": args.workers}
    rec, _ = _child(["check", str(data), str(out)])
    record["identity"] = rec
    record["load_after"] = _load()
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
