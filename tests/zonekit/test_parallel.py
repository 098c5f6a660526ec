"""Steps side by side in worker processes give what they give one after another.

The workers are started with ``spawn`` here (``ZONEKIT_START_METHOD``), the way Windows
and macOS start them, so every call must pickle; ``fork`` is checked where Linux has it.
"""

from __future__ import annotations

import functools
import multiprocessing as mp
import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from circles_fixtures import planner_grid, points_near
from typer.testing import CliRunner

from zonekit.cli.app import app
from zonekit.errors import DataFileError, ZonekitError
from zonekit.parallel import START_METHOD_ENV, in_parallel, paused_at_fork, share_work, start_method
from zonekit.standby import standby

runner = CliRunner()


@pytest.fixture
def spawn(monkeypatch):
    monkeypatch.setenv(START_METHOD_ENV, "spawn")


def _fail() -> None:
    raise DataFileError("roads.gpkg: broken")


def test_calls_run_in_workers_and_return_in_order(spawn):
    parent = os.getpid()
    out = in_parallel([os.getpid, os.getpid, functools.partial(str, "here")], 3)
    assert out[2] == "here" and parent not in out[:2]
    assert in_parallel([os.getpid, os.getpid], 1) == [parent, parent]  # serial


def test_a_workers_error_is_raised_here_with_its_type(spawn):
    with pytest.raises(DataFileError, match="roads.gpkg: broken"):
        in_parallel([_fail, os.getpid], 2)
    with pytest.raises(RuntimeError, match="ended before finishing"):
        in_parallel([functools.partial(os._exit, 3), os.getpid], 2)  # died without a word


needs_fork = pytest.mark.skipif("fork" not in mp.get_all_start_methods(),
                                reason="this platform cannot fork")


@needs_fork
def test_forked_workers_inherit_the_calls_without_pickling(monkeypatch):
    import gc

    monkeypatch.setenv(START_METHOD_ENV, "fork")
    parent, big = os.getpid(), np.arange(10)
    # lambdas do not pickle: under fork they need not (a worker finds them in its copy)
    out = in_parallel([lambda: (os.getpid(), int(big.sum())), lambda: "here"], 2)
    assert out[0][0] != parent and out[0][1] == 45 and out[1] == "here"
    with pytest.raises(DataFileError, match="roads.gpkg: broken"):
        in_parallel([lambda: _fail(), os.getpid], 2)
    with pytest.raises(ValueError, match="here too"):
        in_parallel([os.getpid, lambda: int("here too")], 2)
    assert gc.get_freeze_count() == 0  # the collector sees this process's objects again


@needs_fork
def test_shared_calls_run_in_the_copy_and_here_and_return_in_order():
    import time

    def slow(k: int) -> tuple[int, int]:
        time.sleep(0.2)
        return k, os.getpid()

    parent = os.getpid()
    calls = [functools.partial(slow, k) for k in range(6)]
    done, first = share_work(calls, lambda: "map")  # a quick first call: both take calls
    assert first == "map" and [k for k, _ in done] == list(range(6))
    where = {pid for _, pid in done}
    assert parent in where and len(where) == 2
    done, _ = share_work(calls[:2], lambda: time.sleep(1.0))  # a long one: all in the copy
    assert {pid for _, pid in done} == {done[0][1]} != {parent}


@needs_fork
def test_shared_calls_raise_their_errors_after_both_sides_end():
    with pytest.raises(DataFileError, match="roads.gpkg: broken"):
        share_work([os.getpid, _fail, os.getpid], lambda: None)
    with pytest.raises(ValueError, match="map failed"):  # here_first's error first
        share_work([_fail], lambda: int("map failed"))
    with pytest.raises(RuntimeError, match="ended before finishing"):  # the copy died
        share_work([functools.partial(_exit_unless, os.getpid())],
                   lambda: __import__("time").sleep(0.3))


def _interrupt_copy(pid: int) -> str:
    """Press Ctrl-C in a copy of this process (never the test's own)."""
    import signal

    if os.getpid() != pid:
        os.kill(os.getpid(), signal.SIGINT)
    return "went on"


def _exit_unless(pid: int) -> None:
    """End a copy of this process without a word (never the test's own process)."""
    if os.getpid() != pid:
        os._exit(3)


#: Set by a standby's warm-up (in its copy only).
_WARM: list[int] = []


def _warm() -> None:
    _WARM.append(os.getpid())


def _warmed(x: int) -> tuple[int, list[int], int]:
    return x * 2, list(_WARM), os.getpid()


@needs_fork
def test_a_standby_warms_up_in_its_copy_and_runs_the_call_sent_later(monkeypatch):
    monkeypatch.setenv(START_METHOD_ENV, "fork")
    copy = standby(_warm, _warmed)
    copy.submit(21)  # pickled: the argument only
    value, warmed, pid = copy.result()
    assert value == 42 and warmed == [pid] and pid != os.getpid() and not _WARM
    with pytest.raises(RuntimeError, match="one call only"):
        copy.submit(1)


