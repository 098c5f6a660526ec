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

from benchmarks import measure, product_report  # noqa: E402
from benchmarks.competitors import PACKAGES, load, missing  # noqa: E402
from benchmarks.networks import CATEGORIES, make_city, parse_size  # noqa: E402

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
#: Size → (nodes, facilities, origins, categories): issue 17's cases and issue 29's
#: QGIS case (3,000 origins, 360 facilities, 6 categories, walk).
CASES = {"25k": (25_000, 2_400, 20_000, 12), "100k": (100_000, 2_400, 20_000, 12),
         "1M": (1_000_000, 10_000, 200_000, 12), "qgis": (25_000, 360, 3_000, 6)}
#: Peers of the generic cases, in running order; the QGIS case runs ``qgis`` alone.
PEERS = ("scipy_floor", "nx_msd", "nx_sssp", "pandana", "cityseer", "nx_ego")
MINUTES = product_report.MINUTES
SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's python3-qgis lives there, not in the venv
QGIS_SCRIPT = HERE / "competitors" / "qgis_processing.py"


# ---------------------------------------------------------------------------- the case
def profile_yaml(categories: list[str] = CATEGORIES) -> str:
    """Return a circles profile whose service circle is ``categories`` (45 minutes each)."""
    from zonekit.analysis.circles.profile import load_circles_profile

    shipped = load_circles_profile().circle("service").category_ids
    cats = "\n".join(f"  {c}: 类别{c[3:]}" for c in categories)
    drop = "\n".join(f"      {c}: null" for c in shipped)
    limits = "\n".join(f"      {c}: {{minutes: {MINUTES:g}, metres: 3000}}" for c in categories)
    return (f"# product benchmark: {len(categories)} generated categories\ncategories:\n{cats}\n"
            f"circles:\n  service:\n    categories:\n{drop}\n{limits}\n"
            f"    basics: [{', '.join(categories)}]\n")


def write_case(size: str, folder: Path, seed: int = 0,
               spec: tuple[int, int, int, int] | None = None) -> Path:
    """Write the city of ``size`` as GeoPackages (once; reused while its stamp matches).

    ``spec`` (nodes, facilities, origins, categories) overrides :data:`CASES`; a size
    not in it is a node count with 2,400 facilities, 20,000 origins, 12 categories.
    """
    import geopandas as gpd

    n_nodes, n_fac, n_orig, n_cat = spec or CASES.get(size) or (
        parse_size(size), 2_400, 20_000, len(CATEGORIES))
    case = folder / f"{size}-seed{seed}"
    stamp = case / "case.json"
    key = {"size": size, "seed": seed, "nodes": n_nodes, "facilities": n_fac,
           "origins": n_orig, "categories": n_cat, "version": 2}
    if stamp.exists() and json.loads(stamp.read_text()).get("key") == key:
        return case
    case.mkdir(parents=True, exist_ok=True)
    city = make_city(n_nodes, label=size, seed=seed, n_facilities=n_fac, n_origins=n_orig)
    from zonekit.zones.io import write_gpkg

    write_gpkg({"roads": city.roads_gdf()}, case / "roads.gpkg")
    fac = city.points_gdf(city.fac_node).assign(
        fac_id=[f"F{i:06d}" for i in range(len(city.fac_node))],
        category=np.asarray(CATEGORIES, dtype=object)[city.fac_cat % n_cat])
    write_gpkg({"facilities": fac}, case / "facilities.gpkg")
    orig = city.points_gdf(city.orig_node)
    orig.insert(0, "origin_id", [f"O{i:07d}" for i in range(len(orig))])
    write_gpkg({"origins": gpd.GeoDataFrame(orig, crs=orig.crs)}, case / "origins.gpkg")
    (case / "profile.yaml").write_text(profile_yaml(CATEGORIES[:n_cat]), encoding="utf-8")
    city_info = {**city.describe(), "n_categories": n_cat}
    stamp.write_text(json.dumps({"key": key, "city": city_info}))
    return case


