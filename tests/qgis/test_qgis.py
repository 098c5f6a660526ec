"""The QGIS Processing provider: its runner (here), and its algorithms in PyQGIS.

PyQGIS lives in the system Python (``apt-get install python3-qgis qgis-providers``), not in
the venv: the algorithm tests run ``tests/qgis/qgis_job.py`` there, offscreen, and compare what
the algorithms wrote and loaded with what the ``zonekit`` command writes.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyogrio
import pytest

from tests.conftest import REPO, SAMPLE

SYSTEM_PYTHON = "/usr/bin/python3"
PLUGIN = REPO / "zonekit" / "qgis_plugin" / "zonekit_processing"
ZONEKIT = Path(sys.executable).parent / "zonekit"
PARK = f"{SAMPLE / 'park.gpkg'}|layername="


def _load_runner():
    spec = importlib.util.spec_from_file_location("zonekit_qgis_runner", PLUGIN / "runner.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


runner = _load_runner()


class Feedback:
    """The part of QgsProcessingFeedback the runner uses, recorded."""

    def __init__(self, cancel_after: str | None = None) -> None:
        self.cancel_after, self.cancelled = cancel_after, False
        self.texts, self.info, self.console, self.progress = [], [], [], []

    def isCanceled(self) -> bool:  # noqa: N802 - QGIS API
        """Whether Cancel was pressed."""
        return self.cancelled

    def setProgress(self, value: float) -> None:  # noqa: N802
        """Record a percentage."""
        self.progress.append(value)

    def setProgressText(self, text: str) -> None:  # noqa: N802
        """Record a step text."""
        self.texts.append(text)

    def pushInfo(self, text: str) -> None:  # noqa: N802
        """Record a message."""
        self.info.append(text)

    def pushConsoleInfo(self, text: str) -> None:  # noqa: N802
        """Record a console line; cancel on the trigger text."""
        self.console.append(text)
        if self.cancel_after and text == self.cancel_after:
            self.cancelled = True


# -- the runner and the progress lines (no QGIS needed) ----------------------------------

def test_runner_relays_zonekit_steps_and_messages(tmp_path: Path) -> None:
    fb = Feedback()
    runner.run_zonekit(str(ZONEKIT), ["zones", "--out", str(tmp_path / "z")], fb, steps=2)
    assert fb.texts == ["Reading and checking layers, measuring zones", "Writing results"]
    assert fb.progress[-1] == 100
    assert any(m.startswith("Results written to") for m in fb.info)
    assert not any(line.startswith("{") for line in fb.console)  # JSON lines are consumed
    assert (tmp_path / "z" / "zones.gpkg").exists()


def test_jsonl_progress_lines_are_json(tmp_path: Path) -> None:
    env = {**os.environ, "ZONEKIT_PROGRESS": "jsonl"}
    done = subprocess.run([str(ZONEKIT), "zones", "--out", str(tmp_path)], env=env,
                          capture_output=True, text=True, check=True)
    events = [json.loads(line) for line in done.stderr.splitlines()]
    assert [e["event"] for e in events[:2]] == ["step", "step_done"]
    assert events[1]["seconds"] >= 0
    assert any(e["event"] == "info" and "SYNTHETIC" in e["message"] for e in events)


def test_runner_error_is_zonekits_message(tmp_path: Path) -> None:
    missing = tmp_path / "absent"
    with pytest.raises(runner.ZonekitRunError) as err:
        runner.run_zonekit(str(ZONEKIT), ["zones", "--data", str(missing), "--out",
                                          str(tmp_path / "o")], Feedback())
    assert str(err.value) == f"{missing}: --data path not found"


def test_runner_crash_gives_last_line_not_traceback() -> None:
    with pytest.raises(runner.ZonekitRunError) as err:
        runner.run_zonekit(sys.executable, ["-c", "raise RuntimeError('boom')"], Feedback())
    assert "exit code 1" in str(err.value) and "RuntimeError: boom" in str(err.value)
    assert "Traceback" not in str(err.value)


def test_runner_cancel_ends_the_process(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    code = (f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); "
            "print('started', flush=True); time.sleep(120)")
    with pytest.raises(runner.ZonekitCancelledError):
        runner.run_zonekit(sys.executable, ["-c", code], Feedback(cancel_after="started"))
    with pytest.raises(ProcessLookupError):  # ended and reaped
        os.kill(int(pid_file.read_text()), 0)


def _load_messages():
    spec = importlib.util.spec_from_file_location("zonekit_qgis_messages", PLUGIN / "messages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_messages_say_parameters_and_layers_not_options_and_paths() -> None:
    terms = _load_messages().Terms({"--facilities": "设施 Facilities", "--minutes": "时间阈值"})
    terms.file("/tmp/p/zonekit_1/data/facilities.gpkg", "layer 'pois' (设施 Facilities)")
    terms.folder("/tmp/p/zonekit_1")
    said = terms.say("/tmp/p/zonekit_1/data/facilities.gpkg:facilities has no rows; pass "
                     "--facilities FILE, minutes=N or --crs EPSG:4548 (see "
                     "/tmp/p/zonekit_1/inputs/origins.gpkg)")
    assert said == ("layer 'pois' (设施 Facilities) has no rows; pass 「设施 Facilities」, "
                    "「时间阈值」 or the layer's CRS (Layer ▸ Set CRS 设置图层坐标参考系) "
                    "EPSG:4548 (see (temporary copy))")


def test_find_executable_says_how_to_set_it_up(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    assert runner.find_executable(str(ZONEKIT)) == str(ZONEKIT)
    monkeypatch.setenv("PATH", str(tmp_path))  # no zonekit on PATH, none recorded in the repo
    with pytest.raises(runner.ZonekitRunError, match="zonekit qgis install"):
        runner.find_executable(str(tmp_path / "nothing"))


# -- zonekit qgis install / uninstall ---------------------------------------------------

def test_qgis_install_copies_plugin_and_records_zonekit(tmp_path: Path) -> None:
    done = subprocess.run([str(ZONEKIT), "qgis", "install", "--profile", "planner",
                           "--qgis-config-dir", str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    target = tmp_path / "profiles" / "planner" / "python" / "plugins" / "zonekit_processing"
    assert str(target) in done.stderr
    assert {"__init__.py", "metadata.txt", "provider.py", "runner.py"} <= {
        p.name for p in target.iterdir()}
    assert (target / "zonekit_executable.txt").read_text().strip() == str(ZONEKIT)
    ini = tmp_path / "profiles" / "planner" / "QGIS" / "QGIS3.ini"
    assert "zonekit_processing=true" in ini.read_text().splitlines()
    assert runner.recorded_executable(target) == str(ZONEKIT)
    gone = subprocess.run([str(ZONEKIT), "qgis", "uninstall", "--profile", "planner",
                           "--qgis-config-dir", str(tmp_path)], capture_output=True, text=True)
    assert gone.returncode == 0 and not target.exists()


# -- the algorithms in PyQGIS -----------------------------------------------------------

def _has_pyqgis() -> bool:
    if not Path(SYSTEM_PYTHON).exists():
        return False
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "PYTHONPATH": "/usr/share/qgis/python/plugins"}
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import qgis.core, processing"],
                           capture_output=True, env=env)
    return probe.returncode == 0


#: The QGIS runs take minutes: `make test` leaves them to their own step of .ci/run.
QGIS_ENV = "ZONEKIT_QGIS_TESTS"
needs_qgis = pytest.mark.skipif(
    os.environ.get(QGIS_ENV) != "1" or not _has_pyqgis(),
    reason=f"PyQGIS runs are a step of .ci/run: enable them with {QGIS_ENV}=1 and PyQGIS in "
    "the system Python (`apt-get install python3-qgis qgis-providers`)")


@pytest.fixture(scope="module")
def plugins_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The provider installed by `zonekit qgis install` into a throw-away QGIS profile."""
    config = tmp_path_factory.mktemp("qgis-config")
    subprocess.run([str(ZONEKIT), "qgis", "install", "--qgis-config-dir", str(config)],
                   check=True, capture_output=True)
    return config / "profiles" / "default" / "python" / "plugins"


