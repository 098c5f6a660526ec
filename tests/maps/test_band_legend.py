"""Isochrone legends whose bands end at each category's own limit (issue #27, problem 10).

An 8-minute category's outer band is 5–8 minutes, not the 5–10 of a fixed 5/10/15 legend;
the facilities the run used are drawn on its service map, and every category's gaps are
a layer of its own.
"""

from __future__ import annotations

import numpy as np
import pytest
from affine import Affine

from zonekit.analysis.circles.bands import band_values, isochrone_bands
from zonekit.maps.legend import legend_groups
from zonekit.maps.style import band_style
from zonekit.zones.raster import Grid


def _bands(limits: dict[str, float]):
    yy, xx = np.mgrid[0:60, 0:60]
    surface = np.hypot(xx - 30, yy - 30) / 2.0  # minutes, 0 at the centre
    grid = Grid(Affine(50.0, 0, 500_000.0, 0, -50.0, 4_480_000.0), 60, 60, "EPSG:4548")
    surfaces = {c: surface for c in limits}
    iso = isochrone_bands(surfaces, grid, limits, (5, 10, 15, 30), {}, "EPSG:4548")
    return iso, surfaces


def test_each_band_is_labelled_with_its_own_bounds() -> None:
    iso, _ = _bands({"pharmacy": 8.0, "clinic": 15.0, "shop": 5.0})
    spec = band_style(iso)
    assert [r.label for r in spec.ranges] == ["0–5", "5–8", "5–10", "10–15"]
    for row in iso.itertuples():
        assert spec.label_of(row.minutes) == f"{row.minutes_from:g}–{row.minutes:g}"
    pharmacy = iso.loc[iso["category"] == "pharmacy"]
    assert {spec.label_of(m) for m in pharmacy["minutes"]} == {"0–5", "5–8"}  # stops at 8


def test_grid_values_in_float32_classify_like_the_polygons() -> None:
    iso, surfaces = _bands({"pharmacy": 8.3, "clinic": 15.0})
    spec = band_style(iso)
    values = band_values(surfaces["pharmacy"], [5.0, 8.3]).astype("float32")
    shown = {spec.label_of(v) for v in np.unique(values[np.isfinite(values)]).tolist()}
    assert shown == {"0–5", "5–8.3"}


def test_service_map_legend_lists_the_bands_of_its_categories() -> None:
    from zonekit.maps.circle_maps import isochrone_layers

    iso, _ = _bands({"pharmacy": 8.0, "clinic": 15.0})
    layers = isochrone_layers(iso, names={"pharmacy": "药店", "clinic": "社区卫生服务站"})
    group = next(g for g in legend_groups(layers) if g.title == "到达时间（分钟）")
    assert [e.label for e in group.entries] == ["0–5", "5–8", "5–10", "10–15"]
    assert len({id(x.spec) for x in layers}) == 1  # one style: one legend, static panels


def test_metre_bands_are_labelled_too() -> None:
    iso, _ = _bands({"a": 8.0})
    spec = band_style(iso.rename(columns={"minutes": "metres", "minutes_from": "metres_from"}),
                      "metres")
    assert spec.title == "网络距离（米）" and [r.label for r in spec.ranges] == ["0–5", "5–8"]


def test_band_style_refuses_a_layer_without_bands() -> None:
    import pandas as pd

    with pytest.raises(ValueError, match="no values"):
        band_style(pd.DataFrame({"minutes": [np.nan]}))


@pytest.fixture(scope="module")
def sample_service():
    import zonekit as zk

    return zk.circles("service")


def test_sample_service_map_draws_facilities_per_category_gaps_and_8_minute_bands(
        sample_service) -> None:
    layers, _ = sample_service.map_layers()
    titles = [x.title for x in layers]
    fac = next(x for x in layers if x.title == "服务设施")
    assert len(fac.gdf) == len(sample_service.facilities)
    assert set(fac.gdf["category"]) == set(sample_service.facilities["category"])
    cats = set(sample_service.gaps["category"]) - {"basics_complete"}
    assert {f"服务缺口：{sample_service.bundle.names_zh[c]}" for c in cats} <= set(titles)
    iso = sample_service.isochrones
    eight = iso.loc[iso["limit_minutes"] == 8]
    spec = next(x.spec for x in layers if x.title.startswith("可达范围："))
    assert len(eight) and {spec.label_of(m) for m in eight["minutes"]} == {"0–5", "5–8"}
    page = sample_service.map(basemap="none").get_root().render()
    assert "5–8" in page and "5–10" in page  # 8- and 15-minute categories side by side


def test_report_circle_maps_draw_facilities_and_stations(sample_service) -> None:
    import zonekit as zk
    from zonekit.maps.circle_maps import circle_layers

    charging = zk.circles("charging")
    for run, name in ((sample_service.as_run(), "服务设施"), (charging.as_run(), "现有充电站")):
        (layers, _), = circle_layers(run)
        assert any(x.title == name and len(x.gdf) for x in layers), name