@needs_fork
def test_a_standby_raises_its_errors_here_and_reports_a_dead_copy(monkeypatch):
    monkeypatch.setenv(START_METHOD_ENV, "fork")
    copy = standby(lambda: int("warm-up errors are left to the call"), lambda: _fail())
    copy.submit()
    with pytest.raises(DataFileError, match="roads.gpkg: broken"):
        copy.result()
    copy = standby(lambda: None, functools.partial(_exit_unless, os.getpid()))
    copy.submit()
    with pytest.raises(RuntimeError, match="ended before finishing"):
        copy.result()


@needs_fork
def test_an_unused_standby_ends_when_let_go(monkeypatch):
    import time

    monkeypatch.setenv(START_METHOD_ENV, "fork")
    copy = standby(lambda: time.sleep(30), _warmed)  # still warming up
    process = copy._process
    t0 = time.perf_counter()
    copy.close()
    assert not process.is_alive() and time.perf_counter() - t0 < 5
    copy = standby(lambda: None, lambda: time.sleep(30))
    process = copy._process
    copy.submit()  # at its call when this process stops (an error, Ctrl-C): not waited for
    t0 = time.perf_counter()
    copy.close()
    assert not process.is_alive() and time.perf_counter() - t0 < 5
    monkeypatch.setenv(START_METHOD_ENV, "spawn")
    assert standby(_warm, _warmed) is None  # no copy without fork: the caller runs it here


@needs_fork
def test_ctrl_c_is_left_to_the_process_a_copy_was_forked_from(monkeypatch):
    """The terminal's Ctrl-C reaches every process: copies print no traceback of their own."""
    import signal
    import time

    monkeypatch.setenv(START_METHOD_ENV, "fork")
    copy = standby(lambda: time.sleep(0.3), _warmed)
    os.kill(copy._process.pid, signal.SIGINT)  # while it warms up
    time.sleep(0.1)
    os.kill(copy._process.pid, signal.SIGINT)  # while it waits for its call
    copy.submit(2)
    assert copy.result()[0] == 4
    done, _ = share_work([functools.partial(_interrupt_copy, os.getpid()), os.getpid],
                         lambda: time.sleep(0.3))
    assert done[0] == "went on"


@needs_fork
def test_a_thread_paused_at_fork_leaves_fork_and_its_lock_free_in_the_copy(monkeypatch):
    """The console's spinner (a thread drawing under its lock) does not rule fork out."""
    import threading
    import time

    monkeypatch.delenv(START_METHOD_ENV, raising=False)
    alone = start_method()  # this process's choice without the spinner
    lock, stop, drawn = threading.RLock(), threading.Event(), []

    def spin() -> None:
        while not stop.is_set():
            with lock:  # as rich's refresh thread draws
                drawn.append(1)
                time.sleep(0.002)

    thread = threading.Thread(target=spin, daemon=True)
    thread.start()
    try:
        assert start_method() == "forkserver"  # a thread of others: no fork
        with paused_at_fork(thread, lock):
            assert start_method() == alone
            monkeypatch.setenv(START_METHOD_ENV, "fork")
            # in each copy the lock is free (the fork took it; the copy's side gave it back)
            got = in_parallel([lambda: lock.acquire(timeout=2), lambda: True], 2)
            assert got == [True, True] and drawn
        monkeypatch.delenv(START_METHOD_ENV)
        assert start_method() == "forkserver"  # the block is over
    finally:
        stop.set()
        thread.join()


@needs_fork
def test_the_consoles_spinner_leaves_fork_to_the_run(monkeypatch):
    """In a terminal the progress display's thread runs; the run's workers still fork."""
    import sys

    from zonekit.cli import _common as c

    monkeypatch.delenv(START_METHOD_ENV, raising=False)
    monkeypatch.delenv("ZONEKIT_PROGRESS", raising=False)
    alone = start_method()
    if alone != "fork":
        pytest.skip(f"this process forks no workers even without the spinner ({alone})")
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    with c.progress("spinning") as bar:
        assert bar.live._refresh_thread is not None and bar.live._refresh_thread.is_alive()
        assert start_method() == alone


