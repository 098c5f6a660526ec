"""A Ctrl-C that lands in a finalizer still stops the command (zonekit/cli/_interrupts.py)."""

from __future__ import annotations

import gc
import sys
import time

import pytest

from zonekit.cli._interrupts import redeliver


class _StoppedInFinalizer:
    def __del__(self) -> None:
        raise KeyboardInterrupt


def test_a_swallowed_ctrl_c_is_delivered_again(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(sys, "unraisablehook", redeliver)
    with pytest.raises(KeyboardInterrupt):
        _StoppedInFinalizer()
        gc.collect()
        for _ in range(200):  # the main thread sees the interrupt at its next check
            time.sleep(0.005)


def test_other_finalizer_errors_reach_python(monkeypatch: pytest.MonkeyPatch):
    seen: list[BaseException] = []
    monkeypatch.setattr(sys, "__unraisablehook__", lambda u: seen.append(u.exc_value))
    monkeypatch.setattr(sys, "unraisablehook", redeliver)

    class Broken:
        def __del__(self) -> None:
            raise ValueError("finalizer error")

    Broken()
    gc.collect()
    assert [str(e) for e in seen] == ["finalizer error"]
