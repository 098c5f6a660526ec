"""Tests for GCJ-02 / BD-09 <-> WGS84 conversion (zonekit.zones.coords)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Geod

from zonekit.errors import CRSError
from zonekit.zones import coords

GEOD = Geod(ellps="WGS84")
REAL = Path(__file__).resolve().parents[3] / "shared/data/real"
MIYUN_OFFICIAL_KM2 = 2229.0


def _metres(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Geodesic distance in metres between WGS84 points (degrees)."""
    return np.asarray(GEOD.inv(lon1, lat1, lon2, lat2)[2])


@pytest.fixture
def beijing_grid() -> tuple[np.ndarray, np.ndarray]:
    """A 40 x 40 grid of WGS84 points (degrees) covering Beijing municipality."""
    lon, lat = np.meshgrid(np.linspace(115.4, 117.5, 40), np.linspace(39.4, 41.1, 40))
    return lon, lat


@pytest.mark.parametrize(
    ("forward", "inverse"),
    [
        (coords.wgs84_to_gcj02, coords.gcj02_to_wgs84),
        (coords.wgs84_to_bd09, coords.bd09_to_wgs84),
    ],
)
def test_round_trip_below_one_centimetre(beijing_grid, forward, inverse) -> None:
    lon, lat = beijing_grid
    back_lon, back_lat = inverse(*forward(lon, lat))
    assert back_lon.shape == lon.shape
    assert _metres(lon, lat, back_lon, back_lat).max() < 0.01


def test_bd09_gcj02_round_trip(beijing_grid) -> None:
    lon, lat = beijing_grid
    back = coords.bd09_to_gcj02(*coords.gcj02_to_bd09(lon, lat))
    assert _metres(lon, lat, *back).max() < 0.01


# WGS84 -> GCJ-02 reference vectors from the test suite of the eviltransform
# project (googollee/eviltransform), as (lon, lat) pairs in degrees.
@pytest.mark.parametrize(
    ("wgs", "gcj"),
    [
        ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),  # Shanghai
        ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),  # Shenzhen
        ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),  # Beijing
    ],
)
def test_published_reference_vectors(wgs, gcj) -> None:
    assert coords.wgs84_to_gcj02(*wgs) == pytest.approx(gcj, abs=1e-9)
    assert coords.gcj02_to_wgs84(*gcj) == pytest.approx(wgs, abs=1e-9)


def test_offset_at_beijing_is_a_few_hundred_metres() -> None:
    gcj_lon, gcj_lat = coords.wgs84_to_gcj02(116.4, 39.9)
    assert isinstance(gcj_lon, float) and isinstance(gcj_lat, float)
    assert 100 < _metres(116.4, 39.9, gcj_lon, gcj_lat) < 700
    assert gcj_lon > 116.4 and gcj_lat > 39.9  # GCJ-02 lies north-east of the truth here
    bd = coords.wgs84_to_bd09(116.4, 39.9)
    assert 100 < _metres(116.4, 39.9, *bd) < 2000


def test_points_outside_china_unchanged() -> None:
    lon = np.array([2.35, -74.0, 151.2, 116.4])  # Paris, New York, Sydney, Beijing
    lat = np.array([48.85, 40.7, -33.9, 39.9])
    for func in (coords.wgs84_to_gcj02, coords.gcj02_to_wgs84):
        out_lon, out_lat = func(lon, lat)
        np.testing.assert_array_equal(out_lon[:3], lon[:3])
        np.testing.assert_array_equal(out_lat[:3], lat[:3])
        assert out_lon[3] != lon[3]
    assert coords.gcj02_to_wgs84(2.35, 48.85) == (2.35, 48.85)


def test_scalar_array_and_nan_inputs() -> None:
    assert isinstance(coords.gcj02_to_wgs84(116.4, 39.9)[0], float)
    lon, lat = coords.gcj02_to_wgs84([116.4, np.nan], [39.9, 40.0])
    assert np.isfinite(lon[0]) and np.isnan(lon[1]) and lat[1] == 40.0
    empty = coords.bd09_to_wgs84(np.array([]), np.array([]))
    assert empty[0].shape == (0,)


