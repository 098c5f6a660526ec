"""Static maps (PNG, PDF) for reports, with Chinese text, legend, north arrow and scale bar.

Chinese needs a CJK font: :func:`find_cjk_font` looks for one among the fonts matplotlib
knows (Noto Sans CJK SC, Source Han Sans, WenQuanYi, Droid Sans Fallback, …) or in the
file named by the ``ZONEKIT_CJK_FONT`` environment variable, checks that it really holds
Chinese glyphs, and otherwise stops with a message saying how to install one. Maps are
drawn in a projected CRS (metres), so the scale bar is true.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zonekit.errors import ZonekitError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from zonekit.maps.interactive import MapLayer

log = logging.getLogger(__name__)

#: CJK fonts tried in this order (Simplified Chinese first).
CJK_FAMILIES = (
    "Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", "Noto Sans SC",
    "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Droid Sans Fallback", "Microsoft YaHei",
    "PingFang SC", "Heiti SC", "SimHei", "Noto Serif CJK SC", "Source Han Serif SC",
    "AR PL UMing CN", "AR PL UKai CN", "Noto Sans CJK TC", "Noto Sans CJK JP",
)
#: Characters a font must have to count as a Chinese font.
PROBE_CHARS = "密云园区"
INSTALL_HINT = (
    "no Chinese (CJK) font found for static maps. Install one — Debian/Ubuntu: "
    "`apt-get install fonts-noto-cjk` (or the smaller fonts-wqy-microhei); macOS and "
    "Windows ship one — or point ZONEKIT_CJK_FONT at a .ttf/.otf/.ttc file with Chinese "
    "glyphs. Then delete matplotlib's font cache (~/.cache/matplotlib) if the font is "
    "still not found."
)
SYNTHETIC_NOTE_ZH = "数据为合成样例园区（SYNTHETIC），并非真实企业、地块或道路"


class FontNotFoundError(ZonekitError):
    """No font with Chinese glyphs is installed."""


@dataclass(frozen=True)
class CJKFont:
    """A font that renders Chinese: its family name, file and face index in the file."""

    family: str
    path: str
    face_index: int = 0


def has_glyphs(path: str | Path, chars: str = PROBE_CHARS, face_index: int = 0) -> bool:
    """Whether the font file has a glyph for every character of ``chars``."""
    from matplotlib import ft2font

    try:
        font = ft2font.FT2Font(str(path), face_index=face_index)
    except (OSError, RuntimeError, ValueError):
        return False
    charmap = font.get_charmap()
    return all(ord(ch) in charmap for ch in chars)


@functools.cache
def find_cjk_font() -> CJKFont:
    """Find an installed font with Chinese glyphs (cached).

    Raises
    ------
    FontNotFoundError
        When none is installed; the message says how to install one.
    """
    from matplotlib import font_manager

    env = os.environ.get("ZONEKIT_CJK_FONT")
    if env:
        if not Path(env).exists() or not has_glyphs(env):
            raise FontNotFoundError(f"ZONEKIT_CJK_FONT={env}: not a font file with Chinese "
                                    "glyphs (密云园区)")
        font_manager.fontManager.addfont(env)
        faces = [e for e in font_manager.fontManager.ttflist
                 if Path(e.fname).resolve() == Path(env).resolve()]
        entry = next(_by_preference(faces))  # e.g. the SC face of a .ttc collection
        return CJKFont(entry.name, entry.fname, entry.index)
    font = _search(font_manager.fontManager.ttflist)
    if font is None and _add_new_system_fonts():
        font = _search(font_manager.fontManager.ttflist)
    if font is None:
        raise FontNotFoundError(INSTALL_HINT)
    return font


def _search(entries: list[Any]) -> CJKFont | None:
    by_name: dict[str, list[Any]] = {}
    for entry in entries:
        by_name.setdefault(entry.name, []).append(entry)
    candidates = [e for fam in CJK_FAMILIES for e in by_name.get(fam, [])]
    hints = ("CJK", "Han", "Hei", "Song", "Kai", "Ming", "WenQuanYi", "Fallback", "YaHei",
             "Fang")
    candidates += [e for e in entries if any(h in e.name for h in hints)]
    for entry in _by_preference(candidates):
        if has_glyphs(entry.fname, face_index=entry.index):
            return CJKFont(entry.name, entry.fname, entry.index)
    return None


def _add_new_system_fonts() -> bool:
    """Add fonts installed after matplotlib built its font cache; whether any were added."""
    from matplotlib import font_manager

    known = {Path(e.fname).resolve() for e in font_manager.fontManager.ttflist}
    added = False
    for path in font_manager.findSystemFonts():
        if Path(path).resolve() not in known:
            try:
                font_manager.fontManager.addfont(path)
                added = True
            except (OSError, RuntimeError, ValueError):
                continue
    if added:
        log.info("added fonts installed after matplotlib's font cache was built")
    return added


def _by_preference(entries: list[Any]) -> Iterator[Any]:
    """Entries in family-preference order, regular weight first within a family."""
    seen: set[tuple[str, int]] = set()
    rank = {fam: i for i, fam in enumerate(CJK_FAMILIES)}
    ordered = sorted(entries, key=lambda e: (rank.get(e.name, len(rank)),
                                             abs(int(e.weight) - 400)
                                             if str(e.weight).isdigit() else 0))
    for e in ordered:
        key = (e.fname, e.index)
        if key not in seen:
            seen.add(key)
            yield e


@contextmanager
def cjk_rc() -> Iterator[CJKFont]:
    """Matplotlib settings that render Chinese with :func:`find_cjk_font`'s font."""
    import matplotlib as mpl

    font = find_cjk_font()
    with mpl.rc_context({"font.family": "sans-serif",
                         "font.sans-serif": [font.family, "DejaVu Sans"],
                         "axes.unicode_minus": False, "pdf.fonttype": 3,
                         "svg.fonttype": "none"}):
        yield font


