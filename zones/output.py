"""Output folders that are safe: never an input, never half-written, one run at a time.

:func:`run_folder` wraps a run that writes into a folder ``out``:

- it refuses an ``out`` that is, contains or lies inside one of the run's inputs (a run
  must never overwrite or delete what it reads);
- the run writes into a staging folder beside ``out``, which replaces ``out`` only when
  the run ends without error: an interrupted or failed run leaves ``out`` as it was;
- a lock file beside ``out`` refuses a second run into the same ``out`` while one is going;
- a folder that cannot be written (read-only, a file in the way) is a clear error.

:func:`write_vector_file` writes one vector file atomically, including formats made of
several files (Shapefile) and formats without geometry (CSV: geometry as WKT).
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from zonekit.errors import DataFileError
from zonekit.zones.storage import check_remote_out, is_url, location, remote_run_folder

if TYPE_CHECKING:
    import geopandas as gpd


class OutputError(DataFileError):
    """An output folder or file cannot be used (an input, locked, not writable)."""


#: Files a finished run leaves in its folder; one of them marks a folder as a run's.
RUN_MARKER = "summary.json"
#: Longest path (bytes) of a GeoPackage that SQLite opens (its 512 less "-journal"; measured:
#: Python's sqlite3 opens 500-byte paths, not 507), and how deep a run's files lie in it
#: (``circles_service/surfaces/minutes_convenience_store.tif`` is 54 bytes).
SQLITE_PATH_MAX = 500
RUN_DEPTH = 64
#: Free space (bytes) below which a failed write is taken as a full disk.
FULL_DISK_BYTES = 1 << 20
#: Suffixes of the files making up one Shapefile.
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx")


def check_not_input(out: Path, inputs: Iterable[Path | str | None]) -> None:
    """Refuse an output path that is, contains or lies inside one of ``inputs``.

    Parameters
    ----------
    out
        Output folder (or file).
    inputs
        Input files and folders of the run; ``None`` entries are ignored.
    """
    target = Path(out).resolve()
    for item in inputs:
        if item is None or is_url(item):  # a URL is never a local folder
            continue
        src = Path(item).resolve()
        if target == src:
            how = "is"
        elif src.is_relative_to(target):
            how = "contains"
        elif target.is_relative_to(src):
            how = "lies inside"
        else:
            continue
        raise OutputError(
            f"{out}: the out= folder {how} the input {item}; a run replaces its output "
            "folder, so it must be separate from every input: choose another out= folder"
        )


def check_out(out: Path | str, force: bool, inputs: Iterable[Path | str | None]) -> None:
    """Refuse, before any work, an output folder a run could not use (see :func:`run_folder`)."""
    if is_url(out):
        check_remote_out(location(out), force, inputs)
        return
    check_not_input(Path(out), inputs)
    check_path_length(Path(out).absolute())
    _check_writable(Path(out).absolute(), force)


def check_path_length(out: Path) -> None:
    """Refuse an output folder so deep that the run's GeoPackages could not be opened.

    The run writes into ``.NAME.staging-XXXXXXXX`` beside ``out`` and its files lie up to
    :data:`RUN_DEPTH` bytes below it; SQLite (GeoPackage) opens no path longer than
    :data:`SQLITE_PATH_MAX` bytes.
    """
    staging = len(os.fsencode(out.parent)) + len(os.fsencode(out.name)) + len("/..staging-xxxxxxxx")
    if staging + RUN_DEPTH > SQLITE_PATH_MAX:
        longest = SQLITE_PATH_MAX - RUN_DEPTH - len("/..staging-xxxxxxxx")
        raise OutputError(
            f"{out}: the out= folder's path is {len(os.fsencode(out)):,} bytes long; the run's "
            f"GeoPackages (SQLite files) could not be opened under it (SQLite takes paths of at "
            f"most {SQLITE_PATH_MAX} bytes): choose an out= folder with a path of at most "
            f"{longest} bytes")


def _check_writable(out: Path, force: bool) -> None:
    """Refuse a file in the way, earlier results without ``force``, or a foreign folder."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: the output must be a folder, found a file")
    if not out.exists():
        return
    if (out / RUN_MARKER).exists():
        if not force:
            raise OutputError(
                f"{out}: holds results of an earlier run ({RUN_MARKER}); pass force=True to "
                "replace them, or choose another out= folder")
    elif any(out.iterdir()):
        raise OutputError(
            f"{out}: the folder holds files that are not results of a zonekit run; a run "
            "replaces its whole output folder, so choose a new or empty folder")
    if not os.access(out, os.W_OK | os.X_OK):
        raise OutputError(f"{out}: the out= folder is read-only; choose a folder you can "
                          "write to")