def test_convert_geometries_all_types_keep_z_and_none() -> None:
    geoms = np.array(
        [
            shapely.Point(116.4, 39.9),
            shapely.Point(116.4, 39.9, 55.0),
            shapely.LineString([(116.0, 40.0), (117.0, 40.5)]),
            shapely.box(116.8, 40.3, 116.9, 40.4),
            shapely.MultiPolygon([shapely.box(116, 40, 116.1, 40.1)]),
            shapely.Polygon(),
            None,
        ],
        dtype=object,
    )
    out = coords.convert_geometries(geoms, "GCJ-02")
    assert out[6] is None and out[5].is_empty
    assert list(shapely.get_type_id(out[:5])) == list(shapely.get_type_id(geoms[:5]))
    assert shapely.has_z(out[1]) and shapely.get_coordinates(out[1], include_z=True)[0, 2] == 55.0
    assert not shapely.has_z(out[0])
    expected = coords.gcj02_to_wgs84(116.4, 39.9)
    assert (out[0].x, out[0].y) == pytest.approx(expected, abs=1e-12)
    # Every vertex moves by the per-point conversion, for any geometry type.
    src = shapely.get_coordinates(geoms[3])
    np.testing.assert_allclose(
        shapely.get_coordinates(out[3]),
        np.column_stack(coords.gcj02_to_wgs84(src[:, 0], src[:, 1])),
        atol=1e-12,
    )
    bd = coords.convert_geometries(geoms[:1], "baidu")[0]
    assert (bd.x, bd.y) == pytest.approx(coords.bd09_to_wgs84(116.4, 39.9), abs=1e-12)


def _layer(crs) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": ["a", "b"], "value": [1, 2]},
        geometry=[shapely.Point(116.4, 39.9), shapely.box(116.8, 40.3, 116.9, 40.4)],
        crs=crs,
    )


@pytest.mark.parametrize("crs", [None, "EPSG:4326", "EPSG:4490"])
def test_convert_gdf_keeps_attributes_and_input(crs) -> None:
    gdf = _layer(crs)
    before = gdf.copy()
    out = coords.convert_gdf(gdf, "gcj02")
    assert out is not gdf
    assert out.crs == "EPSG:4326"
    assert list(out.columns) == list(gdf.columns)
    assert out["name"].tolist() == ["a", "b"] and out["value"].tolist() == [1, 2]
    assert out.index.equals(gdf.index)
    # Input untouched: same CRS and geometries.
    assert gdf.crs == before.crs
    assert gdf.geometry.geom_equals_exact(before.geometry, tolerance=0).all()
    assert not shapely.equals_exact(
        np.asarray(out.geometry.values), np.asarray(gdf.geometry.values), tolerance=1e-6
    ).any()


def test_convert_gdf_rejects_projected_crs() -> None:
    gdf = _layer(None).set_crs(4326).to_crs(4548)
    with pytest.raises(CRSError, match="EPSG:4548") as info:
        coords.convert_gdf(gdf, "gcj02")
    assert "degrees" in str(info.value) and "projected" in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("GCJ-02", "gcj02"), ("gcj02", "gcj02"), ("GCJ02", "gcj02"), ("amap", "gcj02"),
        ("AMap", "gcj02"), ("BD-09", "bd09"), ("bd09", "bd09"), ("Baidu", "bd09"),
        (" bd_09 ", "bd09"),
    ],
)
def test_normalise_source_accepts_spellings(name, expected) -> None:
    assert coords.normalise_source(name) == expected
    assert expected in coords.SOURCES


@pytest.mark.parametrize("name", ["wgs84", "EPSG:4326", "", "google"])
def test_normalise_source_rejects_others(name) -> None:
    with pytest.raises(ValueError, match="gcj02, bd09"):
        coords.normalise_source(name)


def test_real_miyun_outline_area_and_shift() -> None:
    path = REAL / "miyun_district_gcj02.geojson"
    if not path.exists():
        pytest.skip(f"real reference data not available: {path} (shared/data/real is absent)")
    gdf = gpd.read_file(path)
    wgs = coords.convert_gdf(gdf.set_crs(4326, allow_override=True), "gcj02")
    area_km2 = wgs.to_crs(4548).area.sum() / 1e6
    assert abs(area_km2 - MIYUN_OFFICIAL_KM2) / MIYUN_OFFICIAL_KM2 < 0.01
    before = gdf.set_crs(4326, allow_override=True).to_crs(4548).union_all().centroid
    after = wgs.to_crs(4548).union_all().centroid
    # The published GCJ-02 offset around Miyun (116.8 E, 40.4 N) is about 530-555 m,
    # towards WSW when going back to WGS84 (consistent with the Beijing reference vector).
    assert 500 < before.distance(after) < 600
    assert after.x < before.x and after.y < before.y
