"""From measured benchmark rows to what a province needs (``benchmarks/SCALE.md``).

Used by :mod:`benchmarks.bench_scale`; every number comes from ``scale_results.json``.
The method, stated once:

* **single process**: time grows as ``n^k``, with ``k`` measured between the quarter-size
  and the full-size run (same generator, same machine); memory as a straight line
  through the two measured peaks;
* runs are repeated (single process twice, cluster warm twice after a cold run); the
  fastest of each is used: on a shared machine the slower ones measure the neighbours;
* **partitioned, intensity**: the work per enterprise is the single path's, spread over
  ``W`` workers at the parallel efficiency ``E = t_single / (W · t_cluster)`` measured
  here; a worker holds its share of the partitions, so its memory is a
  straight line in the enterprises it holds, through the worker peaks of the quarter-size
  and full-size cluster runs;
* **partitioned, circles**: parts have a fixed size (tiles), so the total work is linear
  in the number of origins (measured worker CPU seconds per origin, buffer overlap
  included) and a worker's memory does not grow with the province.
"""

from __future__ import annotations

import math
from pathlib import Path

PROVINCE = {"parks": 100, "enterprises": 5_000_000, "population_cells": 50_000_000}
WORKERS = (8, 32, 128)
START, END = "<!-- scale:start -->", "<!-- scale:end -->"


def _exponent(t0: float, t1: float, n0: float, n1: float) -> float:
    """Measured growth exponent of time with size (never below 1 when extrapolating)."""
    return math.log(t1 / t0) / math.log(n1 / n0) if t0 > 0 and t1 > 0 else 1.0


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:,.0f} s"
    return f"{seconds / 60:,.1f} min" if seconds < 5400 else f"{seconds / 3600:,.1f} h"


def _line(m0: float, m1: float, n0: float, n1: float, n: float) -> float:
    return m0 + (m1 - m0) / (n1 - n0) * (n - n0)


def _fastest(runs: list[dict]) -> dict:
    """Pick the fastest warm run (the cold one pays the workers' imports)."""
    warm = [r for r in runs if r["run"] != "cold"] or runs
    return min(warm, key=lambda r: r["wall_s"])


def estimate(rec: dict) -> dict:
    """Per-unit costs measured here and the province projection (see the module docstring)."""
    out: dict = {"province": PROVINCE, "method": __doc__.split("The method, stated once:")[1]
                 .strip()}
    s1, s0 = rec["intensity_single"], rec.get("intensity_single_quarter")
    cl = rec["intensity_cluster"]
    warm = _fastest(cl["runs"])
    n1, big = s1["enterprises"], PROVINCE["enterprises"]
    w = cl["workers"]
    eff = s1["total_s"] / (w * warm["wall_s"])
    peak1 = max(warm["worker_peak_rss_mib"])
    q = rec.get("intensity_cluster_quarter")
    if q:  # straight line through the two worker peaks, per enterprise held by a worker
        n0q, peak0 = q["enterprises"], max(q["runs"][-1]["worker_peak_rss_mib"])  # high-water
        per_ent = max(0.0, (peak1 - peak0) / ((n1 - n0q) / w))
        base = peak0 - per_ent * n0q / w
    else:
        base = min(cl["runs"][0].get("worker_start_rss_mib") or [0.0])
        per_ent = (peak1 - base) / (n1 / w)
    i: dict = {"measured_enterprises": n1,
               "single_s_per_million": round(s1["total_s"] / n1 * 1e6, 1),
               "cluster_efficiency": round(eff, 3), "worker_idle_mib": round(base, 1),
               "worker_mib_per_thousand_enterprises": round(per_ent * 1e3, 3)}
    if s0:
        n0 = s0["enterprises"]
        k = _exponent(s0["total_s"], s1["total_s"], n0, n1)
        i.update(exponent=round(k, 3), single_s=round(s1["total_s"] * (big / n1) ** max(k, 1), 0),
                 single_peak_gib=round(_line(s0["peak_rss_mib"], s1["peak_rss_mib"], n0, n1,
                                             big) / 1024, 1))
        i["cluster"] = [{"workers": wk, "seconds": round(i["single_s"] / (wk * eff), 0),
                         "gib_per_worker": round((base + per_ent * big / wk) / 1024, 2)}
                        for wk in (w, *WORKERS)]
    out["intensity"] = i
    if "circles_single" in rec:
        c1, c0 = rec["circles_single"], rec.get("circles_single_quarter")
        cw = _fastest(rec["circles_cluster"]["runs"])
        o1, cells = c1["origins"], PROVINCE["population_cells"]
        c: dict = {"measured_origins": o1,
                   "road_edges_per_origin": round(c1["road_edges"] / o1, 4),
                   "facilities_per_origin": round(c1["facilities"] / o1, 6),
                   "single_s_per_million": round(c1["total_s"] / o1 * 1e6, 1),
                   "cluster_cpu_s_per_million": round(cw["worker_cpu_s"] / o1 * 1e6, 1),
                   "overlap_factor": cw["overlap_factor"], "tile_m": cw["tile_m"],
                   "reach_m": cw["reach_m"],
                   "worker_peak_mib": max(cw["worker_peak_rss_mib"])}
        ceff = c1["total_s"] / (rec["circles_cluster"]["workers"] * cw["wall_s"])
        c["cluster_efficiency"] = round(ceff, 3)
        if c0:
            k = _exponent(c0["total_s"], c1["total_s"], c0["origins"], o1)
            c.update(exponent=round(k, 3),
                     single_s=round(c1["total_s"] * (cells / o1) ** max(k, 1), 0),
                     single_peak_gib=round(_line(c0["peak_rss_mib"], c1["peak_rss_mib"],
                                                 c0["origins"], o1, cells) / 1024, 1))
        cpu = cw["worker_cpu_s"] / o1 * cells
        c["cluster"] = [{"workers": wk, "seconds": round(cpu / wk, 0),
                         "gib_per_worker": round(c["worker_peak_mib"] / 1024, 2)}
                        for wk in WORKERS]
        out["circles"] = c
    return out