def _not_writable(out: Path, exc: OSError) -> OutputError:
    return OutputError(f"{out}: cannot write beside the out= folder ({exc.strerror or exc}); "
                       "choose a folder you can write to")


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _lock_path(out: Path) -> Path:
    return out.parent / f".{out.name}.zonekit-lock"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists, owned by someone else
    return True


@contextmanager
def _lock(out: Path) -> Iterator[None]:
    """Hold a lock file beside ``out``; a stale lock (its process gone) is taken over."""
    lock = _lock_path(out)
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            break
        except FileExistsError:
            try:
                pid = int(lock.read_text(encoding="ascii").strip() or 0)
            except (OSError, ValueError):
                pid = 0
            if pid and _pid_alive(pid):
                raise OutputError(
                    f"{out}: another zonekit run (process {pid}) is writing into this folder "
                    f"(lock file {lock}); wait for it to finish, or choose another output "
                    "folder") from None
            lock.unlink(missing_ok=True)  # stale: its run ended without cleaning up
        except OSError as exc:
            raise _not_writable(out, exc) from exc
    else:
        raise OutputError(f"{out}: cannot take the lock file {lock}; is another run starting?")
    try:
        os.write(fd, str(os.getpid()).encode("ascii"))
        os.close(fd)
        yield
    finally:
        lock.unlink(missing_ok=True)


def _swap_in(staging: Path, out: Path) -> None:
    """Move ``staging`` to ``out``; an earlier ``out`` is moved aside, then deleted."""
    old = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        os.replace(out, old / out.name)
    os.replace(staging, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@contextmanager
def run_folder(out: Path | str, force: bool = False,
               inputs: Iterable[Path | str | None] = ()) -> Iterator[Path]:
    """Yield a staging folder to write a run into; it becomes ``out`` when the run ends.

    Parameters
    ----------
    out
        The output folder.
    force
        Replace an earlier run's results (a folder holding ``summary.json``).
    inputs
        The run's input files and folders: ``out`` may not be, contain or lie inside one.

    Raises
    ------
    OutputError
        ``out`` is an input, holds earlier results (without ``force``) or other files,
        is locked by another run, or cannot be written.

    Notes
    -----
    On success, ``out`` is replaced by two renames (old ``out`` aside, staging in), so it
    holds either the earlier run or the new one, never a mix; if the process dies between
    the two renames, the earlier results are in ``.NAME.old-*`` beside it. On error or
    interruption (Ctrl-C) the staging folder is deleted and ``out`` is untouched. A URL
    ``out`` (``s3://…``) goes through :func:`zonekit.zones.storage.remote_run_folder`.
    """
    if is_url(out):
        with remote_run_folder(location(out), force, inputs) as staging:
            yield staging
        return
    out = Path(out).absolute()
    check_not_input(out, inputs)
    check_path_length(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out}: cannot create the out= folder ({exc.strerror or exc})") \
            from exc
    with _terminate_cleanly(), _lock(out), _stops_in_finalizers() as stops:
        _check_writable(out, force)
        try:
            staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-", dir=out.parent))
            os.chmod(staging, 0o777 & ~_umask())  # mkdtemp makes it private (0700)
        except OSError as exc:
            raise _full_disk(out, exc) or _not_writable(out, exc) from exc
        try:
            yield staging
            if stops:  # Ctrl-C or SIGTERM arrived inside a finalizer, which swallowed it
                raise stops[0]
            _swap_in(staging, out)
        except Exception as exc:
            full = _full_disk(out, exc)  # before the staging folder is removed (and frees it)
            if full is not None:
                raise full from exc
            raise
        except (KeyboardInterrupt, SystemExit):
            # The run is abandoned: writers it left half-done (openpyxl's row generators)
            # would print "Exception ignored …" tracebacks when collected at exit.
            sys.unraisablehook = _abandoned
            raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)


