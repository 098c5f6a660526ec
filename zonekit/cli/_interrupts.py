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
"""

from __future__ import annotations

import _thread
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


def install() -> None:
    """Make :func:`redeliver` the process's unraisable hook (the console script's start)."""
    sys.unraisablehook = redeliver