def _run_jobs(plugins: Path, jobs: list[dict], folder: Path) -> list[dict]:
    jobs_file, results_file = folder / "jobs.json", folder / "results.json"
    jobs_file.write_text(json.dumps(jobs), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    job = Path(__file__).with_name("qgis_job.py")
    done = subprocess.run([SYSTEM_PYTHON, str(job), str(plugins),
                           str(jobs_file), str(results_file)], capture_output=True, text=True,
                          env={**env, "QT_QPA_PLATFORM": "offscreen"}, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(results_file.read_text(encoding="utf-8"))


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(ZONEKIT), *args], capture_output=True, text=True)


def _no_crs_zones(folder: Path) -> Path:
    """The sample's zones as a Shapefile without .prj: a layer with no CRS."""
    gdf = pyogrio.read_dataframe(SAMPLE / "park.gpkg", layer="zones")
    path = folder / "zones_nocrs.shp"
    pyogrio.write_dataframe(gdf, path, encoding="UTF-8")
    path.with_suffix(".prj").unlink()
    return path


def _population_copy(folder: Path) -> str:
    """The sample's population GeoTIFF, copied: QGIS writes a .aux.xml beside rasters it opens."""
    return str(shutil.copy(SAMPLE / "population.tif", folder / "population.tif"))


