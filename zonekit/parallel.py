"""Independent steps of a run in forked processes (city-scale runs on several cores).

Polygonising a city's isochrones and its gaps, or writing its tables, GeoPackages and
HTML map, are independent jobs, each bound to one core by the GIL (rasterio's shapes,
pyogrio, the CSV writer and folium hold it). :func:`in_parallel` runs all but the last
in forked children and the last in this process: the children see the data as it is
(copy-on-write, nothing pickled on the way in) and send back only what their call
returns. A child's exception is raised here, so a failed step fails the run as it would
serially (and the staging folder of :func:`zonekit.zones.output.run_folder` is dropped,
as always).
"""

from __future__ import annotations

import multiprocessing as mp
import sys
from collections.abc import Callable
from typing import Any


def can_fork() -> bool:
    """Whether steps may run in forked children here (Linux; see ``default_jobs``)."""
    return sys.platform == "linux" and "fork" in mp.get_all_start_methods()


def in_parallel(calls: list[Callable[[], Any]], processes: int) -> list[Any]:
    """Run ``calls`` and return their results, in order.

    Parameters
    ----------
    calls
        Independent calls (no call may need another's effects).
    processes
        At most this many calls run at once (this process included); 1, or a
        platform that cannot fork, runs them one after another here.

    Raises
    ------
    Exception
        The first failed call's exception (in the order of ``calls``).
    """
    if processes <= 1 or len(calls) < 2 or not can_fork():
        return [call() for call in calls]
    ctx = mp.get_context("fork")
    forked = calls[:-1][: processes - 1]
    started = []
    for call in forked:
        receive, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_child, args=(call, send), daemon=True)
        proc.start()
        send.close()
        started.append((proc, receive))
    here: list[tuple[str, Any]] = []
    for call in calls[len(forked):]:
        try:
            here.append(("ok", call()))
        except Exception as exc:  # raised below, after the children are collected
            here.append(("error", exc))
    outcomes = [_collect(proc, receive) for proc, receive in started] + here
    for status, value in outcomes:
        if status == "error":
            raise value
    return [value for _, value in outcomes]


def _child(call: Callable[[], Any], send: Any) -> None:
    try:
        outcome = ("ok", call())
    except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
        outcome = ("error", exc)
    try:
        send.send(outcome)
    except Exception:  # an unpicklable result or exception: say what it was
        send.send(("error", RuntimeError(f"{type(outcome[1]).__name__}: {outcome[1]}")))
    finally:
        send.close()


def _collect(proc: Any, receive: Any) -> tuple[str, Any]:
    try:
        outcome = receive.recv()
    except EOFError:  # the child died without a word (killed, out of memory)
        outcome = None
    finally:
        receive.close()
    proc.join()
    if outcome is None:
        return "error", RuntimeError(f"a worker process ended with code {proc.exitcode} "
                                     "before finishing (out of memory?)")
    return outcome
