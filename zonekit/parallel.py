"""Independent steps of a run in a process pool (city-scale runs on several cores; any OS).

Polygonising a city's isochrones and its gaps, or writing its tables, GeoPackages and
HTML map, are independent jobs, each bound to one core by the GIL (rasterio's shapes,
pyogrio, the CSV writer and folium hold it). :func:`in_parallel` runs all but the last
in worker processes and the last in this process; the category searches of
:func:`zonekit.analysis.network.engine.nearest_times` use :func:`pool_context` too.
Calls are top-level functions (or ``functools.partial`` of them) with picklable
arguments, so they run under every start method; under ``fork`` they are not pickled at
all — a forked worker finds them in its copy of this process (a city-scale result is
gigabytes: pickling it cost more than the work), and the objects of this process are
frozen for the garbage collector first, so the workers' collections do not touch (and
copy) every page they inherited. A worker's exception is raised here, so a failed step
fails the run as it would serially. :func:`share_work` (fork only) runs a list of calls in
a forked copy and here, each process taking the next call not yet taken.
:func:`zonekit.standby.standby` (fork only) forks a copy early that warms up while this
process goes on, and runs one call later.

The start method (:func:`start_method`): ``ZONEKIT_START_METHOD`` (``fork``,
``forkserver`` or ``spawn``) when set — tests set ``spawn`` to check Windows' and macOS's
way on Linux. Otherwise ``spawn`` on Windows and macOS (fork cannot be had or is not
safe after system libraries started threads there); on Linux ``fork`` while this process
runs one Python thread (workers start in milliseconds and inherit the data instead of
unpickling it), else ``forkserver`` (a live thread — Jupyter, dask, a GUI — could hold a
lock at fork time). The native threads of the libraries (the idle pools of OpenBLAS,
Arrow and GDAL, jemalloc's) do not count, on any Python: they are prepared for fork
(at-fork handlers; a copy forked beside them reads and converts again: tested), and
3.11 has always forked beside them. Python 3.12+ warns of them (a ``DeprecationWarning``,
hidden by default); before, 3.12+ took ``forkserver`` and pickled the run to each worker.
A thread of zonekit's own that takes a lock for all it does (the console's progress
display) is made safe too (:func:`paused_at_fork`): the lock is held across every fork,
and the thread does not count.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any

from zonekit.errors import ZonekitError

#: Environment variable choosing the start method of worker processes.
START_METHOD_ENV = "ZONEKIT_START_METHOD"
START_METHODS = ("fork", "forkserver", "spawn")


def start_method() -> str:
    """Return the start method worker processes use here (see the module docstring).

    Raises
    ------
    ZonekitError
        ``ZONEKIT_START_METHOD`` names a method this platform does not have.
    """
    given = os.environ.get(START_METHOD_ENV, "").strip().lower()
    if given:
        have = [m for m in START_METHODS if m in mp.get_all_start_methods()]
        if given not in have:
            raise ZonekitError(f"{START_METHOD_ENV}={given!r}: expected one of "
                               f"{', '.join(have)} on this platform")
        return given
    if sys.platform != "linux":
        return "spawn"
    import threading

    paused = sum(t.is_alive() for t, _ in _PAUSED)
    # Jupyter, dask, a GUI: a Python thread may hold a lock; the libraries' native pools
    # are fork-aware (see the module docstring)
    return "forkserver" if threading.active_count() - paused > 1 else "fork"


#: Threads made safe to fork beside (:func:`paused_at_fork`), with the lock each takes.
_PAUSED: list[tuple[Any, Any]] = []


@contextmanager
def paused_at_fork(thread: Any, lock: Any) -> Iterator[None]:
    """Let this process fork beside ``thread``, which does all it does holding ``lock``.

    While the block runs, every fork of this process takes ``lock`` first (so the thread
    is not halfway through a write to the console when the copy is made) and gives it
    back after, on both sides; and :func:`start_method` does not count the thread. For
    zonekit's own helpers (the console's progress display), not for threads of others.

    Parameters
    ----------
    thread
        A ``threading.Thread``; ``None`` (no thread) makes the block a plain one.
    lock
        A ``threading.RLock`` the thread holds for all its work.
    """
    if thread is None:
        yield
        return
    _register_fork_hooks()
    entry = (thread, lock)
    _PAUSED.append(entry)
    try:
        yield
    finally:
        _PAUSED.remove(entry)


_HOOKED = False


def _register_fork_hooks() -> None:
    """Once per process: take the paused threads' locks at fork, give them back after."""
    global _HOOKED
    if _HOOKED:
        return
    _HOOKED = True
    held: list[Any] = []

    def before() -> None:
        for _, lock in _PAUSED:
            lock.acquire()
            held.append(lock)

    def after() -> None:  # the forking thread holds them, in the copy as here
        while held:
            held.pop().release()

    os.register_at_fork(before=before, after_in_parent=after, after_in_child=after)


def pool_context() -> Any:
    """Return the multiprocessing context for worker pools (:func:`start_method`)."""
    return mp.get_context(start_method())