@needs_fork
def test_a_copy_forked_beside_the_libraries_thread_pools_still_reads_and_computes(tmp_path):
    """Arrow's, GDAL's and OpenBLAS's idle pools (started by a read) do not rule fork out."""
    import subprocess
    import sys

    from shapely.geometry import Point

    path = tmp_path / "points.gpkg"
    gpd.GeoDataFrame({"name": [f"p{k}" for k in range(500)]},
                     geometry=[Point(k, k) for k in range(500)], crs="EPSG:4548").to_file(path)
    script = f"""
import os, numpy, pyarrow as pa
from zonekit.parallel import in_parallel, start_method
from zonekit.zones.io import read_vector
read = lambda: len(read_vector({str(path)!r}))  # GDAL's and Arrow's pools start here
print(read(), len(os.listdir("/proc/self/task")), start_method(), flush=True)
work = lambda: (read(), pa.chunked_array([list(range(10_000))]).to_pandas().sum(),
                int((numpy.ones((200, 200)) @ numpy.ones((200, 200)))[0, 0]), os.getpid())
print(*in_parallel([work, lambda: os.getpid()], 2)[0])
"""
    env = {k: v for k, v in os.environ.items() if k != START_METHOD_ENV}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, timeout=120, check=True)
    first, second = done.stdout.split("\n")[:2]
    rows, threads, method = first.split()
    assert rows == "500" and int(threads) > 1 and method == "fork"  # native threads live
    assert second.split()[:3] == ["500", str(sum(range(10_000))), "200"]  # the copy's work


@needs_fork
def test_the_command_in_a_terminal_forks_its_workers(tmp_path):
    """Run as a planner runs it (a terminal, so the spinner's thread is up): still forked."""
    import json
    import pty
    import subprocess
    import sys
    import threading

    main, side = pty.openpty()
    seen: list[bytes] = []

    def drain() -> None:  # a terminal's buffer is a few kB: read it as the command writes
        while True:
            try:
                chunk = os.read(main, 4096)
            except OSError:
                return
            if not chunk:
                return
            seen.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    env = {k: v for k, v in os.environ.items() if k != START_METHOD_ENV}
    command = [str(Path(sys.executable).parent / "zonekit"), "circles", "--jobs", "2",
               "--out", str(tmp_path / "out")]
    done = subprocess.run(command, stdin=side, stdout=side, stderr=side, env=env,
                          timeout=300, check=False)
    os.close(side)
    reader.join(10)
    os.close(main)
    assert done.returncode == 0, b"".join(seen).decode(errors="replace")[-2000:]
    processes = json.loads((tmp_path / "out" / "summary.json").read_text())["processes"]
    assert processes == {"jobs": 2, "start_method": "fork", "map_forked_early": True}


def test_the_start_method_is_chosen_or_refused(monkeypatch):
    monkeypatch.setenv(START_METHOD_ENV, "spawn")
    assert start_method() == "spawn"
    monkeypatch.setenv(START_METHOD_ENV, "vfork")
    with pytest.raises(ZonekitError, match="ZONEKIT_START_METHOD='vfork'"):
        start_method()
    monkeypatch.delenv(START_METHOD_ENV)
    assert start_method() in mp.get_all_start_methods()


def _read_back(folder: Path) -> dict:
    """Every file of a run folder: tables and layers as frames, rasters as arrays."""
    import rasterio

    out = {}
    for path in sorted(folder.rglob("*")):
        name = str(path.relative_to(folder))
        if path.suffix == ".gpkg":
            import pyogrio

            for layer, _ in pyogrio.list_layers(path):
                frame = gpd.read_file(path, layer=layer)
                # a style's time of writing differs between any two runs
                out[f"{name}:{layer}"] = frame.drop(columns="update_time", errors="ignore")
        elif path.suffix == ".csv":
            out[name] = pd.read_csv(path)
        elif path.suffix == ".tif":
            with rasterio.open(path) as src:
                out[name] = src.read()
        elif path.is_file():
            out[name] = None  # the HTML map and summary.json: there, not compared
    return out


def _assert_same_folders(a: Path, b: Path) -> None:
    one, two = _read_back(a), _read_back(b)
    assert one.keys() == two.keys()
    for name, frame in one.items():
        if isinstance(frame, np.ndarray):
            np.testing.assert_array_equal(frame, two[name], err_msg=name)
        elif frame is not None:
            pd.testing.assert_frame_equal(frame, two[name], obj=name)


@pytest.fixture
def everything_parallel(monkeypatch, spawn):
    """City-scale thresholds lowered to nothing: every parallel step runs, spawned."""
    from zonekit.analysis.circles import pipeline
    from zonekit.analysis.network import engine

    monkeypatch.setattr(pipeline, "PARALLEL_MIN_CELLS", 0)
    monkeypatch.setattr(engine, "PARALLEL_MIN_S", 0.0)
    monkeypatch.setattr(engine, "FRESH_WORKER_MIN_S", 0.0)
    pools = []
    real = engine.ProcessPoolExecutor

    def pool(*args, **kwargs):
        pools.append(kwargs["mp_context"].get_start_method())
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "ProcessPoolExecutor", pool)
    return pools


