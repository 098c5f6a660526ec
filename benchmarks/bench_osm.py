"""Reading an OSM file into a road layer: zonekit against osmnx, pyrosm and quackosm.

The file is the real Aguascalientes extract tiled 10 × 10 (``benchmarks/osm_city.py``:
~150,000 drive edges), written as ``.osm.pbf`` and as ``.osm`` XML (osmnx's
``graph_from_xml`` reads XML only). Each tool runs in its own subprocess, ``--repeat`` times,
the tools interleaved; the table gives the median time of the read (wall and CPU, imports
excluded), the whole process (imports included) and MB/s of the file read:

* **zonekit** ``read_osm_roads(file, "drive")``: osmnx's drive filter, one-way rules and
  ``simplify_graph`` result (tested edge for edge), as a GeoDataFrame;
* **zonekit, osmnx path**: the same result through networkx and ``osmnx.simplify_graph``
  (``osm_graph`` + ``edges_from_graph``: zonekit's reader before the array version);
* **osmnx** ``graph_from_xml(xml, simplify=True, retain_all=True)`` + ``graph_to_gdfs``:
  every highway way (osmnx filters no mode from a file), simplified;
* **pyrosm** ``OSM(pbf).get_network("driving")``: drive ways as lines, not simplified, no
  topology (``nodes=False``);
* **quackosm** ``convert_pbf_to_geodataframe(pbf, tags_filter={"highway": True})``: every
  highway feature as a geometry, no topology. DuckDB's ``spatial`` extension comes from
  the ``duckdb-ext-spatial`` package (no download): it is linked into a private HOME.

A peer that is not installed is reported as such. ``python -m benchmarks.bench_osm
--repeat 3`` writes ``benchmarks/results_osm.json`` and prints the table for
``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from importlib import util
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results_osm.json"
README_START, README_END = "<!-- osm:start -->", "<!-- osm:end -->"
#: tool → (module it needs, file format it reads)
TOOLS = {"zonekit": ("zonekit", "pbf"), "zonekit-xml": ("zonekit", "osm"),
         "zonekit-osmnx-path": ("osmnx", "pbf"), "osmnx": ("osmnx", "osm"),
         "pyrosm": ("pyrosm", "pbf"), "quackosm": ("quackosm", "pbf")}
#: Modules imported before the read is timed (zonekit imports its heavy ones lazily)
_ZONEKIT = ("zonekit.zones.osm.roads", "osmnx", "osmium", "geopandas", "scipy.sparse.csgraph")
PREIMPORT = {"zonekit": _ZONEKIT, "zonekit-xml": _ZONEKIT, "zonekit-osmnx-path": _ZONEKIT,
             "osmnx": ("osmnx",), "pyrosm": ("pyrosm",), "quackosm": ("quackosm",)}


def _read(tool: str, path: Path, work: Path) -> int:
    """Run one tool's read; the number of rows (edges or features) it returns."""
    if tool.startswith("zonekit") and tool != "zonekit-osmnx-path":
        from zonekit.zones.osm import read_osm_roads

        return len(read_osm_roads(path, "drive"))
    if tool == "zonekit-osmnx-path":
        from zonekit.zones.osm.roads import edges_from_graph, osm_graph

        return len(edges_from_graph(osm_graph(path, "drive")))
    if tool == "osmnx":
        import osmnx as ox

        graph = ox.graph_from_xml(path, simplify=True, retain_all=True)
        return len(ox.graph_to_gdfs(graph, nodes=False))
    if tool == "pyrosm":
        from pyrosm import OSM

        return len(OSM(str(path)).get_network(network_type="driving"))
    import quackosm

    return len(quackosm.convert_pbf_to_geodataframe(
        path, tags_filter={"highway": True}, working_directory=work / "quackosm",
        verbosity_mode="silent", ignore_cache=True))


def _child(tool: str, path: Path, work: Path) -> None:
    for module in PREIMPORT[tool]:  # imports count in the process time, not in the read
        __import__(module)
    wall, cpu = time.perf_counter(), time.process_time()
    rows = _read(tool, path, work)
    print(json.dumps({"rows": rows, "read_s": time.perf_counter() - wall,
                      "cpu_s": time.process_time() - cpu}))


def _duckdb_home(work: Path) -> Path | None:
    """Make a HOME whose DuckDB extension folder holds the packaged ``spatial`` extension."""
    spec = util.find_spec("duckdb_ext")
    if spec is None or not spec.submodule_search_locations:
        return None
    found = sorted(Path(spec.submodule_search_locations[0]).glob("extensions/*/*/spatial.*"))
    if not found:
        return None
    home = work / "duckdb-home"
    target = home / ".duckdb" / found[-1].relative_to(found[-1].parents[3])
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        target.symlink_to(found[-1])
    return home


