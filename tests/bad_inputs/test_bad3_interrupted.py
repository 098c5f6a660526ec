"""Bad input, third round: ``zonekit report --force`` interrupted at random points.

Each round starts a report over an earlier one and sends SIGINT (Ctrl-C) after a random
delay within the length of a whole run; the folder must then be the earlier report byte for
byte, or the new one complete, with no staging folder or lock file beside it.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROUNDS = 4


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def _report(data: Path, out: Path, *extra: str) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "zonekit", "report", "--data", str(data), "--out", str(out),
           *extra]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})


def _complete(out: Path) -> bool:
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return all((out / name).exists() for name in summary["outputs"])


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_report_interrupted_is_old_or_complete(sig, tiny_park_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    started = time.monotonic()
    first = _report(tiny_park_dir, out)
    assert first.wait(timeout=600) == 0, first.stderr.read()
    whole_run = time.monotonic() - started
    before = snapshot(out)
    assert _complete(out)
    rng = random.Random(28 + sig)
    outcomes = []
    for _ in range(ROUNDS):
        proc = _report(tiny_park_dir, out, "--force")
        time.sleep(rng.uniform(0.3, whole_run * 1.6))
        proc.send_signal(sig)
        code = proc.wait(timeout=600)
        leftovers = sorted(p.name for p in tmp_path.iterdir() if p.name not in ("report", "park"))
        assert leftovers == [], leftovers  # no staging folder, no lock file, no old copy
        now = snapshot(out)
        if now == before:
            outcomes.append("old")
        else:
            assert _complete(out), f"a mix after exit {code}"  # cut after the swap: new
            outcomes.append("new")
            before = now
        err = proc.stderr.read()
        assert "Traceback" not in err, err[-3000:]
    print("rounds:", outcomes)  # which rounds were cut, which finished (pytest -s)