def case_categories(case: Path) -> list[str]:
    """Return the categories of a written case."""
    return CATEGORIES[:json.loads((case / "case.json").read_text())["key"]["categories"]]


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
def child_env(**extra: str) -> dict:
    """Return the tools' environment: the repository importable, bytecode cached.

    ``PYTHONDONTWRITEBYTECODE`` is dropped: an installed zonekit (and every peer's
    library) has its bytecode, so no run should pay for compiling sources each start.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return dict(env, PYTHONPATH=os.pathsep.join(
        [str(REPO)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]),
        **extra)


def _monitored(cmd: list[str], log: Path, timeout_s: float, terminal: bool = False,
               **env_extra: str) -> dict:
    env = child_env(**env_extra)
    mon = measure.run_monitored(cmd, timeout_s, env=env, log_path=log, terminal=terminal)
    peak = max([m for _, m in mon["samples"]] + [mon["ru_maxrss_mib"] or 0.0])
    return {"wall_s": round(mon["wall_s"], 2), "peak_mem_mib": round(peak, 1),
            "returncode": mon["returncode"], "timed_out": mon["timed_out"],
            "cpu_s": mon["cpu_s"], "other_cpu_share": mon["other_cpu_share"]}


def _failed(res: dict, log: Path) -> dict:
    tail = log.read_text(errors="replace")[-1500:] if log.exists() else ""
    return {**res, "status": "timeout" if res["timed_out"] else "error", "reason": tail}


def run_zonekit(case: Path, mode: str, work: Path, timeout_s: float,
                terminal: bool = False) -> dict:
    """Time the whole command; record its outputs, categories and start-up seconds.

    ``startup_s`` is the wall time outside zonekit's timed steps (``summary.json``
    ``timings_s``): interpreter start, imports before work, option parsing, exit.
    ``terminal``: run it on a pseudo-terminal, its progress display live (``--terminal``).
    """
    out = work / f"zonekit-{case.name}-{mode}"
    cmd = zonekit_command(case, mode, out)
    print("  " + shlex.join(cmd) + ("  (in a terminal)" if terminal else ""), flush=True)
    log = work / f"{out.name}.log"
    res = _monitored(cmd, log, timeout_s, terminal=terminal)
    res["label"] = ("zonekit circles (all default outputs" + (", in a terminal)" if terminal
                                                              else ")"))
    if res["returncode"] != 0 or res["timed_out"]:
        return _failed(res, log)
    files = {p.relative_to(out).as_posix(): p.stat().st_size for p in out.rglob("*")
             if p.is_file()}
    steps = json.loads((out / "summary.json").read_text()).get("timings_s", {})
    header = (out / "origins.csv").open(encoding="utf-8-sig").readline()
    res.update(status="ok", outputs=sorted(files), out=str(out), timings_s=steps,
               startup_s=round(res["wall_s"] - sum(steps.values()), 2),
               categories=[c for c in case_categories(case) if f'"minutes_{c}"' in header],
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
    record.unlink(missing_ok=True)
    tail = [str(case), mode, f"{MINUTES:g}", str(table), str(record)]
    cmd = ([sys.executable, str(HERE / "competitors" / "scipy_floor.py"), *tail]
           if key == "scipy_floor" else  # its own whole script: no zonekit, no harness
           [sys.executable, "-m", "benchmarks.product_peer", key, *tail, repr(budget_s)])
    return _finish({**base, **_monitored(cmd, work / f"{name}.log", timeout_s)},
                   record, table, work / f"{name}.log")


def _finish(res: dict, record: Path, table: Path, log: Path) -> dict:
    if res["timed_out"] or not record.exists():
        return _failed(res, log)
    rec = json.loads(record.read_text())
    res.update(status=rec["status"], steps=rec.get("steps", []))
    if rec["status"] != "ok":
        res.update(estimate_s=rec.get("estimate_s"), reason=rec.get("reason"))
    else:
        res["table"] = str(table)
    return res


def qgis_missing(python: str = SYSTEM_PYTHON) -> str | None:
    """Why QGIS Processing cannot run here (None when PyQGIS imports)."""
    import subprocess

    if not Path(python).exists():
        return f"{python} not found"
    probe = subprocess.run([python, "-c", "import qgis.core"], capture_output=True,
                           env=dict(os.environ, QT_QPA_PLATFORM="offscreen"), check=False)
    return None if probe.returncode == 0 else (
        f"PyQGIS not importable by {python} (apt install python3-qgis)")


def run_qgis(case: Path, mode: str, work: Path, timeout_s: float) -> dict:
    """Time the QGIS Processing script (system Python, own process), start to exit."""
    base = {"label": "QGIS Processing: service area per category + select by location"}
    if mode != "walk":
        return {**base, "status": "n/a", "reason": f"{mode} not supported"}
    why = qgis_missing()
    if why:
        return {**base, "status": "not installed", "reason": why}
    name = f"qgis-{case.name}-{mode}"
    table, record = work / f"{name}.csv", work / f"{name}.json"
    record.unlink(missing_ok=True)
    cmd = [SYSTEM_PYTHON, str(QGIS_SCRIPT), str(case), f"{MINUTES:g}", str(table), str(record)]
    res = _monitored(cmd, work / f"{name}.log", timeout_s, QT_QPA_PLATFORM="offscreen")
    return _finish({**base, **res}, record, table, work / f"{name}.log")


def help_seconds(repeat: int = 5) -> float:
    """Median wall time of ``zonekit --help`` (process start to exit; a first run warms up)."""
    import subprocess

    exe = Path(sys.executable).with_name("zonekit")
    walls = []
    subprocess.run([str(exe), "--help"], capture_output=True, check=True, env=child_env())
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([str(exe), "--help"], capture_output=True, check=True, env=child_env())
        walls.append(time.perf_counter() - t0)
    return round(float(np.median(walls)), 3)


# ---------------------------------------------------------------------------- driver
def _run_tool(key: str, case: Path, mode: str, opts: argparse.Namespace, work: Path) -> dict:
    if key == "zonekit":
        return run_zonekit(case, mode, work, opts.timeout, opts.terminal)
    if key == "qgis":
        return run_qgis(case, mode, work, opts.timeout)
    return run_peer(key, case, mode, work, opts.budget_for.get(key, opts.budget), opts.timeout)


def summarise(runs: list[dict]) -> dict:
    """Return the median run of a tool (by wall time), all wall times and the top peak."""
    ok = [r for r in runs if r["status"] == "ok"] or runs
    mid = sorted(ok, key=lambda r: r.get("wall_s", 0.0))[(len(ok) - 1) // 2]
    return {**mid, "all_wall_s": [r.get("wall_s") for r in ok],
            "peak_mem_mib": max(r.get("peak_mem_mib", 0.0) for r in ok)}


def case_tools(size: str, opts: argparse.Namespace) -> list[str]:
    """zonekit, then the peers run on this case (the QGIS case: QGIS alone)."""
    if size in opts.zonekit_only:
        return ["zonekit"]
    if size == "qgis":
        return ["zonekit", "qgis"]
    return ["zonekit"] + [k for k in opts.competitors if k not in ("zonekit", "qgis")]


def run_case(size: str, mode: str, opts: argparse.Namespace, work: Path) -> dict:
    """Every tool on one size and mode, ``--repeat`` rounds interleaved; medians kept.

    A tool that did not finish, or took longer than ``--repeat-below`` seconds, runs once.
    """
    case = write_case(size, Path(opts.cases), opts.seed)
    info = json.loads((case / "case.json").read_text())["city"]
    print(f"[{size} {mode}] {info['n_nodes']:,} nodes, {info['n_facilities']:,} facilities, "
          f"{info['n_origins']:,} origins, {info['n_categories']} categories, "
          f"{MINUTES:g} min", flush=True)
    runs: dict[str, list[dict]] = {}
    for _ in range(opts.repeat):
        for key in case_tools(size, opts):
            done = runs.get(key)
            if done and (done[0]["status"] != "ok" or done[0]["wall_s"] > opts.repeat_below):
                continue
            runs.setdefault(key, []).append(_run_tool(key, case, mode, opts, work))
            print(f"    {key}: {_line(runs[key][-1])}", flush=True)
    results = {key: summarise(r) for key, r in runs.items()}
    z = results["zonekit"]
    for key, res in results.items():
        if key != "zonekit" and res["status"] == "ok" and z["status"] == "ok":
            tol = None if key == "qgis" else load(key).TIME_TOL_MIN
            res["check"] = product_report.compare(z["out"], res.pop("table"),
                                                  case_categories(case), tol)
    return {"size": size, "mode": mode, "limit_minutes": MINUTES, **info, "results": results}


def _line(res: dict) -> str:
    if res["status"] != "ok":
        est = f", estimated {res['estimate_s']:.0f} s" if res.get("estimate_s") else ""
        return f"{res['status']}{est}: {str(res.get('reason', ''))[-300:]}"
    extra = f", map {res['html_mb']} MB" if "html_mb" in res else ""
    return f"{res['wall_s']:.2f} s, peak {res['peak_mem_mib']:,.0f} MiB{extra}"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.bench_product",
                                description=__doc__.split("\n")[0])
    p.add_argument("--sizes", default="25k,100k,1M,qgis",
                   help=f"of {', '.join(CASES)} or a node count")
    p.add_argument("--modes", default="walk,drive", help="the qgis case runs walk only")
    p.add_argument("--competitors", default="zonekit," + ",".join(PEERS) + ",qgis")
    p.add_argument("--zonekit-only", default="1M", help="sizes run by zonekit alone")
    p.add_argument("--repeat", type=int, default=3, help="rounds of every tool (medians kept)")
    p.add_argument("--repeat-below", type=float, default=60.0,
                   help="seconds: a tool slower than this in its first round runs once")
    p.add_argument("--budget", type=float, default=1200.0,
                   help="seconds a peer may take (it stops and records its estimate)")
    p.add_argument("--budget-for", default="", help="per-peer budgets, e.g. nx_ego=1500")
    p.add_argument("--timeout", type=float, default=5400.0, help="hard kill of any run")
    p.add_argument("--terminal", action="store_true",
                   help="run zonekit on a pseudo-terminal, as a planner does (progress live)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--cases", default=str(Path(tempfile.gettempdir()) / "zonekit-bench-product"),
                   help="folder of the generated GeoPackages (kept and reused)")
    p.add_argument("--machine-note", default="",
                   help="recorded with the machine, e.g. 'busy: 8 other sessions'")
    p.add_argument("--out", default=str(HERE / "results.json"))
    p.add_argument("--readme", action="store_true", help="write the table into the README")
    p.add_argument("--report-only", action="store_true",
                   help="run nothing: recompute the targets of --out and write the README table")
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
    if opts.report_only:
        section = json.loads(Path(opts.out).read_text())["end_to_end"]
        section["targets"] = product_report.targets(section)
        product_report.update_readme(section, HERE / "README.md")
        print(product_report.targets_table(section))
        return 0
    machine = {**measure.machine_info(PACKAGES), "load_average_at_start": os.getloadavg()}
    if opts.machine_note:
        machine["note"] = opts.machine_note
    doc = {"command": "python -m benchmarks.bench_product" + (" " + shlex.join(raw) if raw
                                                              else ""),
           "date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine,
           "minutes": MINUTES, "help_s": help_seconds(), "cases": []}
    print(f"zonekit --help: {doc['help_s']} s (median of 5)", flush=True)
    with tempfile.TemporaryDirectory(prefix="zonekit-product-") as tmp:
        for size in (s.strip() for s in opts.sizes.split(",")):
            for mode in (m.strip() for m in opts.modes.split(",")):
                if size == "qgis" and mode != "walk":
                    continue
                doc["cases"].append(run_case(size, mode, opts, Path(tmp)))
                # saved after every case: a long run keeps what it measured
                section = product_report.save(doc, Path(opts.out), list(CASES))
    print("\n" + product_report.table(section) + "\n\n" + product_report.targets_table(section))
    if opts.readme:
        product_report.update_readme(section, HERE / "README.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
