"""Reading layers from files, and writing results atomically.

Input convention (every command): ``--data PATH`` is a GeoPackage whose layers are named
after the layer model (``zones``, ``parcels``, …) or a folder holding one file per layer
named after it (``zones.gpkg``, ``parcels.shp``, ``enterprises.geojson``, … any format
pyogrio reads) plus ``population.tif``. Single layers may be overridden by path.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zonekit.errors import DataFileError, where
from zonekit.zones.storage import is_url, staged_file

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

VECTOR_SUFFIXES = (".gpkg", ".geojson", ".json", ".shp", ".parquet", ".geoparquet",
                   ".fgb", ".gml", ".kml", ".csv", ".xlsx", ".xls", ".shp.zip", ".zip")
#: ``attrs`` key of notes about how a file was read (an encoding that overrides its .cpg).
READ_NOTES = "zonekit_read_notes"
#: Several vector readers need the ``pyogrio`` engine explicitly.
_ENGINE = "pyogrio"


def sample_path() -> Path:
    """Folder of the bundled synthetic sample park (``park.gpkg``, ``population.tif``)."""
    from importlib.resources import files

    return Path(str(files("zonekit.data") / "sample"))


def find_layer_source(data: Path, name: str) -> tuple[Path, str | None] | None:
    """Locate layer ``name`` in a GeoPackage or a folder; ``None`` when absent."""
    if data.is_file():
        if data.suffix.lower() == ".gpkg":
            return (data, name) if name in gpkg_layers(data) else None
        raise DataFileError(
            f"{data}: data= must be a GeoPackage (.gpkg) or a folder of layer files, "
            f"found a {data.suffix or 'suffix-less'} file"
        )
    if name == "population":
        for suffix in (".tif", ".tiff"):
            if (data / f"{name}{suffix}").exists():
                return data / f"{name}{suffix}", None
        return None
    for suffix in VECTOR_SUFFIXES:
        for candidate in (data / f"{name}{suffix}", data / f"{name}{suffix.upper()}"):
            if candidate.exists():
                return candidate, None
    gpkg = sorted(data.glob("*.gpkg"))
    for path in gpkg:
        found = find_layer_source(path, name)
        if found:
            return found
    return None


def gpkg_layers(path: Path) -> set[str]:
    """Names of the layers in a GeoPackage; a clear error when it is not a readable one."""
    import pyogrio

    try:
        return {row[0] for row in pyogrio.list_layers(path)}
    except Exception as exc:  # pyogrio/GDAL raise many types; the user needs the file name
        raise DataFileError(
            f"{path}: cannot read it as a GeoPackage ({type(exc).__name__}: "
            f"{str(exc).strip()[:200]}). Is it complete (not truncated by a copy or download) "
            "and really a GeoPackage?"
        ) from exc


def read_vector(path: Path, layer: str | None = None, encoding: str | None = None,
                label: str | None = None, allow_table: bool = False) -> gpd.GeoDataFrame:
    """Read a vector layer with pyogrio, naming the file and layer when it fails.

    Parameters
    ----------
    path
        Any file pyogrio reads (GeoPackage, GeoJSON, Shapefile, GeoParquet, a zip of a
        Shapefile, also in a folder of it …); ``FILE.gpkg:layer`` names a layer.
    layer
        Layer inside a multi-layer file; a file of several layers and none named is
        refused, listing them (:func:`zonekit.zones.sources.choose_layer`).
    encoding
        Text encoding for Shapefiles; ``None`` detects GBK/UTF-8 when no ``.cpg`` exists.
    label
        The model layer name, for messages.
    allow_table
        Return a layer without geometry (an attribute table in a GeoPackage) as a plain
        ``DataFrame`` instead of refusing it.
    """
    import geopandas as gpd

    from zonekit.zones.sources import choose_layer, split_layer

    path, named = split_layer(path)
    layer = layer or named
    if not path.exists():
        raise DataFileError(f"{path}: file not found (layer '{label or layer}')")
    target, layer = choose_layer(path, layer, label)
    kwargs: dict[str, Any] = {}
    enc = encoding or _detect_encoding(path)
    if enc:
        kwargs["encoding"] = enc
    try:
        if path.suffix.lower() in (".parquet", ".geoparquet"):
            gdf = gpd.read_parquet(path)
        else:
            # Arrow: columns come over whole, not feature by feature (15 s of a 1M-node
            # network's run were spent here without it); encodings go the classic way.
            arrow = {} if enc else {"use_arrow": True,
                                    "arrow_to_pandas_kwargs": {"types_mapper": _wkb_as_arrow}}
            gdf = _blobs_as_bytes(gpd.read_file(target, layer=layer, engine=_ENGINE, **kwargs,
                                                **arrow))
    except Exception as exc:  # pyogrio/GDAL raise many types; the user needs the file name
        raise DataFileError(
            f"{where(path, layer or label)}: cannot read the file ({type(exc).__name__}: "
            f"{str(exc).strip()[:300]}). Is it complete and in a vector format GDAL reads?"
        ) from exc
    if len(gdf) == 0:
        raise DataFileError(f"{where(path, layer or label)}: the layer is empty (0 features)")
    if not isinstance(gdf, gpd.GeoDataFrame) and not allow_table:
        raise DataFileError(f"{where(path, layer or label)}: the layer has no geometry (an "
                            "attribute table); expected features with points, lines or polygons")
    gdf.attrs["zonekit_source"] = str(where(path, layer))
    if path.suffix.lower() in (".shp", ".zip") and encoding is None:
        from zonekit.zones.encoding import cpg_contradicted

        note = cpg_contradicted(path, enc)
        if note:
            gdf.attrs[READ_NOTES] = [note]
    return gdf


def _wkb_as_arrow(arrow_type: Any) -> Any:
    """Keep binary columns in Arrow when a read goes to pandas (``types_mapper``).

    The geometry's WKB then reaches shapely without one Python ``bytes`` object per
    feature (1.2 s and 150 MB of a 1.9M-road read); other binary columns (BLOB fields)
    are made plain ``bytes`` again by :func:`_blobs_as_bytes`.
    """
    import pandas as pd
    import pyarrow as pa

    return pd.ArrowDtype(arrow_type) if pa.types.is_binary(arrow_type) or pa.types.is_large_binary(
        arrow_type) else None


def _blobs_as_bytes(frame: pd.DataFrame) -> pd.DataFrame:
    """Return BLOB attribute columns left in Arrow by :func:`_wkb_as_arrow` as ``bytes``."""
    import pandas as pd

    for col in frame.columns:
        if isinstance(frame[col].dtype, pd.ArrowDtype):
            frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    return frame


def _detect_encoding(path: Path) -> str | None:
    """Detect a Shapefile .dbf's encoding when no .cpg says it, also inside a zip archive."""
    from zonekit.zones import encoding

    suffix = path.suffix.lower()
    if suffix == ".shp":
        return encoding.shapefile_encoding(path)
    if suffix == ".zip":
        return encoding.zip_shapefile_encoding(path)
    return None


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it onto ``target`` on success.

    An interrupted write leaves only a ``.tmp-`` file behind, never a half-written target.
    A URL ``target`` (see :mod:`zonekit.zones.storage`) is written locally, then uploaded.
    """
    if is_url(target):
        with staged_file(target) as tmp:
            yield tmp
        return
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".tmp-{target.stem}-", suffix=target.suffix,
                               dir=target.parent)
    os.close(fd)
    os.unlink(tmp)  # writers such as GDAL want to create the file themselves
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_gpkg(layers: dict[str, gpd.GeoDataFrame], target: Path,
               finish: Callable[[Path], Any] | None = None) -> Path:
    """Write one or more layers to a GeoPackage (version 1.2) atomically.

    Layers go through pyogrio with Arrow (columnar, no per-feature Python objects).
    GeoPackage 1.2 (GDAL's ``VERSION=1.2``) so QGIS 3.22 and older GDALs open the file
    without a version warning. ``finish`` is called with the written temporary file before
    it replaces ``target`` (e.g. to add QGIS styles in the same pass, before anyone can
    open a half-styled file). A layer's ``attrs["geometry_type"]``, when set, is its type
    whatever its rows: a ``Multi…`` type promotes single parts (a run whose areas happen to
    be single polygons has the layer type of any other run), and a layer without rows gets
    it instead of GDAL's Unknown.
    """
    import pyogrio

    with atomic_path(target) as tmp:
        for name, gdf in layers.items():
            append = tmp.exists()
            kind = gdf.attrs.get("geometry_type")
            multi = bool(kind) and str(kind).startswith("Multi")
            pyogrio.write_dataframe(gdf, tmp, layer=name, driver="GPKG", append=append,
                                    use_arrow=_arrow_ok(gdf),
                                    geometry_type=kind if multi or not len(gdf) else None,
                                    promote_to_multi=True if multi and len(gdf) else None,
                                    dataset_options=None if append else {"VERSION": "1.2"})
        if finish is not None:
            finish(tmp)
    return target


def _arrow_ok(gdf: gpd.GeoDataFrame) -> bool:
    """Arrow writes every column but object columns of mixed types (e.g. str and float)."""
    from pandas.api.types import infer_dtype

    return not any(infer_dtype(gdf[c], skipna=True).startswith("mixed")
                   for c in gdf.columns if c != gdf.geometry.name and gdf[c].dtype == object)


def write_csv(df: pd.DataFrame, target: Path, index: bool = False) -> Path:
    """Write a CSV (UTF-8 with BOM, so Excel shows Chinese correctly) atomically, in one pass.

    Written by Arrow's C++ CSV writer (about ten times faster than pandas' on wide float
    tables); booleans stay ``True``/``False`` as pandas writes them. Tables Arrow cannot
    hold (mixed-type object columns) go through pandas.
    """
    frame = df.reset_index() if index else df
    table = _arrow_table(frame)
    with atomic_path(target) as tmp:
        if table is None:
            frame.to_csv(tmp, index=False, encoding="utf-8-sig", chunksize=50_000)
        else:
            import pyarrow.csv as pacsv

            with open(tmp, "wb") as fh:
                fh.write("\ufeff".encode())
                pacsv.write_csv(table, fh)
    return target


def _arrow_table(frame: pd.DataFrame) -> Any:
    """Convert the frame to an Arrow table of plain columns; ``None`` when it cannot be one.

    Column by column (as ``pa.Table.from_pandas`` converts them), with no intermediate
    frame: booleans become the texts ``True``/``False`` in Arrow, floats
    :func:`_float_text`.
    """
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    names = [str(name) for name in frame.columns]
    if len(set(names)) < len(names):
        return None  # duplicate column names: pandas writes those
    arrays = []
    for k in range(frame.shape[1]):
        col = frame.iloc[:, k]
        try:
            if col.dtype == bool:
                arr = pc.if_else(pa.array(col.to_numpy()), "True", "False")
            else:
                if isinstance(col.dtype, pd.CategoricalDtype):
                    col = col.astype(object)
                arr = pa.Array.from_pandas(col)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            return None
        if pa.types.is_nested(arr.type):
            return None  # lists or structs: pandas writes those
        arrays.append(_float_text(arr) if pa.types.is_floating(arr.type) else arr)
    return pa.Table.from_arrays(arrays, names=names)


def _float_text(col: Any) -> Any:
    """Floats as text with a decimal point where Arrow leaves none (``1`` → ``1.0``).

    So a column of whole numbers reads back as floats, as from pandas' CSVs.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pc.cast(col, pa.string())
    bare = pc.invert(pc.match_substring_regex(text, "[.eEnN]"))
    return pc.if_else(bare, pc.binary_join_element_wise(text, ".0", ""), text)


def write_json(data: dict[str, Any], target: Path) -> Path:
    """Write JSON (sorted keys, UTF-8, no ASCII escaping) atomically."""
    with atomic_path(target) as tmp:
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True,
                                  default=_json_default) + "\n", encoding="utf-8")
    return target


def _json_default(value: Any) -> Any:
    import numpy as np

    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return None if np.isnan(value) else float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
