"""Product benchmark: the whole ``zonekit circles`` command against whole peer scripts.

Run from the repository root (or through ``python -m benchmarks.run --product``)::

    .venv/bin/python -m benchmarks.bench_product                      # 25k, 100k, 1M; walk
    .venv/bin/python -m benchmarks.bench_product --sizes 25k --modes walk,drive --readme

For each size a city of :mod:`benchmarks.networks` is written once as the GeoPackages a
planner would hand over (``roads.gpkg``: two-point street pieces with ``highway``,
``oneway``, ``maxspeed``; ``facilities.gpkg``: ``fac_id``, ``category`` of 12;
``origins.gpkg``: ``origin_id``), with a circles profile naming the 12 categories.
Then, for each travel mode, every tool runs as **one process, start to exit**, reading
those files and writing a per-origin table:

* ``zonekit circles`` with its default outputs (tables, GeoPackages with QGIS styles,
  gaps, isochrones, surfaces, the HTML map, summary), through stable options only
  (``--roads --facilities --origins --origin-id --facility-id --category-col
  --minutes --mode --out --force``, plus ``--data`` and ``--profile`` for the case);
* the peers of the engine benchmark (:mod:`benchmarks.competitors`) wrapped as whole
  scripts by :mod:`benchmarks.product_peer`: read the files, build, snap, query, write.

Wall time (process start to exit) and peak memory of the process tree (PSS sampled,
see :mod:`benchmarks.measure`) are recorded; the coverage each peer finds per origin
and category is compared with zonekit's ``origins.csv``. Results go to the
``end_to_end`` section of ``benchmarks/results.json`` and, with ``--readme``, to the
end-to-end table of ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    __package__ = "benchmarks"  # noqa: A001

from benchmarks import measure  # noqa: E402
from benchmarks.competitors import PACKAGES, load, missing  # noqa: E402
from benchmarks.networks import CATEGORIES, make_city, parse_size  # noqa: E402
from benchmarks.run import measured_block, replace_section, targets_table  # noqa: E402

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
#: Size → (nodes, facilities, origins), as issue 17 sets them.
CASES = {"25k": (25_000, 2_400, 20_000), "100k": (100_000, 2_400, 20_000),
         "1M": (1_000_000, 10_000, 200_000)}
PEERS = ("nx_ego", "nx_msd", "pandana", "cityseer")
MINUTES = 45.0
README_START, README_END = "<!-- end_to_end:start -->", "<!-- end_to_end:end -->"
#: Targets of issue 17: speed-up over the per-facility recipe per size, and the 1M run.
SPEEDUP = {"25k": 3.0, "100k": 8.0}
MAX_1M_S, MAX_1M_MIB, MAX_HTML_MB, MAX_HELP_S = 30.0, 4096.0, 10.0, 1.0


# ---------------------------------------------------------------------------- the case
def profile_yaml() -> str:
    """Return a circles profile whose service circle is the benchmark's 12 categories."""
    from zonekit.analysis.circles.profile import load_circles_profile

    shipped = load_circles_profile().circle("service").category_ids
    cats = "\n".join(f"  {c}: 类别{c[3:]}" for c in CATEGORIES)
    drop = "\n".join(f"      {c}: null" for c in shipped)
    limits = "\n".join(f"      {c}: {{minutes: {MINUTES:g}, metres: 3000}}" for c in CATEGORIES)
    return (f"# product benchmark: 12 generated categories\ncategories:\n{cats}\n"
            f"circles:\n  service:\n    categories:\n{drop}\n{limits}\n"
            f"    basics: [{', '.join(CATEGORIES)}]\n")


