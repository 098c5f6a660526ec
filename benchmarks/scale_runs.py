"""The measured runs of :mod:`benchmarks.bench_scale`, each in its own subprocess.

Each prints one ``RESULT {json}`` line: wall time per stage (``time.perf_counter``), CPU
seconds (``getrusage``), for the cluster the workers' CPU seconds and peak memory
(``getrusage`` run in every worker), and the load average.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

YEAR = 2024
LIMIT = 15.0
MODE = "walk"


def load() -> list[float]:
    """Load average (1, 5, 15 minutes)."""
    return [round(x, 2) for x in os.getloadavg()]


def _emit(record: dict) -> None:
    print("RESULT " + json.dumps(record, default=float), flush=True)


def single_intensity(data: Path, out: Path) -> None:
    """One process: the single-machine functions on all partitions concatenated."""
    import geopandas as gpd
    import pandas as pd

    from zonekit.analysis.land import intensity as it
    from zonekit.analysis.land.measures import zone_table
    from zonekit.analysis.mujun import evaluation as mujun
    from zonekit.analysis.mujun import low_efficiency as lowefficiency
    from zonekit.analysis.scale.partitions import find_parts, read_zones
    from zonekit.zones.schema import LAYERS
    from zonekit.zones.validate import validate_layer

    t: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        t[name] = round(now - clock, 3)
        clock = now

    prof = mujun.load_mujun_profile()
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
           "load": load()})


def sequential_intensity(data: Path, out: Path) -> None:
    """Run the partitioned rounds one partition after another in one process, no dask.

    Separates what partitioning costs from what dask costs.
    """
    from zonekit.analysis.mujun import evaluation as mujun
    from zonekit.analysis.mujun import low_efficiency as lowefficiency
    from zonekit.analysis.scale import evaluation as dz
    from zonekit.analysis.scale.partitions import find_parts, inspect_part, load_part

    prof = mujun.load_mujun_profile()
    ev = prof.evaluation
    parts = find_parts(data)
    t = time.perf_counter()
    loaded = [load_part(p) for p in parts.parts]
    for p, layers in zip(parts.parts, loaded, strict=True):
        inspect_part(p.name, layers)
    units = [dz._phase_a(layers, ev, YEAR, False, "built") for layers in loaded]
    ent_b = mujun.benchmarks(mujun.combine_benchmark_parts([u.partials["ent"] for u in units]),
                             ev)
    par_b = mujun.benchmarks(
        mujun.combine_benchmark_parts([u.partials["parcel"] for u in units]), ev)
    means = lowefficiency.class_tax_means([u.partials["tax"] for u in units])
    scored = [dz._phase_b(u, ev, ent_b, par_b) for u in units]
    totals = [dz._totals(s) for s in scored]
    rank_e = mujun.Ranking.of([e for e, _ in totals])
    rank_p = mujun.Ranking.of([q for _, q in totals])
    for p, layers, u, s in zip(parts.parts, loaded, units, scored, strict=True):
        dz._phase_c(layers, u, s, p.name, ev=ev, rules=prof.low_efficiency, ent_ranking=rank_e,
                    parcel_ranking=rank_p, class_means=means, year=YEAR, only_year=False,
                    out=out, collect=False)
    total = time.perf_counter() - t
    _emit({"total_s": round(total, 3), "cpu_s": round(_worker_usage()["cpu_s"], 3),
           "partitions": len(parts), "load": load()})


def _worker_usage() -> dict:
    import resource

    r = resource.getrusage(resource.RUSAGE_SELF)
    return {"cpu_s": r.ru_utime + r.ru_stime, "maxrss_mib": r.ru_maxrss / 1024}


def cluster_intensity(data: Path, out: Path, workers: int, memory_limit: str = "auto") -> None:
    """Run zonekit.analysis.scale.evaluation.evaluate on a LocalCluster of ``workers`` processes."""
    from zonekit.analysis.mujun import evaluation as mujun
    from zonekit.analysis.scale import evaluation as dz
    from zonekit.analysis.scale.partitions import find_parts

    prof = mujun.load_mujun_profile()
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
                "load": load()})
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

    from zonekit.analysis.network.engine import nearest_times
    from zonekit.analysis.network.graph import build_network
    from zonekit.analysis.network.snapping import snap_points
    from zonekit.analysis.network.travel import load_travel_profile

    def read(name: str) -> gpd.GeoDataFrame:
        return pd.concat([gpd.read_parquet(f) for f in sorted((data / name).glob("*.parquet"))],
                         ignore_index=True)

    t: dict[str, float] = {}
    c = time.perf_counter()
    roads, pop, fac = read("roads"), read("population"), read("facilities")
    t["read_s"] = round(time.perf_counter() - c, 3)
    c = time.perf_counter()
    net = build_network(roads, load_travel_profile(MODE))
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
           "cpu_s": round(_worker_usage()["cpu_s"], 3), "load": load()})


def cluster_circles(data: Path, out: Path, workers: int) -> None:
    """Run the circles on a LocalCluster: tiles with buffers, files read by bbox."""
    from zonekit.analysis.network.travel import load_travel_profile
    from zonekit.analysis.scale import circles as dc
    from zonekit.analysis.scale import evaluation as dz

    spec = dc.PartitionCircleSpec(load_travel_profile(MODE), LIMIT)
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
                                                 for w in after], "load": load()})
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
