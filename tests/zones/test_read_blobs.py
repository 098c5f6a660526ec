"""Reading keeps the WKB in Arrow on its way to shapely; BLOB fields still come back as bytes."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pyarrow as pa
import pyogrio
import shapely

from zonekit.zones.io import read_vector


def test_blob_field_reads_as_bytes_and_geometry_as_shapes(tmp_path):
    path = tmp_path / "blobs.gpkg"
    shapes = np.array([shapely.Point(1, 2), shapely.Point(3, 4), shapely.Point(5, 6)])
    table = pa.table({"name": ["a", None, "c"],
                      "blob": pa.array([b"\x00\x01", None, b""], pa.binary()),
                      "geometry": pa.array(list(shapely.to_wkb(shapes)), pa.binary())})
    pyogrio.write_arrow(table, path, geometry_name="geometry", geometry_type="Point",
                        crs="EPSG:4548", driver="GPKG")
    assert pyogrio.read_info(path)["ogr_types"] == ["OFTString", "OFTBinary"]

    got = read_vector(path)
    assert isinstance(got, gpd.GeoDataFrame) and got.crs == "EPSG:4548"
    assert got["blob"].dtype == object
    assert got["blob"].tolist() == [b"\x00\x01", None, b""]
    assert got["name"].isna().tolist() == [False, True, False]
    assert shapely.equals_exact(got.geometry.to_numpy(), shapes, 0).all()
    plain = gpd.read_file(path, engine="pyogrio")  # the reader without Arrow
    assert got.drop(columns="blob").equals(plain.drop(columns="blob"))