@contextmanager
def _stops_in_finalizers() -> Iterator[list[BaseException]]:
    """Collect Ctrl-C and SIGTERM raised inside finalizers while a run writes.

    A signal whose handler runs inside a finalizer (a weakref callback, ``__del__``) raises
    there, where Python only prints "Exception ignored …" and goes on: the run would end
    and swap its results in as if nothing had happened. Such stops are kept, unprinted,
    and :func:`run_folder` raises the first one before the swap.
    """
    stops: list[BaseException] = []
    previous = sys.unraisablehook

    def hook(unraisable: sys.UnraisableHookArgs) -> None:
        if isinstance(unraisable.exc_value, (KeyboardInterrupt, SystemExit)):
            stops.append(unraisable.exc_value)
        else:
            previous(unraisable)

    sys.unraisablehook = hook
    try:
        yield stops
    finally:
        if sys.unraisablehook is hook:
            sys.unraisablehook = previous


def _abandoned(unraisable: object) -> None:
    """Drop finalizer errors of an interrupted run's abandoned writers (a stopped run)."""


def _full_disk(out: Path, exc: BaseException) -> OutputError | None:
    """Return the error to raise when ``exc`` came from a full disk, else ``None``.

    GDAL and SQLite report a full disk in their own words ("no such table: gpkg_contents",
    "database or disk is full"); the free space of the device says it plainly.
    """
    chain: list[BaseException] = []
    item: BaseException | None = exc
    while item is not None and item not in chain:
        chain.append(item)
        item = item.__cause__ or item.__context__
    said = any(getattr(e, "errno", None) == errno.ENOSPC or "disk is full" in str(e)
               or "No space left" in str(e) for e in chain)
    try:
        free = shutil.disk_usage(out.parent).free
    except OSError:
        return None
    if not said and (free >= FULL_DISK_BYTES or isinstance(exc, DataFileError)):
        return None  # a message of ours about something else: keep it
    return OutputError(
        f"{out}: no space left on the device holding out= ({free / 2**20:.1f} MiB free); "
        "nothing was written (an earlier run there is as it was): free some space or choose "
        "another out= folder")


@contextmanager
def _terminate_cleanly() -> Iterator[None]:
    """Turn SIGTERM into ``SystemExit`` while a run writes, so its cleanup runs.

    By default SIGTERM ends the process at once, leaving the staging folder and the lock
    file behind; SIGINT already raises ``KeyboardInterrupt``. Only in the main thread (where
    Python runs signal handlers), and only when no one else handles SIGTERM.
    """
    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def write_vector_file(gdf: gpd.GeoDataFrame, target: Path, layer: str | None = None) -> Path:
    """Write a vector file atomically, in the format its suffix names.

    Formats of several files (Shapefile: ``.shp``, ``.shx``, ``.dbf``, ``.prj``, ``.cpg``)
    are written into a temporary folder beside ``target`` and each part moved into place;
    ``.csv`` gets the attributes with the geometry as WKT in column ``geometry``.

    Parameters
    ----------
    gdf
        The layer to write.
    target
        Output file; its suffix chooses the format.
    layer
        Layer name inside formats that have layers (default: the file's stem).
    """
    import pyogrio

    target = Path(target)
    layer = layer or target.stem
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.stem}.tmp-", dir=target.parent))
    try:
        part = tmp / target.name
        if target.suffix.lower() == ".csv":
            table = gdf.to_wkt() if hasattr(gdf, "to_wkt") else gdf
            table.to_csv(part, index=False, encoding="utf-8-sig")
        else:
            kwargs = {"encoding": "UTF-8"} if target.suffix.lower() == ".shp" else {}
            pyogrio.write_dataframe(gdf, part, layer=layer, **kwargs)
        for written in sorted(tmp.iterdir(), key=lambda p: p.suffix.lower() == ".shp"):
            # The .shp last: a reader that sees it finds its .dbf/.shx already in place.
            os.replace(written, target.parent / written.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target
