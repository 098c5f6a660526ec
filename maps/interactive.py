"""Interactive web maps (folium/Leaflet), one self-contained HTML file each.

Layers in any CRS are reprojected to WGS84 for Leaflet. Polygon layers of more than
:data:`MAX_VECTOR_VERTICES` vertices (isochrones of a city, merged gaps) are drawn as
one PNG image overlay each (rasterised in Web Mercator) instead of GeoJSON, so a map of
a million-node city stays a few MB and opens in seconds. A layer that comes from a
grid (isochrone bands: cells of a travel-time surface) can carry that grid
(:class:`GridImage`); its image is then warped from the grid's cells (nearest cell, the
one the polygons would burn), which costs the image's pixels, not the polygons' vertices.
On the Amap (高德) basemap, whose tiles are in GCJ-02, every overlay is shifted WGS84 →
GCJ-02 (about 500 m in Miyun) so it sits on the right streets (grids there are burned
from their shifted polygons). Leaflet's JavaScript and CSS are inlined from
the locally installed ``xstatic-leaflet`` package (or Debian's ``libjs-leaflet``), so
with ``basemap="none"`` the file opens with no network at all, and with a basemap only
the tiles are fetched — no CDN, several of which are slow or blocked in mainland China.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import box
>>> from zonekit.maps.style import zone_kind_style
>>> zones = gpd.GeoDataFrame({"kind": ["core_zone"], "name_zh": ["高端智造区"]},
...                          geometry=[box(116.8, 40.3, 116.9, 40.4)], crs="EPSG:4326")
>>> m = make_map([MapLayer(zones, zone_kind_style(label_column=None))], basemap="none")
>>> "高端智造区" in m.get_root().render()
True
"""

# Module size: ~450 lines — one folium map: basemaps, vector and image layers, legend
# and footer share the page's CSS and coordinate handling.

from __future__ import annotations

import base64
import html
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zonekit.errors import ZonekitError
from zonekit.maps.grid_warp import IMAGE_MAX_PX, IMAGE_MIN_M
from zonekit.maps.style import MISSING_COLOR, StyleSpec, field_info

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

log = logging.getLogger(__name__)

BASEMAPS = ("osm", "tianditu", "amap", "none")
FONT_CSS = ('"Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", '
            '"Microsoft YaHei", "PingFang SC", sans-serif')
SYNTHETIC_NOTE_ZH = ("数据为合成样例园区（SYNTHETIC）：按规划 2024 年基线生成，"
                     "并非真实企业、地块或道路")
_COLOR_KEY = "_zk_color"
_TIANDITU_URL = ("https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile"
                 "&VERSION=1.0.0&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
                 "&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={key}")
_AMAP_URL = ("https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
             "&x={x}&y={y}&z={z}")


@dataclass
class GridImage:
    """A layer's values on a grid, to draw it as an image without its polygons.

    Parameters
    ----------
    values
        Float array (rows × cols) of the values the layer's style classifies (NaN: nothing).
    transform
        ``affine.Affine`` of the grid (cell corners).
    crs
        The grid's CRS.
    """

    values: Any
    transform: Any
    crs: Any


@dataclass
class MapLayer:
    """A layer to draw: its features and their style.

    Parameters
    ----------
    gdf
        Features in any CRS (it must be set).
    spec
        How to draw them (:mod:`zonekit.maps.style`).
    name
        Name in the layer control and legend; default the spec's title.
    show
        Whether the layer is switched on when the map opens.
    image
        Draw polygons as a PNG image overlay (no tooltips); ``None``: when they have more
        than :data:`MAX_VECTOR_VERTICES` vertices.
    grid
        The same features as values on a grid: when the layer is drawn as an image, the
        image is warped from the grid (except on the Amap basemap, whose GCJ-02 shift
        moves every vertex, so the polygons are shifted and burned).
    """

    gdf: gpd.GeoDataFrame
    spec: StyleSpec
    name: str | None = None
    show: bool = True
    image: bool | None = None
    grid: GridImage | None = None

    def __post_init__(self) -> None:
        from zonekit.errors import CRSError, SchemaError

        if self.gdf.crs is None:
            raise CRSError(f"map layer '{self.title}' has no CRS; set it before drawing "
                           "(e.g. EPSG:4548)")
        column = self.spec.column
        if column and column not in self.gdf.columns:
            raise SchemaError(f"map layer '{self.title}': style {self.spec.name!r} classifies "
                              f"column '{column}', which the layer lacks (columns: "
                              f"{', '.join(map(str, self.gdf.columns))})")

    @property
    def title(self) -> str:
        """The layer's display name."""
        return self.name or self.spec.title


