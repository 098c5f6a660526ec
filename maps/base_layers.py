"""A light base of roads and water from the user's own layers, drawn under every map.

With ``basemap="none"`` (offline) a map would show its analysis shapes on grey; this base
gives the reader the park's streets and water from the data itself: the roads layer (light
grey, wider for main roads when it has ``highway``), the parcels whose land-use class is
``water`` (:mod:`zonekit.zones.landuse`) and any water layer given (e.g. an OSM extract's).
The base is clipped to the analysis layers' extent and simplified to a fraction of the
view, and minor streets are left out (and counted in the note) above a vertex budget, so
the HTML map stays small at city scale. Base layers are told apart by their style name
(:func:`is_base`): the legend shows one note for them (:data:`BASE_NOTE_ZH`), not classes,
and the map's GeoPackage leaves them out (they are the user's own data).

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import LineString
>>> roads = gpd.GeoDataFrame({"highway": ["primary", "residential"]},
...     geometry=[LineString([(0, 0), (900, 0)]), LineString([(0, 50), (900, 50)])],
...     crs="EPSG:4548")
>>> [layer.title for layer in base_layers((-10, -10, 1000, 100), "EPSG:4548", roads=roads)]
['底图：支路', '底图：主干路']
"""

# Module size: ~410 lines — one concept, the map base: its classes, clip, vertex budget, note
# and the scripts that draw it.
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from zonekit.maps.base_view import clipped, count_in_view, simplified
from zonekit.maps.interactive import MapLayer
from zonekit.maps.style import StyleSpec

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

#: Style names of base layers start with this (legend, GeoPackage and panels skip them).
BASE_PREFIX = "base_"
BASE_NOTE_ZH = "底图：{what}（来自输入数据）"
NO_BASE_NOTE_ZH = "底图：输入数据无道路、水域图层，未绘制底图"
#: Leaflet pane of the base, under the overlay pane (z-index 400) of the analysis layers.
PANE = "zk_base"
#: Leaflet pane of the base's streets: above the overlay pane's fills (isochrones at 0.7
#: opacity hid them) and below markers and tooltips; thin, light and not interactive.
ROADS_PANE = "zk_base_roads"
#: Vertices the base may hold (about 21 bytes each in the HTML, 2 MB in all): the
#: shorter and minor roads beyond it are left out, so a city's map stays a few MB.
MAX_BASE_VERTICES = 100_000
#: Margin added around the analysis layers' extent, as a share of its longer side.
MARGIN_SHARE = 0.08


@dataclass(frozen=True)
class RoadClass:
    """One class of roads in the base: OSM ``highway`` values, Chinese name, line style."""

    key: str
    name_zh: str
    highways: tuple[str, ...]
    color: str
    width_px: float


#: Road classes, main roads first (drawn on top, dropped last).
ROAD_CLASSES = (
    RoadClass("major", "主干路", ("motorway", "trunk", "primary"), "#b8b8b8", 1.5),
    RoadClass("secondary", "次干路", ("secondary", "tertiary"), "#c8c8c8", 1.0),
    RoadClass("minor", "支路", (), "#d6d6d6", 0.5),  # every other value
)
#: Colour of water (fill and outline).
WATER_COLOR = "#a9cce3"


def is_base(layer: Any) -> bool:
    """Whether a map layer is part of the base (its style's name starts with ``base_``)."""
    return str(layer.spec.name).startswith(BASE_PREFIX)


def split_base(layers: list[Any]) -> tuple[list[Any], list[Any]]:
    """Return ``(base layers, the other layers)``, each in drawing order."""
    return [x for x in layers if is_base(x)], [x for x in layers if not is_base(x)]


def road_class(highway: Any) -> Any:
    """Each road's class key (:data:`ROAD_CLASSES`) from its ``highway`` values.

    osmnx lists (``['primary', 'secondary']``, as text or list) count by their first
    value, ``_link`` roads as their road.

    Examples
    --------
    >>> import pandas as pd
    >>> road_class(pd.Series(["primary_link", "['tertiary', 'residential']", None])).tolist()
    ['major', 'secondary', 'minor']
    """
    import numpy as np
    import pandas as pd

    keys = np.array([cls.key for cls in ROAD_CLASSES], dtype=object)
    series = pd.Series(highway)
    return pd.Series(keys[_class_index(series)], index=series.index)