def write_case(size: str, folder: Path, seed: int = 0) -> Path:
    """Write the city of ``size`` as GeoPackages (once; reused while its stamp matches)."""
    import geopandas as gpd

    n_nodes, n_fac, n_orig = CASES.get(size, (parse_size(size), 2_400, 20_000))
    case = folder / f"{size}-seed{seed}"
    stamp = case / "case.json"
    key = {"size": size, "seed": seed, "nodes": n_nodes, "facilities": n_fac,
           "origins": n_orig, "version": 1}
    if stamp.exists() and json.loads(stamp.read_text()).get("key") == key:
        return case
    case.mkdir(parents=True, exist_ok=True)
    city = make_city(n_nodes, label=size, seed=seed, n_facilities=n_fac, n_origins=n_orig)
    from zonekit.zones.io import write_gpkg

    write_gpkg({"roads": city.roads_gdf()}, case / "roads.gpkg")
    fac = city.points_gdf(city.fac_node).assign(
        fac_id=[f"F{i:06d}" for i in range(len(city.fac_node))],
        category=np.asarray(CATEGORIES, dtype=object)[city.fac_cat])
    write_gpkg({"facilities": fac}, case / "facilities.gpkg")
    orig = city.points_gdf(city.orig_node)
    orig.insert(0, "origin_id", [f"O{i:07d}" for i in range(len(orig))])
    write_gpkg({"origins": gpd.GeoDataFrame(orig, crs=orig.crs)}, case / "origins.gpkg")
    (case / "profile.yaml").write_text(profile_yaml(), encoding="utf-8")
    stamp.write_text(json.dumps({"key": key, "city": city.describe()}))
    return case


def zonekit_command(case: Path, mode: str, out: Path) -> list[str]:
    """``zonekit circles`` on the case, default outputs, stable options."""
    exe = Path(sys.executable).with_name("zonekit")
    return [str(exe), "circles", "--kind", "service", "--data", str(case),
            "--roads", str(case / "roads.gpkg"), "--facilities", str(case / "facilities.gpkg"),
            "--origins", str(case / "origins.gpkg"), "--origin-id", "origin_id",
            "--facility-id", "fac_id", "--category-col", "category", "--profile",
            str(case / "profile.yaml"), "--minutes", f"{MINUTES:g}", "--mode", mode,
            "--out", str(out), "--force"]


# ------------------------------------------------------------------------------ runs
def _monitored(cmd: list[str], log: Path, timeout_s: float) -> dict:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(REPO)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    mon = measure.run_monitored(cmd, timeout_s, env=env, log_path=log)
    peak = max([m for _, m in mon["samples"]] + [mon["ru_maxrss_mib"] or 0.0])
    return {"wall_s": round(mon["wall_s"], 2), "peak_mem_mib": round(peak, 1),
            "returncode": mon["returncode"], "timed_out": mon["timed_out"],
            "cpu_s": mon["cpu_s"], "other_cpu_share": mon["other_cpu_share"]}


def run_zonekit(case: Path, mode: str, work: Path, timeout_s: float) -> dict:
    """Time the whole command; record its outputs' sizes (the HTML map's above all)."""
    out = work / f"zonekit-{case.name}-{mode}"
    cmd = zonekit_command(case, mode, out)
    print("  " + shlex.join(cmd), flush=True)
    res = _monitored(cmd, work / f"{out.name}.log", timeout_s)
    res["label"] = "zonekit circles (all default outputs)"
    if res["returncode"] != 0 or res["timed_out"]:
        tail = (work / f"{out.name}.log").read_text(errors="replace")[-1500:]
        return {**res, "status": "error", "reason": tail}
    files = {p.relative_to(out).as_posix(): p.stat().st_size for p in out.rglob("*")
             if p.is_file()}
    res.update(status="ok", outputs=sorted(files), out=str(out),
               html_mb=round(sum(v for k, v in files.items() if k.endswith(".html")) / 1e6, 2),
               outputs_mb=round(sum(files.values()) / 1e6, 1))
    return res