@needs_fork
def test_sample_circles_written_by_a_forked_writer_equal_the_serial_run(monkeypatch,
                                                                          tmp_path):
    """With ``fork`` the files are written by a forked copy beside the map (no pickling)."""
    monkeypatch.setenv(START_METHOD_ENV, "fork")
    _circles(tmp_path / "serial", 1)
    _circles(tmp_path / "forked", 2)
    _assert_same_folders(tmp_path / "serial", tmp_path / "forked")
    assert (tmp_path / "forked" / "map_service.html").exists()


@needs_fork
def test_the_map_drawn_by_the_warm_copy_is_the_map_drawn_here(monkeypatch, tmp_path):
    """A town's map is drawn by the copy forked after the read (zonekit.api.map_standby)."""
    import re

    from zonekit.api import map_standby

    drawn_by: list[int] = []
    draw = map_standby.draw

    def spy(*args, **kwargs):
        drawn_by.append(os.getpid())
        (tmp_path / f"drawn_by_{os.getpid()}").touch()  # the copy's list is its own
        return draw(*args, **kwargs)

    monkeypatch.setattr(map_standby, "draw", spy)
    monkeypatch.setenv(START_METHOD_ENV, "fork")
    _circles(tmp_path / "copy", 2)
    assert not drawn_by and len(list(tmp_path.glob("drawn_by_*"))) == 1  # not here: the copy
    monkeypatch.setattr(map_standby, "MAX_CELLS", 0)  # too big for a copy: drawn here
    _circles(tmp_path / "here", 2)
    assert drawn_by == [os.getpid()]
    _assert_same_folders(tmp_path / "here", tmp_path / "copy")

    def page(folder: Path) -> str:  # folium names its elements by random ids
        text = (folder / "map_service.html").read_text(encoding="utf-8")
        return re.sub(r"[0-9a-f]{32}", "ID", text)

    assert page(tmp_path / "copy") == page(tmp_path / "here")


@needs_fork
def test_a_map_its_copy_cannot_take_is_drawn_here(monkeypatch, tmp_path):
    """Layers that do not pickle (or a copy gone) leave the map to this process: same page."""
    from zonekit.standby import Standby

    def refuse(self, *args):
        Standby.close(self)
        raise TypeError("cannot pickle 'generator' object")

    monkeypatch.setattr(Standby, "submit", refuse)
    monkeypatch.setenv(START_METHOD_ENV, "fork")
    _circles(tmp_path / "out", 2)
    assert (tmp_path / "out" / "map_service.html").stat().st_size > 100_000


@needs_fork
def test_a_circle_never_written_lets_its_map_copy_go(monkeypatch):
    import gc

    import zonekit as zk
    from zonekit.analysis.network.engine import forget_node_times

    monkeypatch.setenv(START_METHOD_ENV, "fork")
    forget_node_times()
    result = zk.circles("service", jobs=2)
    process = result.map_copy._process
    assert process.is_alive()
    del result
    gc.collect()
    process.join(5)
    assert not process.is_alive()
    assert zk.circles("service", jobs=1).map_copy is None  # one process: no copy


def _circles(out: Path, jobs: int, *args: str) -> None:
    from zonekit.analysis.network.engine import forget_node_times

    forget_node_times()  # each run searches afresh
    result = runner.invoke(app, ["circles", "--jobs", str(jobs), "--out", str(out), *args])
    assert result.exit_code == 0, result.output


def test_sample_circles_spawned_equal_the_serial_run(everything_parallel, tmp_path):
    _circles(tmp_path / "serial", 1)
    _circles(tmp_path / "pool", 2)
    assert everything_parallel == ["spawn"]  # the category searches went to spawned workers
    _assert_same_folders(tmp_path / "serial", tmp_path / "pool")


def test_own_data_circles_spawned_equal_the_serial_run(everything_parallel, tmp_path):
    """A small planner's case (grid streets, shops, homes; not the sample)."""
    data = tmp_path / "data"
    data.mkdir()
    _, roads = planner_grid(12, seed=7)
    roads.to_file(data / "roads.gpkg", layer="roads", engine="pyogrio")
    shops = points_near(roads, 30, seed=8, prefix="F")
    shops["kind"] = ["药店", "pharmacy", "超市", "market", "cat00", "幼儿园"] * 5
    shops.to_file(data / "shops.gpkg", engine="pyogrio")
    points_near(roads, 150, seed=9, prefix="H").to_file(data / "homes.gpkg", engine="pyogrio")
    args = ["--data", str(data), "--facilities", str(data / "shops.gpkg"),
            "--category-col", "kind", "--origins", str(data / "homes.gpkg")]
    _circles(tmp_path / "serial", 1, *args)
    _circles(tmp_path / "pool", 2, *args)
    assert everything_parallel == ["spawn"]
    _assert_same_folders(tmp_path / "serial", tmp_path / "pool")
