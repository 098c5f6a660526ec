"""Short text and HTML descriptions of zonekit objects (``Park``, results) for notebooks.

The default dataclass repr of a park or result prints every layer whole (thousands of
characters); these say what it holds in a few lines: one line per table with its size.
"""

from __future__ import annotations

from html import escape
from typing import Any


def table_sizes(tables: dict[str, Any]) -> list[str]:
    """Return one ``name: rows × columns`` line per table (``None`` tables are left out)."""
    return [f"{name}: {len(t):,} rows × {t.shape[1]} columns"
            for name, t in tables.items() if t is not None and hasattr(t, "shape")]


def text(title: str, lines: list[str]) -> str:
    """Return the title, then each line indented (for ``__repr__``)."""
    return "\n".join([title, *(f"  {line}" for line in lines)])


def html(title: str, lines: list[str]) -> str:
    """Return the title in bold over a list of the lines (``_repr_html_``)."""
    items = "".join(f"<li>{escape(line)}</li>" for line in lines)
    return f"<div><strong>{escape(title)}</strong><ul>{items}</ul></div>"