def nice_length_m(span_m: float) -> float:
    """Pick a round scale-bar length (1, 2 or 5 × 10ⁿ m), about a fifth of ``span_m``."""
    import math

    target = max(span_m / 5.0, 1e-9)
    exp = 10 ** math.floor(math.log10(target))
    return max(m * exp for m in (1, 2, 5) if m * exp <= target)


def _format_length(length_m: float) -> str:
    return f"{length_m / 1000:g} km" if length_m >= 1000 else f"{length_m:g} m"


def add_scale_bar(ax: Axes, length_m: float | None = None, segments: int = 2) -> float:
    """Draw a black-and-white scale bar at the lower left; axes units must be metres.

    Returns the bar's length in metres.
    """
    from matplotlib.patches import Rectangle

    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = length_m or nice_length_m(x1 - x0)
    height = (y1 - y0) * 0.012
    left, bottom = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.05
    seg = length / segments
    for i in range(segments):
        ax.add_patch(Rectangle((left + i * seg, bottom), seg, height, transform=ax.transData,
                               facecolor="black" if i % 2 == 0 else "white",
                               edgecolor="black", linewidth=0.8, zorder=10))
    for x, text in ((left, "0"), (left + length, _format_length(length))):
        ax.text(x, bottom + height * 1.6, text, ha="center", va="bottom", fontsize=8,
                zorder=10)
    return length


def add_north_arrow(ax: Axes, x: float = 0.95, y: float = 0.93) -> None:
    """Draw a north arrow in axes fractions (the map is drawn north-up)."""
    ax.annotate("北\nN", xy=(x, y), xytext=(x, y - 0.1), xycoords="axes fraction",
                ha="center", va="center", fontsize=9, zorder=10,
                arrowprops={"facecolor": "black", "width": 4, "headwidth": 10,
                            "headlength": 10})