@pytest.fixture(scope="module")
def runs(plugins_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Each algorithm run once in QGIS, and the CLI runs they are compared with."""
    tmp = tmp_path_factory.mktemp("qgis-runs")
    park = {"ZONES": PARK + "zones", "PARCELS": PARK + "parcels",
            "ENTERPRISES": PARK + "enterprises"}
    gcj = pd.DataFrame({"name": ["甲", "乙"], "x": [116.843, 116.912], "y": [40.376, 40.401]})
    src = tmp / "gcj.geojson"
    import geopandas as gpd

    pyogrio.write_dataframe(gpd.GeoDataFrame(gcj, geometry=gpd.points_from_xy(gcj.x, gcj.y),
                                             crs="EPSG:4326"), src)
    pyogrio.write_dataframe(pyogrio.read_dataframe(src), tmp / "gcj.gpkg", layer="points")
    no_crs = _no_crs_zones(tmp)
    population = _population_copy(tmp)
    jobs = {
        "circles": {"KIND": 0, "ROADS": PARK + "roads", "FACILITIES": PARK + "facilities",
                    "CATEGORY_FIELD": "category", "FACILITY_ID": "fac_id",
                    "ZONES": PARK + "zones", "PARCELS": PARK + "parcels",
                    "POPULATION": population, "OUTPUT": str(tmp / "q_circles")},
        "intensity": {**park, "OUTPUT": str(tmp / "q_intensity")},
        "zones": {**park, "OUTPUT": str(tmp / "q_zones")},
        "indicators": {**park, "OUTPUT": str(tmp / "q_indicators")},
        "convert": {"INPUT": str(src), "FROM": 0, "OUTPUT": str(tmp / "q_wgs84.gpkg")},
        "convert_gpkg": {"INPUT": f"{tmp / 'gcj.gpkg'}|layername=points", "FROM": 0,
                         "OUTPUT": str(tmp / "q_wgs84_from_gpkg.gpkg")},
        "report": {**park, "OPEN": False, "OUTPUT": str(tmp / "q_report")},
        "no_crs": {**park, "ZONES": str(no_crs), "OUTPUT": str(tmp / "q_nocrs")},
    }
    algs = {"no_crs": "zones", "convert_gpkg": "convert"}
    results = _run_jobs(plugins_dir, [{"alg": f"zonekit:{algs.get(k, k)}", "params": v}
                                      for k, v in jobs.items()], tmp)
    cli = {
        "circles": _cli("circles", "--kind", "service", "--data", str(SAMPLE), "--out",
                        str(tmp / "c_circles")),
        "intensity": _cli("intensity", "--out", str(tmp / "c_intensity")),
        "convert": _cli("convert", str(src), str(tmp / "c_wgs84.gpkg"), "--from", "gcj02"),
        "no_crs": _cli("zones", "--data", str(SAMPLE), "--zones", str(no_crs), "--out",
                       str(tmp / "c_nocrs")),
    }
    return {"tmp": tmp, "qgis": dict(zip(jobs, results, strict=True)), "cli": cli}


def _default_style(gpkg: Path, layer: str) -> tuple[str, str | None]:
    """Renderer type and single-symbol colour (#rrggbb) of the layer's default style."""
    with sqlite3.connect(gpkg) as con:
        qml = con.execute("SELECT styleQML FROM layer_styles WHERE f_table_name = ? AND "
                          "useAsDefault = 1", (layer,)).fetchone()[0]
    renderer = re.search(r'<renderer-v2[^>]* type="(\w+)"', qml).group(1)
    rgb = re.search(r'<prop k="color" v="(\d+),(\d+),(\d+)', qml)
    colour = "#" + "".join(f"{int(v):02x}" for v in rgb.groups()) if rgb else None
    return renderer, colour


def _check_styled(layers: list[dict]) -> None:
    for layer in layers:
        assert layer["valid"], layer
        if layer["renderer"] is None:
            continue  # a table (CSV)
        path, rest = layer["source"].split("|layername=")
        renderer, colour = _default_style(Path(path), rest.split("|")[0])
        assert layer["renderer"] == renderer, layer["name"]
        if renderer == "singleSymbol":
            assert layer["color"] == colour, layer["name"]


@needs_qgis
def test_circles_in_qgis_gives_the_cli_coverage(runs: dict) -> None:
    run = runs["qgis"]["circles"]
    assert run["error"] is None, run
    assert runs["cli"]["circles"].returncode == 0, runs["cli"]["circles"].stderr
    tmp = runs["tmp"]
    cols = ["scenario", "category", "measure", "limit", "total", "covered", "share"]
    qgis = pd.read_csv(tmp / "q_circles" / "coverage.csv")[cols]
    cli = pd.read_csv(tmp / "c_circles" / "coverage.csv")[cols]
    pd.testing.assert_frame_equal(qgis, cli)
    names = {layer["name"].split(" · ")[0] for layer in run["layers"]}
    assert {"起点覆盖", "服务缺口", "等时圈·药店", "覆盖率"} <= names
    _check_styled(run["layers"])
    assert run["progress"] == 100
    assert any(t.startswith("Reading and routing") for t in run["texts"])


@needs_qgis
def test_intensity_in_qgis_flags_the_cli_parcels(runs: dict) -> None:
    run = runs["qgis"]["intensity"]
    assert run["error"] is None, run
    tmp = runs["tmp"]

    def flagged(folder: str) -> set:
        parcels = pyogrio.read_dataframe(tmp / folder / "parcels.gpkg", layer="parcels")
        return set(parcels.loc[parcels["low_efficiency"].astype(bool), "parcel_id"])

    assert flagged("q_intensity") == flagged("c_intensity")
    assert len(flagged("q_intensity")) > 0
    layers = {layer["name"].split(" · ")[0]: layer for layer in run["layers"]}
    assert layers["地块亩均"]["features"] == 811
    assert layers["腾笼换鸟方案"]["renderer"] is None  # a table
    _check_styled(run["layers"])


@needs_qgis
def test_zones_indicators_convert_and_report_in_qgis(runs: dict) -> None:
    q = runs["qgis"]
    for name in ("zones", "indicators", "convert", "report"):
        assert q[name]["error"] is None, q[name]
    _check_styled(q["zones"]["layers"])
    assert [layer["name"] for layer in q["indicators"]["layers"]][0] == "规划指标 · 规划指标跟踪"
    tmp = runs["tmp"]
    assert runs["cli"]["convert"].returncode == 0, runs["cli"]["convert"].stderr
    ours = pyogrio.read_dataframe(tmp / "q_wgs84.gpkg")
    theirs = pyogrio.read_dataframe(tmp / "c_wgs84.gpkg")
    assert ours.geom_equals_exact(theirs.geometry, tolerance=1e-9).all()
    assert q["convert"]["layers"][0]["features"] == 2
    assert q["convert_gpkg"]["error"] is None, q["convert_gpkg"]  # exported first
    exported = pyogrio.read_dataframe(tmp / "q_wgs84_from_gpkg.gpkg")
    assert exported.geom_equals_exact(theirs.geometry, tolerance=1e-9).all()
    assert q["convert_gpkg"]["layers"][0]["features"] == 2
    report = Path(q["report"]["outputs"]["REPORT"])
    assert report == tmp / "q_report" / "report.html" and report.exists()


@needs_qgis
def test_layer_without_crs_is_refused_naming_the_layer(runs: dict) -> None:
    cli = runs["cli"]["no_crs"]
    assert cli.returncode == 2 and "--crs" in cli.stderr  # zonekit refuses it too
    error = runs["qgis"]["no_crs"]["error"]
    assert error.startswith("功能分区 Zones: layer 'zones_nocrs' has no known coordinate")
    assert "Set CRS" in error and "--" not in error and "Traceback" not in error


def _snapshot(folder: Path) -> dict:
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*"))}


@needs_qgis
def test_cancel_stops_circles_and_keeps_the_output_folder(plugins_dir: Path, runs: dict,
                                                          tmp_path: Path) -> None:
    earlier = tmp_path / "earlier"  # results of an earlier run, to be overwritten
    shutil.copytree(runs["tmp"] / "c_circles", earlier)
    before = _snapshot(earlier)
    params = {"KIND": 0, "ROADS": PARK + "roads", "FACILITIES": PARK + "facilities",
              "CATEGORY_FIELD": "category", "POPULATION": _population_copy(tmp_path),
              "OVERWRITE": True}
    jobs = [{"alg": "zonekit:circles", "params": {**params, "OUTPUT": str(earlier)},
             "cancel_on": "Reading and routing"},
            {"alg": "zonekit:circles", "params": {**params, "OUTPUT": str(tmp_path / "new")},
             "cancel_on": "Reading and routing"}]
    results = _run_jobs(plugins_dir, jobs, tmp_path)
    for run in results:
        assert run["error"] is not None and "cancelled" in run["error"], run
        assert run["layers"] == []
    assert _snapshot(earlier) == before
    assert not (tmp_path / "new").exists()


# -- round two: layers as QGIS holds them, on a network that is not the sample --------------

GRID_CRS = "EPSG:32633"  # WGS84 UTM 33N: outside China
X0, Y0, STEP, N = 500_000.0, 5_000_000.0, 200.0, 11


def _grid_data(folder: Path) -> dict[str, Path]:
    """A 2 km × 2 km street grid, 8 facilities (one category no profile knows), 169 origins."""
    import geopandas as gpd
    import numpy as np
    from shapely.geometry import LineString, Point

    lines = [LineString([(X0, Y0 + i * STEP), (X0 + (N - 1) * STEP, Y0 + i * STEP)])
             for i in range(N)]
    lines += [LineString([(X0 + i * STEP, Y0), (X0 + i * STEP, Y0 + (N - 1) * STEP)])
              for i in range(N)]
    roads = gpd.GeoDataFrame({"road_id": range(len(lines)), "highway": "residential"},
                             geometry=lines, crs=GRID_CRS)
    cats = ["pharmacy"] * 3 + ["convenience_store"] * 3 + ["market"] * 2
    cells = [(1, 1), (8, 2), (5, 9), (2, 7), (9, 9), (5, 5), (3, 3), (7, 6)]
    fac = gpd.GeoDataFrame({"fac_id": [f"F{i}" for i in range(8)], "kind": cats},
                           geometry=[Point(X0 + a * STEP + 30, Y0 + b * STEP)
                                     for a, b in cells], crs=GRID_CRS)
    xs, ys = np.meshgrid(np.arange(50, 2000, 150.0), np.arange(50, 2000, 150.0))
    org = gpd.GeoDataFrame({"oid": range(xs.size)}, crs=GRID_CRS, geometry=gpd.points_from_xy(
        X0 + xs.ravel(), Y0 + ys.ravel()))
    life = fac.assign(kind=["幼儿园", "小学", "幼儿园", "小学", "幼儿园", "中学", "中学", "小学"])
    paths = {name: folder / f"{name}.gpkg" for name in ("roads", "fac", "org", "life",
                                                        "pharmacies", "bare_roads")}
    roads.to_file(paths["roads"], layer="roads")
    roads.drop(columns="highway").to_file(paths["bare_roads"], layer="bare_roads")
    fac.to_file(paths["fac"], layer="fac")
    fac[fac["kind"] == "pharmacy"].to_file(paths["pharmacies"], layer="pharmacies")
    paths["bare_fac"] = folder / "bare_fac.gpkg"
    fac.drop(columns="kind").to_file(paths["bare_fac"], layer="bare_fac")
    org.to_file(paths["org"], layer="org")
    life.to_file(paths["life"], layer="life")
    shp = folder / "fac_noprj.shp"
    fac.to_file(shp, encoding="UTF-8")
    shp.with_suffix(".prj").unlink()
    paths["noprj"] = shp
    paths["map"] = folder / "category_map.csv"
    paths["map"].write_text("market,fresh_market\n", encoding="utf-8")
    return paths


@pytest.fixture(scope="module")
def grid(plugins_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Circle runs in QGIS on the grid, with layers set up in the project as a planner has them."""
    tmp = tmp_path_factory.mktemp("qgis-grid")
    d = _grid_data(tmp)
    layers = {"roads": {"uri": f"{d['roads']}|layername=roads"},
              "origins": {"uri": f"{d['org']}|layername=org"}}
    common = {"ROADS": "@roads", "ORIGINS_LAYER": "@origins", "ORIGIN_ID": "oid",
              "CATEGORY_FIELD": "kind", "FACILITY_ID": "fac_id"}
    pharmacy = "\"kind\" = 'pharmacy'"
    cases = {
        "noprj": ({"fac": {"uri": str(d["noprj"]), "crs": GRID_CRS}}, {"FACILITIES": "@fac"}),
        "again": ({"fac": {"uri": str(d["noprj"]), "crs": GRID_CRS}}, {"FACILITIES": "@fac"}),
        "selected": ({"fac": {"uri": f"{d['fac']}|layername=fac", "select": pharmacy}},
                     {"FACILITIES": {"selected": "@fac"}}),
        "memory_subset": ({"fac": {"uri": f"{d['fac']}|layername=fac", "memory": True,
                                   "subset": pharmacy}}, {"FACILITIES": "@fac"}),
        "memory_nocrs": ({"pois_nocrs": {"uri": f"{d['fac']}|layername=fac", "memory": True,
                                         "crs": "none"}}, {"FACILITIES": "@pois_nocrs"}),
        "noprj_unset": ({"fac_unset": {"uri": str(d["noprj"])}}, {"FACILITIES": "@fac_unset"}),
        "bare_roads": ({"fac": {"uri": f"{d['fac']}|layername=fac"},
                        "my_streets": {"uri": f"{d['bare_roads']}|layername=bare_roads"}},
                       {"FACILITIES": "@fac", "ROADS": "@my_streets"}),
        "no_category": ({"my_pois": {"uri": f"{d['bare_fac']}|layername=bare_fac"}},
                        {"FACILITIES": "@my_pois"}),
        "lifecircle": ({"fac": {"uri": f"{d['life']}|layername=life"}}, {"FACILITIES": "@fac"}),
        "virtual": ({"vsrc": {"uri": f"{d['fac']}|layername=fac"},
                     "fac": {"uri": f"?query=SELECT * FROM vsrc WHERE {pharmacy}",
                             "provider": "virtual"}}, {"FACILITIES": "@fac"}),
        "joined": ({"jsrc": {"uri": f"{d['fac']}|layername=fac"},
                    "fac": {"uri": f"{d['bare_fac']}|layername=bare_fac",
                            "join": ["jsrc", "fac_id", "fac_id", "jn_"]}},
                   {"FACILITIES": "@fac", "CATEGORY_FIELD": "jn_kind"}),
        "mapped": ({"fac": {"uri": f"{d['fac']}|layername=fac"}},
                   {"FACILITIES": "@fac", "CATEGORY_MAP": str(d["map"])}),
    }
    jobs = [{"alg": "describe"}]
    for name, (own, params) in cases.items():
        alg = "zonekit:circles_lifecircle" if name == "lifecircle" else "zonekit:circles_service"
        jobs.append({"alg": alg, "layers": {**layers, **own},
                     "params": {**common, **params, "OUTPUT": str(tmp / f"q_{name}")}})
    results = _run_jobs(plugins_dir, jobs, tmp)
    base = ["circles", "--kind", "service", "--roads", str(d["roads"]), "--origins",
            str(d["org"]), "--origin-id", "oid", "--category-col", "kind", "--facility-id",
            "fac_id"]
    cli = {"all": _cli(*base, "--facilities", str(d["fac"]), "--out", str(tmp / "c_all")),
           "pharmacies": _cli(*base, "--facilities", str(d["pharmacies"]), "--out",
                              str(tmp / "c_pharmacies"))}
    return {"tmp": tmp, "algorithms": results[0]["algorithms"],
            "q": dict(zip(cases, results[1:], strict=True)), "cli": cli}


def _minutes(folder: Path) -> pd.DataFrame:
    origins = pd.read_csv(folder / "origins.csv")
    return origins[sorted(c for c in origins if c.startswith("minutes_"))].round(9)


def _cli_free(text: str) -> None:
    """No command-line option, no temporary path in a message for the planner."""
    assert not re.search(r"(?<![\w-])--[a-z]", text), text
    assert "/tmp/processing" not in text and "zonekit_" not in text, text


@needs_qgis
def test_shapefile_without_prj_runs_with_the_crs_set_in_qgis(grid: dict) -> None:
    run = grid["q"]["noprj"]
    assert run["error"] is None, run
    assert grid["cli"]["all"].returncode == 0, grid["cli"]["all"].stderr
    pd.testing.assert_frame_equal(_minutes(grid["tmp"] / "q_noprj"),
                                  _minutes(grid["tmp"] / "c_all"))
    summary = json.loads((grid["tmp"] / "q_noprj" / "summary.json").read_text())
    assert summary["crs"] == GRID_CRS


@needs_qgis
def test_selected_features_only_and_filters_use_just_those_facilities(grid: dict) -> None:
    assert grid["cli"]["pharmacies"].returncode == 0, grid["cli"]["pharmacies"].stderr
    expected = pd.read_csv(grid["tmp"] / "c_pharmacies" / "coverage.csv")
    everything = pd.read_csv(grid["tmp"] / "c_all" / "coverage.csv")
    assert len(expected) < len(everything)  # the selection changes the result
    for name in ("selected", "memory_subset", "virtual"):
        run = grid["q"][name]
        assert run["error"] is None, run
        got = pd.read_csv(grid["tmp"] / f"q_{name}" / "coverage.csv")
        pd.testing.assert_frame_equal(got, expected)
        pd.testing.assert_frame_equal(_minutes(grid["tmp"] / f"q_{name}"),
                                      _minutes(grid["tmp"] / "c_pharmacies"))
    assert any("3 selected features" in line for line in grid["q"]["selected"]["log"])


@needs_qgis
def test_layer_with_unknown_crs_is_refused_naming_it(grid: dict) -> None:
    for name, layer in (("memory_nocrs", "pois_nocrs"), ("noprj_unset", "fac_unset")):
        error = grid["q"][name]["error"]
        assert error is not None and error.startswith(
            f"设施 Facilities: layer '{layer}' has no known coordinate reference system"), error
        _cli_free(error)
        assert not (grid["tmp"] / f"q_{name}").exists()


@needs_qgis
def test_messages_name_parameters_and_layers_warnings_are_warnings(grid: dict) -> None:
    error = grid["q"]["no_category"]["error"]
    assert error is not None and "layer 'my_pois'" in error and "kind" in error, error
    _cli_free(error)
    # Roads without a road class run at the mode's default speed, said in the log (#27).
    bare = grid["q"]["bare_roads"]
    assert bare["error"] is None, bare
    assert any("no 'highway' column" in line for line in bare["log"]), bare["log"]
    for line in [*bare["log"], *bare["warnings"]]:
        _cli_free(line)
    run = grid["q"]["noprj"]
    assert any(w.startswith("basics complete") for w in run["warnings"]), run["warnings"]
    assert not any(line.startswith("warning:") for line in run["log"])
    for line in [*run["log"], *run["warnings"]]:
        _cli_free(line)


@needs_qgis
def test_every_registry_kind_is_an_algorithm_with_its_chinese_name(grid: dict) -> None:
    algs = grid["algorithms"]
    for kind, name_zh in (("service", "15分钟便民生活圈"), ("industry", "15分钟产业生态圈"),
                          ("charging", "5分钟充电圈"),
                          ("lifecircle", "生活圈居住区公共服务设施（GB 50180-2018）")):
        assert algs[f"zonekit:circles_{kind}"]["display"] == name_zh
    service = algs["zonekit:circles_service"]
    label, text, _ = service["params"]["MINUTES"]
    assert "lacks" in label and "药店 8" in text and "保持各自阈值" in text
    assert "全部类别" in algs["zonekit:circles_charging"]["params"]["MINUTES"][1]
    assert "药店 8" in service["help"]
    assert "PROFILE" in service["params"]
    run = grid["q"]["lifecircle"]
    assert run["error"] is None, run
    assert any(g.startswith("生活圈公共服务设施 步行") for g in run["groups"]), run["groups"]


@needs_qgis
def test_result_layers_are_named_and_grouped_per_run(grid: dict) -> None:
    title = "15分钟便民生活圈 步行 5–15分钟"
    groups = grid["q"]["again"]["groups"]
    assert title in groups and f"{title} (2)" in groups
    first = groups[title]
    assert all(name.endswith(f" · {title}") for name in first)
    layers = {layer["name"].split(" · ")[0]: layer for layer in grid["q"]["noprj"]["layers"]}
    isochrones = {k: v for k, v in layers.items() if k.startswith("等时圈·")}
    assert set(isochrones) == {"等时圈·便利店", "等时圈·药店", "等时圈·market"}
    assert {v["subset"] for v in isochrones.values()} == {
        f"\"category\" = '{c}'" for c in ("convenience_store", "pharmacy", "market")}
    assert sum(v["features"] for v in isochrones.values()) == len(pyogrio.read_dataframe(
        grid["tmp"] / "q_noprj" / "isochrones.gpkg", layer="isochrones"))
    _check_styled(grid["q"]["noprj"]["layers"])


@needs_qgis
def test_every_class_label_is_chinese_and_a_category_map_names_own_values(grid: dict) -> None:
    layers = {layer["name"].split(" · ")[0]: layer for layer in grid["q"]["noprj"]["layers"]}
    labels = layers["服务缺口"]["labels"]
    assert "market（数据中的类别）" in labels and "药店" in labels
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in label) for label in labels), labels
    run = grid["q"]["mapped"]
    assert run["error"] is None, run
    names = {layer["name"].split(" · ")[0] for layer in run["layers"]}
    assert "等时圈·生鲜菜市场" in names and "等时圈·market" not in names


@needs_qgis
def test_joined_fields_reach_zonekit(grid: dict) -> None:
    run = grid["q"]["joined"]  # the category comes from a joined layer only
    assert run["error"] is None, run
    pd.testing.assert_frame_equal(_minutes(grid["tmp"] / "q_joined"),
                                  _minutes(grid["tmp"] / "c_all"))
