"""Answer checks, targets and tables of the product benchmark (:mod:`benchmarks.bench_product`).

The **headline** of each case is ``zonekit circles`` against the *strongest* whole peer
script of that case (the fastest of :data:`STRONG` that finished), and every zonekit run
is also given as a multiple of the scipy "minutes only" floor script. The targets are
issue 29's; issue 17's map size target is kept.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from benchmarks import measure
from benchmarks.networks import CATEGORIES
from benchmarks.run import replace_section, targets_table

#: Peers a planner could write instead of zonekit; the headline is against the fastest.
STRONG = ("nx_msd", "nx_sssp", "pandana", "cityseer")
#: Issue 29: ≥ this many times the strongest peer, per size (walk and drive).
SPEEDUP = {"25k": 3.0, "100k": 8.0}
MAX_FLOOR_RATIO = 1.5  # zonekit circles / scipy floor script, whole processes
MIN_QGIS_RATIO = 10.0
MAX_1M_S, MAX_1M_MIB = 15.0, 3 * 1024.0
MAX_HTML_MB = 10.0  # issue 17
MAX_HELP_S, MAX_STARTUP_S = 0.3, 0.8
MINUTES = 45.0  # the limit of every case
NEAR_LIMIT_MIN = 1e-4  # pairs this close to the limit may be in or out: counted apart
README_START, README_END = "<!-- end_to_end:start -->", "<!-- end_to_end:end -->"


def compare(zonekit_out: str, table: str, categories: list[str] = CATEGORIES,
            tol_min: float | None = None) -> dict:
    """Compare a peer's table with zonekit's ``origins.csv``, origin × category.

    Coverage (within :data:`MINUTES`) must match except for pairs within
    :data:`NEAR_LIMIT_MIN` of the limit (counted in ``near_limit``); where the peer
    gives minutes, they must also match zonekit's within ``tol_min`` (minutes).
    """
    import pandas as pd

    z = pd.read_csv(Path(zonekit_out) / "origins.csv", encoding="utf-8-sig",
                    usecols=lambda c: c == "origin_id" or c.startswith("minutes_"))
    p = pd.read_csv(table).set_index("origin_id").loc[z["origin_id"]]
    zm = np.column_stack([z[f"minutes_{c}"].to_numpy(float) if f"minutes_{c}" in z
                          else np.full(len(z), np.nan) for c in categories])
    zc = zm <= MINUTES + 1e-9
    near = np.abs(zm - MINUTES) <= NEAR_LIMIT_MIN
    out: dict = {"pairs": int(zc.size), "near_limit": int(near.sum())}
    if f"minutes_{categories[0]}" in p:
        pm = np.column_stack([p[f"minutes_{c}"].to_numpy(float) for c in categories])
        pc = pm <= MINUTES + 1e-9
        both = np.isfinite(zm) & np.isfinite(pm) & zc & pc
        out["max_delta_min"] = float(np.abs(zm - pm)[both].max()) if both.any() else 0.0
    else:
        pc = np.column_stack([p[f"covered_{c}"].to_numpy(bool) for c in categories])
    differ = int(((zc != pc) & ~near).sum())
    close = tol_min is None or out.get("max_delta_min", 0.0) <= tol_min
    out.update(coverage_differs=differ, agree=differ == 0 and close)
    return out


def strongest(case: dict) -> str | None:
    """Key of the fastest finished peer of :data:`STRONG` in ``case``, or None."""
    done = [(r["wall_s"], k) for k, r in case["results"].items()
            if k in STRONG and r["status"] == "ok"]
    return min(done)[1] if done else None


def _ratio_row(target: str, ratio: float, met: bool, note: str) -> dict:
    return {"target": target, "ratio": round(ratio, 2), "met": met, "note": note}


def _cpu(slow: dict, fast: dict) -> str:
    """Return the same ratio on CPU seconds (fairer where others loaded the machine)."""
    if slow.get("cpu_s") and fast.get("cpu_s"):
        return f"; on CPU s {slow['cpu_s'] / fast['cpu_s']:.2f}×"
    return ""


def case_targets(case: dict) -> list[dict]:
    """Return the targets one case measures (zonekit must have run)."""
    res, size, mode = case["results"], case["size"], case["mode"]
    z = res["zonekit"]
    out = []
    best = strongest(case)
    if size in SPEEDUP and best:
        need, peer = SPEEDUP[size], res[best]
        ratio = peer["wall_s"] / z["wall_s"]
        out.append(_ratio_row(f"{size} {mode}: zonekit circles ≥ {need:g}× the strongest peer "
                              "script", ratio, ratio >= need,
                              f"{peer['label']}: {peer['wall_s']:.2f} s{_cpu(peer, z)}"))
    floor = res.get("scipy_floor")
    if floor and floor["status"] == "ok":
        ratio = z["wall_s"] / floor["wall_s"]
        out.append(_ratio_row(f"{size} {mode}: zonekit circles ≤ {MAX_FLOOR_RATIO:g}× the scipy "
                              "floor script", ratio, ratio <= MAX_FLOOR_RATIO,
                              f"floor {floor['wall_s']:.2f} s{_cpu(z, floor)}"))
    qgis = res.get("qgis")
    if qgis and qgis["status"] == "ok":
        ratio = qgis["wall_s"] / z["wall_s"]
        n_cat, done = case["n_categories"], len(z.get("categories", []))
        out.append(_ratio_row(f"{size} {mode}: zonekit circles ≥ {MIN_QGIS_RATIO:g}× QGIS "
                              "Processing, every category computed", ratio,
                              ratio >= MIN_QGIS_RATIO and done == n_cat,
                              f"QGIS {qgis['wall_s']:.2f} s; zonekit computed {done} of "
                              f"{n_cat} categories"))
    if size == "1M":
        out.append({"target": f"1M {mode}: zonekit circles < {MAX_1M_S:g} s",
                    "measured": z["wall_s"], "met": z["wall_s"] < MAX_1M_S})
        out.append({"target": f"1M {mode}: peak < {MAX_1M_MIB / 1024:g} GiB",
                    "measured_mib": z["peak_mem_mib"], "met": z["peak_mem_mib"] < MAX_1M_MIB})
    out.append({"target": f"{size} {mode}: HTML map < {MAX_HTML_MB:g} MB",
                "measured_mb": z["html_mb"], "met": z["html_mb"] < MAX_HTML_MB})
    return out


def targets(doc: dict) -> list[dict]:
    """Issue 29's targets on the measured numbers."""
    out = []
    for case in doc["cases"]:
        if case["results"]["zonekit"]["status"] == "ok":
            out += case_targets(case)
    if "help_s" in doc:
        out.append({"target": f"zonekit --help < {MAX_HELP_S:g} s", "measured": doc["help_s"],
                    "met": doc["help_s"] < MAX_HELP_S})
    starts = [c["results"]["zonekit"].get("startup_s") for c in doc["cases"]
              if c["size"] == "25k" and c["mode"] == "walk"]
    if starts and starts[0] is not None:
        out.append({"target": f"25k walk: start-up (wall time outside zonekit's timed steps: "
                              f"imports, options, exit) < {MAX_STARTUP_S:g} s",
                    "measured": starts[0], "met": starts[0] < MAX_STARTUP_S})
    return out


