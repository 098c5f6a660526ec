"""typer's help and error panels without loading rich's Markdown and traceback modules.

``typer.rich_utils`` (help pages, usage errors) imports ``rich.markdown`` (markdown-it,
pygments) and ``rich.traceback`` (attrs) at module level: about 0.1 s of each
``zonekit --help``, for help texts written in Markdown and for pretty tracebacks, neither
of which zonekit uses (rich markup; ``pretty_exceptions_enable=False``). While
``rich_utils`` loads, those two names are stand-ins whose classes load the real module on
first use; once it has loaded, ``rich.markdown`` and ``rich.traceback`` import as ever.
The help a user sees is typer's own (tests/cli compare it).
"""

from __future__ import annotations

import importlib.machinery
import sys
import types
from typing import Any


class _Markdown:
    """Stand-in for ``rich.markdown.Markdown``: the real class, loaded when first used."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        from rich.markdown import Markdown

        return Markdown(*args, **kwargs)


class _Traceback:
    """Stand-in for ``rich.traceback.Traceback``: the real class, loaded when first used."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        from rich.traceback import Traceback

        return Traceback(*args, **kwargs)

    @classmethod
    def from_exception(cls, *args: Any, **kwargs: Any) -> Any:
        """Build the real traceback (``Traceback.from_exception``)."""
        from rich.traceback import Traceback

        return Traceback.from_exception(*args, **kwargs)


#: module → (name, stand-in) while ``typer.rich_utils`` loads
_STANDINS = {"rich.markdown": ("Markdown", _Markdown), "rich.traceback": ("Traceback", _Traceback)}
_TARGET = "typer.rich_utils"


class _Loader:
    """typer's own loader of ``rich_utils``, run with the stand-ins in place."""

    def __init__(self, real: Any) -> None:
        self.real = real

    def __getattr__(self, name: str) -> Any:  # get_source & co. (tracebacks, inspect)
        return getattr(self.real, name)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> Any:
        return self.real.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        placed = {}
        for name, (attr, standin) in _STANDINS.items():
            if name not in sys.modules:  # already loaded for real: nothing to save
                placed[name] = sys.modules[name] = types.ModuleType(name)
                setattr(placed[name], attr, standin)
        try:
            self.real.exec_module(module)
        finally:
            for name, stub in placed.items():
                if sys.modules.get(name) is stub:
                    del sys.modules[name]


class _Finder:
    """Find ``typer.rich_utils`` as usual, and load it with :class:`_Loader`."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name != _TARGET:
            return None
        sys.meta_path.remove(self)  # once
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _Loader(spec.loader)
        return spec


def light_rich_help() -> None:
    """Load ``typer.rich_utils``, when it is first needed, without the two modules above."""
    if _TARGET not in sys.modules and not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