def run_peer(key: str, case: Path, mode: str, work: Path, budget_s: float,
             timeout_s: float) -> dict:
    """Time a peer script, start to exit; ``skipped`` with its estimate past the budget."""
    comp = load(key)
    base = {"label": comp.LABEL + " (whole script)"}
    if mode not in comp.MODES:
        return {**base, "status": "n/a", "reason": f"{mode} not supported"}
    if missing(key):
        return {**base, "status": "not installed", "reason": ", ".join(missing(key))}
    name = f"{key}-{case.name}-{mode}"
    table, record = work / f"{name}.csv", work / f"{name}.json"
    cmd = [sys.executable, "-m", "benchmarks.product_peer", key, str(case), mode,
           f"{MINUTES:g}", str(table), str(record), repr(budget_s)]
    res = {**base, **_monitored(cmd, work / f"{name}.log", timeout_s)}
    if res["timed_out"] or not record.exists():
        tail = (work / f"{name}.log").read_text(errors="replace")[-1500:]
        return {**res, "status": "timeout" if res["timed_out"] else "error", "reason": tail}
    rec = json.loads(record.read_text())
    res.update(status=rec["status"], steps=rec.get("steps", []))
    if rec["status"] != "ok":
        res.update(estimate_s=rec.get("estimate_s"), reason=rec.get("reason"))
    else:
        res["table"] = str(table)
    return res


def compare(zonekit_out: str, table: str) -> dict:
    """Count the origin × category pairs whose coverage differs between a peer and zonekit."""
    import pandas as pd

    z = pd.read_csv(Path(zonekit_out) / "origins.csv", encoding="utf-8-sig",
                    usecols=lambda c: c == "origin_id" or c.startswith("minutes_"))
    p = pd.read_csv(table).set_index("origin_id").loc[z["origin_id"]]
    zc = np.column_stack([z[f"minutes_{c}"].notna() & (z[f"minutes_{c}"] <= MINUTES + 1e-6)
                          for c in CATEGORIES])
    if f"minutes_{CATEGORIES[0]}" in p:
        pc = np.column_stack([p[f"minutes_{c}"].to_numpy() <= MINUTES + 1e-6
                              for c in CATEGORIES])
    else:
        pc = np.column_stack([p[f"covered_{c}"].to_numpy(bool) for c in CATEGORIES])
    differ = int((zc != pc).sum())
    return {"pairs": int(zc.size), "coverage_differs": differ, "agree": differ == 0}


def help_seconds(repeat: int = 3) -> float:
    """Best wall time of ``zonekit --help`` (process start to exit)."""
    import subprocess

    exe = Path(sys.executable).with_name("zonekit")
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([str(exe), "--help"], capture_output=True, check=True)
        best = min(best, time.perf_counter() - t0)
    return round(best, 3)


# ---------------------------------------------------------------------------- driver
def run_case(size: str, mode: str, opts: argparse.Namespace, work: Path) -> dict:
    """Every tool on one size and mode."""
    case = write_case(size, Path(opts.cases), opts.seed)
    info = json.loads((case / "case.json").read_text())["city"]
    print(f"[{size} {mode}] {info['n_nodes']:,} nodes, {info['n_facilities']:,} facilities, "
          f"{info['n_origins']:,} origins, {MINUTES:g} min", flush=True)
    results = {"zonekit": run_zonekit(case, mode, work, opts.timeout)}
    print(f"    zonekit: {_line(results['zonekit'])}", flush=True)
    peers = [] if size in opts.zonekit_only else [k for k in opts.competitors if k != "zonekit"]
    for key in peers:
        res = run_peer(key, case, mode, work, opts.budget_for.get(key, opts.budget),
                       opts.timeout)
        if res["status"] == "ok" and results["zonekit"]["status"] == "ok":
            res["check"] = compare(results["zonekit"]["out"], res.pop("table"))
        results[key] = res
        print(f"    {key}: {_line(res)}", flush=True)
    return {"size": size, "mode": mode, "limit_minutes": MINUTES, **info, "results": results}


