"""Which layer of a file to read: ``FILE.gpkg:layer``, one layer or a refusal listing them.

A file of several layers (a GeoPackage, a zip of Shapefiles) read without naming one would
give its first layer silently (half the streets). Every place that takes a layer file takes
``FILE:layer`` instead (:func:`split_layer`); a file of several layers without one is
refused with their names (:func:`choose_layer`).
"""

from __future__ import annotations

import re
from pathlib import Path

from zonekit.errors import DataFileError

#: Files that hold several layers (or sheets, or Shapefiles) and so take ``FILE:name``.
LAYERED = (".gpkg", ".sqlite", ".gdb", ".zip", ".xlsx", ".xls", ".kml", ".gml")
#: Tables GDAL lists as layers that are not the user's data (QGIS's styles).
NOT_DATA = ("layer_styles",)
_SPLIT = re.compile(r"^(?P<file>.+?(?:" + "|".join(re.escape(s) for s in LAYERED)
                    + r")):(?P<layer>[^:/\\]+(?:/[^:/\\]+)*)$", re.IGNORECASE)


def split_layer(source: str | Path) -> tuple[Path, str | None]:
    r"""Split ``FILE.gpkg:layer`` into the file and the layer; other paths come back whole.

    A drive letter (``C:\data\roads.gpkg``) is no layer: only a colon after the file's
    suffix splits. A path that exists as it is is never split.

    Examples
    --------
    >>> split_layer("roads.gpkg:streets")
    (PosixPath('roads.gpkg'), 'streets')
    >>> split_layer("parcels.zip:2024/parcels.shp")
    (PosixPath('parcels.zip'), '2024/parcels.shp')
    >>> split_layer("roads.gpkg")
    (PosixPath('roads.gpkg'), None)
    """
    text = str(source)
    match = _SPLIT.match(text)
    if match is None or Path(text).exists():
        return Path(source), None
    return Path(match["file"]), match["layer"]


def gpkg_choices(path: Path) -> list[str]:
    """Return the data layers of a multi-layer file (QGIS's style table left out)."""
    import pyogrio

    return [str(row[0]) for row in pyogrio.list_layers(path) if str(row[0]) not in NOT_DATA]


def zip_shapefiles(path: Path) -> list[str]:
    """Return the Shapefiles (``.shp`` members, with their folders) inside a zip archive."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            return sorted(n for n in archive.namelist() if n.lower().endswith(".shp")
                          and not Path(n).name.startswith("._"))  # macOS resource forks
    except (zipfile.BadZipFile, OSError):
        return []  # GDAL then reports the broken archive with the file name


def choose_layer(path: Path, layer: str | None, label: str | None) -> tuple[str, str | None]:
    """Return what to open (a path GDAL reads) and the layer inside it.

    Parameters
    ----------
    path
        The file.
    layer
        The layer named by the caller (``FILE:layer`` or a mapping's ``layer:``), or ``None``.
    label
        The model layer the file is read as (``roads``): a file of several layers with a
        layer of that name reads it.

    Raises
    ------
    DataFileError
        A file of several layers and none named (the message lists them and says how to
        name one), or a layer named that the file lacks.
    """
    suffix = path.suffix.lower()
    if suffix == ".zip":
        return _zip_member(path, layer)
    if suffix not in (".gpkg", ".sqlite") or not path.is_file():
        return str(path), layer
    try:
        choices = gpkg_choices(path)
    except Exception:  # noqa: BLE001 - the reader then names the broken file
        return str(path), layer
    if layer is not None:
        if layer not in choices:
            raise DataFileError(f"{path}: holds no layer '{layer}'; its layers are "
                                f"{', '.join(choices)}")
        return str(path), layer
    if len(choices) <= 1:
        return str(path), choices[0] if choices else None
    if label in choices:
        return str(path), label
    raise DataFileError(
        f"{path}: holds {len(choices)} layers ({', '.join(choices)}) and none was named"
        f"{f' (none is called {label!r})' if label else ''}: name the one to read as "
        f"{path}:{choices[0]} (the same FILE:layer form works for every layer file, in every "
        "command and in the API)")


def _zip_member(path: Path, member: str | None) -> tuple[str, str | None]:
    """Return the GDAL path of the Shapefile inside a zip (also one in a folder of it)."""
    shapefiles = zip_shapefiles(path)
    if member is not None:
        if member not in shapefiles:
            raise DataFileError(f"{path}: holds no Shapefile '{member}'; it holds "
                                f"{', '.join(shapefiles) or 'no Shapefile'}")
        return f"/vsizip/{path.absolute()}/{member}", None
    if len(shapefiles) > 1:
        raise DataFileError(
            f"{path}: holds {len(shapefiles)} Shapefiles ({', '.join(shapefiles)}) and none "
            f"was named: name the one to read as {path}:{shapefiles[0]}")
    if shapefiles and "/" in shapefiles[0]:  # in a folder: GDAL looks at the top level only
        return f"/vsizip/{path.absolute()}/{shapefiles[0]}", None
    return str(path), None
