"""Bad input, second round: files of the kind planners hold, each with what the user must see.

Like :mod:`bad_inputs`, each case writes a park folder (from the tiny fixture park) with one
defect; ``make`` returns extra command-line arguments (a mapping file, ``--drop-invalid``).
Cases with ``exit_code`` 0 are legitimate data that must keep working, with the figure or
note they must produce. Used by ``test_round2.py``.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely


@dataclass
class Case:
    """One defect: how to make it, what the user must be told, and the exit code."""

    name: str
    make: Callable[[dict[str, gpd.GeoDataFrame], Path], list[str]]
    expect: tuple[str, ...]
    exit_code: int = 2


def write(layers: dict[str, gpd.GeoDataFrame], folder: Path, **replace: object) -> list[str]:
    """Write every layer as ``NAME.gpkg``; a layer replaced by ``None`` is left out."""
    for name, gdf in {**layers, **replace}.items():
        if gdf is not None:
            gdf.to_file(folder / f"{name}.gpkg", layer=name, engine="pyogrio")
    return []


def _vertex(gdf: gpd.GeoDataFrame, row: int, value: float) -> gpd.GeoDataFrame:
    """Set the x of the top-right vertex of polygon ``row`` (a box) to ``value``."""
    out = gdf.copy()
    geom = out.geometry.iloc[row]
    xmax, ymax = geom.bounds[2], geom.bounds[3]

    def move(xy: np.ndarray) -> np.ndarray:
        hit = (xy[:, 0] == xmax) & (xy[:, 1] == ymax)
        xy = xy.copy()
        xy[hit, 0] = value
        return xy

    out.loc[out.index[row], "geometry"] = shapely.transform(geom, move)
    return out


# --- wrong figures ----------------------------------------------------------------------

def degrees_labelled_projected(p, f):
    return write(p, f, zones=p["zones"].to_crs(4326).set_crs(4548, allow_override=True))


def metres_labelled_swiss(p, f):
    return write(p, f, zones=p["zones"].set_crs(2056, allow_override=True))


def zone_prefix_missing_from_label(p, f):
    return write(p, f, zones=p["zones"].translate(39_000_000, 0))  # 39xxxxxx E under 4548


def nan_coordinate(p, f):
    return write(p, f, parcels=_vertex(p["parcels"], 1, np.nan))


def inf_coordinate(p, f):
    return write(p, f, parcels=_vertex(p["parcels"], 1, np.inf))


def stray_vertex(p, f):
    return write(p, f, parcels=_vertex(p["parcels"], 1, 1e20))


def duplicate_enterprise_no_year(p, f):
    e = p["enterprises"].copy()
    twice = pd.concat([e, e.iloc[[0]]], ignore_index=True)  # E1 twice, no year column
    return write(p, f, enterprises=twice)


def zipped_gbk_shapefile(p, f):
    write(p, f, zones=None)
    shp = f / "tmp" / "zones.shp"
    shp.parent.mkdir()
    p["zones"].to_file(shp, engine="pyogrio", encoding="GBK")
    with zipfile.ZipFile(f / "zones.zip", "w") as archive:
        for part in shp.parent.iterdir():
            if part.suffix != ".cpg":
                archive.write(part, part.name)
    for part in shp.parent.iterdir():
        part.unlink()
    shp.parent.rmdir()
    return []


def utm_outside_china(p, f):
    # The same numbers are a valid park in Italy under UTM 33N: the CRS says where it is.
    layers = {k: v.set_crs(32633, allow_override=True) for k, v in p.items()}
    return [*write(layers, f), "--analysis-crs", "EPSG:32633"]


def gauss_kruger_with_zone_prefix(p, f):
    layers = {k: v.to_crs(4527) for k, v in p.items()}  # CGCS2000 GK zone 39, prefixed
    return write(layers, f)


# --- tracebacks -------------------------------------------------------------------------

def not_a_geopackage(p, f):
    (f / "park.gpkg").write_bytes(b"PK\x03\x04 this is a zip, not SQLite " * 40)
    return ["--data", str(f / "park.gpkg")]


def truncated_geopackage(p, f):
    write(p, f)
    whole = (f / "zones.gpkg").read_bytes()
    (f / "zones.gpkg").write_bytes(whole[: len(whole) // 3])
    return []


def _mapping(f: Path, text: str) -> list[str]:
    (f / "mapping.yaml").write_text(text, encoding="utf-8")
    return ["--mapping", str(f / "mapping.yaml")]


def mapping_two_sources(p, f):
    write(p, f)
    return _mapping(f, "enterprises:\n  columns: {revenue_wan: revenue, tax_wan: revenue}\n")


def mapping_values_string(p, f):
    write(p, f)
    return _mapping(f, "parcels:\n  values: status\n")


def mapping_position_string(p, f):
    write(p, f)
    return _mapping(f, "enterprises:\n  position: lonlat\n")


def mapping_alias_cycle(p, f):
    write(p, f)
    return _mapping(f, "enterprises:\n  defaults: &a {status: *a}\n")


def drop_invalid_drops_everything(p, f):
    parcels = p["parcels"].copy()
    parcels["status"] = "拆除"
    return [*write(p, f, parcels=parcels), "--drop-invalid"]


def enterprises_attribute_table(p, f):
    import pyogrio

    write(p, f, enterprises=None)
    table = pd.DataFrame(p["enterprises"].drop(columns="geometry"))
    pyogrio.write_dataframe(table, f / "enterprises.gpkg", layer="enterprises", driver="GPKG")
    return []


# --- messages ---------------------------------------------------------------------------

def _enterprise_csv(p: dict[str, gpd.GeoDataFrame]) -> pd.DataFrame:
    return pd.DataFrame(p["enterprises"].drop(columns="geometry"))


def csv_title_rows(p, f):
    write(p, f, enterprises=None)
    body = _enterprise_csv(p).to_csv(index=False)
    width = body.splitlines()[0].count(",")
    title = "2024年 园区企业名录" + "," * width + "\n单位：万元" + "," * width + "\n"
    (f / "enterprises.csv").write_text(title + body, encoding="utf-8-sig")
    return []


def csv_blank_and_total_rows(p, f):
    write(p, f, enterprises=None)
    table = _enterprise_csv(p)
    blank = pd.DataFrame([[None] * table.shape[1]], columns=table.columns)
    total = pd.DataFrame([["合计", None, None, None, table["revenue_wan"].sum()]
                          + [None] * (table.shape[1] - 5)], columns=table.columns)
    pd.concat([table.iloc[:2], blank, table.iloc[2:], total], ignore_index=True).to_csv(
        f / "enterprises.csv", index=False, encoding="utf-8-sig")
    return []


def coords_gcj02_on_projected(p, f):
    return [*write(p, f), "--coords", "gcj02"]


CASES = [
    Case("degrees under a projected CRS", degrees_labelled_projected,
         ("zones.gpkg", "EPSG:4548", "look like degrees")),
    Case("metres under a foreign projected CRS", metres_labelled_swiss,
         ("zones.gpkg", "EPSG:2056", "far outside")),
    Case("zone prefix missing from the CRS label", zone_prefix_missing_from_label,
         ("zones.gpkg", "zone prefix", "EPSG:4527")),
    Case("NaN coordinate", nan_coordinate, ("parcels.gpkg", "NaN or infinity", "A2")),
    Case("infinite coordinate", inf_coordinate, ("parcels.gpkg", "NaN or infinity", "A2")),
    Case("vertex at 1e20", stray_vertex, ("parcels.gpkg", "far outside", "A2")),
    Case("same enterprise twice, no year", duplicate_enterprise_no_year,
         ("enterprises.gpkg", "ent_id", "no 'year' column", "E1")),
    Case("zipped GBK Shapefile without .cpg", zipped_gbk_shapefile,
         ("高端智造区", "滨河工业开发区"), 0),
    Case("UTM data outside China", utm_outside_china, ("EPSG:32633",), 0),
    Case("Gauss-Krüger with zone prefix", gauss_kruger_with_zone_prefix, ("EPSG:4548",), 0),
    Case("not a GeoPackage", not_a_geopackage, ("park.gpkg", "cannot read it as a GeoPackage")),
    Case("truncated GeoPackage", truncated_geopackage, ("zones.gpkg", "cannot read")),
    Case("mapping: two sources to one field", mapping_two_sources,
         ("mapping.yaml", "columns", "revenue_wan, tax_wan → revenue_wan")),
    Case("mapping: values block is a string", mapping_values_string,
         ("mapping.yaml", "'values'", "expected a table")),
    Case("mapping: position block is a string", mapping_position_string,
         ("mapping.yaml", "'position'", "expected a table")),
    Case("mapping: YAML alias cycle", mapping_alias_cycle, ("mapping.yaml", "alias cycle")),
    Case("drop-invalid drops every parcel", drop_invalid_drops_everything,
         ("parcels.gpkg", "every row of layer 'parcels'", "拆除", "Nothing was written")),
    Case("enterprises as an attribute table", enterprises_attribute_table,
         ("no matching parcel", "E5", '"total_revenue_yi": 12.6'), 0),
    Case("CSV with title rows", csv_title_rows,
         ("enterprises.csv", "a header that seems to start on row 3",
          '"total_revenue_yi": 12.6'), 0),
    Case("CSV with blank and total rows", csv_blank_and_total_rows,
         ("enterprises.csv", "blank rows skipped (rows: row 4)", "total rows",
          "row 8", '"total_revenue_yi": 12.6'), 0),
    Case("--coords gcj02 on a projected layer", coords_gcj02_on_projected,
         ("zones.gpkg", "gcj02", "EPSG:4548")),
]
