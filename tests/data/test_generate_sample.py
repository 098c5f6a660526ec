"""The bundled SYNTHETIC sample park: calibration to the plan's 2024 baseline and layer rules.

Reads ``data/sample`` directly (geopandas, rasterio) so a broken zonekit reader cannot hide a
broken sample. Regenerate with ``python -m zonekit.data.generate_sample``.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import rasterio
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from zonekit.data.generate_sample import generate
from zonekit.data.sample_zones_roads import RoadNet
from zonekit.zones.landuse import CODES_2020, CONSTRUCTION_CLASSES, land_use_class
from zonekit.zones.schema import ENTERPRISES, LAYERS

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
GPKG, TIF = SAMPLE / "park.gpkg", SAMPLE / "population.tif"
VECTORS = ("zones", "parcels", "enterprises", "facilities", "roads")
TECH = ("新能源智能汽车", "生命健康", "生态环保", "先进装备", "新一代信息技术", "科技服务")
HOST_USES = {"1001", "1101", "0901", "0902", "0802"}
ARTERIALS = ("trunk", "primary", "secondary")
LOCAL = ("tertiary", "residential", "service")


@pytest.fixture(scope="module")
def layers() -> dict[str, gpd.GeoDataFrame]:
    if not GPKG.exists():
        pytest.skip("data/sample/park.gpkg missing: run python -m zonekit.data.generate_sample")
    return {name: gpd.read_file(GPKG, layer=name) for name in VECTORS}


@pytest.fixture(scope="module")
def ent24(layers) -> gpd.GeoDataFrame:
    ent = layers["enterprises"]
    return ent[ent.year == 2024]


# --- files, schema, metadata -------------------------------------------------------------


def test_layers_columns_and_crs(layers):
    assert sorted(pyogrio.list_layers(GPKG)[:, 0]) == sorted(VECTORS)
    for name, gdf in layers.items():
        assert gdf.crs.to_epsg() == 4548, name
        missing = set(LAYERS[name].required_columns) - set(gdf.columns)
        assert not missing, (name, missing)
    assert list(layers["enterprises"].columns[:-1]) == [c.name for c in ENTERPRISES.columns]
    assert not {"u", "v"} & set(layers["roads"].columns)  # plain centrelines


def test_coordinates_rounded_to_centimetres(layers):
    for name, gdf in layers.items():
        xy = shapely.get_coordinates(gdf.geometry.values)
        assert np.allclose(xy, np.round(xy, 2), rtol=0, atol=1e-6), name


def test_marked_synthetic():
    dataset = pyogrio.read_info(GPKG, layer="zones")["dataset_metadata"]
    record = json.loads(dataset["GPKG_METADATA_ITEM_1"])  # a non-GDAL JSON record
    assert record["zonekit_synthetic"] == "true" and "SYNTHETIC" in record["zonekit_description"]
    for name in VECTORS:
        meta = pyogrio.read_info(GPKG, layer=name)["layer_metadata"]
        assert meta["zonekit_synthetic"] == "true" and "SYNTHETIC" in meta["zonekit_description"]
    with rasterio.open(TIF) as src:
        assert src.tags()["ZONEKIT_SYNTHETIC"] == "true"
        assert "SYNTHETIC" in src.tags()["ZONEKIT_DESCRIPTION"]
    assert "SYNTHETIC" in (SAMPLE / "README.md").read_text(encoding="utf-8")


def test_folder_under_15_mb_and_reading_leaves_no_aux_files(layers):
    size = sum(p.stat().st_size for p in SAMPLE.rglob("*") if p.is_file())
    assert size < 15 * 1024 * 1024
    assert not list(SAMPLE.glob("*.aux.xml"))  # reading must not write GDAL PAM files


# --- calibration (hard targets, year 2024) ----------------------------------------------


def test_revenue_and_firm_counts(ent24):
    assert len(ent24) >= 6_000
    assert ent24.ent_id.is_unique
    assert abs(ent24.revenue_wan.sum() - 5_506_000) <= 500
    assert (ent24.revenue_wan >= 100_000).sum() == 11
    assert ent24.high_tech.sum() == 276
    assert ent24.specialized.sum() == 113
    by_industry = ent24.groupby("industry").revenue_wan.sum()
    assert abs(by_industry["新能源智能汽车"] - 530_000) <= 100
    assert abs(by_industry["生命健康"] - 398_000) <= 100


def test_employees_patents_and_new_tech_firms(ent24):
    employees = ent24.employees.sum()
    assert employees == 27_070
    assert abs(ent24.revenue_wan.sum() / employees - 203.4) <= 0.1
    assert ent24.patents.sum() == round(254.9 * 27_070 / 10_000) == 690
    new_tech = ent24.industry.isin(TECH) & ent24.founded_year.between(2021, 2024)
    assert new_tech.sum() == 1_500


def test_land_output_on_built_land(layers, ent24):
    parcels = layers["parcels"]
    cls = land_use_class(parcels.land_use)
    built = parcels.status.isin(["in_use", "idle"]) & cls.isin(CONSTRUCTION_CLASSES)
    built_km2 = parcels.area[built].sum() / 1e6
    assert abs(ent24.revenue_wan.sum() / 1e4 / built_km2 - 30.4) <= 0.02


def test_low_yield_industrial_land(layers, ent24):
    parcels = layers["parcels"]
    industrial = (parcels.land_use == "1001") & parcels.status.isin(["in_use", "idle"])
    revenue = parcels.parcel_id.map(ent24.groupby("parcel_id").revenue_wan.sum()).fillna(0)
    yield_yi_per_km2 = revenue / 1e4 / (parcels.area / 1e6)
    low = parcels.area[industrial & (yield_yi_per_km2 < 5)].sum() / parcels.area[industrial].sum()
    assert 0.10 <= low <= 0.16  # 腾笼换鸟 candidates


# --- parcels -----------------------------------------------------------------------------


def test_parcels_do_not_overlap_and_lie_in_their_zone(layers):
    parcels, zones = layers["parcels"], layers["zones"].set_index("zone_id")
    geoms = parcels.geometry.values
    assert shapely.is_valid(geoms).all()
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    pairs = left < right
    overlap = shapely.area(shapely.intersection(geoms[left[pairs]], geoms[right[pairs]]))
    assert (overlap <= 0.01).all()
    assert shapely.within(geoms, zones.geometry.loc[parcels.zone_id].values).all()


def test_parcel_attributes(layers):
    parcels = layers["parcels"]
    assert 600 <= len(parcels) <= 900 and parcels.parcel_id.is_unique
    assert parcels.parcel_id.str.fullmatch(r"(GZ|KC|SW|BH|LY|XT)-\d{4}").all()
    assert (parcels.land_use_name == parcels.land_use.map(lambda c: CODES_2020[c][0])).all()
    shares = parcels.status.value_counts(normalize=True)
    assert abs(shares["in_use"] - 0.88) < 0.03
    assert abs(shares["idle"] - 0.06) < 0.02 and abs(shares["under_construction"] - 0.06) < 0.02
    lease = parcels.lease_end_year.dropna()
    assert 0.6 < len(lease) / len(parcels) < 0.8 and lease.between(2028, 2072).all()
    ratio = parcels.floor_area_m2 / parcels.area
    industrial = ratio[parcels.land_use == "1001"]
    assert industrial.between(0.3, 2.5 + 1e-6).all() and (industrial < 0.6).mean() > 0.05
    assert ratio[parcels.land_use == "0902"].between(1.5, 4.0 + 1e-6).all()


# --- enterprises -------------------------------------------------------------------------


def test_enterprise_years(layers):
    ent = layers["enterprises"]
    ids = {y: set(ent.ent_id[ent.year == y]) for y in (2022, 2023, 2024)}
    assert set(ent.year) == {2022, 2023, 2024}
    assert ids[2022] <= ids[2023] <= ids[2024]
    assert not (ent.founded_year > ent.year).any()
    totals = ent.groupby("year").revenue_wan.sum()
    growth = totals.pct_change().dropna()
    assert growth.between(0.08, 0.10).all()


def test_enterprises_sit_in_host_parcels(layers, ent24):
    parcels = layers["parcels"].set_index("parcel_id")
    host = parcels.loc[ent24.parcel_id]
    assert shapely.within(ent24.geometry.values, host.geometry.values).all()
    assert host.land_use.isin(HOST_USES).all()  # never green or residential
    assert (host.status != "under_construction").all()
    assert (ent24.revenue_wan[(host.status == "idle").to_numpy()] < 10).all()


# --- roads -------------------------------------------------------------------------------


def _endpoint_components(roads: gpd.GeoDataFrame) -> np.ndarray:
    """Component label of every road, built from shared endpoint coordinates."""
    xy = np.vstack([shapely.get_coordinates(shapely.get_point(roads.geometry.values, k))
                    for k in (0, -1)])
    _, node = np.unique(xy, axis=0, return_inverse=True)
    u, v = node[: len(roads)], node[len(roads):]
    n = node.max() + 1
    graph = coo_matrix((np.ones(len(roads)), (u, v)), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    return label[u]


def test_road_network_is_one_piece_plus_the_deliberate_loop(layers):
    roads = layers["roads"]
    assert len(roads) < 6_000
    sizes = pd.Series(_endpoint_components(roads)).value_counts()
    assert len(sizes) == 2
    assert 3 <= sizes.iloc[-1] <= 4
    assert sizes.iloc[0] == len(roads) - sizes.iloc[-1]


def test_roads_meet_only_at_shared_endpoints(layers):
    geoms = layers["roads"].geometry.values
    ends = [{g.coords[0], g.coords[-1]} for g in geoms]
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    for i, j in zip(left, right, strict=True):
        if i < j:
            touch = {tuple(c) for c in shapely.get_coordinates(geoms[i].intersection(geoms[j]))}
            assert touch <= ends[i] & ends[j], (i, j)


def test_connector_noding_splits_crossed_roads():
    net = RoadNet()
    net.add_edge(net.node((0, 0)), net.node((100, 0)))
    net.add_edge(net.node((100, 0)), net.node((100, 100)))
    # crosses the first edge mid-way and passes within 1 m of node (100, 100)
    net.add_noded(net.node((50, -50)), net.node((150, 150.5)), [(50.0, 50.0), (100.5, 100.0)])
    edges = [e for e in net.edges if e is not None]
    assert len(edges) == 6  # first edge split in two, connector in three, vertical edge kept
    for node, degree in (((50.0, 0.0), 4), ((100.0, 100.0), 3)):
        assert sum(node in (net.xy[e["u"]], net.xy[e["v"]]) for e in edges) == degree
    geoms = np.array([shapely.LineString(e["coords"]) for e in edges])
    left, right = shapely.STRtree(geoms).query(geoms, predicate="crosses")
    assert len(left) == 0


def test_road_attributes(layers):
    roads = layers["roads"]
    assert set(roads.highway) <= set(ARTERIALS + LOCAL + ("footway",))
    assert {"trunk", "primary", "secondary", "footway"} <= set(roads.highway)
    assert set(roads.oneway) == {"yes", "no"}
    assert 0.03 <= (roads.oneway[roads.highway.isin(LOCAL)] == "yes").mean() <= 0.06
    arterial = roads.highway.isin(ARTERIALS)
    assert 0.35 <= roads.maxspeed[arterial].notna().mean() <= 0.65
    assert roads.maxspeed[~arterial].isna().all()


# --- facilities and population -------------------------------------------------------------


def test_facilities(layers):
    fac, roads, zones = layers["facilities"], layers["roads"], layers["zones"]
    assert 250 <= len(fac) <= 400 and fac.fac_id.is_unique
    assert len(set(fac.category)) == 15
    _, dist = shapely.STRtree(roads.geometry.values).query_nearest(
        fac.geometry.values, return_distance=True, all_matches=False)
    assert ((dist >= 4.99) & (dist <= 40.01)).all()
    charging = fac.category == "charging_station"
    assert 20 <= charging.sum() <= 30
    assert fac.chargers[charging].gt(0).all() and fac.chargers[~charging].isna().all()
    assert (fac.power_kw[charging] >= 60).any() and (fac.power_kw[charging] <= 22).any()
    in_zone = gpd.sjoin(fac, zones[["zone_id", "geometry"]], predicate="within")
    gaps = in_zone[in_zone.zone_id.isin(["XT", "LY"])]
    assert not gaps.category.isin(["fresh_market", "fitness", "charging_station"]).any()


def test_population_raster(layers):
    zones, parcels = layers["zones"], layers["parcels"]
    with rasterio.open(TIF) as src:
        pop, bounds, transform = src.read(1), src.bounds, src.transform
        assert src.crs.to_epsg() == 4548 and src.res == (100.0, 100.0)
        assert src.dtypes[0] == "float32"
    assert transform.c % 100 == 0 and transform.f % 100 == 0
    minx, miny, maxx, maxy = zones.total_bounds
    assert bounds.left <= minx - 1_500 and bounds.bottom <= miny - 1_500
    assert bounds.right >= maxx + 1_500 and bounds.top >= maxy + 1_500
    assert bounds.right - maxx - 1_500 < 100 and minx - 1_500 - bounds.left < 100
    assert (pop >= 0).all() and 50_000 <= pop.sum() <= 80_000
    homes = parcels[(parcels.land_use == "0701") & (parcels.status == "in_use")]
    pt = homes.geometry.representative_point()
    rows, cols = rasterio.transform.rowcol(transform, pt.x, pt.y)
    assert np.median(pop[rows, cols]) >= 100


# --- determinism -------------------------------------------------------------------------


def test_regeneration_is_identical(tmp_path, layers):
    figures = generate(tmp_path)
    assert figures["enterprises_ge_10yi"] == 11
    for name, old in layers.items():
        new = gpd.read_file(tmp_path / "park.gpkg", layer=name)
        pd.testing.assert_frame_equal(new.drop(columns="geometry"), old.drop(columns="geometry"))
        assert (shapely.to_wkb(new.geometry.values) == shapely.to_wkb(old.geometry.values)).all()
    with rasterio.open(tmp_path / "population.tif") as a, rasterio.open(TIF) as b:
        assert a.transform == b.transform and np.array_equal(a.read(1), b.read(1))
