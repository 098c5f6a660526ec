"""The atomic run folder (zones/output.py): a stop swallowed by a finalizer still stops the run."""

from __future__ import annotations

import gc
import sys
from pathlib import Path

import pytest

from zonekit.zones.output import run_folder


class _StoppedInFinalizer:
    """An object whose finalizer is where Ctrl-C lands (as in a weakref callback)."""

    def __del__(self) -> None:
        raise KeyboardInterrupt


def test_ctrl_c_inside_a_finalizer_leaves_the_earlier_run(tmp_path: Path):
    out = tmp_path / "out"
    with run_folder(out) as staging:
        (staging / "summary.json").write_text("{}", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt), run_folder(out, force=True) as staging:
        (staging / "summary.json").write_text('{"new": 1}', encoding="utf-8")
        _StoppedInFinalizer()  # collected at once: Python prints nothing, the run goes on
        gc.collect()
    assert (out / "summary.json").read_text(encoding="utf-8") == "{}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging, no lock


def test_other_finalizer_errors_are_left_to_python(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch):
    class Broken:
        def __del__(self) -> None:
            raise ValueError("finalizer error")

    seen: list[BaseException] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: seen.append(u.exc_value))
    with run_folder(tmp_path / "out") as staging:
        (staging / "summary.json").write_text("{}", encoding="utf-8")
        Broken()
        gc.collect()
    assert [str(e) for e in seen] == ["finalizer error"]  # handed on as Python would
    assert (tmp_path / "out" / "summary.json").exists()
