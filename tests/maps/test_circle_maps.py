"""Maps of the service circles, built from the results ``zk.circles`` gives and writes.

One charging and one service run on the sample park feed every test (module fixture); the
maps are rendered to text with ``basemap="none"``: no network.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
from shapely.geometry import Point, box
from typer.testing import CliRunner

from zonekit.cli.app import app
from zonekit.maps import circle_maps as cm
from zonekit.maps.interactive import make_map
from zonekit.maps.qgis_style import read_styles
from zonekit.maps.style import field_info

runner = CliRunner()


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Any, Path]]:
    """Circles on the sample and the folders they are written to: service, charging + 2 sites."""
    from conftest import SAMPLE

    import zonekit as zk

    if not (SAMPLE / "park.gpkg").exists():
        pytest.skip("data/sample/park.gpkg missing: run `make sample`")
    base = tmp_path_factory.mktemp("circles")
    out = {}
    for kind, extra in (("service", {}), ("charging", {"new_sites": 2})):
        result = zk.circles(kind, **extra)
        result.write(base / kind)
        out[kind] = result, base / kind
    return out


def test_minutes_text_and_columns() -> None:
    o = gpd.GeoDataFrame({"minutes_pharmacy": [4.04, None], "minutes_clinic": [12.0, 9.0],
                          "minutes_text": ["x", "y"]},
                         geometry=[Point(0, 0), Point(1, 1)], crs="EPSG:4548", index=[7, 9])
    assert cm.minute_columns(o) == {"pharmacy": "minutes_pharmacy", "clinic": "minutes_clinic"}
    text = cm.minutes_text(o, {"pharmacy": "药店", "clinic": "社区卫生服务站"})
    assert text.index.tolist() == [7, 9]
    assert text.tolist() == ["药店 4.0；社区卫生服务站 12.0", "社区卫生服务站 9.0"]


def test_merge_unreachable_keeps_classes_and_totals() -> None:
    cells = gpd.GeoDataFrame({
        "origin_id": ["a", "b", "c"], "population": [5.0, 7.0, 11.0],
        "reachable": [True, False, False], "covered": [True, False, False],
        "n_missing": [0, 9, 9]},
        geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100), box(200, 0, 300, 100)],
        crs="EPSG:4548")
    merged = cm.merge_unreachable(cells)
    assert len(merged) == 2 and merged["population"].sum() == pytest.approx(23.0)
    assert merged["covered"].tolist() == [True, False]
    assert merged.geometry.iloc[1].area == pytest.approx(20_000.0)
    points = cells.set_geometry(cells.geometry.centroid)
    assert len(cm.merge_unreachable(points)) == 3  # point origins are left alone


def test_service_map_from_the_run(runs: dict[str, tuple[Any, Path]]) -> None:
    run = runs["service"][0].as_run()
    assert {"summary", "coverage", "origins", "gaps", "isochrones"} <= set(run)
    [(layers, title)] = cm.circle_layers(run)
    names = [layer.title for layer in layers]
    cats = list(run["isochrones"]["category"].unique())
    assert names[:len(cats)] == [f"可达范围：{cm.names_zh()[c]}" for c in cats]
    assert [layer.show for layer in layers[:len(cats)]] == [True] + [False] * (len(cats) - 1)
    gap_cats = [c for c in run["gaps"]["category"].unique() if c not in cm.COMPOSITE]
    assert gap_cats  # the sample has gaps per category
    per_cat = [f"服务缺口：{cm.names_zh()[c]}" for c in gap_cats]
    assert names[len(cats):len(cats) + 2 + len(per_cat)] == ["起点覆盖情况", "服务缺口", *per_cat]
    assert not any(layer.show for layer in layers if layer.title in per_cat)  # picked by hand
    origins = layers[len(cats)].gdf
    assert origins["population"].sum() == pytest.approx(run["origins"]["population"].sum())
    page = make_map(layers, basemap="none", title=title).get_root().render()
    # minutes once, coverage, gaps, the existing facilities (issue #27)
    assert page.count('class="zk-legend-group"') == 4
    assert json.dumps("时限内不可达的业态")[1:-1] in page
    assert "15分钟便民生活圈" in title


def test_charging_map_and_styles_agree_with_the_gpkg(runs: dict[str, tuple[Any, Path]]) -> None:
    result, folder = runs["charging"]
    run = result.as_run()
    [(layers, _)] = cm.circle_layers(run)
    names = [layer.title for layer in layers]
    assert names == ["5分钟充电圈覆盖", "充电服务缺口", "道路覆盖情况", "现有充电站",
                     "建议新建充电站"]
    stations = layers[3].gdf
    assert len(stations) == len(result.facilities)  # every existing station is drawn
    sites = layers[-1]
    assert set(sites.gdf["solution"]) <= {c.value for c in sites.spec.categories}
    # The classes the HTML map draws are the ones zonekit circles stored for QGIS.
    styles = read_styles(folder / "sites.gpkg")
    stored = {r["f_table_name"]: r["styleQML"] for r in styles}
    for cat in cm.sites_style().categories:
        assert f'value="{cat.value}"' in stored["sites"] and cat.label in stored["sites"]
    origins_qml = read_styles(folder / "origins.gpkg")[0]["styleQML"]
    for cat in layers[0].spec.categories:
        assert cat.label in origins_qml
    for name in ("origin_id", "n_missing", "missing_zh", "minutes_text", "share_after",
                 "added_weight", "length_m"):
        assert field_info(name).label_zh != name


@pytest.mark.parametrize("kind", ["service", "charging", "isochrones"])
def test_circle_map_kinds(kind: str, sample_dir: Path, tmp_path: Path) -> None:
    from zonekit.api.maps import map_kinds

    assert map_kinds()[kind][0] == "circles"
    result = runner.invoke(app, ["map", kind, "--out", str(tmp_path), "--basemap", "none"])
    assert result.exit_code == 0, result.output
    page = (tmp_path / f"map_{kind}.html").read_text(encoding="utf-8")
    assert "合成样例" in page and "zk-legend" in page
    assert read_styles(tmp_path / f"map_{kind}.gpkg")


def test_large_origin_layers_are_drawn_as_aggregated_cells(monkeypatch) -> None:
    import numpy as np

    rng = np.random.default_rng(3)
    n = 4_000
    x, y = rng.uniform(0, 5_000, n), rng.uniform(0, 5_000, n)
    covered = x < 2_500
    o = gpd.GeoDataFrame({"origin_id": np.arange(n), "weight": np.full(n, 2.0),
                          "covered": covered, "n_missing": (~covered).astype(int)},
                         geometry=gpd.points_from_xy(x, y), crs="EPSG:4548")
    cells = cm.aggregate_origins(o, max_features=500)
    assert len(cells) <= 500 and cells["起点数"].sum() == n
    assert cells["weight"].sum() == pytest.approx(2.0 * n)
    assert set(cells["coverage"]) <= {"all", "some", "none"}
    left = cells.geometry.bounds["maxx"] <= 2_500  # cells wholly left of the line: covered
    assert (cells.loc[left, "coverage"] == "all").all()
    assert cm.aggregate_origins(o, max_features=n) is o  # small layers: one by one
    small = make_map(cm.service_layers(o, names={}), basemap="none").get_root().render()
    assert "起点数" not in small  # 4,000 origins ≤ the default limit: drawn one by one
    monkeypatch.setattr(cm, "MAX_ORIGIN_FEATURES", 500)
    [layer] = cm.service_layers(o, names={})
    assert layer.title == "起点覆盖情况" and len(layer.gdf) <= 500
    page = make_map([layer], basemap="none").get_root().render()
    assert "部分覆盖" in page and len(page) < len(small) / 3


def test_heavy_polygon_layers_become_image_overlays() -> None:
    import base64
    import io

    import numpy as np
    from PIL import Image

    from zonekit.maps import interactive
    from zonekit.maps.interactive import MapLayer
    from zonekit.maps.style import minutes_style

    x0, y0 = 500_000.0, 4_470_000.0
    i, j = np.divmod(np.arange(60 * 60), 60)  # 3,600 cells of 50 m: 18,000 vertices
    cells = gpd.GeoDataFrame({"minutes": np.where(j < 30, 4.0, 12.0)},
                             geometry=[box(x0 + 50 * a, y0 + 50 * b, x0 + 50 * a + 50,
                                           y0 + 50 * b + 50) for a, b in zip(j, i, strict=True)],
                             crs="EPSG:4548")
    spec = minutes_style(cells["minutes"])
    page = make_map([MapLayer(cells, spec, name="等时圈")], basemap="none").get_root().render()
    assert "L.imageOverlay(" in page and "geo_json_" not in page
    light = make_map([MapLayer(cells.iloc[:50], spec)], basemap="none").get_root().render()
    assert "L.imageOverlay(" not in light  # a light layer stays GeoJSON (tooltips)
    shown = cells.to_crs("EPSG:4326")
    url, ((s, w), (n, e)) = interactive._image_png(shown, spec.colors(shown["minutes"]), 0.6)
    assert [w, s, e, n] == pytest.approx(list(shown.total_bounds), abs=1e-6)
    img = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).convert("RGBA")
    left, right = img.getpixel((img.width // 4, img.height // 2)), img.getpixel(
        (3 * img.width // 4, img.height // 2))
    hexes = ["#" + bytes(px[:3]).hex() for px in (left, right)]
    assert hexes == [spec.color_of(4.0), spec.color_of(12.0)]
    assert left[3] == round(255 * 0.6)


def _png_pixels(url: str):
    import base64
    import io

    import numpy as np
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))
                      .convert("RGBA"))


def test_isochrone_image_from_the_grid_matches_the_polygons(monkeypatch):
    """Bands drawn from the travel-time grid look like the band polygons burned.

    The Amap basemap (GCJ-02 shift of every vertex) burns the polygons.
    """
    import numpy as np
    from affine import Affine

    from zonekit.analysis.circles.bands import band_values, isochrone_bands
    from zonekit.maps import interactive
    from zonekit.maps.interactive import GridImage, MapLayer
    from zonekit.maps.style import minutes_style
    from zonekit.zones.raster import Grid

    rng = np.random.default_rng(3)
    yy, xx = np.mgrid[0:120, 0:150]
    surface = np.hypot(xx - 60, yy - 50) / 4 + rng.random((120, 150))  # minutes
    surface[:10, :] = np.nan  # beyond the search
    grid = Grid(Affine(50.0, 0, 500_000.0, 0, -50.0, 4_480_000.0), 150, 120, "EPSG:4548")
    iso = isochrone_bands({"pharmacy": surface}, grid, {"pharmacy": 15.0}, (5, 10), {},
                          "EPSG:4548")
    values = band_values(surface, iso["minutes"].unique())
    for row in iso.itertuples():  # the grid holds exactly the cells of each band polygon
        assert int((values == row.minutes).sum()) == row.cells
    spec = minutes_style(iso["minutes"])
    image = GridImage(values, grid.transform, grid.crs)
    from_grid = interactive._grid_png(image, spec, 0.6)
    shown = iso.to_crs("EPSG:4326")
    burned = interactive._image_png(shown, spec.colors(shown["minutes"]), 0.6)
    a, b = _png_pixels(from_grid[0]), _png_pixels(burned[0])
    assert a.shape == b.shape
    assert np.asarray(from_grid[1]) == pytest.approx(np.asarray(burned[1]), abs=5e-5)  # < 1 px
    assert (a != b).any(-1).mean() < 0.02  # cell edges may fall either way on a pixel
    assert len({tuple(p) for p in a.reshape(-1, 4) if p[3]}) == len(iso)  # one colour a band

    layer = MapLayer(iso, spec, name="等时圈", image=True, grid=image)
    calls = []
    monkeypatch.setattr(interactive, "_image_png", lambda *a: calls.append(1) or burned)
    page = make_map([layer], basemap="none").get_root().render()
    assert "L.imageOverlay(" in page and not calls  # drawn from the grid
    make_map([layer], basemap="amap")
    assert calls  # GCJ-02: the shifted polygons are burned


def test_a_city_scale_service_map_draws_gaps_and_bands_from_grids(runs, monkeypatch):
    """Heavy gap and isochrone layers of a circles result carry their grids into the map."""
    import numpy as np

    import zonekit as zk
    from zonekit.maps import interactive

    res = zk.circles("service")
    monkeypatch.setattr(interactive, "MAX_VECTOR_VERTICES", 0)  # every polygon layer heavy
    layers, _ = res.map_layers()
    gridded = {layer.title: layer.grid for layer in layers if layer.grid is not None}
    bands = [t for t in gridded if t.startswith("可达范围")]
    assert len(bands) == res.isochrones["category"].nunique()
    assert "服务缺口" in gridded
    composite = res.gaps.loc[res.gaps["category"].isin(cm.COMPOSITE)]
    cell_km2 = res.bundle.gap_grid.cell_m ** 2 / 1e6
    assert np.isfinite(gridded["服务缺口"].values).sum() * cell_km2 == pytest.approx(
        composite["area_km2"].sum())
    per_cat = {t: layer for t, layer in gridded.items() if t.startswith("服务缺口：")}
    own = res.gaps.loc[~res.gaps["category"].isin(cm.COMPOSITE)]
    assert len(per_cat) == own["category"].nunique()  # each category's gaps, from its grid
    for cat, part in own.groupby("category"):
        cells = gridded[f"服务缺口：{res.bundle.names_zh[cat]}"].values
        assert np.isfinite(cells).sum() * cell_km2 == pytest.approx(part["area_km2"].sum())
    monkeypatch.setattr(interactive, "_image_png", lambda *a: pytest.fail("polygons burned"))
    page = res.map().get_root().render()
    assert page.count("L.imageOverlay(") == len(bands) + 1 + len(per_cat)
    (in_report, _), = cm.circle_layers(res.as_run())  # the report draws the same way
    assert sum(layer.grid is not None for layer in in_report) == len(gridded)
