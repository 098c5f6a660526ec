"""Map layers of the capacity per 1,000 persons: the origins below their category's norm.

A circles run with ``capacity_col=`` and a norm flags its origins ``below_norm_<category>``
(:mod:`zonekit.analysis.circles.capacity`); each such category becomes one layer (off when
the map opens): the origins below the norm one by one, or, for large layers, the square
cells of :func:`~zonekit.maps.circle_maps.aggregate_origins` holding any of them. The GeoPackage
layer is ``below_norm_<category>`` (its style's name).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from zonekit.maps.interactive import MapLayer
from zonekit.maps.style import StyleSpec, categorical

if TYPE_CHECKING:
    import geopandas as gpd

PREFIX = "below_norm_"
_CELLS = {"all": ("全部低于千人指标", "#a50f15"), "some": ("部分低于千人指标", "#fc9272")}


def below_norm_layers(origins: gpd.GeoDataFrame,
                      names: Mapping[str, str] | None = None) -> list[MapLayer]:
    """One layer per category with a norm: where the capacity per 1,000 persons falls short.

    ``origins`` is a circles run's ``origins`` (``below_norm_<category>``,
    ``per1000_<category>``); ``names`` maps categories to Chinese names (default: the
    shipped circles profile's). Categories where
    no origin is below the norm get no layer.
    """
    from zonekit.maps.circle_maps import (
        MAX_ORIGIN_FEATURES,
        aggregate_origins,
        geometry_kind,
        names_zh,
    )

    cols = [c for c in origins.columns if str(c).startswith(PREFIX)]
    names = names if names is not None or not cols else names_zh()
    layers = []
    for col in cols:
        cat = str(col)[len(PREFIX):]
        below = origins[col].fillna(False).astype(bool)
        if not below.any():
            continue
        title = f"低于千人指标：{names.get(cat, cat)}"
        part = origins.loc[below]
        weight = tuple(c for c in ("population", "weight") if c in part)
        if len(part) <= MAX_ORIGIN_FEATURES:
            spec = StyleSpec(name=col, title=title, geometry=geometry_kind(part),
                             color="#a50f15", fill_opacity=0.7, stroke_width_px=0.3,
                             point_radius_px=5.0,
                             fields=("origin_id", *weight, f"per1000_{cat}"))
            layers.append(MapLayer(part, spec, name=title, show=False, image=False))
            continue
        cells = aggregate_origins(origins.assign(covered=below))
        cells = cells.loc[cells["coverage"] != "none"]
        spec = categorical(col, "coverage", _CELLS, title, geometry="polygon",
                           fields=("起点数", *weight), stroke_width_px=0.0, fill_opacity=0.7)
        layers.append(MapLayer(cells, spec, name=title, show=False, image=False))
    return layers