def _legend(target: Any, layers: list[MapLayer], **kwargs: Any) -> None:
    """One legend built from the layers' style specs (:mod:`zonekit.maps.legend`)."""
    from zonekit.maps.legend import legend_groups, mpl_handles

    handles = mpl_handles(legend_groups(layers))
    # Outside the frame, right of the map(s), so it never hides a feature.
    options = {"loc": "upper left", "bbox_to_anchor": (1.01, 1.0), "fontsize": 8,
               "frameon": True, "framealpha": 0.9, "borderaxespad": 0.0, **kwargs}
    leg = target.legend(handles=handles, **options)
    for text, handle in zip(leg.get_texts(), handles, strict=True):
        if not handle.get_visible():
            text.set_fontweight("bold")


def _map_crs(layers: list[MapLayer]) -> Any:
    crs = layers[0].gdf.crs
    if crs is None:
        raise ZonekitError("map layer has no CRS; set it before drawing (e.g. EPSG:4548)")
    if crs.is_projected:
        return crs
    return layers[0].gdf.estimate_utm_crs()


def panel_layers(layers: list[MapLayer]) -> list[MapLayer]:
    """Pick the layers drawn one per panel: those sharing one style spec (one per category)."""
    counts: dict[Any, int] = {}
    for layer in layers:
        counts[layer.spec] = counts.get(layer.spec, 0) + 1
    return [layer for layer in layers if counts[layer.spec] > 1]


def _is_outline(layer: MapLayer) -> bool:
    """Unfilled single-symbol layers (zone boundaries): context drawn in every panel."""
    return layer.spec.kind == "single" and layer.spec.fill_opacity == 0


def plot_static(layers: list[MapLayer], ax: Axes | None = None, title: str = "",
                synthetic: bool = False, figsize_in: tuple[float, float] = (10, 8)) -> Axes:
    """Draw layers with matplotlib: fills, labels, legend, north arrow, scale bar, footer.

    When several layers share one style (one isochrone layer per category) and no ``ax``
    is given, each of them gets a small panel of its own (with the outline layers, e.g.
    zone boundaries), the remaining layers a last panel, and all panels one shared legend.

    Parameters
    ----------
    layers
        Layers to draw, bottom first; reprojected to the first layer's CRS if it is
        projected, else to a UTM zone (metres).
    ax
        Axes to draw on (one map, no panels); a new figure when ``None``.
    title
        Map title (Chinese).
    synthetic
        Add a footer saying the data is the synthetic sample park.
    figsize_in
        Size of a new one-map figure in inches.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on (the first panel's); save with :func:`save_static`.

    Raises
    ------
    FontNotFoundError
        When no Chinese font is installed.
    """
    import matplotlib.pyplot as plt

    crs = _map_crs(layers)
    panels = panel_layers(layers) if ax is None else []
    with cjk_rc():
        if panels:
            return _plot_panels(layers, panels, crs, title, synthetic)
        if ax is None:
            _, ax = plt.subplots(figsize=figsize_in)
        _draw(ax, layers, crs)
        if title:
            ax.set_title(title, fontsize=14, fontweight="bold")
        _legend(ax, layers)
        add_north_arrow(ax)
        add_scale_bar(ax)
        _footer(ax, crs, synthetic)
    return ax


def _draw(ax: Axes, layers: list[MapLayer], crs: Any) -> None:
    import matplotlib.patheffects as pe

    for layer in layers:
        if not len(layer.gdf):  # e.g. the base's note when the data has no roads
            continue
        gdf = layer.gdf.to_crs(crs)
        spec = layer.spec
        values = gdf[spec.column] if spec.column else [None] * len(gdf)
        colors = spec.colors(values)
        if spec.geometry == "line":
            gdf.plot(ax=ax, color=colors, linewidth=spec.stroke_width_px * 1.5)
        elif spec.geometry == "point":
            gdf.plot(ax=ax, color=colors, markersize=(spec.point_radius_px * 2) ** 2,
                     edgecolor=spec.stroke_color, linewidth=0.5, alpha=spec.fill_opacity)
        elif len(gdf):
            if spec.fill_opacity > 0:
                gdf.plot(ax=ax, color=colors, alpha=spec.fill_opacity)
            gdf.boundary.plot(ax=ax, color=spec.stroke_color,
                              linewidth=spec.stroke_width_px * 0.6)
        if spec.label_column and spec.label_column in gdf.columns:
            for pt, text in zip(gdf.geometry.representative_point(), gdf[spec.label_column],
                                strict=True):
                if text is None or str(text) in ("", "nan"):
                    continue
                ax.annotate(str(text), (pt.x, pt.y), ha="center", va="center", fontsize=9,
                            zorder=9,
                            path_effects=[pe.withStroke(linewidth=3, foreground="white")])
    ax.set_aspect("equal")
    ax.margins(0.1)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")