def _class_index(series: Any) -> Any:
    """Each road's position in :data:`ROAD_CLASSES` (integers: no text per road to compare)."""
    import numpy as np
    import pandas as pd

    try:  # text values (the usual case): no Python call per road
        codes, uniques = pd.factorize(series)
    except TypeError:  # osmnx lists are unhashable: as their text
        codes, uniques = pd.factorize(series.map(lambda v: str(v) if isinstance(v, list) else v))
    text = pd.Series(uniques, dtype=object)  # each distinct value once, not each road
    first = text.astype("string").str.strip("[]'\" ").str.split(",").str[0]
    first = first.str.strip("'\" ").str.replace(r"_link$", "", regex=True).str.lower()
    index = np.full(len(first) + 1, len(ROAD_CLASSES) - 1)  # last: missing
    for i, cls in enumerate(ROAD_CLASSES[:-1]):
        index[:-1][first.isin(cls.highways).fillna(False).to_numpy(bool)] = i
    return index[codes]


def view_box(layers: list[Any], crs: Any) -> tuple[float, float, float, float] | None:
    """Extent of the non-empty ``layers`` in ``crs``, with a margin; ``None`` if all empty."""
    from rasterio.warp import transform_bounds

    boxes = [transform_bounds(x.gdf.crs, crs, *x.gdf.total_bounds, densify_pts=21)
             for x in layers if len(x.gdf)]
    if not boxes:
        return None
    x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    pad = MARGIN_SHARE * max(x1 - x0, y1 - y0, 1.0)
    return x0 - pad, y0 - pad, x1 + pad, y1 + pad


def _vertices(gdf: gpd.GeoDataFrame) -> int:
    import shapely

    return int(shapely.get_num_coordinates(gdf.geometry.to_numpy()).sum())


def _road_layers(roads: gpd.GeoDataFrame, box: tuple[float, float, float, float], crs: Any,
                 budget: int) -> tuple[list[MapLayer], int]:
    """Road layers, main roads first in the vertex budget; returns (layers, roads left out).

    A class is clipped, reprojected and simplified only while the budget has room: the
    minor streets of a city that will be left out are only counted in the view.
    """
    classes = _class_index(roads["highway"]) if "highway" in roads else None
    roads = roads[[roads.geometry.name]]
    layers: list[MapLayer] = []
    used = dropped = 0
    for i, cls in enumerate(ROAD_CLASSES) if classes is not None else [(1, ROAD_CLASSES[1])]:
        part = roads if classes is None else roads.loc[classes == i]
        if used >= budget:  # no room: how many of the class are in view, for the note
            dropped += count_in_view(part, box, crs) if len(part) else 0
            continue
        part = clipped(part, box, crs, simplify=False)
        if not len(part):
            continue
        part = part.set_geometry(simplified(part.geometry.to_numpy(), box), crs=part.crs)
        n = _vertices(part)
        if used + n > budget:  # the longest of the class that fit; the rest left out
            part, left = _longest(part, budget - used)
            dropped += left
            n = _vertices(part)
            if not len(part):
                continue
        used += n
        title = "底图：道路" if classes is None else f"底图：{cls.name_zh}"
        spec = StyleSpec(name=f"{BASE_PREFIX}roads_{cls.key}", title=title, geometry="line",
                         color=cls.color, stroke_color=cls.color, stroke_width_px=cls.width_px,
                         fill_opacity=1.0)
        layers.append(MapLayer(part[[part.geometry.name]], spec, name=title, show=True))
    # main roads drawn last (on top of the minor ones)
    return layers[::-1], dropped


def _longest(part: gpd.GeoDataFrame, budget: int) -> tuple[gpd.GeoDataFrame, int]:
    """Return the longest features of ``part`` whose vertices fit ``budget``, and how many not."""
    import numpy as np
    import shapely

    geoms = part.geometry.to_numpy()
    order = np.argsort(-shapely.length(geoms), kind="stable")
    fits = np.cumsum(shapely.get_num_coordinates(geoms)[order]) <= budget
    keep = np.sort(order[fits])
    return part.iloc[keep], len(part) - len(keep)