def _same(key: str, res: dict) -> str:
    chk = res.get("check")
    if key == "zonekit":
        return "reference"
    if chk is None:
        return "not compared"
    if not chk["agree"]:
        return f"NO ({chk['coverage_differs']} of {chk['pairs']} differ)"
    delta = chk.get("max_delta_min")
    return "yes" + (f", max Δ {delta * 60:.2g} s" if delta is not None else ", coverage")


def _row(case: dict, key: str, res: dict, best: str | None) -> str:
    res0 = case["results"]
    zs = res0["zonekit"]["wall_s"] if res0["zonekit"]["status"] == "ok" else None
    floor = res0.get("scipy_floor", {})
    fs = floor.get("wall_s") if floor.get("status") == "ok" else None
    head = f"| {case['n_nodes']:,} | {case['mode']} | {res['label']} |"
    if res["status"] != "ok":
        est = res.get("estimate_s")
        ratio = f"≈{est / zs:.0f}" if est and zs else ""
        note = f"estimated ~{est:.0f} s" if est else str(res.get("reason", ""))[-80:]
        return f"{head} {res['status']} | | | {ratio} | | | {note} |"
    runs = res.get("all_wall_s", [res["wall_s"]])
    ratio = f"{res['wall_s'] / zs:.1f}" if zs and key != "zonekit" else ""
    xfloor = f"{res['wall_s'] / fs:.2f}" if fs else ""
    notes = {"zonekit": f"map {res.get('html_mb')} MB, outputs {res.get('outputs_mb')} MB",
             best: "**strongest peer**", "nx_ego": "osmnx users' reference"}
    busy = "†" if (res.get("other_cpu_share") or 0) > 0.15 else ""
    return (f"{head} {res['wall_s']:.2f}{busy} | {len(runs)} | {res.get('cpu_s', 0):.1f} | "
            f"{ratio} | {xfloor} | {res['peak_mem_mib']:,.0f} | {_same(key, res)} | "
            f"{notes.get(key, '')} |")


def table(doc: dict) -> str:
    """Markdown table of the end-to-end runs."""
    lines = ["| nodes | mode | tool | wall s (median) | runs | CPU s | × zonekit | × floor | "
             "peak MiB | same answers | notes |",
             "|---|---|---|---:|---:|---:|---:|---:|---:|---|---|"]
    for case in doc["cases"]:
        best = strongest(case)
        lines += [_row(case, key, res, best) for key, res in case["results"].items()]
    lines += ["", "† other processes used more than 15 % of the machine's CPU during that run "
              "(its wall time is inflated; CPU s is the process tree's user + system time)."]
    return "\n".join(lines)


def save(doc: dict, path: Path, order: list[str]) -> dict:
    """Store ``doc`` as the ``end_to_end`` section of the results file; return that section.

    ``order``: the sizes in table order. Cases and tools not run this time keep their
    earlier results (each result carries its own command, date, CPU time and the
    machine's load during it).
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
    section = {**doc, "cases": sorted(merged.values(), key=lambda c: (
        order.index(c["size"]) if c["size"] in order else 9, c["mode"] != "walk"))}
    section["targets"] = targets(section)
    full["end_to_end"] = section
    measure.write_json(path, full)
    return section


def update_readme(doc: dict, path: Path) -> None:
    """Replace the end-to-end section of ``benchmarks/README.md``."""
    m = doc["machine"]
    block = (f"Measured {doc['date'][:10]} on {m['cpu_model']}, {m['usable_cores']} cores, "
             f"{m['ram_gib']} GiB RAM, Python {m['python']}"
             f"{'; ' + m['note'] if m.get('note') else ''}; with command:\n\n"
             f"```sh\n{doc['command']}\n```\n\n{table(doc)}\n\n{targets_table(doc)}\n")
    replace_section(path, README_START, README_END, block,
                    "## End to end: `zonekit circles` against whole peer scripts\n\n")