def _line(res: dict) -> str:
    if res["status"] != "ok":
        est = f", estimated {res['estimate_s']:.0f} s" if res.get("estimate_s") else ""
        return f"{res['status']}{est}: {str(res.get('reason', ''))[-300:]}"
    extra = f", map {res['html_mb']} MB" if "html_mb" in res else ""
    return f"{res['wall_s']:.1f} s, peak {res['peak_mem_mib']:,.0f} MiB{extra}"


def targets(doc: dict) -> list[dict]:
    """Issue 17's targets on the measured numbers."""
    out = []
    for case in doc["cases"]:
        z, r = case["results"]["zonekit"], case["results"].get("nx_ego")
        if case["size"] in SPEEDUP and case["mode"] == "walk" and r and z["status"] == "ok":
            need = SPEEDUP[case["size"]]
            row = {"target": f"{case['size']} walk: zonekit circles ≥ {need:g}× faster than "
                             "the networkx per-facility recipe"}
            peer_s = r["wall_s"] if r["status"] == "ok" else r.get("estimate_s")
            if peer_s:
                ratio = round(peer_s / z["wall_s"], 2)
                row.update({"speedup" if r["status"] == "ok" else "speedup_estimated": ratio,
                            "met": ratio >= need, "note": r.get("reason")})
            out.append(row)
        if case["size"] == "1M" and z["status"] == "ok":
            out.append({"target": f"1M {case['mode']}: zonekit circles < {MAX_1M_S:g} s",
                        "measured": z["wall_s"], "met": z["wall_s"] < MAX_1M_S})
            out.append({"target": f"1M {case['mode']}: peak < 4 GiB",
                        "measured_mib": z["peak_mem_mib"], "met": z["peak_mem_mib"] < MAX_1M_MIB})
        if z["status"] == "ok":
            out.append({"target": f"{case['size']} {case['mode']}: HTML map < {MAX_HTML_MB:g} MB",
                        "measured_mb": z["html_mb"], "met": z["html_mb"] < MAX_HTML_MB})
    if "help_s" in doc:
        out.append({"target": "zonekit --help < 1 s", "measured": doc["help_s"],
                    "met": doc["help_s"] < MAX_HELP_S})
    return out


# ---------------------------------------------------------------------------- output
def table(doc: dict) -> str:
    """Markdown table of the end-to-end runs."""
    lines = ["| nodes | mode | tool | wall s | CPU s | × zonekit (wall) | peak MiB | "
             "same coverage | notes |", "|---|---|---|---:|---:|---:|---:|---|---|"]
    for case in doc["cases"]:
        z = case["results"]["zonekit"]
        zs = z["wall_s"] if z["status"] == "ok" else None
        for key, res in case["results"].items():
            head = f"| {case['n_nodes']:,} | {case['mode']} | {res['label']} |"
            if res["status"] != "ok":
                est = res.get("estimate_s")
                ratio = f"≈{est / zs:.0f}" if est and zs else ""
                note = f"estimated ~{est:.0f} s" if est else str(res.get("reason", ""))[-80:]
                lines.append(f"{head} {res['status']} | | {ratio} | | | {note} |")
                continue
            ratio = f"{res['wall_s'] / zs:.1f}" if zs and key != "zonekit" else ""
            chk = res.get("check")
            same = "reference" if key == "zonekit" else "not compared" if chk is None else (
                "yes" if chk["agree"] else f"NO ({chk['coverage_differs']} of {chk['pairs']})")
            note = (f"map {res['html_mb']} MB, outputs {res['outputs_mb']} MB"
                    if key == "zonekit" else "")
            busy = "†" if (res.get("other_cpu_share") or 0) > 0.15 else ""
            lines.append(f"{head} {res['wall_s']:.1f}{busy} | {res.get('cpu_s', 0):.1f} | "
                         f"{ratio} | {res['peak_mem_mib']:,.0f} | {same} | {note} |")
    lines += ["", "† other processes used more than 15 % of the machine's CPU during that run "
              "(its wall time is inflated; CPU s is the process tree's user + system time)."]
    return "\n".join(lines)