def leaflet_assets() -> tuple[str, str] | None:
    """Leaflet's JavaScript and CSS (images inlined) from a local package, or ``None``.

    Looks in the ``xstatic-leaflet`` Python package, then in Debian's ``libjs-leaflet``
    (``/usr/share/javascript/leaflet``).
    """
    folders = []
    try:
        import xstatic.pkg.leaflet as xs  # type: ignore[import-not-found]

        folders.append(Path(xs.BASE_DIR))
    except ImportError:
        pass
    folders.append(Path("/usr/share/javascript/leaflet"))
    for folder in folders:
        js, css = folder / "leaflet.js", folder / "leaflet.css"
        if js.exists() and css.exists():
            def inline(match: re.Match[str], folder: Path = folder) -> str:
                img = folder / match.group(1)
                data = base64.b64encode(img.read_bytes()).decode() if img.exists() else ""
                return f"url(data:image/png;base64,{data})"

            css_text = re.sub(r"url\((images/[^)]+\.png)\)", inline, css.read_text("utf-8"))
            return js.read_text("utf-8"), css_text
    return None


def _to_display_crs(gdf: gpd.GeoDataFrame, basemap: str) -> gpd.GeoDataFrame:
    """Reproject to EPSG:4326 and, for Amap, shift WGS84 → GCJ-02."""
    import numpy as np
    import shapely

    from zonekit.zones.coords import wgs84_to_gcj02

    out = gdf.to_crs("EPSG:4326")
    if basemap == "amap":
        def shift(coords: np.ndarray) -> np.ndarray:
            lon, lat = wgs84_to_gcj02(coords[:, 0], coords[:, 1])
            return np.column_stack([lon, lat])

        out = out.set_geometry(shapely.transform(out.geometry.values, shift), crs="EPSG:4326")
    return out


