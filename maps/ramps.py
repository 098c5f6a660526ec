"""Colour ramps of the maps as fixed tables, so drawing a map does not import matplotlib.

The anchors are matplotlib's (ColorBrewer ``YlOrRd`` and ``YlGnBu``, Tableau ``tab20``);
sampling follows matplotlib's colormaps (a 256-entry lookup table for the smooth ramps,
the colours themselves for ``tab20``), so :func:`ramp_colors` gives the same hex colours as
``matplotlib.colormaps[name](x)`` (tests/maps/test_ramps_table.py checks it).
"""

from __future__ import annotations

import numpy as np

#: Smooth ramps: anchor colours, evenly spaced from 0 to 1 (matplotlib ``_cm`` data).
_SMOOTH = {
    "YlOrRd": ("#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c",
               "#bd0026", "#800026"),
    "YlGnBu": ("#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8",
               "#253494", "#081d58"),
}
#: Qualitative ramps: the colours, each taking an equal share of 0–1.
_LISTED = {
    "tab20": ("#1f77b4", "#aec7e8", "#ff7f0e", "#ffbb78", "#2ca02c", "#98df8a", "#d62728",
              "#ff9896", "#9467bd", "#c5b0d5", "#8c564b", "#c49c94", "#e377c2", "#f7b6d2",
              "#7f7f7f", "#c7c7c7", "#bcbd22", "#dbdb8d", "#17becf", "#9edae5"),
}
#: Entries of a smooth ramp's lookup table (matplotlib's default ``N``).
_LUT_SIZE = 256


def hex_rgb255(color: str) -> tuple[int, int, int] | None:
    """``(r, g, b)`` 0–255 of a ``#rgb``, ``#rrggbb`` or ``#rrggbbaa`` colour; None otherwise."""
    digits = color[1:] if color.startswith("#") else ""
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    if len(digits) not in (6, 8) or any(d not in "0123456789abcdefABCDEF" for d in digits):
        return None
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def _rgb(hexes: tuple[str, ...]) -> np.ndarray:
    """``(n, 3)`` floats 0–1 of ``#rrggbb`` colours."""
    return np.array([hex_rgb255(h) for h in hexes], dtype=float) / 255


def _lut(name: str) -> np.ndarray:
    """Return the ``(256, 3)`` lookup table of a smooth ramp (``_r``: reversed), as matplotlib."""
    reverse = name.endswith("_r")
    rgb = _rgb(_SMOOTH[name.removesuffix("_r")])
    x = np.linspace(0.0, 1.0, len(rgb))
    if reverse:  # matplotlib reverses the segments: positions 1 - x, colours flipped
        x, rgb = (1.0 - x)[::-1], rgb[::-1]
    xind = np.linspace(0.0, 1.0, _LUT_SIZE)
    ind = np.searchsorted(x, xind)[1:-1]
    share = (xind[1:-1] - x[ind - 1]) / (x[ind] - x[ind - 1])
    inner = share[:, None] * (rgb[ind] - rgb[ind - 1]) + rgb[ind - 1]
    return np.clip(np.vstack([rgb[:1], inner, rgb[-1:]]), 0.0, 1.0)


def _table(name: str) -> np.ndarray:
    """Return the colours a position 0–1 picks from: a smooth ramp's table or a listed one."""
    if name in _LISTED:
        return _rgb(_LISTED[name])
    if name.removesuffix("_r") in _SMOOTH:
        return _lut(name)
    known = sorted([*_SMOOTH, *(f"{k}_r" for k in _SMOOTH), *_LISTED])
    raise ValueError(f"colour ramp {name!r} is not in the maps' table; known: {known}")


def ramp_colors(name: str, positions: list[float]) -> list[str]:
    """Hex colours of ramp ``name`` at ``positions`` (0–1), as matplotlib samples them.

    Examples
    --------
    >>> ramp_colors("YlOrRd", [0.0, 1.0])
    ['#ffffcc', '#800026']
    """
    table = _table(name)
    idx = np.asarray(positions, dtype=float) * len(table)
    idx[idx == len(table)] = len(table) - 1  # 1.0 is the last colour, as in matplotlib
    rgb = table[np.clip(idx, 0, len(table) - 1).astype(int)]
    return ["#" + "".join(f"{round(v * 255):02x}" for v in c) for c in rgb]


__all__ = ["hex_rgb255", "ramp_colors"]
