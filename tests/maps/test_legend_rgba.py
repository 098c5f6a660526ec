"""The HTML legend's swatch colours equal matplotlib's reading, without importing it for hex."""

from __future__ import annotations

import pytest
from matplotlib.colors import to_rgba

from zonekit.maps.legend import _rgba


@pytest.mark.parametrize("color", ["#1f78b4", "#FFF", "#abc", "#00000080", "#e31a1c",
                                   "grey", "white", "tab:blue"])
def test_swatch_colour_equals_matplotlib(color: str) -> None:
    r, g, b, _ = to_rgba(color)
    assert _rgba(color, 0.7) == f"rgba({round(r * 255)},{round(g * 255)},{round(b * 255)},0.7)"
