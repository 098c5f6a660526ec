"""Timing and memory measurement for the benchmark subprocesses, and the machine description.

Each competitor runs in its own subprocess (``python -m benchmarks.run --child ...``):

* **wall time** of each step is measured in the subprocess with ``time.perf_counter``,
  with its **CPU time** (user + system, all threads, plus worker processes that ended
  during the step) to show how much parallelism was used and whether the machine was
  busy with something else;
* **memory** is measured from the parent, which polls the subprocess *and its
  descendants* (zonekit's worker processes, for instance) and sums their proportional
  set size (PSS, ``/proc/PID/smaps_rollup``), so pages shared by forked workers
  copy-on-write are counted once in total, not once per process (a sum of resident sizes
  would count a network shared by two workers three times). Reading PSS walks the
  target's page tables, so the poll interval adapts to keep the monitor under 5 % of a
  core (at least ``SAMPLE_S``); where PSS cannot be read the resident size
  (``/proc/PID/statm``) is used. The whole run's peak is the larger of the sampled peak
  and the subprocess's exact resident high-water mark (``ru_maxrss`` from ``os.wait4``);
  a step's peak is the larger of the samples taken during the step and the subprocess's
  ``ru_maxrss`` if it rose during the step.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

#: Shortest interval (s) between two memory samples of the running subprocess.
SAMPLE_S = 0.025

MIB = 1024 * 1024
_PAGE_MIB = os.sysconf("SC_PAGE_SIZE") / MIB


class OverBudgetError(Exception):
    """A competitor estimated that it would exceed the time budget; carries the estimate."""

    def __init__(self, estimate_s: float, note: str):
        super().__init__(note)
        self.estimate_s = estimate_s
        self.note = note


def _maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _cpu_s() -> float:
    """CPU seconds (user + system) of this process's threads and its finished children."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _rss_mib() -> float:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * _PAGE_MIB
    except OSError:
        return _maxrss_mib()


class Recorder:
    """Records the steps of one competitor run (in the subprocess)."""

    def __init__(self, budget_s: float):
        self.budget_s = budget_s
        self.steps: list[dict] = []
        self.notes: list[str] = []
        self.started = time.perf_counter()
        self.rss_before_mib: float | None = None

    @contextmanager
    def step(self, name: str):
        """Time a step (wall clock) and mark its window for the parent's memory samples."""
        if self.rss_before_mib is None:
            self.rss_before_mib = _rss_mib()
        hwm0 = _maxrss_mib()
        cpu0 = _cpu_s()
        t0m, t0 = time.monotonic(), time.perf_counter()
        yield
        t1 = time.perf_counter()
        self.steps.append({"step": name, "wall_s": t1 - t0, "cpu_s": _cpu_s() - cpu0,
                           "t0": t0m, "t1": time.monotonic(),
                           "maxrss_start_mib": hwm0, "maxrss_end_mib": _maxrss_mib()})

    def elapsed(self) -> float:
        """Seconds spent in recorded steps so far."""
        return sum(s["wall_s"] for s in self.steps)

    def note(self, text: str) -> None:
        """Add a remark to the results."""
        self.notes.append(text)


def _children(pid: int) -> list[int]:
    """Direct children of ``pid`` (from ``/proc/PID/task/*/children``)."""
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                out += [int(c) for c in fh.read().split()]
        except OSError:
            continue
    return out


def descendants(pid: int) -> list[int]:
    """All descendants of ``pid``."""
    found, todo = [], _children(pid)
    while todo:
        p = todo.pop()
        found.append(p)
        todo += _children(p)
    return found


