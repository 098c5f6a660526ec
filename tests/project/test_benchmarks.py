"""The benchmark harness on a tiny city: every installed competitor agrees with zonekit.

No timing assertions: this only checks that the benchmark compares like with like
(same graph, same points, same limit) and that its subprocess runner works.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from benchmarks import measure  # noqa: E402
from benchmarks.competitors import COMPETITORS, load, missing  # noqa: E402
from benchmarks.networks import CATEGORIES, make_city  # noqa: E402
from benchmarks.run import compare  # noqa: E402

# walk 15 min covers part of the 3 km city; drive 2 min too (15 min would cover it all)
LIMITS = {"walk": 15.0, "drive": 2.0}
PEERS = [k for k in COMPETITORS if not k.startswith("zonekit")]


@pytest.fixture(scope="module")
def city():
    return make_city(900, label="tiny", seed=3)


@pytest.fixture(scope="module")
def reference(city):
    zonekit = load("zonekit")
    return {mode: zonekit.run(city, mode, LIMITS[mode], measure.Recorder(60), 1)["minutes"]
            for mode in LIMITS}


def test_city_is_road_like(city):
    d = city.describe()
    assert 800 <= d["n_nodes"] <= 900
    assert 0.03 <= d["share_oneway"] <= 0.07
    assert d["n_edges"] < 2 * 30 * 29  # some links are missing
    assert set(city.fac_cat) == set(range(len(CATEGORIES)))
    assert len(np.unique(city.orig_node)) == len(city.orig_node)


@pytest.mark.parametrize("mode", list(LIMITS))
def test_reference_has_partial_coverage(reference, mode):
    covered = np.isfinite(reference[mode]).mean()
    assert 0.05 < covered < 0.95


@pytest.mark.parametrize("mode", list(LIMITS))
@pytest.mark.parametrize("key", PEERS)
def test_peer_agrees_with_zonekit(city, reference, key, mode):
    lacking = missing(key)
    if lacking:
        pytest.skip(f"{key} not installed (pip install {' '.join(lacking)}); not compared")
    comp = load(key)
    if mode not in comp.MODES:
        pytest.skip(f"{comp.LABEL} has no {mode} case")
    rec = measure.Recorder(60)
    answers = comp.run(city, mode, LIMITS[mode], rec, 1)
    assert [s["step"] for s in rec.steps] == ["build", "snap", "query"]
    check = compare(reference[mode], answers, LIMITS[mode], comp.TIME_TOL_MIN)
    assert check["agree"], check
    assert check["coverage_differs"] == 0


def test_harness_end_to_end(tmp_path):
    out = tmp_path / "results.json"
    cmd = [sys.executable, "-m", "benchmarks.run", "--sizes", "tiny", "--modes", "drive",
           "--competitors", "zonekit,nx_msd", "--limits", "drive=2", "--budget", "60",
           "--wait-idle", "0",
           "--out", str(out)]
    subprocess.run(cmd, cwd=REPO, check=True, capture_output=True, timeout=120)
    doc = json.loads(out.read_text())
    assert doc["machine"]["logical_cores"] >= 1
    assert doc["machine"]["packages"]["numpy"]
    (case,) = doc["cases"]
    z, nx = case["results"]["zonekit"], case["results"]["nx_msd"]
    assert z["status"] == "ok", z
    assert [s["step"] for s in z["steps"]] == ["build", "snap", "query"]
    assert z["peak_mem_mib"] > 50
    if nx["status"] != "not installed":
        assert nx["status"] == "ok", nx
        assert nx["check"]["agree"], nx["check"]


def test_per_competitor_budget():
    """``--budget-for`` gives one slow peer more time (and a longer kill timeout)."""
    from benchmarks.run import budget_of, parse_args, timeout_of

    opts = parse_args(["--budget", "300", "--budget-for", "nx_ego=1500"])
    assert budget_of(opts, "nx_ego") == 1500 and budget_of(opts, "pandana") == 300
    assert timeout_of(opts, "nx_ego") == 6000 and timeout_of(opts, "pandana") == 1200
    assert timeout_of(parse_args(["--timeout", "50"]), "nx_ego") == 50
    with pytest.raises(SystemExit):
        parse_args(["--budget-for", "nope=10"])


def test_product_case_files_give_the_peers_the_same_city(tmp_path):
    """The end-to-end benchmark's GeoPackages, read back by a peer script, are the city."""
    from benchmarks import bench_product as bp
    from benchmarks.product_peer import city_from_files, write_table
    from zonekit.analysis.circles.profile import load_circles_profile

    case = bp.write_case("900", tmp_path, seed=2)
    city = make_city(900, seed=2, n_facilities=2_400, n_origins=20_000)
    back, origin_id = city_from_files(case)
    assert back.n_nodes == city.n_nodes and back.n_edges == city.n_edges
    for mode in ("walk", "drive"):  # same arcs, node numbers aside
        a, b = city.arcs(mode), back.arcs(mode)
        pairs = {(round(city.node_x[s], 3), round(city.node_y[t], 3), round(w, 6))
                 for s, t, w in zip(*a, strict=True)}
        assert pairs == {(round(back.node_x[s], 3), round(back.node_y[t], 3), round(w, 6))
                         for s, t, w in zip(*b, strict=True)}
    assert np.array_equal(back.fac_cat, city.fac_cat)
    assert np.allclose(back.node_x[back.orig_node], city.node_x[city.orig_node])
    spec = load_circles_profile(case / "profile.yaml").circle("service")
    assert list(spec.category_ids) == CATEGORIES
    assert set(spec.limits_minutes().values()) == {bp.MINUTES}
    cmd = bp.zonekit_command(case, "walk", tmp_path / "out")
    for opt in ("--roads", "--facilities", "--origins", "--origin-id", "--facility-id",
                "--category-col", "--minutes", "--mode", "--out", "--force"):
        assert opt in cmd
    covered = np.zeros((len(origin_id), len(CATEGORIES)), bool)
    covered[0, 3] = True
    write_table(tmp_path / "peer.csv", origin_id, {"covered": covered})
    z = tmp_path / "z"
    z.mkdir()
    minutes = np.where(covered, 10.0, np.nan)
    minutes[1, 0] = 50.0  # beyond the limit: not covered either
    import pandas as pd

    frame = pd.DataFrame(minutes, columns=[f"minutes_{c}" for c in CATEGORIES])
    frame.insert(0, "origin_id", origin_id)
    frame.to_csv(z / "origins.csv", index=False, encoding="utf-8-sig")
    from benchmarks.product_report import compare

    assert compare(str(z), str(tmp_path / "peer.csv"))["agree"]
    covered[2, 2] = True
    write_table(tmp_path / "peer.csv", origin_id, {"covered": covered})
    assert compare(str(z), str(tmp_path / "peer.csv"))["coverage_differs"] == 1