def _feature_data(layer: MapLayer, gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Only what the browser needs: colour, formatted tooltip fields, label, geometry."""
    import geopandas as gpd

    spec = layer.spec
    cols: dict[str, Any] = {}
    values = gdf[spec.column] if spec.column else [None] * len(gdf)
    cols[_COLOR_KEY] = spec.colors(values)
    for name in spec.fields:
        if name in gdf.columns:
            info = field_info(name)
            cols[name] = [info.format(v) for v in gdf[name]]
    return gpd.GeoDataFrame(cols, geometry=gdf.geometry.values, crs=gdf.crs, index=gdf.index)


#: Polygon layers with more vertices than this are drawn as a PNG image overlay (a few
#: hundred kB) instead of GeoJSON (tens of MB and a slow browser at city scale).
MAX_VECTOR_VERTICES = 10_000


def _image_png(gdf: gpd.GeoDataFrame, colors: list[str],
               opacity: float) -> tuple[str, list[list[float]]]:
    """Rasterise polygons (later ones on top) into a PNG in Web Mercator.

    Returns the PNG as a data URL and its bounds ``[[south, west], [north, east]]``;
    Leaflet stretches an image overlay linearly in Web Mercator, so the pixels land
    where the polygons are.
    """
    import numpy as np
    from rasterio.features import rasterize
    from rasterio.transform import from_origin

    merc = gdf.to_crs("EPSG:3857")
    x0, y0, x1, y1 = merc.total_bounds
    px = max(IMAGE_MIN_M, max(x1 - x0, y1 - y0) / IMAGE_MAX_PX)
    width, height = max(1, int(np.ceil((x1 - x0) / px))), max(1, int(np.ceil((y1 - y0) / px)))
    palette = list(dict.fromkeys(colors))
    index = {c: k + 1 for k, c in enumerate(palette)}
    burned = rasterize(((g, index[c]) for g, c in zip(merc.geometry.to_numpy(), colors,
                                                      strict=True) if g is not None),
                       out_shape=(height, width), transform=from_origin(x0, y1, px, px),
                       fill=0, dtype="uint8")
    return _png(burned, palette, opacity), _merc_bounds(x0, y0, x1, y1)


def _grid_png(grid: GridImage, spec: StyleSpec,
              opacity: float) -> tuple[str, list[list[float]]] | None:
    """Warp a layer's grid to Web Mercator (nearest cell) and colour it by ``spec``.

    Same image as :func:`_image_png` of the grid's cell polygons: each pixel takes the
    cell holding its centre (:func:`zonekit.maps.grid_warp.grid_warp`, warped once for
    the grids sharing a window). ``None`` when the grid holds no value.
    """
    import numpy as np

    from zonekit.maps.grid_warp import grid_warp

    values = np.asarray(grid.values, dtype="float32")
    rows, cols = np.nonzero(np.isfinite(values))
    if not len(rows):
        return None
    r0, r1, c0, c1 = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
    values = values[r0:r1, c0:c1]  # the cells holding values, so the image fits them
    warp = grid_warp(grid.transform @ grid.transform.translation(c0, r0), grid.crs,
                     values.shape)
    seen = values.ravel()[warp.seen]
    present = np.unique(seen[np.isfinite(seen)])  # the values some pixel shows
    colors = spec.colors(present.tolist())
    palette = list(dict.fromkeys(colors))
    index = np.zeros(len(present) + 1, dtype="uint8")
    index[1:] = [palette.index(c) + 1 for c in colors]
    # cells no pixel shows may fall past the last value: any code does for them
    codes = np.minimum(np.searchsorted(present, values), len(present) - 1) + 1
    codes[~np.isfinite(values)] = 0  # transparent
    return _png(warp.image(index[codes], np.uint8(0)), palette, opacity), _merc_bounds(
        *warp.bounds)


def _png(codes: Any, palette: list[str], opacity: float) -> str:
    """Return a paletted PNG data URL: code 0 transparent, code k ``palette[k - 1]``."""
    import io

    from PIL import Image

    rgb = [0, 0, 0] + [int(c.lstrip("#")[i:i + 2], 16) for c in palette for i in (0, 2, 4)]
    img = Image.fromarray(codes, mode="P")
    img.putpalette(rgb)
    transparency = bytes([0] + [round(255 * opacity)] * len(palette))
    buf = io.BytesIO()
    img.save(buf, format="PNG", transparency=transparency)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def _merc_bounds(x0: float, y0: float, x1: float, y1: float) -> list[list[float]]:
    """``[[south, west], [north, east]]`` of a Web Mercator box."""
    (w, s), (e, n) = _lonlat([x0, x1], [y0, y1])
    return [[s, w], [n, e]]


def _lonlat(x: list[float], y: list[float]) -> tuple[tuple[float, float], tuple[float, float]]:
    from pyproj import Transformer

    lon, lat = Transformer.from_crs("EPSG:3857", "EPSG:4326", always_xy=True).transform(x, y)
    return (lon[0], lat[0]), (lon[1], lat[1])


def _heavy(layer: MapLayer, gdf: gpd.GeoDataFrame) -> bool:
    """Whether a polygon layer is drawn as an image (too heavy for GeoJSON)."""
    import shapely

    if layer.image is not None:
        return layer.image and layer.spec.geometry == "polygon"
    return (layer.spec.geometry == "polygon" and not layer.spec.label_column
            and int(shapely.get_num_coordinates(gdf.geometry.to_numpy()).sum())
            > MAX_VECTOR_VERTICES)


def _geojson(gdf: gpd.GeoDataFrame) -> dict[str, Any]:
    """GeoJSON of a layer, built by pandas' and GEOS's writers (not feature by feature)."""
    import json

    import shapely

    props = gdf.drop(columns=gdf.geometry.name).to_json(orient="records", lines=True)
    geoms = shapely.to_geojson(gdf.geometry.to_numpy())
    feats = ",".join(f'{{"type":"Feature","properties":{p},"geometry":{g or "null"}}}'
                     for p, g in zip(props.splitlines() if len(gdf) else [], geoms,
                                     strict=True))
    return json.loads(f'{{"type":"FeatureCollection","features":[{feats}]}}')


def _rounded(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Coordinates to 7 decimals of a degree (about 1 cm): half the bytes of full floats."""
    import numpy as np
    import shapely

    geoms = shapely.transform(gdf.geometry.to_numpy(), lambda xy: np.round(xy, 7))
    return gdf.set_geometry(geoms, crs=gdf.crs)


def _from_grid(layer: MapLayer, basemap: str) -> bool:
    """Whether the layer's image is warped from its grid (not burned from its polygons)."""
    return layer.grid is not None and basemap != "amap" and _heavy(layer, layer.gdf)


def _add_image(m: folium.Map, layer: MapLayer, gdf: gpd.GeoDataFrame | None) -> None:
    import folium

    spec = layer.spec
    group = folium.FeatureGroup(name=layer.title, show=layer.show)
    if gdf is None:  # drawn from its grid
        image = _grid_png(layer.grid, spec, spec.fill_opacity)
    else:
        values = gdf[spec.column] if spec.column else [None] * len(gdf)
        image = _image_png(gdf, spec.colors(values), spec.fill_opacity)
    if image is not None:
        folium.raster_layers.ImageOverlay(image[0], image[1], name=layer.title,
                                          interactive=False).add_to(group)
    group.add_to(m)


def _add_layer(m: folium.Map, layer: MapLayer, gdf: gpd.GeoDataFrame | None) -> None:
    import folium

    from zonekit.maps.rendered_scripts import GeoJson

    spec = layer.spec
    if gdf is None or _heavy(layer, gdf):
        _add_image(m, layer, gdf)
        return
    group = folium.FeatureGroup(name=layer.title, show=layer.show)
    data = _feature_data(layer, _rounded(gdf))
    fields = [f for f in spec.fields if f in data.columns]
    aliases = [field_info(f).heading for f in fields]
    line = spec.geometry == "line"

    def style(feature: dict[str, Any]) -> dict[str, Any]:
        color = feature["properties"].get(_COLOR_KEY, MISSING_COLOR)
        return {"color": color if line else spec.stroke_color, "fillColor": color,
                "weight": spec.stroke_width_px * (2 if line else 1),
                "fillOpacity": spec.fill_opacity, "opacity": 0.9}

    kwargs: dict[str, Any] = {}
    if fields:
        kwargs["tooltip"] = folium.GeoJsonTooltip(fields=fields, aliases=aliases, sticky=True,
                                                  localize=False)
        kwargs["popup"] = folium.GeoJsonPopup(fields=fields, aliases=aliases, localize=False)
    if spec.geometry == "point":
        kwargs["marker"] = folium.CircleMarker(radius=spec.point_radius_px, fill=True)
    GeoJson(_geojson(data), name=layer.title, style_function=style, **kwargs).add_to(group)
    if spec.label_column and spec.label_column in gdf.columns:
        points = gdf.geometry.representative_point()
        for pt, text in zip(points, gdf[spec.label_column], strict=True):
            if text is None or str(text) in ("", "nan"):
                continue
            label = "<br>".join(html.escape(part) for part in str(text).split("\n"))
            icon = folium.DivIcon(html=f'<div class="zk-label">{label}</div>',
                                  icon_size=(160, 40), icon_anchor=(80, 20))
            folium.Marker([pt.y, pt.x], icon=icon).add_to(group)
    group.add_to(m)


def _add_basemap(m: folium.Map, basemap: str, tianditu_key: str | None) -> None:
    import folium

    if basemap == "osm":
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap", control=False).add_to(m)
    elif basemap == "amap":
        folium.TileLayer(_AMAP_URL, attr="© 高德地图 AutoNavi（GCJ-02）", name="高德地图",
                         subdomains="1234", max_zoom=18, control=False).add_to(m)
    elif basemap == "tianditu":
        key = tianditu_key or os.environ.get("TIANDITU_KEY")
        if not key:
            raise ZonekitError(
                "the tianditu basemap needs a 天地图 key: set the environment variable "
                "TIANDITU_KEY (get one at the 天地图 developer site), or use basemap= "
                "osm, amap or none")
        for layer, name in (("vec", "天地图矢量"), ("cva", "天地图注记")):
            folium.TileLayer(_TIANDITU_URL.format(layer=layer, key=key), attr="© 天地图",
                             name=name, subdomains="01234567", max_zoom=18, control=False,
                             overlay=layer == "cva").add_to(m)


def _legend_html(layers: list[MapLayer]) -> str:
    """Return the legend, built from the style objects that draw the layers (maps/legend.py)."""
    from zonekit.maps.legend import legend_groups, legend_html

    return legend_html(legend_groups(layers))


def _page_css() -> str:
    return f"""<style>
.leaflet-container {{ background: #f4f3ef; font-family: {FONT_CSS}; }}
.leaflet-tooltip, .leaflet-popup-content {{ font-family: {FONT_CSS}; }}
.zk-legend {{ position: fixed; bottom: 36px; right: 10px; z-index: 1000; background: #fff;
  padding: 8px 10px; border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,.3);
  font: 12px/1.5 {FONT_CSS}; max-height: 60%; overflow-y: auto; }}
.zk-legend-title {{ font-weight: bold; margin-top: 4px; }}
.zk-swatch {{ display: inline-block; width: 14px; height: 12px; margin-right: 6px;
  border: 1px solid #555; vertical-align: middle; }}
.zk-title {{ position: fixed; top: 10px; left: 50%; transform: translateX(-50%);
  z-index: 1000; background: rgba(255,255,255,.9); padding: 4px 12px; border-radius: 4px;
  font: bold 16px {FONT_CSS}; box-shadow: 0 1px 4px rgba(0,0,0,.3); }}
.zk-footer {{ position: fixed; bottom: 0; left: 0; right: 0; z-index: 1000;
  background: rgba(255,255,255,.85); font: 11px {FONT_CSS}; padding: 2px 8px; }}
.leaflet-bottom {{ bottom: 20px; }}
.zk-footer.zk-synthetic {{ background: #fff3cd; color: #7a4d00; }}
.zk-label {{ font: 12px/1.3 {FONT_CSS}; text-align: center; color: #222;
  text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 3px #fff; white-space: nowrap; }}
</style>"""


def _add_metric_scale(m: folium.Map) -> None:
    """Leaflet's scale control in metres/kilometres only (folium's also shows feet)."""
    from branca.element import MacroElement
    from jinja2 import Template

    scale = MacroElement()
    scale._name = "MetricScale"
    scale._template = Template(
        "{% macro script(this, kwargs) %}"
        "L.control.scale({imperial: false, metric: true, maxWidth: 160})"
        ".addTo({{ this._parent.get_name() }});"
        "{% endmacro %}")
    m.add_child(scale)


def _inline_leaflet(m: folium.Map, basemap: str) -> None:
    """Replace folium's CDN links by Leaflet inlined from a local package."""
    import folium

    assets = leaflet_assets()
    if assets is None:
        if basemap == "none":
            raise ZonekitError(
                "an offline map (basemap='none') needs Leaflet installed locally: "
                "pip install xstatic-leaflet (or apt-get install libjs-leaflet)")
        log.warning("Leaflet not installed locally (pip install xstatic-leaflet); "
                    "the map loads it from a CDN")
        return
    js, css = assets
    # Per instance: folium's class-level lists stay untouched for other maps.
    m.default_js = []
    m.default_css = []
    header = m.get_root().header
    header.add_child(folium.Element(f"<style>{css}</style>"), name="leaflet_css")
    header.add_child(folium.Element(f"<script>{js}</script>"), name="leaflet")


def make_map(layers: list[MapLayer], basemap: str = "osm", synthetic: bool = False,
             title: str = "", m: folium.Map | None = None,
             tianditu_key: str | None = None, attribution: str | None = None) -> folium.Map:
    """Draw layers on a folium map with legend, layer control, scale and footer.

    Parameters
    ----------
    layers
        Layers to draw, bottom first.
    basemap
        ``osm``, ``tianditu`` (needs ``TIANDITU_KEY``), ``amap`` (overlays shifted to
        GCJ-02) or ``none`` (no tiles; works offline).
    synthetic
        Add a footer saying the data is the synthetic sample park.
    title
        Title shown at the top of the map (Chinese).
    m
        Map to draw on; a new one when ``None``.
    tianditu_key
        天地图 key; default the ``TIANDITU_KEY`` environment variable.

    Returns
    -------
    folium.Map
        The map; save it with ``m.save(path)``.
    """
    import folium

    if basemap not in BASEMAPS:
        raise ZonekitError(f"basemap= must be one of {', '.join(BASEMAPS)}, got {basemap!r}")
    from zonekit.maps.base_layers import add_base_layers, split_base

    base, drawn = split_base(layers)  # the base of roads and water: its own pane, under all
    if not drawn:
        raise ZonekitError("nothing to map: no layers given")
    # a layer drawn from its grid is never reprojected vertex by vertex
    gdfs = [None if _from_grid(layer, basemap) else _to_display_crs(layer.gdf, basemap)
            for layer in drawn]
    new = m is None
    if m is None:
        m = folium.Map(tiles=None, control_scale=False, zoom_control=True)
        _add_metric_scale(m)
        _inline_leaflet(m, basemap)
        _add_basemap(m, basemap, tianditu_key)
        m.get_root().header.add_child(folium.Element(_page_css()), name="zk_css")
    add_base_layers(m, base, basemap)
    for layer, gdf in zip(drawn, gdfs, strict=True):
        _add_layer(m, layer, gdf)
    root = m.get_root().html
    root.add_child(folium.Element(_legend_html(layers)))
    if new:
        folium.LayerControl(collapsed=False).add_to(m)
        if title:
            m.get_root().title = title
            root.add_child(folium.Element(f'<div class="zk-title">{html.escape(title)}</div>'))
        notes = [SYNTHETIC_NOTE_ZH] if synthetic else []
        if basemap == "amap":
            notes.append("叠加图层已由 WGS84 转换为 GCJ-02，以与高德底图对齐")
        if attribution:  # e.g. OpenStreetMap's ODbL, for maps made from OSM data
            notes.append(attribution)
        notes.append("zonekit 生成")
        cls = "zk-footer zk-synthetic" if synthetic else "zk-footer"
        root.add_child(folium.Element(
            f'<div class="{cls}" id="zk-footer">{html.escape("；".join(notes))}</div>'))
    minx, miny, maxx, maxy = _bounds(drawn, gdfs)
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    return m


def _bounds(layers: list[MapLayer], gdfs: list[gpd.GeoDataFrame | None],
            ) -> tuple[float, float, float, float]:
    from rasterio.warp import transform_bounds

    boxes = [g.total_bounds if g is not None else transform_bounds(
        layer.gdf.crs, "EPSG:4326", *layer.gdf.total_bounds, densify_pts=21)
        for layer, g in zip(layers, gdfs, strict=True) if len(layer.gdf)]
    if not boxes:
        raise ZonekitError("nothing to map: every layer is empty")
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


def save_map(m: folium.Map, path: Path | str) -> Path:
    """Write the map to an HTML file atomically and return its path."""
    from zonekit.zones.io import atomic_path

    path = Path(path)
    with atomic_path(path) as tmp:
        m.save(str(tmp))
    return path