def _pss_mib(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _statm_rss_mib(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * _PAGE_MIB
    except (OSError, IndexError, ValueError):
        return 0.0


def sample_tree_mib(pid: int) -> float:
    """Sum of PSS (else RSS) in MiB of ``pid`` and its descendants; 0 if gone."""
    total = 0.0
    for p in [pid, *descendants(pid)]:
        pss = _pss_mib(p)
        total += pss if pss is not None else _statm_rss_mib(p)
    return total


def cpu_busy_s() -> tuple[float, float]:
    """Machine-wide (busy, total) CPU seconds since boot, from ``/proc/stat``."""
    try:
        with open("/proc/stat") as fh:
            fields = [int(x) for x in fh.readline().split()[1:]]
    except OSError:
        return 0.0, 0.0
    tick = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    total = sum(fields[:8])
    return (total - idle) / tick, total / tick


def wait_idle(max_wait_s: float, idle_share: float = 0.8, probe_s: float = 1.0) -> float:
    """Wait (at most ``max_wait_s``) until the CPUs are idle ≥ ``idle_share`` over a probe.

    Returns the idle share last seen. Other work on a shared machine slows every
    tool; starting each run on an idle machine keeps that out of the numbers.
    """
    deadline = time.monotonic() + max_wait_s
    while True:
        b0, t0 = cpu_busy_s()
        time.sleep(probe_s)
        b1, t1 = cpu_busy_s()
        idle = 1.0 - (b1 - b0) / max(t1 - t0, 1e-9)
        if idle >= idle_share or time.monotonic() >= deadline:
            return idle


def run_monitored(cmd: list[str], timeout_s: float, env: dict | None = None,
                  log_path: Path | None = None, terminal: bool = False) -> dict:
    """Run ``cmd``, sampling its memory; return status, samples, wall time and ``ru_maxrss``.

    ``terminal``: the command's input and output are a pseudo-terminal (as a planner runs
    it: progress displays are live), drained into the log by a thread.
    """
    out = open(log_path, "w") if log_path else subprocess.DEVNULL  # noqa: SIM115
    busy0, total0 = cpu_busy_s()
    me0 = resource.getrusage(resource.RUSAGE_SELF)
    drain = None
    t0 = time.monotonic()
    if terminal:
        proc, drain = _in_terminal(cmd, env, out)
    else:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
    samples: list[tuple[float, float]] = []
    status, rusage, timed_out, cost = None, None, False, 0.0
    try:
        while True:
            pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
            if pid == proc.pid:
                break
            c0 = time.perf_counter()
            samples.append((time.monotonic(), sample_tree_mib(proc.pid)))
            cost = time.perf_counter() - c0
            if time.monotonic() - t0 > timeout_s:
                timed_out = True
                for child in descendants(proc.pid):
                    _kill(child)
                _kill(proc.pid)
                _, status, rusage = os.wait4(proc.pid, 0)
                break
            time.sleep(max(SAMPLE_S, 19 * cost))  # monitor busy at most 5 % of the time
    finally:
        proc.returncode = os.waitstatus_to_exitcode(status) if status is not None else -1
        if drain is not None:
            drain.join(10)
        if log_path:
            out.close()
    busy1, total1 = cpu_busy_s()
    me1 = resource.getrusage(resource.RUSAGE_SELF)
    child_cpu = rusage.ru_utime + rusage.ru_stime if rusage else 0.0
    mine = (me1.ru_utime + me1.ru_stime) - (me0.ru_utime + me0.ru_stime)
    others = max(0.0, (busy1 - busy0) - child_cpu - mine)
    return {"returncode": proc.returncode, "timed_out": timed_out,
            "wall_s": time.monotonic() - t0, "samples": samples,
            "ru_maxrss_mib": rusage.ru_maxrss / 1024 if rusage else None,
            "cpu_s": round(child_cpu, 3), "monitor_cpu_s": round(mine, 3),
            "other_cpu_share": round(others / max(total1 - total0, 1e-9), 3)}


def _in_terminal(cmd: list[str], env: dict | None, out: Any) -> tuple[Any, Any]:
    """Start ``cmd`` on a new pseudo-terminal; a thread copies what it prints to ``out``."""
    import pty
    import threading

    main, side = pty.openpty()
    proc = subprocess.Popen(cmd, stdin=side, stdout=side, stderr=side, env=env,
                            start_new_session=True)
    os.close(side)

    def copy() -> None:  # a terminal's buffer is a few kB: a command that prints waits
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # the command ended (EIO on Linux)
                break
            if not chunk:
                break
            if out is not subprocess.DEVNULL:
                out.write(chunk.decode(errors="replace"))
        os.close(main)

    thread = threading.Thread(target=copy, daemon=True)
    thread.start()
    return proc, thread


def _kill(pid: int) -> None:
    try:
        os.kill(pid, 9)
    except OSError:
        pass


def step_memory(steps: list[dict], samples: list[tuple[float, float]]) -> None:
    """Add ``peak_mem_mib`` to each step from the parent's samples and the child's HWM."""
    for s in steps:
        inside = [m for t, m in samples if s["t0"] <= t <= s["t1"]]
        peak = max(inside, default=0.0)
        if s["maxrss_end_mib"] > s["maxrss_start_mib"]:
            peak = max(peak, s["maxrss_end_mib"])
        s["peak_mem_mib"] = round(peak, 1) if peak else None
        s["n_samples"] = len(inside)


def machine_info(packages: list[str]) -> dict:
    """CPU model, cores, RAM, OS, Python and package versions."""
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gib = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram_gib = round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    versions = {}
    for name in packages:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "cpu_model": cpu,
        "logical_cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "ram_gib": ram_gib,
        "os": f"{platform.system()} {platform.release()}",
        "python": sys.version.split()[0],
        "packages": versions,
    }


def write_json(path: Path, doc: dict) -> None:
    """Write ``doc`` as indented JSON (NaN → null)."""
    path.write_text(json.dumps(doc, indent=1, allow_nan=False, default=_default) + "\n")


def _default(obj):
    import numpy as np

    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")
