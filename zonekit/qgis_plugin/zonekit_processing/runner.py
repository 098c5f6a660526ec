"""Run the ``zonekit`` command as a subprocess and relay it to a Processing feedback.

Pure Python (no ``qgis`` import), so it is tested without QGIS. ``feedback`` is any object
with the ``QgsProcessingFeedback`` methods used here (``isCanceled``, ``setProgress``,
``setProgressText``, ``pushInfo``, ``pushConsoleInfo``).

zonekit runs with ``ZONEKIT_PROGRESS=jsonl``: its steps and messages come as JSON lines on
stderr; its input errors come as ``Error: …`` and exit code 2. Every line passes through
``translate`` (zonekit's terms → the dialog's). Messages starting ``warning:`` are held
back and returned: the caller reports the run's warnings from its ``summary.json``.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

EXECUTABLE_FILE = "zonekit_executable.txt"  # written by `zonekit qgis install`
USAGE_ERROR = 2  # zonekit's exit code for input errors
GRACE_S = 10.0  # time a cancelled run gets to clean up before it is killed


class ZonekitRunError(Exception):
    """zonekit refused the input or failed; the message is what the user should read."""


class ZonekitCancelledError(Exception):
    """The user cancelled the run; the subprocess has ended."""


def recorded_executable(folder: Path | None = None) -> str | None:
    """Return the zonekit executable recorded by ``zonekit qgis install``, if any."""
    path = Path(folder or Path(__file__).parent) / EXECUTABLE_FILE
    if not path.exists():
        return None
    text = path.read_text(encoding="utf-8").strip()
    return text or None


def find_executable(setting: str | None = None) -> str:
    """Return the zonekit command to run: the provider setting, the recorded one, or PATH's.

    Raises
    ------
    ZonekitRunError
        None of them names an existing file.
    """
    for candidate in (setting, recorded_executable(), shutil.which("zonekit")):
        if candidate and Path(candidate).is_file():
            return str(candidate)
    raise ZonekitRunError(
        "zonekit command not found. In the Python environment where zonekit is installed run "
        "`zonekit qgis install`, or set its path in Processing ▸ Options ▸ Providers ▸ zonekit "
        f"(checked: setting {setting or '(empty)'}, {EXECUTABLE_FILE} "
        f"{recorded_executable() or '(absent)'}, PATH)")


WARNING = "warning: "  # how zonekit's console starts a warning


def _same(text: str) -> str:
    return text


class _Progress:
    """Turn zonekit's step lines into a percentage between ``start`` and 100."""

    def __init__(self, feedback: object, steps: int, start: float,
                 translate: Callable[[str], str] = _same) -> None:
        self.feedback, self.steps, self.start, self.done = feedback, max(steps, 1), start, 0
        self.translate, self.warnings = translate, []

    def event(self, record: dict) -> None:
        kind = record.get("event")
        if kind == "step":
            self.feedback.setProgressText(str(record.get("step", "")))
            self.feedback.pushInfo(f"▶ {record.get('step', '')}")
        elif kind == "step_done":
            self.done += 1
            share = min(self.done / self.steps, 0.99)
            self.feedback.setProgress(self.start + (100 - self.start) * share)
        elif kind == "info":
            message = str(record.get("message", ""))
            if message.startswith(WARNING):
                self.warnings.append(message[len(WARNING):])
            else:
                self.feedback.pushInfo(self.translate(message))
        else:
            self.feedback.pushConsoleInfo(json.dumps(record, ensure_ascii=False))


def _reader(stream: object, name: str, lines: queue.Queue) -> None:
    for line in iter(stream.readline, ""):
        lines.put((name, line.rstrip("\r\n")))
    lines.put((name, None))


def _start(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    extra: dict = {}
    if os.name == "nt":  # no console window; a group of its own for termination
        extra["creationflags"] = (subprocess.CREATE_NEW_PROCESS_GROUP
                                  | getattr(subprocess, "CREATE_NO_WINDOW", 0))
    else:
        extra["start_new_session"] = True  # worker processes end with it
    return subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8",
                            errors="replace", env=env, **extra)


