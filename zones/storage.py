"""Files and folders on any fsspec filesystem (``s3://…``, ``gs://…``, ``abfs://…``) or local.

A *location* is a local :class:`~pathlib.Path` or, for a URL, a ``upath.UPath`` carrying
its fsspec storage options (credentials, endpoint). Both have the ``pathlib`` interface
the readers and writers use (``/``, ``name``, ``stem``, ``glob``, ``is_dir``, ``open``), and
a ``UPath`` pickles with its options, so dask workers read and write the same objects.
Credentials come from the filesystem's usual configuration (``AWS_*`` variables,
``~/.aws``, ``GOOGLE_APPLICATION_CREDENTIALS``, fsspec's config files) unless storage
options are given (:func:`load_storage_options`).

Object stores have no rename: a run folder on a URL (:func:`remote_run_folder`) is
written into a staging prefix beside ``out`` and moved onto ``out`` (copied, then the
staging deleted) only when the run ends without error; there is no lock file. Local
paths keep :mod:`zonekit.zones.output`'s atomic renames and lock.

Nothing here imports fsspec or upath unless a URL is given.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zonekit.errors import DataFileError

if TYPE_CHECKING:
    import pandas as pd

#: The fsspec protocols that are local files (a plain path is used for them).
LOCAL_PROTOCOLS = ("file", "local")


def is_url(path: Any) -> bool:
    """Whether ``path`` names a file on an fsspec filesystem other than the local one."""
    if type(path).__module__.startswith("upath"):
        return getattr(path, "protocol", "") not in ("", *LOCAL_PROTOCOLS)
    if not isinstance(path, str) or "://" not in path:
        return False
    return path.split("://", 1)[0].lower() not in LOCAL_PROTOCOLS


def is_location(obj: Any) -> bool:
    """Whether ``obj`` is a path or URL (not a frame)."""
    return isinstance(obj, (str, os.PathLike)) or is_url(obj)


def location(path: Any, storage_options: dict[str, Any] | None = None) -> Any:
    """Return a ``Path`` for a local path, a ``UPath`` with ``storage_options`` for a URL.

    Raises
    ------
    DataFileError
        The URL's filesystem is not installed (e.g. ``s3fs`` for ``s3://``).
    """
    if not is_url(path):
        if isinstance(path, str) and path.startswith("file://"):
            path = path[len("file://"):]
        return Path(path)
    if not isinstance(path, str):
        return path if not storage_options else location(str(path), storage_options)
    try:
        from upath import UPath

        loc = UPath(path, **(storage_options or {}))
        loc.fs  # noqa: B018 - opens the filesystem now, so a missing package is said here
    except ImportError as exc:
        raise DataFileError(f"{path}: reading and writing URLs needs fsspec's filesystem for "
                            f"it ({exc}); pip install 'zonekit[cloud]' (s3fs; gcsfs, adlfs "
                            f"for gs://, abfs://)") from exc
    return loc


def load_storage_options(path: Path | str | None) -> dict[str, Any]:
    """Read fsspec storage options from a YAML or JSON file (``{}`` for None).

    The keys are the filesystem's own (for s3fs: ``key``, ``secret``, ``endpoint_url``,
    ``client_kwargs``, ``anon``, …); they go to every URL of the run.

    Raises
    ------
    DataFileError
        The file is missing, unreadable or not a mapping.
    """
    if path is None:
        return {}
    import yaml

    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DataFileError(f"{path}: cannot read the storage options ({exc})") from exc
    if not isinstance(data, dict):
        raise DataFileError(f"{path}: storage options must be a mapping of fsspec options "
                            f"(e.g. endpoint_url: …, key: …), found {type(data).__name__}")
    return data


def open_binary(src: Any) -> Any:
    """Open a location for reading bytes (pyarrow reads schemas and metadata from it)."""
    return src.open("rb") if is_url(src) else open(src, "rb")


def read_geoparquet(src: Any, **kwargs: Any) -> Any:
    """``geopandas.read_parquet`` of a local path or URL (``columns=``, ``bbox=`` as there)."""
    import geopandas as gpd

    if is_url(src):
        return gpd.read_parquet(str(src), filesystem=src.fs, **kwargs)
    return gpd.read_parquet(src, **kwargs)


def parquet_rows(path: Any) -> int:
    """Rows of a Parquet file (local or URL), from its metadata."""
    import pyarrow.parquet as pq

    with open_binary(path) as fh:
        return pq.ParquetFile(fh).metadata.num_rows


def parquet_columns(path: Any, columns: list[str]) -> pd.DataFrame:
    """Read some attribute columns of a Parquet file (local or URL), as a plain DataFrame."""
    import pyarrow.parquet as pq

    with open_binary(path) as fh:
        return pq.read_table(fh, columns=columns).to_pandas()


def parquet_names(path: Any) -> list[str]:
    """Column names of a Parquet file (local or URL)."""
    import pyarrow.parquet as pq

    with open_binary(path) as fh:
        return pq.read_schema(fh).names



@contextmanager
def staged_file(target: Any) -> Iterator[Path]:
    """Yield a local temporary path; upload it to the URL ``target`` on success."""
    tmp = Path(tempfile.mkdtemp(prefix=".zonekit-upload-"))
    try:
        part = tmp / target.name
        yield part
        target.fs.put_file(str(part), target.path)
    finally:
        for leftover in tmp.iterdir():
            leftover.unlink()
        tmp.rmdir()


def _key(item: Any) -> str:
    return str(item).rstrip("/") if is_url(item) else str(Path(item).resolve())


def check_remote_out(out: Any, force: bool, inputs: Iterable[Any]) -> None:
    """Refuse a URL ``out`` that is an input, or holds earlier results (without ``force``).

    The rules of :func:`zonekit.zones.output.check_out` on a URL: a folder holding files
    not of a zonekit run (no ``summary.json``) is refused too.
    """
    from zonekit.zones.output import RUN_MARKER, OutputError

    target = _key(out)
    for item in inputs:
        if item is None or not is_url(item):
            continue
        src = _key(item)
        if target == src or src.startswith(target + "/") or target.startswith(src + "/"):
            raise OutputError(f"{out}: the out= folder overlaps the input {item}; a run "
                              "replaces its output folder: choose another out= folder")
    if not out.exists():
        return
    if (out / RUN_MARKER).exists():
        if not force:
            raise OutputError(f"{out}: holds results of an earlier run ({RUN_MARKER}); pass "
                              "force=True to replace them, or choose another out= folder")
    elif out.is_file() or any(True for _ in out.iterdir()):
        raise OutputError(f"{out}: holds files that are not results of a zonekit run; a run "
                          "replaces its whole output folder, so choose a new or empty one")


@contextmanager
def remote_run_folder(out: Any, force: bool, inputs: Iterable[Any]) -> Iterator[Any]:
    """Yield a staging prefix beside the URL ``out``; it is moved onto ``out`` on success."""
    check_remote_out(out, force, inputs)
    staging = out.parent / f".{out.name}.staging-{secrets.token_hex(4)}"
    fs = out.fs
    try:
        yield staging
        _move(fs, staging.path, out.path)
    finally:
        if staging.exists():
            fs.rm(staging.path, recursive=True)


def _move(fs: Any, staging: str, out: str) -> None:
    """Replace ``out`` by the files under ``staging`` (copied: object stores have no rename)."""
    fs.invalidate_cache()
    files = fs.find(staging)
    if fs.exists(out):
        fs.rm(out, recursive=True)
    if files:
        fs.copy(files, [out + f[len(staging):] for f in files])
    fs.rm(staging, recursive=True)
    fs.invalidate_cache()