def water_parcels(parcels: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
    """Return the parcels whose land-use class is water (``land_class``, else from ``land_use``)."""
    if parcels is None or not len(parcels):
        return None
    if "land_class" in parcels:
        cls = parcels["land_class"]
    elif "land_use" in parcels:
        from zonekit.zones.landuse import land_use_class

        cls = land_use_class(parcels["land_use"])
    else:
        return None
    water = parcels.loc[cls.eq("water").fillna(False).to_numpy(bool)]
    return water[[water.geometry.name]] if len(water) else None


def _water_layers(water: list[gpd.GeoDataFrame | None], box: tuple[float, float, float, float],
                  crs: Any) -> list[MapLayer]:
    """Water polygons (one fill) and water lines (rivers, canals) of the given layers."""
    import geopandas as gpd
    import numpy as np

    frames = [clipped(w, box, crs) for w in water if w is not None and len(w)]
    geoms = [f.geometry.to_numpy() for f in frames if len(f)]
    if not geoms:
        return []
    allw = gpd.GeoDataFrame(geometry=np.concatenate(geoms), crs=crs)
    kind = allw.geom_type
    layers = []
    for types, geometry in ((("Polygon", "MultiPolygon"), "polygon"),
                            (("LineString", "MultiLineString"), "line")):
        part = allw.loc[kind.isin(types).to_numpy()]
        if len(part):
            spec = StyleSpec(name=f"{BASE_PREFIX}water_{geometry}", title="底图：水域",
                             geometry=geometry, color=WATER_COLOR, stroke_color=WATER_COLOR,
                             stroke_width_px=0.8, fill_opacity=0.85)
            layers.append(MapLayer(part, spec, name="底图：水域", show=True, image=False))
    return layers


def base_layers(box: tuple[float, float, float, float] | None, crs: Any,
                roads: gpd.GeoDataFrame | None = None,
                parcels: gpd.GeoDataFrame | None = None,
                water: gpd.GeoDataFrame | None = None,
                max_vertices: int = MAX_BASE_VERTICES) -> list[MapLayer]:
    """Build the base of a map: water under roads, clipped to ``box``, within a budget.

    Parameters
    ----------
    box
        ``(xmin, ymin, xmax, ymax)`` of the view in ``crs`` (:func:`view_box`); ``None``:
        no base.
    crs
        CRS of ``box`` and of the layers returned (the park's analysis CRS, metres).
    roads
        The park's roads (any CRS); ``highway`` gives the line widths when present.
    parcels
        The park's parcels: those of land-use class ``water`` are drawn as water.
    water
        Any further water layer (polygons or lines), e.g. an OSM extract's.
    max_vertices
        Vertices the roads may hold after simplification; minor classes beyond it are left
        out (the note counts them).

    Returns
    -------
    list of MapLayer
        Base layers, bottom first; when the data has neither roads nor water, one empty
        layer whose legend note says so (:data:`NO_BASE_NOTE_ZH`).
    """
    if box is None:
        return []
    layers = _water_layers([water_parcels(parcels), water], box, crs)
    dropped = 0
    if roads is not None and len(roads):
        road, dropped = _road_layers(roads, box, crs, max_vertices)
        layers += road
    return _with_note(layers, dropped, crs)


def _with_note(layers: list[MapLayer], dropped: int, crs: Any) -> list[MapLayer]:
    """Give the base layers the legend note: what the base shows, what was left out."""
    import dataclasses

    import geopandas as gpd

    kinds = {"水域" if "water" in x.spec.name else "道路" for x in layers}
    what = "、".join(k for k in ("道路", "水域") if k in kinds)
    if not layers:
        note = (NO_BASE_NOTE_ZH if not dropped else
                f"底图：道路 {dropped:,} 段超出底图上限，为控制文件大小未绘制")
        empty = gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=crs), crs=crs)
        return [MapLayer(empty, StyleSpec(name=f"{BASE_PREFIX}none", title=note,
                                          geometry="line"), name=note)]
    note = BASE_NOTE_ZH.format(what=what)
    if dropped:
        note += f"；为控制文件大小，省略较短或次要道路 {dropped:,} 段"
    first = layers[0]
    layers[0] = dataclasses.replace(first, spec=dataclasses.replace(first.spec, title=note),
                                    name=first.name)
    return layers


