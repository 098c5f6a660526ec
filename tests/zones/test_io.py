"""Reading, validating and projecting layers (zones.io, zones.validate, zones.park)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import Polygon

from zonekit.analysis.land.measures import zone_table
from zonekit.api.data import load_park
from zonekit.errors import CRSError, DataFileError, SchemaError
from zonekit.zones.encoding import shapefile_encoding
from zonekit.zones.io import read_vector
from zonekit.zones.schema import PARCELS
from zonekit.zones.validate import validate_layer


def _write(folder: Path, layers: dict[str, gpd.GeoDataFrame]) -> Path:
    folder.mkdir(exist_ok=True)
    for name, gdf in layers.items():
        gdf.to_file(folder / f"{name}.gpkg", layer=name, engine="pyogrio")
    return folder


def test_load_tiny_park_folder(tiny_park_dir: Path) -> None:
    park = load_park(tiny_park_dir, layers=("zones", "parcels", "enterprises"))
    assert park.crs == "EPSG:4548"
    assert not park.synthetic
    assert len(park.parcels) == 4
    notes = " ".join(str(n) for n in park.findings.notes)
    assert "E5" in notes and "no matching parcel" in notes


def test_gbk_shapefile_without_cpg(tmp_path: Path, tiny_park) -> None:
    path = tmp_path / "parcels.shp"
    zones = tiny_park["zones"]
    pyogrio.write_dataframe(zones, path, encoding="GBK")
    path.with_suffix(".cpg").unlink(missing_ok=True)
    assert shapefile_encoding(path) == "GB18030"
    back = read_vector(path)
    assert back["name_zh"].tolist() == ["高端智造区", "滨河工业开发区"]
    # An explicit --encoding wins over detection.
    latin = read_vector(path, encoding="latin1")
    assert latin["name_zh"].tolist() != ["高端智造区", "滨河工业开发区"]


def test_wgs84_and_projected_give_same_areas(tmp_path: Path, tiny_park) -> None:
    projected = _write(tmp_path / "a", tiny_park)
    wgs = _write(tmp_path / "b", {k: v.to_crs(4326) for k, v in tiny_park.items()})
    t1 = zone_table(*(load_park(projected, layers=("zones", "parcels", "enterprises")).layers[k]
                      for k in ("zones", "parcels", "enterprises")))
    t2 = zone_table(*(load_park(wgs, layers=("zones", "parcels", "enterprises")).layers[k]
                      for k in ("zones", "parcels", "enterprises")))
    for col in ("area_km2", "built_land_km2"):
        assert t2[col].to_numpy() == pytest.approx(t1[col].to_numpy(), rel=1e-3)


def test_missing_crs_is_refused(tmp_path: Path, tiny_park) -> None:
    folder = tmp_path / "p"
    folder.mkdir()
    zones = tiny_park["zones"].set_crs(None, allow_override=True)
    zones.to_file(folder / "zones.shp", engine="pyogrio")
    folder.joinpath("zones.prj").unlink(missing_ok=True)
    with pytest.raises(CRSError, match=r"zones.shp.*no coordinate reference system.*EPSG:4548"):
        load_park(folder, layers=("zones",))
    park = load_park(folder, layers=("zones",), crs="EPSG:4548")
    assert park.zones.crs.to_epsg() == 4548


def test_invalid_polygon_repaired_and_reported(tiny_park) -> None:
    parcels = tiny_park["parcels"].copy()
    bowtie = Polygon([(487_000, 4_470_000), (487_100, 4_470_100), (487_100, 4_470_000),
                      (487_000, 4_470_100)])
    parcels.loc[0, "geometry"] = bowtie
    out, findings = validate_layer(parcels, PARCELS, "parcels.gpkg")
    assert not findings.errors
    assert out.geometry.is_valid.all()
    assert out.geometry.iloc[0].area == pytest.approx(5_000.0)
    assert "A1" in str(findings.notes[0]) and "repaired" in str(findings.notes[0])
    assert parcels.geometry.iloc[0].equals(bowtie)  # input untouched


def test_schema_errors_name_columns_and_rows(tiny_park) -> None:
    parcels = tiny_park["parcels"].copy()
    parcels.loc[1, "status"] = "demolished"
    parcels.loc[2, "floor_area_m2"] = -5
    parcels.loc[3, "parcel_id"] = "A1"
    _, findings = validate_layer(parcels, PARCELS, "parcels.gpkg")
    text = "\n".join(str(p) for p in findings.errors)
    assert "column 'status'" in text and "demolished" in text and "A2" in text
    assert "column 'floor_area_m2'" in text and "A3" in text
    assert "column 'parcel_id'" in text and "duplicate" in text
    with pytest.raises(SchemaError, match="drop_invalid=True"):
        findings.raise_if_errors()


def test_missing_column_lists_what_was_found(tiny_park) -> None:
    parcels = tiny_park["parcels"].drop(columns=["land_use"])
    _, findings = validate_layer(parcels, PARCELS, "parcels.gpkg")
    err = str(findings.errors[0])
    assert "land_use" in err and "found: parcel_id" in err


def test_missing_status_gets_its_default_with_a_note(tiny_park) -> None:
    parcels = tiny_park["parcels"].drop(columns=["status", "zone_id"])
    out, findings = validate_layer(parcels, PARCELS, "parcels.gpkg")
    assert not findings.errors and (out["status"] == "in_use").all()
    assert out["zone_id"].isna().all() and "status" not in parcels  # input untouched
    notes = [str(n) for n in findings.notes]
    assert any("column 'status': not in the layer, default 'in_use' used" in n for n in notes)
    assert any("column 'zone_id': not in the layer, default blank used" in n for n in notes)


def test_unknown_zone_and_drop_invalid(tmp_path: Path, tiny_park) -> None:
    parcels = tiny_park["parcels"].copy()
    parcels.loc[3, "zone_id"] = "ZZ"
    folder = _write(tmp_path / "p", {**tiny_park, "parcels": parcels})
    with pytest.raises(SchemaError, match=r"zone_id not found.*B1"):
        load_park(folder, layers=("zones", "parcels", "enterprises"))
    park = load_park(folder, layers=("zones", "parcels", "enterprises"),
                     drop_invalid=True)
    assert "B1" not in set(park.parcels["parcel_id"])
    assert park.findings.dropped_table()["row_id"].tolist() == ["B1"]


def test_parcel_without_zone_gets_zone_by_location(tmp_path: Path, tiny_park) -> None:
    parcels = tiny_park["parcels"].copy()
    parcels["zone_id"] = parcels["zone_id"].astype(object)
    parcels.loc[3, "zone_id"] = None
    folder = _write(tmp_path / "p", {**tiny_park, "parcels": parcels})
    park = load_park(folder, layers=("zones", "parcels"))
    assert park.parcels.set_index("parcel_id").loc["B1", "zone_id"] == "B"


def test_corrupt_and_empty_files(tmp_path: Path, tiny_park) -> None:
    bad = tmp_path / "zones.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [')
    with pytest.raises(DataFileError, match="zones.geojson.*cannot read"):
        read_vector(bad)
    empty = tmp_path / "empty.gpkg"
    tiny_park["zones"].iloc[:0].to_file(empty, layer="zones", engine="pyogrio")
    with pytest.raises(DataFileError, match="empty"):
        read_vector(empty, layer="zones")


def test_missing_required_layer(tiny_park_dir: Path) -> None:
    with pytest.raises(DataFileError, match="roads"):
        load_park(tiny_park_dir, layers=("zones", "roads"), required=("roads",))


@pytest.mark.parametrize("which", ["sample", "tiny"])
def test_loaded_layers_write_to_parquet_and_pickle(which: str, tiny_park_dir: Path,
                                                   tmp_path: Path) -> None:
    """Nothing but plain values in a loaded layer's ``attrs`` (GeoParquet keeps them as JSON)."""
    import json
    import pickle

    pytest.importorskip("pyarrow", reason="GeoParquet needs pyarrow")
    park = (load_park() if which == "sample" else
            load_park(tiny_park_dir, drop_invalid=True))
    assert park.layers
    for name, gdf in park.layers.items():
        json.dumps(gdf.attrs)
        gdf.to_parquet(tmp_path / f"{which}_{name}.parquet")
        back = pickle.loads(pickle.dumps(gdf))
        assert back.equals(gdf) and back.attrs == gdf.attrs, name
    park.parcels.to_parquet(tmp_path / "parcels.parquet")
    pickle.loads(pickle.dumps(park))


def test_overlapping_zones_are_named_with_their_shared_area(tmp_path: Path, tiny_park) -> None:
    from shapely.geometry import box

    zones = tiny_park["zones"].copy()
    x0, y0, _, _ = zones.geometry.iloc[1].bounds
    zones.loc[1, "geometry"] = box(x0 - 500, y0, x0 + 1000, y0 + 500)  # 0.25 km² inside A
    folder = _write(tmp_path / "p", {**tiny_park, "zones": zones})
    park = load_park(folder, layers=("zones",))
    notes = [str(n) for n in park.findings.notes]
    assert any("zones overlap" in n and "A↔B (0.250 km²)" in n for n in notes), notes
    plain = load_park(_write(tmp_path / "q", tiny_park), layers=("zones",))
    assert not any("zones overlap" in str(n) for n in plain.findings.notes)
