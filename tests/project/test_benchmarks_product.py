"""The product benchmark's new peers on a tiny case: same minutes / coverage as zonekit.

Whole processes, as the benchmark runs them (no timing assertions): ``zonekit circles``
on a 2,500-node city with 6 facilities in 6 categories (a 45-minute walk covers part of
it), the standalone scipy floor script (minutes, walk and drive) and QGIS Processing
(coverage, walk; skipped without PyQGIS).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from benchmarks import bench_product as bp  # noqa: E402
from benchmarks import product_report as pr  # noqa: E402


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    return bp.write_case("t2500", tmp_path_factory.mktemp("case"), seed=1,
                         spec=(2_500, 6, 300, 6))


@pytest.fixture(scope="module")
def zonekit_runs(case, tmp_path_factory):
    work = tmp_path_factory.mktemp("runs")
    runs = {mode: bp.run_zonekit(case, mode, work, 600) for mode in ("walk", "drive")}
    for res in runs.values():
        assert res["status"] == "ok", res.get("reason")
    return work, runs


def test_zonekit_computes_every_category_with_partial_coverage(case, zonekit_runs):
    import pandas as pd

    _, runs = zonekit_runs
    z = runs["walk"]
    assert z["categories"] == bp.case_categories(case) == bp.CATEGORIES[:6]
    assert z["startup_s"] == pytest.approx(z["wall_s"] - sum(z["timings_s"].values()), abs=0.01)
    minutes = pd.read_csv(Path(z["out"]) / "origins.csv", encoding="utf-8-sig").filter(
        like="minutes_")
    share = (minutes <= bp.MINUTES).to_numpy().mean()
    assert 0.2 < share < 0.95  # coverage alone would not tell right from wrong otherwise


@pytest.mark.parametrize("mode", ["walk", "drive"])
def test_floor_script_gives_zonekit_minutes(case, zonekit_runs, mode):
    work, runs = zonekit_runs
    res = bp.run_peer("scipy_floor", case, mode, work, 60, 600)
    assert res["status"] == "ok", res.get("reason")
    assert [s["step"] for s in res["steps"]] == ["read", "build", "snap", "query", "write"]
    check = pr.compare(runs[mode]["out"], res["table"], bp.case_categories(case), 1e-6)
    assert check["agree"] and check["coverage_differs"] == 0, check
    assert check["max_delta_min"] <= 1e-6


def test_qgis_processing_gives_zonekit_coverage(case, zonekit_runs):
    why = bp.qgis_missing()
    if why:
        pytest.skip(f"QGIS Processing not compared: {why}")
    work, runs = zonekit_runs
    res = bp.run_qgis(case, "walk", work, 600)
    assert res["status"] == "ok", res.get("reason")
    check = pr.compare(runs["walk"]["out"], res["table"], bp.case_categories(case))
    assert check["agree"] and check["coverage_differs"] == 0, check
    assert check["pairs"] == 300 * 6


def _case(size: str, walls: dict) -> dict:
    ok = {k: {"status": "ok", "wall_s": w, "label": k, "peak_mem_mib": 1.0, "html_mb": 1.0}
          for k, w in walls.items()}
    return {"size": size, "mode": "walk", "n_nodes": 1, "n_categories": 12,
            "results": {**ok, "nx_ego": {"status": "skipped", "estimate_s": 900.0,
                                         "label": "ego"}}}


def test_headline_is_against_the_strongest_peer_and_the_floor():
    case = _case("25k", {"zonekit": 2.0, "scipy_floor": 1.0, "nx_msd": 9.0, "pandana": 5.0,
                         "cityseer": 7.0})
    assert pr.strongest(case) == "pandana"  # not the floor, not the skipped ego recipe
    rows = {r["target"]: r for r in pr.case_targets(case)}
    head = rows["25k walk: zonekit circles ≥ 3× the strongest peer script"]
    assert head["ratio"] == 2.5 and head["met"] is False
    floor = rows["25k walk: zonekit circles ≤ 1.5× the scipy floor script"]
    assert floor["ratio"] == 2.0 and floor["met"] is False
    assert "**no**" in pr.targets_table({"targets": list(rows.values())})


def test_median_run_kept_with_every_wall_time():
    runs = [{"status": "ok", "wall_s": w, "peak_mem_mib": m} for w, m in
            ((3.0, 10.0), (1.0, 30.0), (2.0, 20.0))]
    res = bp.summarise(runs)
    assert res["wall_s"] == 2.0 and res["all_wall_s"] == [3.0, 1.0, 2.0]
    assert res["peak_mem_mib"] == 30.0


@pytest.mark.skipif(sys.platform != "linux", reason="pseudo-terminals as Linux has them")
def test_zonekit_runs_in_a_terminal_as_a_planner_runs_it(case, tmp_path):
    """``--terminal``: the command on a pty, its progress display live; workers still fork."""
    import json

    res = bp.run_zonekit(case, "walk", tmp_path, 600, terminal=True)
    assert res["status"] == "ok", res.get("reason")
    assert res["label"].endswith("in a terminal)")
    log = (tmp_path / f"zonekit-{case.name}-walk.log").read_text()
    assert "Results written to" in log  # the pty's output reached the log
    summary = json.loads((Path(res["out"]) / "summary.json").read_text())
    processes = summary["processes"]  # one core: no workers at all
    assert processes["start_method"] == ("fork" if processes["jobs"] > 1 else None)
