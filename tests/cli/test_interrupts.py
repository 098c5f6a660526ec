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


def _app_raising(error: BaseException):
    import typer

    from zonekit.cli.app import _Group

    app = typer.Typer(cls=_Group)

    @app.command()
    def run() -> None:
        raise error

    @app.command()
    def other() -> None:  # two commands: ``run`` stays a sub-command
        pass

    return app


def test_a_ctrl_c_turned_into_another_error_is_still_the_stop(monkeypatch: pytest.MonkeyPatch):
    import signal

    from typer.testing import CliRunner

    from zonekit.cli import _interrupts

    monkeypatch.setattr(_interrupts, "_STOPPED", type(_interrupts._STOPPED)())
    app = _app_raising(TypeError("raised from a bare except: around an import"))
    first = CliRunner().invoke(app, ["run"])
    assert isinstance(first.exception, TypeError)  # no Ctrl-C: a real error stays one
    monkeypatch.setattr(signal, "default_int_handler", lambda *a: None)
    _interrupts._on_sigint(signal.SIGINT, None)  # the user pressed Ctrl-C
    assert _interrupts.interrupted()
    stopped = CliRunner().invoke(app, ["run"])
    assert stopped.exit_code == 130 and "Aborted!" in stopped.output
    assert not isinstance(stopped.exception, TypeError)