def in_parallel(calls: list[Callable[[], Any]], processes: int) -> list[Any]:
    """Run ``calls`` and return their results, in order.

    Parameters
    ----------
    calls
        Independent calls (no call may need another's effects); all but the last must
        pickle (top-level functions or ``functools.partial`` of them).
    processes
        At most this many calls run at once (this process included); 1 runs them one
        after another here.

    Raises
    ------
    Exception
        The first failed call's exception (in the order of ``calls``).
    """
    if processes <= 1 or len(calls) < 2:
        return [call() for call in calls]
    sent = calls[:-1][: processes - 1]
    context = pool_context()
    inherit = context.get_start_method() == "fork"
    global _INHERITED
    with ProcessPoolExecutor(len(sent), mp_context=context) as pool:
        with frozen_for_fork(inherit):  # the workers fork at the first submit
            _INHERITED = tuple(sent) if inherit else ()
            try:
                futures = [pool.submit(_inherited_call, k) if inherit else pool.submit(call)
                           for k, call in enumerate(sent)]
            finally:
                _INHERITED = ()  # the workers have their copy
        here = [outcome_here(call) for call in calls[len(sent):]]
        outcomes = [_outcome(f) for f in futures] + here
    return raise_or_values(outcomes)


def share_work(calls: list[Callable[[], Any]], here_first: Callable[[], Any]
               ) -> tuple[list[Any], Any]:
    """Run ``calls`` in a forked copy of this process and here, after ``here_first``.

    The copy starts on ``calls`` at once; this process runs ``here_first``, then both take
    the next call not yet taken until none is left (a shared counter), so the calls end
    where there is time for them: a long ``here_first`` leaves them all to the copy, a
    short one shares them. Only under ``fork`` (the copy inherits the calls; nothing is
    pickled but the results); callers use :func:`in_parallel` or a thread otherwise.

    Returns
    -------
    list, object
        The calls' results in the order of ``calls``, and ``here_first``'s.

    Raises
    ------
    Exception
        The first failed call's exception (``here_first``'s first).
    """
    context = mp.get_context("fork")
    taken = context.Value("q", 0)
    receive, send = context.Pipe(duplex=False)
    global _SHARED
    with frozen_for_fork(True):
        _SHARED = (tuple(calls), taken, send)
        try:
            worker = context.Process(target=_share_in_copy, daemon=True)
            worker.start()  # forks now: the copy holds the calls
        finally:
            _SHARED = ()
    send.close()  # the copy's end only: if it dies, receiving ends instead of waiting
    mine = outcome_here(here_first)
    done = _take_calls(list(calls), taken)
    try:
        done.update(receive.recv())
    except EOFError:  # the copy died without a word (killed, out of memory)
        done[-1] = ("error", RuntimeError(WORKER_DIED))
    finally:
        receive.close()
        worker.join()
    values = raise_or_values([mine, *(done[k] for k in sorted(done))])
    return values[1:], values[0]


#: What the copy of :func:`share_work` takes its calls from (set only while it forks).
_SHARED: tuple = ()


def _share_in_copy() -> None:
    """In the forked copy: take calls until none is left; send back their outcomes."""
    calls, taken, send = _SHARED
    ignore_interrupts()
    done = _take_calls(list(calls), taken)
    try:
        send.send(done)
    except Exception as exc:  # an outcome that does not pickle: say so, not the value
        send.send({k: ("error", RuntimeError(f"a worker's result could not be sent: {exc}"))
                   for k in done})
    send.close()


def _take_calls(calls: list[Callable[[], Any]], taken: Any) -> dict[int, tuple[str, Any]]:
    """Run the calls not yet taken, one at a time, in this process; their outcomes by index."""
    done: dict[int, tuple[str, Any]] = {}
    while True:
        with taken.get_lock():
            k = int(taken.value)
            taken.value = k + 1
        if k >= len(calls):
            return done
        done[k] = outcome_here(calls[k])


#: The calls a forked worker runs (set only while the workers of :func:`in_parallel` fork).
_INHERITED: tuple[Callable[[], Any], ...] = ()


def _inherited_call(index: int) -> Any:
    """Run call ``index`` of :data:`_INHERITED`, in a forked worker (its copy of the calls)."""
    return _INHERITED[index]()


def ignore_interrupts() -> None:
    """In a forked copy: leave Ctrl-C to the process it was forked from.

    The terminal sends Ctrl-C to every process of the command; the run stops in its main
    process, which lets its copies go (:meth:`zonekit.standby.Standby.close`; daemons are
    ended at exit), instead of each copy printing a traceback of its own.
    """
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


#: What a worker that died without a word (killed, out of memory) is reported as.
WORKER_DIED = "a worker process ended before finishing (killed, or out of memory?)"


@contextmanager
def frozen_for_fork(inherit: bool) -> Iterator[None]:
    """Freeze this process's objects for the collector while workers fork from it.

    Frozen objects are skipped by the workers' collections, which would otherwise touch
    (and copy) every page they inherited; this process's collector sees them again after.
    """
    if inherit:
        gc.freeze()
    try:
        yield
    finally:
        if inherit:
            gc.unfreeze()


def raise_or_values(outcomes: list[tuple[str, Any]]) -> list[Any]:
    """Return the outcomes' values; raise the first error among them."""
    for status, value in outcomes:
        if status == "error":
            raise value
    return [value for _, value in outcomes]


def outcome_here(call: Callable[[], Any]) -> tuple[str, Any]:
    """Run ``call`` here: ``("ok", value)``, or ``("error", exception)`` to raise later."""
    try:
        return "ok", call()
    except Exception as exc:  # raised by the caller, after the workers are collected
        return "error", exc


def _outcome(future: Any) -> tuple[str, Any]:
    try:
        return "ok", future.result()
    except BrokenProcessPool:  # the worker died without a word (killed, out of memory)
        return "error", RuntimeError(WORKER_DIED)
    except Exception as exc:
        return "error", exc