def update_readme(doc: dict, path: Path) -> None:
    """Replace the end-to-end section of ``benchmarks/README.md``."""
    replace_section(path, README_START, README_END, measured_block(doc, table(doc)),
                    "## End to end: `zonekit circles` against whole peer scripts\n\n")


def save(doc: dict, path: Path) -> dict:
    """Store ``doc`` as the ``end_to_end`` section of the results file; return that section.

    Cases and tools not run this time keep their earlier results (each result carries
    its own CPU time and the machine's load during it).
    """
    full = json.loads(path.read_text()) if path.exists() else {}
    merged = {(c["size"], c["mode"]): c for c in full.get("end_to_end", {}).get("cases", [])}
    for case in doc["cases"]:
        for res in case["results"].values():  # which run measured it, and when
            res.setdefault("command", doc["command"])
            res.setdefault("date", doc["date"])
        prev = merged.get((case["size"], case["mode"]))
        merged[(case["size"], case["mode"])] = case if prev is None else {
            **case, "results": {**prev["results"], **case["results"]}}
    order = list(CASES)
    section = {**doc, "cases": sorted(merged.values(), key=lambda c: (
        order.index(c["size"]) if c["size"] in order else 9, c["mode"] != "walk"))}
    section["targets"] = targets(section)
    full["end_to_end"] = section
    measure.write_json(path, full)
    return section


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.bench_product",
                                description=__doc__.split("\n")[0])
    p.add_argument("--sizes", default="25k,100k,1M")
    p.add_argument("--modes", default="walk")
    p.add_argument("--competitors", default="zonekit," + ",".join(PEERS))
    p.add_argument("--zonekit-only", default="1M", help="sizes run by zonekit alone")
    p.add_argument("--budget", type=float, default=1200.0,
                   help="seconds a peer may take (it stops and records its estimate)")
    p.add_argument("--budget-for", default="", help="per-peer budgets, e.g. nx_ego=1500")
    p.add_argument("--timeout", type=float, default=5400.0, help="hard kill of any run")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--cases", default=str(Path(tempfile.gettempdir()) / "zonekit-bench-product"),
                   help="folder of the generated GeoPackages (kept and reused)")
    p.add_argument("--out", default=str(HERE / "results.json"))
    p.add_argument("--readme", action="store_true", help="write the table into the README")
    opts = p.parse_args(argv)
    opts.competitors = [c.strip() for c in opts.competitors.split(",") if c.strip()]
    opts.zonekit_only = {s.strip() for s in opts.zonekit_only.split(",") if s.strip()}
    opts.budget_for = {k.strip(): float(v) for k, _, v in
                       (i.partition("=") for i in opts.budget_for.split(",") if i.strip())}
    return opts


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    raw = sys.argv[1:] if argv is None else argv
    opts = parse_args(raw)
    doc = {"command": "python -m benchmarks.bench_product" + (" " + shlex.join(raw) if raw
                                                              else ""),
           "date": datetime.now(UTC).isoformat(timespec="seconds"),
           "machine": measure.machine_info(PACKAGES), "minutes": MINUTES,
           "help_s": help_seconds(), "cases": []}
    print(f"zonekit --help: {doc['help_s']} s", flush=True)
    with tempfile.TemporaryDirectory(prefix="zonekit-product-") as tmp:
        for size in opts.sizes.split(","):
            for mode in opts.modes.split(","):
                doc["cases"].append(run_case(size.strip(), mode.strip(), opts, Path(tmp)))
                section = save(doc, Path(opts.out))  # after every case: a long run keeps it
    print("\n" + table(section) + "\n\n" + targets_table(section))
    if opts.readme:
        update_readme(section, HERE / "README.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
