"""Start-up stays light: what ``import zonekit``, the CLI app and ``--help`` must not load.

Each check runs a fresh interpreter (the test process has everything loaded already) and
lists which of the named modules it found in ``sys.modules``; none may be there.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

#: the analysis, map and I/O stack: loaded by the work that needs it, never to start
HEAVY = ("numpy", "pandas", "geopandas", "shapely", "pyproj", "scipy", "rasterio", "pyogrio",
         "pyarrow", "matplotlib", "folium", "branca", "osmnx", "networkx", "dask", "distributed")
#: typer's pydantic conversion, and rich's Markdown / traceback modules (help needs neither)
TYPER_EXTRAS = ("pydantic", "typer._adapters", "rich.markdown", "rich.traceback", "markdown_it",
                "pygments", "attr")

HELP = """
from zonekit.cli.app import main
sys.argv = ["zonekit", *ARGS]
try:
    main()
except SystemExit:
    pass
"""


def _loaded(code: str, names: tuple[str, ...], args: tuple[str, ...] = ()) -> list[str]:
    """Run ``code`` in a new interpreter; return those of ``names`` it has loaded."""
    probe = (f"import sys\nARGS = {list(args)!r}\n{code}\n"
             f"print('@@' + __import__('json').dumps([n for n in {list(names)!r} "
             f"if n in sys.modules]))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=120, check=False)
    lines = [x for x in done.stdout.splitlines() if x.startswith("@@")]
    assert lines, done.stdout + done.stderr
    return json.loads(lines[-1][2:])


def test_import_zonekit_loads_no_heavy_module() -> None:
    assert _loaded("import zonekit", HEAVY + TYPER_EXTRAS + ("typer", "rich", "yaml")) == []


def test_the_cli_app_loads_no_heavy_module() -> None:
    assert _loaded("import zonekit.cli.app", HEAVY + TYPER_EXTRAS + ("rich",)) == []


@pytest.mark.parametrize("args", [("--help",), ("circles", "--help"), ("map", "--help")],
                         ids=" ".join)
def test_help_loads_no_heavy_module(args) -> None:
    assert _loaded(HELP, HEAVY + TYPER_EXTRAS, args) == []


def test_help_gives_the_real_markdown_and_traceback_modules_afterwards() -> None:
    code = HELP + ("import rich.markdown, rich.traceback\n"
                   "assert rich.markdown.Markdown.__module__ == 'rich.markdown'\n"
                   "assert rich.traceback.Traceback.__module__ == 'rich.traceback'\n")
    assert _loaded(code, ("typer.rich_utils", "markdown_it"), ("--help",)) == [
        "typer.rich_utils", "markdown_it"]


def test_a_command_line_is_read_without_pydantic() -> None:
    # text, decimal, whole-number, path and enumerated options; the run then stops on
    # the API's own check (--new-sites is for charging circles), exit code 2
    args = ("circles", "--minutes", "45", "--mode", "walk", "--origin-id", "x",
            "--new-sites", "2", "--data", "no-such-folder", "--out", "no-such-out")
    assert _loaded(HELP, ("pydantic", "typer._adapters"), args) == []
