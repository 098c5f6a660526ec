"""A finished command ends its process without freeing its result, object by object.

A city-scale result holds millions of Python objects (shapely geometries, strings);
freeing them one by one when the command returns took 0.8 s of a 23 s 1M-node run, after
every file was written and every line printed. The console script (:func:`zonekit.cli.app.
main`) turns this on (:func:`enable`); a command hands its result to :func:`keep` once
it has written and reported it; :func:`leave` then runs the ``atexit`` handlers (logging,
multiprocessing, ``weakref.finalize``), flushes the output streams and ends the process
with the command's exit code, leaving the memory to the operating system. Nothing kept (a
failed command, ``--help``), not enabled (tests, ``CliRunner``, notebooks calling the
app in process) or under a profiler or tracer (``python -m cProfile``, debuggers, which
write their data after ``main`` returns): the interpreter exits as usual.
"""

from __future__ import annotations

import sys
from typing import Any

_KEPT: list[Any] = []
_ENABLED = False


def enable() -> None:
    """Let :func:`keep` hold results until the process ends (the console script only)."""
    global _ENABLED
    _ENABLED = True


def keep(result: Any) -> None:
    """Hold ``result`` until the process ends (a no-op unless :func:`enable` was called)."""
    if _ENABLED:
        _KEPT.append(result)


def leave(code: object) -> None:
    """End the process now with exit ``code`` when a result is kept; else return.

    ``code`` is a ``SystemExit`` code: ``None`` or an int (a text code is left to Python,
    which prints it).
    """
    if not _KEPT or not (code is None or isinstance(code, int)):
        return
    if sys.getprofile() is not None or sys.gettrace() is not None:
        return  # a profiler (python -m cProfile) or tracer writes its data after main()
    import atexit
    import os

    atexit._run_exitfuncs()  # what the interpreter's exit would run, in the same order
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # closed or broken pipe: nothing more to say
            pass
    os._exit(code or 0)