def markdown(rec: dict) -> str:
    """Format the measured rows and the estimate as Markdown (for SCALE.md)."""
    m, d = rec["machine"], rec["data"]
    s1, cl = rec["intensity_single"], rec["intensity_cluster"]
    lines = [f"Measured on {m['cpus']} × {m['cpu_model']}, {m['ram_gib']} GiB RAM, Python "
             f"{m['python']}, dask {m['versions']['dask']}; load average before "
             f"{rec['load_before']}, after {rec['load_after']} (other jobs shared the machine "
             f"when the load exceeds the CPU count). Command: `{d['command']}`.", "",
             "| run | data | wall s | CPU s | peak memory |", "|---|---|---:|---:|---|"]
    ents = f"{s1['enterprises']:,} enterprises, {s1['parcels']:,} parcels"
    if "intensity_single_quarter" in rec:
        q = rec["intensity_single_quarter"]
        lines.append(f"| intensity, single process (¼ size) | {q['enterprises']:,} enterprises | "
                     f"{q['total_s']} | {q['cpu_s']} | {q['peak_rss_mib']:,.0f} MiB |")
    lines.append(f"| intensity, single process | {ents} | {s1['total_s']} | {s1['cpu_s']} | "
                 f"{s1['peak_rss_mib']:,.0f} MiB |")
    if "intensity_sequential" in rec:
        sq = rec["intensity_sequential"]
        lines.append(f"| intensity, the {sq['partitions']} partitions one after another, one "
                     f"process, no dask | {ents} | {sq['total_s']} | {sq['cpu_s']} | "
                     f"{sq['peak_rss_mib']:,.0f} MiB |")
    for run in cl["runs"]:
        lines.append(f"| intensity, LocalCluster {cl['workers']} workers ({run['run']}) | "
                     f"{ents}, {cl['partitions']} partitions | {run['wall_s']} | "
                     f"{run['worker_cpu_s']} (workers) | workers "
                     f"{' + '.join(f'{x:,.0f}' for x in run['worker_peak_rss_mib'])} MiB |")
    if "intensity_cluster_spill" in rec:
        sp = rec["intensity_cluster_spill"]
        for run in sp["runs"]:
            lines.append(f"| intensity, LocalCluster {sp['workers']} workers of "
                         f"{sp['memory_limit']} ({run['run']}; spills to disk) | {ents} | "
                         f"{run['wall_s']} | {run['worker_cpu_s']} (workers) | workers "
                         f"{' + '.join(f'{x:,.0f}' for x in run['worker_peak_rss_mib'])} MiB |")
    if "circles_single" in rec:
        c1, cc = rec["circles_single"], rec["circles_cluster"]
        what = (f"{c1['origins']:,} cells, {c1['road_edges']:,} edges, {c1['facilities']} "
                f"facilities, {c1['mode']} {c1['limit_minutes']:g} min")
        if "circles_single_quarter" in rec:
            q = rec["circles_single_quarter"]
            lines.append(f"| circles, single process (¼ size) | {q['origins']:,} cells | "
                         f"{q['total_s']} | {q['cpu_s']} | {q['peak_rss_mib']:,.0f} MiB |")
        lines.append(f"| circles, single process | {what} | {c1['total_s']} | {c1['cpu_s']} | "
                     f"{c1['peak_rss_mib']:,.0f} MiB |")
        for run in cc["runs"]:
            lines.append(f"| circles, LocalCluster {cc['workers']} workers ({run['run']}) | "
                         f"{run['parts']} tiles of {run['tile_m'] / 1000:g} km, reach "
                         f"{run['reach_m']:,.0f} m, overlap × {run['overlap_factor']} | "
                         f"{run['wall_s']} | {run['worker_cpu_s']} (workers) | workers "
                         f"{' + '.join(f'{x:,.0f}' for x in run['worker_peak_rss_mib'])} MiB |")
    ident = rec["identity"]
    lines += ["", f"Same answers: intensity {'yes' if ident.get('intensity_identical') else 'NO'}"
              f", circles {'yes' if ident.get('circles_identical', True) else 'NO'} "
              f"(ids, statuses, classes, ranks, flags exactly; floats to 1e-9).", ""]
    est = rec["estimate"]
    i, p = est["intensity"], est["province"]
    vol = rec.get("volumes_mib", {})
    lines += [f"**Province estimate** ({p['parks']} parks, {p['enterprises']:,} enterprises, "
              f"{p['population_cells']:,} population cells; method below):", ""]
    if "single_s" in i:
        lines.append(f"* intensity, one process: time ∝ n^{max(i['exponent'], 1):g} (measured "
                     f"{i['exponent']}) → {_duration(i['single_s'])}, peak ≈ "
                     f"{i['single_peak_gib']} GiB.")
        lines.append(f"* intensity, partitioned (efficiency {i['cluster_efficiency']} measured "
                     f"here; a worker needs ≈ {i['worker_idle_mib']:.0f} MiB + "
                     f"{i['worker_mib_per_thousand_enterprises']} MiB per 1,000 enterprises it "
                     "holds): " + "; ".join(
                         f"{r['workers']} workers ≈ {_duration(r['seconds'])} of compute, "
                         f"{r['gib_per_worker']} GiB each" for r in i["cluster"]) + ".")
    if "circles" in est:
        c = est["circles"]
        if "single_s" in c:
            lines.append(f"* circles, one process: time ∝ n^{max(c['exponent'], 1):g} (measured "
                         f"{c['exponent']}) → {_duration(c['single_s'])}, peak ≈ "
                         f"{c['single_peak_gib']} GiB (roads ≈ {c['road_edges_per_origin']} "
                         "edges per cell, as in the generated city).")
        lines.append(f"* circles, partitioned ({c['cluster_cpu_s_per_million']} worker CPU s "
                     f"per million cells, buffers included, tiles of {c['tile_m'] / 1000:g} km): "
                     + "; ".join(f"{r['workers']} workers ≈ {_duration(r['seconds'])}, "
                                 f"{r['gib_per_worker']} GiB each" for r in c["cluster"]) + ".")
    if vol:
        scale_e = p["enterprises"] / s1["enterprises"]
        lines.append(f"* data: {vol['input_enterprises_parcels_zones']:,.0f} MiB of GeoParquet "
                     f"in and {vol['output_intensity']:,.0f} MiB out per "
                     f"{s1['enterprises']:,} enterprises → ≈ "
                     f"{vol['input_enterprises_parcels_zones'] * scale_e / 1024:,.1f} GiB in, "
                     f"{vol['output_intensity'] * scale_e / 1024:,.1f} GiB out for the province.")
    if "single_s" in i and "circles" in est and "single_s" in est["circles"]:
        c = est["circles"]
        bigger = ("The circles are what outgrow one machine" if c["single_peak_gib"]
                  > i["single_peak_gib"] else "The circles too")
        lines += ["", f"**What it needs.** The 亩均 evaluation of the province fits one machine "
                  f"with ≈ {math.ceil(i['single_peak_gib'] * 1.3)} GiB of memory "
                  f"({_duration(i['single_s'])} single-process); a laptop with less runs "
                  f"`zonekit scale intensity --memory-limit` and spills to disk (measured above: "
                  f"bounded memory, slower). {bigger}: one "
                  f"process would need ≈ {c['single_peak_gib']} GiB; partitioned, each worker "
                  f"holds one tile (≈ {c['worker_peak_mib'] / 1024:.1f} GiB) whatever the "
                  f"province's size, so an 8-core, 16 GiB machine does the 50M cells in "
                  f"≈ {_duration(c['cluster'][0]['seconds'])} of compute, and a cluster divides "
                  "that by its workers. These are extrapolations from one synthetic province "
                  "on a 2-CPU machine shared with other jobs, not measurements at that size."]
    return "\n".join(lines)


def write_markdown(rec: dict, path: Path) -> None:
    """Replace the text between the markers of ``path`` with :func:`markdown`."""
    text = path.read_text(encoding="utf-8")
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    path.write_text(f"{head}{START}\n{markdown(rec)}\n{END}{tail}", encoding="utf-8")
