"""A corpus of bad input parks, generated small, each with the message a user must see.

Each case is a function that writes a park folder (from the tiny fixture park) with one
defect, and the fragments the error (or note) must contain. Used by test_round1.py,
which drives the CLI over all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
from shapely.geometry import Polygon, box


@dataclass
class Case:
    """One defect: how to make it and what the user must be told."""

    name: str
    make: Callable[[dict[str, gpd.GeoDataFrame], Path], None]
    expect: tuple[str, ...]
    exit_code: int = 2


def _write(layers: dict[str, gpd.GeoDataFrame], folder: Path, **replace: gpd.GeoDataFrame) -> None:
    for name, gdf in {**layers, **replace}.items():
        gdf.to_file(folder / f"{name}.gpkg", layer=name, engine="pyogrio")


def no_crs(p, f):
    _write({k: v for k, v in p.items() if k != "parcels"}, f)
    parcels = p["parcels"].set_crs(None, allow_override=True)
    parcels.to_file(f / "parcels.shp", engine="pyogrio")
    (f / "parcels.prj").unlink(missing_ok=True)


def metres_labelled_wgs84(p, f):
    _write(p, f, zones=p["zones"].set_crs(4326, allow_override=True))


def swapped_lonlat(p, f):
    z = p["zones"].to_crs(4326)
    z["geometry"] = z.geometry.map(lambda g: Polygon([(y, x) for x, y in g.exterior.coords]))
    _write(p, f, zones=z)


def outside_china(p, f):
    z = p["zones"].to_crs(4326).translate(-114.0, 8.0)  # moves to Europe
    _write(p, f, zones=gpd.GeoDataFrame(p["zones"].drop(columns="geometry"), geometry=z.values,
                                        crs=4326))


def invalid_polygon(p, f):
    parcels = p["parcels"].copy()
    x, y = 487_100, 4_470_100
    parcels.loc[0, "geometry"] = Polygon([(x, y), (x + 200, y + 200), (x + 200, y), (x, y + 200)])
    _write(p, f, parcels=parcels)


def empty_geometry(p, f):
    parcels = p["parcels"].copy()
    parcels.loc[1, "geometry"] = Polygon()
    _write(p, f, parcels=parcels)


def zero_area(p, f):
    parcels = p["parcels"].copy()
    parcels.loc[1, "geometry"] = Polygon([(487_400, 4_470_100), (487_500, 4_470_100),
                                          (487_450, 4_470_100)])
    _write(p, f, parcels=parcels)


def duplicate_ids(p, f):
    parcels = p["parcels"].copy()
    parcels.loc[3, "parcel_id"] = "A1"
    _write(p, f, parcels=parcels)


def parcel_outside_zones(p, f):
    parcels = p["parcels"].copy()
    parcels["zone_id"] = parcels["zone_id"].astype(object)
    parcels.loc[3, "zone_id"] = None
    parcels.loc[3, "geometry"] = box(490_000, 4_475_000, 490_100, 4_475_100)
    _write(p, f, parcels=parcels)


def overlapping_parcels(p, f):
    parcels = p["parcels"].copy()
    parcels.loc[1, "geometry"] = box(487_250, 4_470_250, 487_350, 4_470_350)  # overlaps A1
    _write(p, f, parcels=parcels)


def negative_revenue(p, f):
    e = p["enterprises"].copy()
    e.loc[1, "revenue_wan"] = -50.0
    _write(p, f, enterprises=e)


def missing_employees(p, f):
    e = p["enterprises"].copy()
    e["employees"] = e["employees"].astype(float)
    e.loc[2, "employees"] = np.nan
    _write(p, f, enterprises=e)


def absurd_revenue(p, f):
    e = p["enterprises"].copy()
    e.loc[0, "revenue_wan"] = 1_000_000_000_000.0  # 元 given as 万元
    _write(p, f, enterprises=e)


def enterprise_without_parcel(p, f):
    _write(p, f)  # E5 of the fixture has no parcel: a note, not an error


def gbk_shapefile(p, f):
    _write({k: v for k, v in p.items() if k != "zones"}, f)
    p["zones"].to_file(f / "zones.shp", engine="pyogrio", encoding="GBK")
    (f / "zones.cpg").unlink(missing_ok=True)


def truncated_file(p, f):
    _write({k: v for k, v in p.items() if k != "zones"}, f)
    (f / "zones.geojson").write_text('{"type": "FeatureCollection", "features": [{"type": ')


def empty_layer(p, f):
    _write(p, f, enterprises=p["enterprises"].iloc[:0])


def missing_column(p, f):
    _write(p, f, parcels=p["parcels"].drop(columns=["land_use"]))


def bad_status(p, f):
    parcels = p["parcels"].copy()
    parcels.loc[2, "status"] = "拆除"
    _write(p, f, parcels=parcels)


def not_a_point(p, f):
    e = p["enterprises"].copy()
    e.loc[0, "geometry"] = box(487_100, 4_470_100, 487_110, 4_470_110)
    _write(p, f, enterprises=e)


CASES = [
    Case("missing CRS", no_crs, ("parcels.shp", "no coordinate reference system", "EPSG:4548")),
    Case("metres labelled as WGS84", metres_labelled_wgs84, ("zones.gpkg", "not degrees")),
    Case("swapped lon/lat", swapped_lonlat, ("zones.gpkg", "swapped")),
    Case("outside China: computed in UTM", outside_china, ("UTM zone", "outside China"), 0),
    Case("invalid polygon repaired", invalid_polygon, ("repaired", "A1"), 0),
    Case("empty geometry", empty_geometry, ("parcels", "empty or missing geometry", "A2")),
    Case("zero-area polygon", zero_area, ("parcels", "zero-area", "A2")),
    Case("duplicate ids", duplicate_ids, ("parcel_id", "duplicate", "A1")),
    Case("parcel outside every zone", parcel_outside_zones, ("outside every zone", "B1")),
    Case("overlapping parcels", overlapping_parcels, ("overlapping", "A1↔A2")),
    Case("negative revenue", negative_revenue, ("revenue_wan", "below 0", "E2")),
    Case("missing employees", missing_employees, ("employees", "missing values", "E3")),
    Case("absurd revenue", absurd_revenue, ("revenue_wan", "absurd", "E1")),
    Case("enterprise with no parcel", enterprise_without_parcel, ("no matching parcel", "E5"), 0),
    Case("GBK shapefile without .cpg", gbk_shapefile, ("高端智造区",), 0),
    Case("truncated file", truncated_file, ("zones.geojson", "cannot read")),
    Case("empty layer", empty_layer, ("enterprises", "empty")),
    Case("missing column", missing_column, ("land_use", "required column")),
    Case("unknown status", bad_status, ("status", "拆除", "A3")),
    Case("wrong geometry type", not_a_point, ("enterprises", "Point", "E1")),
]
