"""The console script ends a finished command without freeing its result (see _fast_exit).

Run as users run it (a new process): the exit code, every line of output, the files and
the atexit handlers are as with a normal exit; a failed command exits as before.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def _zonekit(*args: str, extra: str = "") -> subprocess.CompletedProcess:
    code = ("import atexit, sys\n" + extra +
            "from zonekit.cli.app import main\n"
            f"sys.argv = ['zonekit', *{list(args)!r}]\nmain()\n")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=600, check=False)


def test_a_finished_command_exits_zero_with_its_output_and_atexit_handlers(tmp_path: Path):
    marker = tmp_path / "atexit.txt"
    extra = f"atexit.register(lambda: open({str(marker)!r}, 'w').write('ran'))\n"
    done = _zonekit("circles", "--kind", "service", "--out", str(tmp_path / "out"),
                    extra=extra)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Results written to {tmp_path / 'out'}/" in done.stderr  # the console's notes
    assert "basics_complete" in done.stdout.splitlines()[-1]  # the table, to its last row
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert "map_service.html" in summary["outputs"]
    assert marker.read_text() == "ran"


def test_the_fast_exit_is_taken_only_with_a_kept_result(tmp_path: Path):
    from zonekit.cli import _fast_exit

    assert not _fast_exit._ENABLED  # in process (tests, CliRunner): never enabled
    _fast_exit.keep(object())
    assert _fast_exit._KEPT == []
    _fast_exit.leave(0)  # nothing kept: returns


def test_a_failed_command_exits_with_its_code(tmp_path: Path):
    done = _zonekit("circles", "--kind", "no-such-kind", "--out", str(tmp_path / "out"))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "no-such-kind" in done.stderr


def test_a_profiled_command_still_writes_its_profile(tmp_path: Path):
    """``python -m cProfile`` dumps after ``main`` returns: no fast exit under a profiler."""
    prof = tmp_path / "run.prof"
    done = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "zonekit",
                           "circles", "--kind", "service", "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert prof.stat().st_size > 0