def base_note(layers: list[Any]) -> str | None:
    """Return the legend note of the base layers among ``layers`` (``None`` without a base)."""
    base = [x for x in layers if is_base(x)]
    return base[0].spec.title if base else None


def with_base(layers: list[Any], crs: Any, roads: gpd.GeoDataFrame | None = None,
              parcels: gpd.GeoDataFrame | None = None,
              water: gpd.GeoDataFrame | None = None) -> list[Any]:
    """Return ``layers`` with the base (:func:`base_layers`) under them, in their extent."""
    if not layers or any(is_base(x) for x in layers):
        return list(layers)
    base = base_layers(view_box(layers, crs), crs, roads, parcels, water)
    return [*base, *layers]


#: Marks each base layer's script in the page (tests and readers find them by it).
BASE_SCRIPT_MARK = "/*zk-base*/"


def _one_geometry(geoms: Any, geometry: str) -> Any:
    """All parts of the layer's lines (polygons) as one MultiLineString (MultiPolygon)."""
    import shapely

    parts = shapely.get_parts(geoms)
    if geometry == "line":
        lines = parts[shapely.get_type_id(parts) == 1]
        return shapely.multilinestrings(lines)
    return shapely.multipolygons(parts[shapely.get_type_id(parts) == 3])


def add_base_layers(m: folium.Map, layers: list[MapLayer], basemap: str) -> None:
    """Draw the base layers in their own pane under the analysis layers, one geometry each.

    Each layer is one Multi-geometry at 5 decimals of a degree (about 1 m), written as
    compact GeoJSON in a small script of its own (no properties, no tooltips, no style per
    feature), so a city's streets cost their vertices only: about 21 bytes each.
    """
    import json

    import folium
    import numpy as np
    import shapely

    from zonekit.maps.interactive import _to_display_crs
    from zonekit.maps.rendered_scripts import RenderedMacro

    drawn = [x for x in layers if len(x.gdf)]
    if not drawn:
        return
    folium.map.CustomPane(PANE, z_index=350, pointer_events=False).add_to(m)
    if any(x.spec.geometry == "line" for x in drawn):
        folium.map.CustomPane(ROADS_PANE, z_index=450, pointer_events=False).add_to(m)
    for layer in drawn:
        gdf = _to_display_crs(layer.gdf, basemap)
        geoms = shapely.transform(gdf.geometry.to_numpy(), lambda xy: np.round(xy, 5))
        spec = layer.spec
        line = spec.geometry == "line"
        style = {"color": spec.stroke_color, "weight": spec.stroke_width_px * 2,
                 "opacity": 1.0, "fill": not line, "fillColor": spec.color,
                 "fillOpacity": spec.fill_opacity}
        feature = ('{"type":"Feature","properties":{},"geometry":'
                   f"{shapely.to_geojson(_one_geometry(geoms, spec.geometry))}}}")
        options = json.dumps({"pane": ROADS_PANE if line else PANE, "interactive": False,
                              "style": style},
                             separators=(",", ":"))
        script = RenderedMacro()
        script._name = "ZkBase"
        script._template = _base_template()
        script.js = f"L.geoJSON({feature},{options})"
        m.add_child(script)


@functools.cache
def _base_template() -> Any:
    """Return the base scripts' one Jinja template: the GeoJSON is a value, not source.

    Compiling a city's streets into a template costs seconds; substituting them costs nothing.
    """
    from jinja2 import Template

    return Template("{% macro script(this, kwargs) %}" + BASE_SCRIPT_MARK
                    + "{{ this.js }}.addTo({{ this._parent.get_name() }});{% endmacro %}")


__all__ = ["BASE_NOTE_ZH", "BASE_SCRIPT_MARK", "MAX_BASE_VERTICES", "NO_BASE_NOTE_ZH",
           "ROADS_PANE", "ROAD_CLASSES", "add_base_layers", "base_layers", "base_note", "is_base",
           "road_class", "split_base", "view_box", "water_parcels", "with_base"]
