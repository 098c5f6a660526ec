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

REPO = Path(__file__).resolve().parents[1]
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