def _run(tool: str, path: Path, work: Path, timeout: float) -> dict:
    env = dict(os.environ)
    home = _duckdb_home(work) if tool == "quackosm" else None
    if home is not None:
        env["HOME"] = str(home)
    start = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, "-m", "benchmarks.bench_osm", "--child", tool,
                               str(path), "--work", str(work)], cwd=HERE.parent, env=env,
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"over {timeout:.0f} s"}
    if proc.returncode:
        return {"error": (proc.stderr.strip().splitlines() or ["failed"])[-1][:200]}
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["process_s"] = time.perf_counter() - start
    return out


def _files(work: Path, tiles: int) -> dict[str, Path]:
    from benchmarks.osm_city import write_tiled_extract

    files = {"pbf": work / f"city{tiles}.osm.pbf", "osm": work / f"city{tiles}.osm"}
    for path in files.values():
        if not path.exists():
            write_tiled_extract(path, tiles)
    return files


def _summary(tool: str, runs: list[dict], path: Path) -> dict:
    ok = [r for r in runs if "error" in r] == []
    mb = path.stat().st_size / 1e6
    row = {"tool": tool, "file": path.name, "mb": round(mb, 2), "runs": runs}
    if ok:
        for key in ("read_s", "cpu_s", "process_s"):
            row[key] = round(statistics.median(r[key] for r in runs), 2)
        row["rows"] = runs[0]["rows"]
        row["mb_per_s"] = round(mb / row["read_s"], 2)
    return row


def table(rows: list[dict]) -> str:
    """Format the results as a markdown table (medians; ratios to zonekit on the pbf).

    MB/s by wall time and by CPU time (the CPU figures hold better on a busy machine).
    """
    base = next((r for r in rows if r["tool"] == "zonekit" and "read_s" in r), None)
    lines = ["| tool | file | MB | rows | read s | CPU s | process s | MB/s | MB/CPU s "
             "| × zonekit (wall, CPU) |", "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        if "read_s" not in r:
            note = r.get("note") or r["runs"][0].get("error", "failed")
            lines.append(f"| {r['tool']} | {r['file']} | {r['mb']} | {note} | | | | | | |")
            continue
        ratio = (f"{r['read_s'] / base['read_s']:.1f}, {r['cpu_s'] / base['cpu_s']:.1f}"
                 if base else "")
        lines.append(f"| {r['tool']} | {r['file']} | {r['mb']} | {r['rows']:,} | "
                     f"{r['read_s']} | {r['cpu_s']} | {r['process_s']} | {r['mb_per_s']} | "
                     f"{r['mb'] / r['cpu_s']:.2f} | {ratio} |")
    return "\n".join(lines)


def write_readme(doc: dict) -> None:
    """Put the table of ``doc`` (``results_osm.json``) into ``benchmarks/README.md``."""
    from benchmarks.run import replace_section

    load = doc["loadavg"][0]
    block = (f"Measured {doc['date']} with `{doc['command']}`, {doc['repeat']} runs per tool "
             f"interleaved, medians; load average {load:.1f} on {doc['cpus']} CPUs"
             f"{' (a busy machine: compare CPU s)' if load > doc['cpus'] else ''}.\n\n"
             f"{table(doc['rows'])}\n")
    replace_section(HERE / "README.md", README_START, README_END, block,
                    heading="## Reading OpenStreetMap files (`bench_osm.py`)\n\n")


def main() -> None:
    """Command line: see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tiles", type=int, default=10)
    parser.add_argument("--tools", default=",".join(TOOLS))
    parser.add_argument("--work", type=Path, default=Path("/tmp/zonekit-bench-osm"))
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--readme", action="store_true", help="write the table into the README")
    parser.add_argument("--child", nargs=2, metavar=("TOOL", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return _child(args.child[0], Path(args.child[1]), args.work)
    args.work.mkdir(parents=True, exist_ok=True)
    files = _files(args.work, args.tiles)
    tools = args.tools.split(",")
    missing = {t for t in tools if util.find_spec(TOOLS[t][0]) is None}
    runs: dict[str, list[dict]] = {t: [] for t in tools if t not in missing}
    for _ in range(args.repeat):  # interleaved: each repeat runs every tool once
        for tool in runs:
            runs[tool].append(_run(tool, files[TOOLS[tool][1]], args.work, args.timeout))
            print(tool, runs[tool][-1], flush=True)
    rows = [_summary(t, runs[t], files[TOOLS[t][1]]) if t in runs else
            {"tool": t, "file": files[TOOLS[t][1]].name, "mb": "", "note": "not installed",
             "runs": []} for t in tools]
    doc = {"date": time.strftime("%Y-%m-%d"), "command": "python -m benchmarks.bench_osm "
           + " ".join(sys.argv[1:]), "tiles": args.tiles, "repeat": args.repeat,
           "loadavg": os.getloadavg(), "cpus": os.cpu_count(), "rows": rows}
    RESULTS.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"load average {doc['loadavg'][0]:.1f} on {doc['cpus']} CPUs")
    print(table(rows))
    if args.readme:
        write_readme(doc)


if __name__ == "__main__":
    main()
