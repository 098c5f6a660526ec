"""CRS discipline: no guessing, projection to metres, suggestions for bare coordinates."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from zonekit.errors import CRSError
from zonekit.zones import crs


def test_gk_zone_from_longitude() -> None:
    assert crs.gk_cgcs2000_epsg(116.85) == 4548
    assert crs.gk_cgcs2000_epsg(120.2) == 4549
    with pytest.raises(CRSError, match="longitude"):
        crs.gk_cgcs2000_epsg(10.0)


def test_choose_crs_default_and_explicit(tiny_park) -> None:
    wgs = tiny_park["zones"].to_crs(4326)
    assert crs.choose_crs([wgs]) == "EPSG:4548"
    with pytest.raises(CRSError, match="projected"):
        crs.choose_crs([wgs], "EPSG:4326")


@pytest.mark.parametrize(("x", "y", "expected"), [
    (116.85, 40.37, "degrees"),
    (39_487_000.0, 4_470_000.0, "EPSG:4527"),
    (487_000.0, 4_470_000.0, "EPSG:4548"),
    (2_000.0, 3_000.0, "local city system"),
])
def test_suggestions_for_bare_coordinates(x, y, expected) -> None:
    assert expected in crs.suggest_crs([x], [y])


def test_missing_crs_is_an_error_with_suggestion() -> None:
    gdf = gpd.GeoDataFrame({"a": [1]}, geometry=[Point(39_487_000, 4_470_000)])
    with pytest.raises(CRSError) as err:
        crs.require_crs(gdf, "parcels.shp", "parcels")
    msg = str(err.value)
    assert "parcels.shp" in msg and "no coordinate reference system" in msg
    assert "EPSG:4527" in msg and "crs=" in msg


def test_projected_numbers_labelled_wgs84() -> None:
    gdf = gpd.GeoDataFrame(geometry=[box(487_000, 4_470_000, 487_100, 4_470_100)], crs=4326)
    with pytest.raises(CRSError, match="not degrees"):
        crs.check_geographic_extent(gdf, "zones.geojson")


def test_swapped_lon_lat() -> None:
    gdf = gpd.GeoDataFrame(geometry=[Point(40.37, 116.85)], crs=4326)
    with pytest.raises(CRSError, match="swapped"):
        crs.check_geographic_extent(gdf, "facilities.csv")


def test_outside_china_is_data_too() -> None:
    gdf = gpd.GeoDataFrame(geometry=[Point(2.35, 48.85)], crs=4326)
    crs.check_geographic_extent(gdf, "facilities.geojson")  # Paris: no error


@pytest.mark.parametrize(("lon", "lat", "layer_crs", "expected"), [
    (116.85, 40.37, 4326, "EPSG:4548"),     # Miyun: GK CM 117°E
    (87.6, 43.8, 4326, "EPSG:4538"),        # Urumqi: GK CM 87°E
    (7.42, 43.74, 4326, "EPSG:32632"),      # Monaco: UTM 32N
    (-54.62, -20.47, 4326, "EPSG:32721"),   # Campo Grande: UTM 21S
    (127.0, 37.55, 4326, "EPSG:32652"),     # Seoul is outside China: UTM 52N
])
def test_analysis_crs_from_the_data_alone(lon, lat, layer_crs, expected) -> None:
    gdf = gpd.GeoDataFrame(geometry=[Point(lon, lat), Point(lon + 0.01, lat + 0.01)],
                           crs=layer_crs)
    chosen, reason = crs.choose_analysis_crs([gdf])
    assert chosen == expected
    assert ("in China" in reason) == chosen.startswith("EPSG:45")


def test_analysis_crs_from_projected_layers() -> None:
    """Edges of osmnx in UTM 32N (Monaco) keep UTM 32N."""
    pts = gpd.GeoDataFrame(geometry=[Point(7.42, 43.74), Point(7.43, 43.75)], crs=4326)
    assert crs.choose_analysis_crs([pts.to_crs(32632)])[0] == "EPSG:32632"


def test_gdal_undefined_srs_is_no_crs(tmp_path, tiny_park_dir) -> None:
    """A GeoPackage with srs_id 0 reads as "Undefined geographic SRS": that is no CRS."""
    import sqlite3

    import geopandas as gpd
    import shapely

    from zonekit.api.data import load_park
    from zonekit.errors import CRSError

    path = tmp_path / "fac.gpkg"
    gpd.GeoDataFrame({"fac_id": ["a"], "category": ["pharmacy"]}, crs=4326,
                     geometry=[shapely.Point(116.8, 40.3)]).to_file(path, engine="pyogrio")
    with sqlite3.connect(path) as con:
        con.execute("update gpkg_geometry_columns set srs_id=0")
        con.execute("update gpkg_contents set srs_id=0")
    assert gpd.read_file(path).crs.name == "Undefined geographic SRS"
    with pytest.raises(CRSError, match="no coordinate reference system"):
        load_park(tiny_park_dir, layers=("zones", "facilities"), facilities=path)
    park = load_park(tiny_park_dir, layers=("zones", "facilities"), facilities=path,
                     crs="EPSG:4326")  # the user says which it is
    assert len(park.facilities) == 1
