"""A forked copy of this process kept warm for one later call (fork only).

For a step whose start-up (imports, compiled templates, opened databases) can be paid
while this process still computes what the step needs — the run's HTML map
(:mod:`zonekit.api.map_standby`): :func:`standby` forks the copy, which warms up at once;
:meth:`Standby.submit` hands it the call's arguments later (pickled: the call itself is
inherited), and :meth:`Standby.result` returns the outcome, an error raised here with its
type as :mod:`zonekit.parallel`'s workers raise theirs.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable
from typing import Any

from zonekit.parallel import (
    WORKER_DIED,
    frozen_for_fork,
    ignore_interrupts,
    outcome_here,
    raise_or_values,
    start_method,
)


class Standby:
    """A forked copy of this process kept for one call (see :func:`standby`)."""

    def __init__(self, process: Any, send: Any, receive: Any) -> None:
        self._process, self._send, self._receive = process, send, receive
        self._sent = self._answered = False

    def submit(self, *args: Any) -> None:
        """Hand the copy the call's arguments (pickled); it runs the call at once.

        Raises
        ------
        RuntimeError
            The call was submitted before, or the copy is gone.
        """
        if self._sent or self._send is None:
            raise RuntimeError("a standby process runs one call only")
        self._sent = True
        try:
            self._send.send(args)
        except (BrokenPipeError, EOFError, OSError) as exc:  # the copy died while warming up
            raise RuntimeError(WORKER_DIED) from exc
        finally:
            self._send.close()
            self._send = None

    def result(self) -> Any:
        """Wait for the submitted call; return its value or raise its exception."""
        if not self._sent:
            raise RuntimeError("submit() the standby's call before asking for its result")
        try:
            outcome = self._receive.recv()
            self._answered = True
        except EOFError:  # the copy died without a word (killed, out of memory)
            outcome = ("error", RuntimeError(WORKER_DIED))
        finally:
            self.close()
        return raise_or_values([outcome])[0]

    def close(self) -> None:
        """Let the copy go: ended at once unless it has answered (nothing more is wanted).

        A copy still warming up, or still at its call when this process stops (an error,
        Ctrl-C), is terminated: it writes nothing this process will keep.
        """
        for end in (self._send, self._receive):
            if end is not None:
                end.close()
        self._send = self._receive = None
        if self._process is not None:
            if not self._answered:
                self._process.terminate()
            self._process.join()
            self._process = None


def standby(warm_up: Callable[[], Any], call: Callable[..., Any]) -> Standby | None:
    """Fork a copy of this process that runs ``warm_up`` now and ``call`` when sent arguments.

    For a step whose start-up (imports, compiled templates, caches) can be paid while this
    process still computes what the step needs: the copy inherits ``warm_up`` and ``call``
    (nothing pickled but the later arguments and the outcome). ``warm_up`` is best effort
    (its errors are left to ``call`` to meet again). Only under ``fork``
    (:func:`zonekit.parallel.start_method`); ``None`` otherwise, and callers run the step here.

    Returns
    -------
    Standby or None
        :meth:`Standby.submit` the arguments, then :meth:`Standby.result`; or
        :meth:`Standby.close` to let the copy go unused.
    """
    if start_method() != "fork":
        return None
    context = mp.get_context("fork")
    args_in, args_out = context.Pipe(duplex=False)
    result_in, result_out = context.Pipe(duplex=False)
    global _STANDBY
    with frozen_for_fork(True):
        _STANDBY = (warm_up, call, args_in, args_out, result_in, result_out)
        try:
            process = context.Process(target=_standby_in_copy, daemon=True)
            process.start()
        finally:
            _STANDBY = ()
    args_in.close()  # the copy's ends: if it dies, receiving here ends instead of waiting
    result_out.close()
    return Standby(process, args_out, result_in)


#: What the copy of :func:`standby` runs (set only while it forks).
_STANDBY: tuple = ()


def _standby_in_copy() -> None:
    """In the forked copy: warm up, wait for the arguments, run the call, send its outcome."""
    warm_up, call, receive, args_out, result_in, send = _STANDBY
    ignore_interrupts()
    args_out.close()  # this process's own end: without it, a closed sender ends the wait
    result_in.close()
    try:
        warm_up()
    except Exception:  # noqa: BLE001 - best effort: the call meets (and reports) it again
        pass
    try:
        args = receive.recv()
    except EOFError:  # let go unused
        return
    outcome = outcome_here(lambda: call(*args))
    try:
        send.send(outcome)
    except Exception as exc:  # an outcome that does not pickle: say so, not the value
        send.send(("error", RuntimeError(f"a worker's result could not be sent: {exc}")))
    send.close()
