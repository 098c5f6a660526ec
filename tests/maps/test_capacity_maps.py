"""The origins below a capacity norm as a map layer (HTML map and GeoPackage) and in the report."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
from capacity_fixtures import sample_charging

from zonekit.maps.capacity_maps import below_norm_layers


@pytest.fixture(scope="module")
def charging(tmp_path_factory):
    return sample_charging(tmp_path_factory.mktemp("county"))


def test_below_norm_origins_are_a_layer_of_the_map_and_its_geopackage(charging, tmp_path):
    from zonekit.maps.gpkg_layers import write_map_gpkg

    layers, _ = charging.map_layers()
    mine = [lay for lay in layers if lay.spec.name == "below_norm_charging_station"]
    assert len(mine) == 1 and mine[0].name == "低于千人指标：充电站" and not mine[0].show
    below = charging.origins["below_norm_charging_station"]
    assert len(mine[0].gdf) == int(below.sum()) == \
        charging.summary["capacity"]["categories"]["charging_station"]["below_norm_origins"]
    path = write_map_gpkg(layers, tmp_path / "map.gpkg")
    names = pyogrio.list_layers(path)[:, 0].tolist()
    assert "below_norm_charging_station" in names
    assert len(pyogrio.read_dataframe(path, layer="below_norm_charging_station")) == below.sum()


def test_no_layer_without_a_norm_and_cells_for_large_layers():
    rng = np.random.default_rng(3)
    n = 18_000  # about 6,000 below the norm: more than a map draws one by one
    xy = rng.uniform(0, 3000, (n, 2))
    below = xy[:, 0] < 1000
    o = gpd.GeoDataFrame({"origin_id": np.arange(n).astype(str), "weight": 1.0,
                          "per1000_school": np.where(below, 1.0, 9.0),
                          "below_norm_school": below},
                         geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs="EPSG:32650")
    assert below_norm_layers(o.drop(columns="below_norm_school"), {}) == []
    assert below_norm_layers(o.assign(below_norm_school=False), {}) == []
    assert below.sum() > 5000
    (cells,) = below_norm_layers(o, {"school": "小学"})
    assert cells.name == "低于千人指标：小学"
    assert set(cells.gdf["coverage"]) <= {"all", "some"}
    assert cells.gdf["起点数"].sum() >= below.sum()  # every cell holding one is drawn
    inside = gpd.sjoin(o.loc[below], cells.gdf[["geometry"]], predicate="intersects")
    assert inside.index.nunique() == below.sum()


def test_report_counts_the_origins_below_the_norm(charging):
    from types import SimpleNamespace

    from zonekit.maps.report_capacity import capacity_tables

    per_cat = next(iter(capacity_tables(SimpleNamespace(circles={"charging":
                                                                  charging.as_run()})).values()))
    n = int(charging.origins["below_norm_charging_station"].sum())
    assert per_cat.iloc[0]["低于指标的起点数（见地图图层）"] == str(n) and n > 0