def stop(proc: subprocess.Popen, grace_s: float = GRACE_S) -> None:
    """End ``proc`` and its workers: an interrupt first, then a kill.

    The interrupt lets zonekit remove its temporary files (``finally`` blocks run on
    KeyboardInterrupt, not on SIGTERM).
    """
    if proc.poll() is not None:
        return
    try:
        if os.name == "nt":
            proc.terminate()
        else:
            os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=grace_s)
    except (subprocess.TimeoutExpired, ProcessLookupError):
        pass
    if proc.poll() is None:
        if os.name == "nt":
            proc.kill()
        else:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update(ZONEKIT_PROGRESS="jsonl", PYTHONIOENCODING="utf-8", NO_COLOR="1",
               COLUMNS="110", PYTHONUNBUFFERED="1")
    for name in ("PYTHONPATH", "PYTHONHOME"):  # QGIS's own Python must not leak into zonekit's
        env.pop(name, None)
    return env


def run_zonekit(executable: str, args: list[str], feedback: object, steps: int = 1,
                start_percent: float = 0.0,
                translate: Callable[[str], str] = _same) -> list[str]:
    """Run ``executable args`` and relay its output to ``feedback`` until it ends.

    Parameters
    ----------
    executable
        Path of the ``zonekit`` console script.
    args
        Sub-command and options, e.g. ``["zones", "--out", "/tmp/x"]``.
    feedback
        Receives the log lines and the progress (percent).
    steps
        Number of progress steps the command reports, to scale the progress bar.
    start_percent
        Progress already reached before the command (e.g. after exporting layers).
    translate
        Rewrites each message for the user (options and files in the dialog's terms).

    Returns
    -------
    list of str
        The warnings zonekit printed (without ``warning:``; translated only by the caller).

    Raises
    ------
    ZonekitRunError
        zonekit's own error message (exit code 2), or the end of its output on a crash.
    ZonekitCancelledError
        ``feedback.isCanceled()`` became true; the process was ended.
    """
    feedback.pushConsoleInfo(" ".join([executable, *args]))
    try:
        proc = _start([executable, *args], _environment())
    except OSError as exc:
        raise ZonekitRunError(f"cannot start {executable}: {exc}") from exc
    with proc:  # closes the pipes
        progress = _Progress(feedback, steps, start_percent, translate)
        error, tail = _relay(proc, feedback, progress)
        code = proc.wait()
    if code == 0:
        feedback.setProgress(100)
        return progress.warnings
    if code == USAGE_ERROR and error:
        raise ZonekitRunError(translate("\n".join(error).strip()))
    last = next((t for t in reversed(tail) if t.strip()), "no output")
    raise ZonekitRunError(f"zonekit {args[0] if args else ''} failed (exit code {code}): "
                          f"{translate(last.strip())} (the log above holds its whole output)")


def _relay(proc: subprocess.Popen, feedback: object,
           progress: _Progress) -> tuple[list[str], list[str]]:
    """Pass output to ``feedback`` until both streams end; stop ``proc`` on Cancel.

    Returns the error message lines and the last lines of plain stderr text.
    """
    lines: queue.Queue = queue.Queue()
    for stream, name in ((proc.stdout, "out"), (proc.stderr, "err")):
        threading.Thread(target=_reader, args=(stream, name, lines), daemon=True).start()
    error, tail, open_streams = [], [], 2
    while open_streams:
        if feedback.isCanceled():
            stop(proc)
            raise ZonekitCancelledError("cancelled: zonekit was stopped (已取消)")
        try:
            name, line = lines.get(timeout=0.1)
        except queue.Empty:
            continue
        if line is None:
            open_streams -= 1
        elif name == "out":
            feedback.pushConsoleInfo(progress.translate(line))
        else:
            _stderr_line(line, progress, error, tail, feedback)
    return error, tail


def _stderr_line(line: str, progress: _Progress, error: list[str], tail: list[str],
                 feedback: object) -> None:
    """Route one stderr line: a JSON event, the start (or rest) of an error, or log text."""
    if line.startswith("{"):
        try:
            record = json.loads(line)
        except ValueError:
            record = None
        if isinstance(record, dict):
            progress.event(record)
            return
    if line.startswith("Error: "):
        error.append(line[len("Error: "):])
    elif error:
        error.append(line)
    feedback.pushConsoleInfo(progress.translate(line))
    tail.append(line)
    del tail[:-20]


__all__ = ["EXECUTABLE_FILE", "ZonekitCancelledError", "ZonekitRunError", "find_executable",
           "recorded_executable", "run_zonekit", "stop"]
