"""Rendered map scripts are written as text: the page equals folium's own, byte for byte."""

from __future__ import annotations

import re

import folium
import geopandas as gpd
import jinja2
import pytest
from shapely.geometry import Point

from zonekit.maps.rendered_scripts import GeoJson, RenderedText, rendered

TEXTS = ["", "a", "a\n", "a\n\n", "\n", "x\r\ny\rz\n", "设施 <b>药店</b>\t'\"", "end\r\n",
         "var a = {\"k\": [1, 2]};\n  b();\n"]


@pytest.mark.parametrize("text", TEXTS)
def test_rendered_text_is_what_jinja_renders(text: str) -> None:
    assert RenderedText(text).render() == jinja2.Template(text).render()


def test_text_still_holding_jinja_is_compiled_as_before() -> None:
    assert rendered("{{ 1 + 1 }}").render() == "2"
    assert isinstance(rendered("{ plain: 1 }"), RenderedText)


def _ids(page: str) -> str:
    return re.sub(r"_[0-9a-f]{32}", "_ID", page)


def _page(geojson_class: type) -> str:
    names = ["药店\r\n一号", "shop {x}", "line\n", "{{not jinja}}"]
    gdf = gpd.GeoDataFrame({"name": names}, crs="EPSG:4326",
                           geometry=[Point(116.8 + i / 100, 40.3) for i in range(len(names))])
    m = folium.Map(location=[40.3, 116.8], tiles=None)
    geojson_class(gdf.to_json(), name="设施",
                  tooltip=folium.GeoJsonTooltip(fields=["name"]),
                  style_function=lambda f: {"color": "#123456"}).add_to(m)
    return _ids(m.get_root().render())


def test_page_equals_folium_geojson_page() -> None:
    assert _page(GeoJson) == _page(folium.GeoJson)


def test_layer_scripts_of_a_saved_map_are_not_compiled_again(tmp_path) -> None:
    m = folium.Map(location=[40.3, 116.8], tiles=None)
    layer = GeoJson({"type": "FeatureCollection", "features": []}, name="空").add_to(m)
    m.save(str(tmp_path / "m.html"))
    script = m.get_root().script._children[layer.get_name()]
    assert isinstance(script, RenderedText)
