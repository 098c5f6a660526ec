"""Ctrl-C that lands in a finalizer still stops the command.

Python runs a signal's handler wherever the main thread is; inside a finalizer (a weakref
callback, ``__del__``, importlib's module-lock callbacks) the ``KeyboardInterrupt`` it raises
is only printed as "Exception ignored …" and the command goes on as if nothing happened.
The console script installs :func:`redeliver` as ``sys.unraisablehook``: such an interrupt
is not printed but delivered again to the main thread a moment later, outside the
finalizer (``_thread.interrupt_main`` from a short-lived thread: called from the hook
itself, the new interrupt would land in the hook and be swallowed again).
``zones.output.run_folder`` keeps its own check for stops swallowed while it writes (the
API has no console script).

A library may also turn the ``KeyboardInterrupt`` into another error (a bare ``except:``
around an import, as in openpyxl's descriptors, re-raises a ``TypeError``). The console
script's Ctrl-C handler therefore notes that the user stopped the command
(:func:`interrupted`), and the CLI reports any error raised after that as the stop it is,
not as a traceback.
"""

from __future__ import annotations

import _thread
import signal
import sys
import threading

#: Seconds after which a swallowed Ctrl-C is delivered again (the finalizer has returned).
REDELIVER_AFTER_S = 0.05


def redeliver(unraisable: sys.UnraisableHookArgs) -> None:
    """Deliver a swallowed ``KeyboardInterrupt`` again; hand anything else to Python."""
    if isinstance(unraisable.exc_value, KeyboardInterrupt):
        timer = threading.Timer(REDELIVER_AFTER_S, _thread.interrupt_main)
        timer.daemon = True
        timer.start()
        return
    sys.__unraisablehook__(unraisable)


_STOPPED = threading.Event()


def _on_sigint(signum: int, frame: object) -> None:
    _STOPPED.set()
    signal.default_int_handler(signum, frame)


def interrupted() -> bool:
    """Whether the user pressed Ctrl-C (SIGINT) during this command."""
    return _STOPPED.is_set()


def install() -> None:
    """Make :func:`redeliver` the process's unraisable hook and note every Ctrl-C.

    Called at the console script's start; Python's own Ctrl-C behaviour is kept (a
    ``KeyboardInterrupt`` in the main thread), unless someone set another SIGINT handler.
    """
    sys.unraisablehook = redeliver
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _on_sigint)