def _footer(ax: Axes, crs: Any, synthetic: bool, y: float = -0.015) -> None:
    notes = [SYNTHETIC_NOTE_ZH] if synthetic else []
    notes.append(f"坐标系 {crs.to_string()}；zonekit 生成")
    ax.text(0.0, y, "；".join(notes), transform=ax.transAxes, ha="left", va="top",
            fontsize=7, color="#7a4d00" if synthetic else "#555555")


def _plot_panels(layers: list[MapLayer], panels: list[MapLayer], crs: Any, title: str,
                 synthetic: bool) -> Axes:
    """Small multiples: one panel per category layer, one for the rest, one legend."""
    import matplotlib.pyplot as plt

    from zonekit.maps.base_layers import split_base

    base, layers = split_base(layers)  # roads and water: under every panel, named in no title
    outlines = [layer for layer in layers if _is_outline(layer)]
    in_panels = {id(p) for p in panels}
    rest = [layer for layer in layers if id(layer) not in in_panels and not _is_outline(layer)]
    maps = [([p], p.title) for p in panels]
    if rest:
        maps.append((rest, "、".join(layer.title for layer in rest)))
    ncols = 4 if len(maps) > 6 else min(3, len(maps))
    nrows = -(-len(maps) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.4 * ncols + 2.6, 3.4 * nrows + 0.8),
                             squeeze=False)
    flat = list(axes.ravel())
    for ax, (drawn, name) in zip(flat, maps, strict=False):
        _draw(ax, [*base, *drawn, *outlines], crs)
        for text in ax.texts:  # zone names crowd a small panel: keep the outlines only
            text.set_visible(False)
        ax.set_title(name, fontsize=10)
    for ax in flat[len(maps):]:
        ax.set_axis_off()
    first = flat[0]
    add_north_arrow(first)
    add_scale_bar(first)
    if title:
        fig.suptitle(title, fontsize=14, fontweight="bold")
    _legend(fig, [*base, *layers], loc="upper left", bbox_to_anchor=(1.0, 0.95))
    # tight_layout leaves no room for the suptitle: keep its band free of panel titles
    fig.tight_layout(rect=(0.0, 0.0, 1.0, 1.0 - 0.5 / fig.get_figheight()) if title else None)
    _footer(flat[(nrows - 1) * ncols], crs, synthetic, y=-0.04)
    return first


def save_static(ax_or_fig: Axes | Figure, path: Path | str, dpi: int = 200) -> Path:
    """Save a static map as PNG or PDF (from the suffix) atomically; close the figure."""
    import matplotlib.pyplot as plt

    from zonekit.zones.io import atomic_path

    path = Path(path)
    fig = getattr(ax_or_fig, "figure", ax_or_fig)
    if path.suffix.lower() not in (".png", ".pdf", ".svg"):
        raise ZonekitError(f"{path}: static maps are written as .png, .pdf or .svg")
    with cjk_rc(), atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=dpi, bbox_inches="tight", format=path.suffix.lower()[1:])
    plt.close(fig)
    return path


__all__ = ["CJK_FAMILIES", "CJKFont", "FontNotFoundError", "add_north_arrow",
           "add_scale_bar", "cjk_rc", "find_cjk_font", "has_glyphs", "nice_length_m",
           "panel_layers", "plot_static", "save_static"]
