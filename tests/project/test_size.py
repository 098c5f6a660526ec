"""Small functions and modules: none over ~60 / ~400 lines without a comment saying why.

The library's own code (``zonekit/``, ``zones/``, ``analysis/``, ``maps/``, ``data/``) is
read by people who must change it (STYLE.md). A function over 60 lines (its docstring not
counted) or a module over 400 lines is allowed only where a comment says why: for a
function, a comment right above its ``def`` (or first decorator) saying why it is long "on
purpose" (``# Long on purpose: ...``); for a module, a ``# Module size: ...`` comment.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("zonekit", "zones", "analysis", "maps", "data")
MAX_FUNCTION, MAX_MODULE = 60, 400


def _sources() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (REPO / pkg).rglob("*.py"))


def _explained(lines: list[str], lineno: int) -> bool:
    """Tell whether the comment block right above line ``lineno`` (1-based) says why."""
    block, i = [], lineno - 2
    while i >= 0 and lines[i].strip().startswith("#"):
        block.append(lines[i])
        i -= 1
    return "on purpose" in " ".join(block)


def _docstring_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Return the lines of the function's docstring (numpydoc sections are not code)."""
    first = node.body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
            and isinstance(first.value.value, str):
        return first.end_lineno - first.lineno + 1
    return 0


def long_functions(path: Path, root: Path = REPO) -> list[str]:
    """Return ``name (N lines)`` for every unexplained function over the limit in ``path``."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    found = []
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        first = min([node.lineno] + [d.lineno for d in node.decorator_list])
        length = node.end_lineno - node.lineno + 1 - _docstring_lines(node)
        if length > MAX_FUNCTION and not _explained(lines, first):
            found.append(f"{path.relative_to(root)}:{node.lineno} {node.name} ({length} lines)")
    return found


def long_module(path: Path) -> str | None:
    """Return ``path (N lines)`` when the module is over the limit and says not why."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if len(lines) <= MAX_MODULE or any(line.startswith("# Module size:") for line in lines):
        return None
    return f"{path.relative_to(REPO)} ({len(lines)} lines)"


def test_the_checks_find_what_they_look_for(tmp_path: Path):
    long = tmp_path / "long.py"
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION))
    long.write_text(f"def f():\n{body}\n\n\n# Long on purpose: a table\ndef g():\n{body}\n",
                    encoding="utf-8")
    found = [f.split(" ", 1)[1] for f in long_functions(long, tmp_path)]
    assert found == [f"f ({MAX_FUNCTION + 1} lines)"]


@pytest.mark.parametrize("kind", ["functions", "modules"])
def test_no_long_function_or_module_without_a_reason(kind: str):
    if kind == "functions":
        found = [f for path in _sources() for f in long_functions(path)]
    else:
        found = [m for path in _sources() if (m := long_module(path))]
    limit = MAX_FUNCTION if kind == "functions" else MAX_MODULE
    assert not found, (f"over {limit} lines without a comment saying why (see this module's "
                       "docstring):\n" + "\n".join(found))
