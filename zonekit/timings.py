"""Seconds per step of a run: the one timer of zonekit (``summary['timings_s']``, ``--verbose``)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager


class Timings:
    """Seconds per step of a run, by step name.

    Examples
    --------
    >>> t = Timings()
    >>> with t.step("read"):
    ...     pass
    >>> t.tick("network")
    >>> sorted(t.seconds)
    ['network', 'read']
    """

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Time the block as step ``name`` (added to an earlier step of that name)."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self._add(name, time.perf_counter() - start)

    def tick(self, name: str) -> None:
        """Count the seconds since the last tick (or since the timer began) as step ``name``."""
        self._add(name, time.perf_counter() - self._last)

    def _add(self, name: str, seconds: float) -> None:
        self.seconds[name] = round(self.seconds.get(name, 0.0) + seconds, 3)
        self._last = time.perf_counter()
