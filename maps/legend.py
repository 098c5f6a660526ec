"""Legends built from the style specs that draw the layers, for HTML and matplotlib maps.

A legend entry takes its fill, opacity, outline colour and width from the same
:class:`~zonekit.maps.style.StyleSpec` the layer is drawn with, so a layer drawn as a
thick outline shows a thick outline in the legend, not a pale fill. Layers sharing one
spec (one layer per category) get one legend group; two different specs with the same
title (cells and roads both styled "服务圈覆盖") are told apart by their layer names.

Examples
--------
>>> from zonekit.maps.style import zone_kind_style
>>> [e.label for e in legend_entries(zone_kind_style())]
['核心功能区', '市级高新区区块']
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from zonekit.maps.style import StyleSpec


class Drawn(Protocol):
    """What a legend needs of a layer: its style, features and name (a ``MapLayer``)."""

    spec: StyleSpec
    gdf: Any

    @property
    def title(self) -> str:
        """Name in the layer control."""


@dataclass(frozen=True)
class LegendEntry:
    """One legend row: the symbol exactly as the layer draws the class.

    ``fill`` is the class colour (of the line, for line layers); ``stroke`` and
    ``stroke_width_px`` the outline of polygons and points.
    """

    label: str
    fill: str
    fill_opacity: float
    stroke: str
    stroke_width_px: float
    geometry: str


@dataclass(frozen=True)
class LegendGroup:
    """A legend title and its entries (one group per distinct style)."""

    title: str
    entries: tuple[LegendEntry, ...]


def legend_entries(spec: StyleSpec, values: Iterable[Any] | None = None) -> list[LegendEntry]:
    """List the entries of one style: one per class (无数据 when ``values`` has unclassed ones)."""
    return [LegendEntry(label, color, spec.fill_opacity, spec.stroke_color,
                        spec.stroke_width_px, spec.geometry)
            for label, color in spec.legend(values)]


def _values(layer: Drawn) -> list[Any] | None:
    column = layer.spec.column
    return list(layer.gdf[column]) if column and column in layer.gdf else None


def legend_groups(layers: Sequence[Drawn]) -> list[LegendGroup]:
    """One group per distinct style of ``layers``, in drawing order.

    Layers sharing a spec (e.g. one isochrone layer per category) make one group titled
    with the spec's title; distinct specs with the same title are titled with their
    layers' names, so no title appears twice. The base of roads and water
    (:mod:`zonekit.maps.base_layers`) is one last group without symbols: its note.
    """
    from zonekit.maps.base_layers import base_note, is_base

    specs: dict[StyleSpec, list[Drawn]] = {}
    for layer in layers:
        if not is_base(layer):  # the base of roads and water: one note, below
            specs.setdefault(layer.spec, []).append(layer)
    titles = [spec.title for spec in specs]
    groups = []
    for spec, members in specs.items():
        values: list[Any] | None = None
        if spec.column:
            values = [v for m in members for v in (_values(m) or [])]
        title = spec.title
        if titles.count(title) > 1 and len(members) == 1:
            title = members[0].title
        groups.append(LegendGroup(title, tuple(legend_entries(spec, values))))
    note = base_note(list(layers))
    return groups + ([LegendGroup(note, ())] if note else [])


def _titled_by_entry(group: LegendGroup) -> bool:
    """Tell whether a one-symbol group's symbol says its title (no title row then)."""
    return len(group.entries) == 1 and group.entries[0].label == group.title


def swatch_css(entry: LegendEntry) -> str:
    """Inline CSS drawing the entry's symbol as the map draws the features."""
    if entry.geometry == "line":
        return (f"background:{entry.fill};height:{max(entry.stroke_width_px * 2, 2):g}px;"
                "border:none;margin:5px 6px 5px 0")
    fill = _rgba(entry.fill, entry.fill_opacity)
    radius = "border-radius:50%;" if entry.geometry == "point" else ""
    return (f"background:{fill};border:{max(entry.stroke_width_px, 1):g}px solid "
            f"{entry.stroke};{radius}")


def _rgba(color: str, alpha: float) -> str:
    return f"rgba({','.join(map(str, _rgb255(color)))},{alpha:g})"


def _rgb255(color: str) -> tuple[int, int, int]:
    """``#rgb``/``#rrggbb`` read directly (the maps' colours); other names by matplotlib."""
    from zonekit.maps.ramps import hex_rgb255

    rgb = hex_rgb255(color)
    if rgb is not None:
        return rgb
    from matplotlib.colors import to_rgba  # named colours: not on the HTML map's hot path

    r, g, b, _ = to_rgba(color)
    return round(r * 255), round(g * 255), round(b * 255)


def legend_html(groups: Sequence[LegendGroup], element_id: str = "zk-legend",
                css_class: str = "zk-legend") -> str:
    """Render the legend as HTML; swatches carry ``data-fill``/``data-stroke`` for tests."""
    parts = []
    for group in groups:
        rows = "".join(
            f'<div class="zk-row"><span class="zk-swatch" data-fill="{e.fill}" '
            f'data-stroke="{e.stroke}" style="{swatch_css(e)}"></span>'
            f"{html.escape(e.label)}</div>" for e in group.entries)
        head = ("" if _titled_by_entry(group) else
                f'<div class="zk-legend-title">{html.escape(group.title)}</div>' if rows else
                # a group without symbols is a note (the base of roads and water)
                f'<div class="zk-legend-note" style="color:#555;margin-top:4px">'
                f"{html.escape(group.title)}</div>")
        parts.append(f'<div class="zk-legend-group">{head}{rows}</div>')
    return f'<div class="{css_class}" id="{element_id}">{"".join(parts)}</div>'


def mpl_handles(groups: Sequence[LegendGroup]) -> list[Any]:
    """Matplotlib legend handles: an invisible title handle per group, then its symbols.

    Widths follow :func:`zonekit.maps.static.plot_static`: polygon outlines at 0.6 ×,
    lines at 1.5 × the spec's pixel width.
    """
    from matplotlib.colors import to_rgba
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = []
    for group in groups:
        if not _titled_by_entry(group):
            handles.append(Patch(visible=False, label=group.title))
        for e in group.entries:
            if e.geometry == "point":
                handles.append(Line2D([], [], marker="o", linestyle="", label=e.label,
                                      markerfacecolor=to_rgba(e.fill, e.fill_opacity),
                                      markeredgecolor=e.stroke, markersize=8))
            elif e.geometry == "line":
                handles.append(Line2D([], [], color=e.fill, label=e.label,
                                      linewidth=max(e.stroke_width_px * 1.5, 1.5)))
            else:
                handles.append(Patch(facecolor=to_rgba(e.fill, e.fill_opacity),
                                     edgecolor=e.stroke, label=e.label,
                                     linewidth=max(e.stroke_width_px * 0.6, 0.8)))
    return handles


__all__ = ["LegendEntry", "LegendGroup", "legend_entries", "legend_groups", "legend_html",
           "mpl_handles", "swatch_css"]
