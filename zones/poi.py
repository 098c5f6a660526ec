"""Amap (高德) and Baidu (百度) POI exports (CSV/Excel) as facilities in WGS84.

Chinese planners get POIs from Amap far more often than from OSM. An export holds a name,
a type (Amap ``typecode``, Baidu ``tag``) and coordinates in the provider's datum
(Amap GCJ-02, Baidu BD-09), either as ``lng``/``lat`` columns (also ``lon``,
``longitude``/``latitude``, ``经度``/``纬度``) or one ``location`` column ``"lng,lat"``.
Types map onto zonekit's categories through ``poi_types.yaml`` (rules in the form of the
OSM tag tables, :mod:`zonekit.zones.osm.tagtable`); coordinates are converted to WGS84
with :mod:`zonekit.zones.coords`. Not OpenStreetMap data: no OSM attribution applies.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from zonekit.errors import SchemaError, ZonekitError, where

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

#: The shipped Amap/Baidu table.
POI_TABLE = Path(__file__).with_name("poi_types.yaml")

_SOURCES = {"amap": ("typecode", "gcj02", ("id",)), "baidu": ("tag", "bd09", ("uid", "id"))}
#: The coordinate system of each provider's exports, converted to WGS84 on reading.
SOURCE_DATUM = {name: datum for name, (_, datum, _) in _SOURCES.items()}
_LON = ("lng", "lon", "longitude", "经度", "x")
_LAT = ("lat", "latitude", "纬度", "y")


def _lonlat(df: pd.DataFrame, path: Path) -> tuple[Any, Any]:
    import pandas as pd

    cols = {c.lower(): c for c in df.columns}
    lon = next((cols[c] for c in _LON if c in cols), None)
    lat = next((cols[c] for c in _LAT if c in cols), None)
    if lon is not None and lat is not None:
        x, y = df[lon], df[lat]
    elif "location" in cols:
        parts = df[cols["location"]].astype(str).str.split(",", n=1, expand=True)
        x, y = parts[0], parts[1] if parts.shape[1] > 1 else None
    else:
        raise SchemaError(f"{where(path, 'facilities')}: no coordinate columns: expected "
                          "lng/lat (or lon, longitude/latitude, 经度/纬度) or location "
                          f"\"lng,lat\"; columns are {', '.join(map(str, df.columns))}")
    x, y = pd.to_numeric(x, errors="coerce"), pd.to_numeric(y, errors="coerce")
    bad = x.isna() | y.isna() | (x.abs() > 180) | (y.abs() > 90)
    if bad.any():
        raise SchemaError(f"{where(path, 'facilities')}: rows without valid longitude/latitude "
                          f"(degrees): {', '.join(str(i + 2) for i in df.index[bad][:20])} "
                          "(CSV line numbers)")
    return x.to_numpy(float), y.to_numpy(float)


def _table(source: str, table: str | Path | None) -> Any:
    import yaml

    from zonekit.errors import ProfileError
    from zonekit.zones.osm.tagtable import load_tag_table

    path = Path(table) if table is not None else POI_TABLE
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ProfileError(f"{path}: cannot read the POI table ({exc})") from exc
    if not isinstance(doc, dict) or source not in doc:
        raise ProfileError(f"{path}: no '{source}' section")
    return load_tag_table({**doc[source], "keys": [_SOURCES[source][0]]})


def read_poi_export(path: str | Path, source: Literal["amap", "baidu"],
                    table: str | Path | None = None
                    ) -> tuple[gpd.GeoDataFrame, dict[str, int]]:
    """Read an Amap or Baidu POI export as facilities in WGS84.

    Parameters
    ----------
    path
        CSV (UTF-8 or GBK) or Excel export.
    source
        ``"amap"`` (``typecode`` column, GCJ-02 coordinates) or ``"baidu"`` (``tag``
        column, BD-09 coordinates).
    table
        A YAML table replacing the shipped ``poi_types.yaml`` (same sections).

    Returns
    -------
    facilities : geopandas.GeoDataFrame
        Points in EPSG:4326 with ``fac_id`` (the export's ``id``/``uid``, else
        ``"<source><row>"``), ``category``, ``name`` and ``poi_type`` (code or tag).
    unmapped : dict
        Rows per type value that no rule maps.

    Raises
    ------
    zonekit.errors.ZonekitError
        ``source`` is neither ``"amap"`` nor ``"baidu"``.
    zonekit.errors.DataFileError
        The file is missing, unreadable or empty.
    zonekit.errors.SchemaError
        Missing type or coordinate columns, or rows without valid coordinates.
    zonekit.errors.ProfileError
        The type table cannot be read.
    """
    import geopandas as gpd

    from zonekit.zones import coords
    from zonekit.zones.tables import read_table

    if source not in _SOURCES:
        raise ZonekitError(f"source= must be amap or baidu, got {source!r}")
    type_col, datum, id_cols = _SOURCES[source]
    path = Path(path)
    rules = _table(source, table)
    df = read_table(path)
    if type_col not in df.columns:
        raise SchemaError(f"{where(path, 'facilities', type_col)}: column not found (a "
                          f"{source} export carries it); columns are {', '.join(df.columns)}")
    x, y = _lonlat(df, path)
    lon, lat = coords.gcj02_to_wgs84(x, y) if datum == "gcj02" else coords.bd09_to_wgs84(x, y)
    types = df[type_col].fillna("").astype(str)
    cats = [rules.category({type_col: t}, prefix=source == "amap") for t in types.unique()]
    category = types.map(dict(zip(types.unique(), cats, strict=True)))
    keep = category.notna().to_numpy()
    id_col = next((c for c in id_cols if c in df.columns), None)
    ids = df[id_col].astype(str) if id_col else [f"{source}{i + 1}" for i in range(len(df))]
    gdf = gpd.GeoDataFrame(
        {"fac_id": list(ids), "category": category, "poi_type": types,
         "name": df["name"] if "name" in df.columns else None},
        geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    unmapped = Counter(f"{type_col}={t}" for t in types[~keep])
    return gdf.loc[keep].reset_index(drop=True), dict(sorted(unmapped.items()))
