"""Detect the text encoding of a Shapefile's ``.dbf`` when no ``.cpg`` says it.

Chinese Shapefiles are often GBK-encoded with no ``.cpg``; GDAL then assumes ISO-8859-1
and Chinese names turn into mojibake. We read the ``.dbf`` records as bytes and try UTF-8
first (strict), then GB18030 (a superset of GBK and GB2312).
"""

from __future__ import annotations

from pathlib import Path

# dBASE language-driver ids that name a Chinese code page.
_LDID_CHINESE = {0x4D: "GB18030", 0x7A: "GB18030"}


def shapefile_encoding(path: Path, max_bytes: int = 4_000_000) -> str | None:
    """Return the encoding to read ``path`` with, or ``None`` to let GDAL decide.

    Parameters
    ----------
    path
        The ``.shp`` (or ``.dbf``) file.
    max_bytes
        How much of the ``.dbf`` to inspect.
    """
    path = Path(path)
    cpg = _cpg_of(path)
    dbf = path.with_suffix(".dbf")
    if not dbf.exists():
        dbf = path.with_suffix(".DBF")
        if not dbf.exists():
            return None
    with dbf.open("rb") as fh:
        return _decide(None if cpg is None else cpg.read_bytes()[:64], fh.read(max_bytes))


def _cpg_of(path: Path) -> Path | None:
    return next((p for p in (path.with_suffix(".cpg"), path.with_suffix(".CPG")) if p.exists()),
                None)


def _decide(cpg: bytes | None, dbf: bytes) -> str | None:
    """Return the encoding to read a .dbf with, given its .cpg's text (``None``: no .cpg)."""
    if cpg is not None and not _says_utf8(cpg):
        return None  # a .cpg naming another code page: GDAL follows it
    found = dbf_encoding(dbf)
    if cpg is not None and found == "UTF-8":
        return None  # the .cpg is right
    return found


def _says_utf8(cpg: bytes) -> bool:
    """Whether a ``.cpg``'s text names UTF-8 (``UTF-8``, ``utf8``, ``65001``)."""
    text = cpg[:64].decode("ascii", "replace").strip().lower().replace("-", "")
    return text in ("utf8", "65001")


def cpg_contradicted(path: Path, used: str | None) -> str | None:
    """Return a note when ``used`` (detected) overrides a ``.cpg`` that says UTF-8.

    ``path`` is a ``.shp`` or a ``.zip`` holding one (its first Shapefile's ``.cpg``).
    """
    if used is None or used == "UTF-8":
        return None
    if Path(path).suffix.lower() == ".zip":
        members = _zip_members(Path(path), 0)
        name = None if members is None or members[0] is None else members[2]
    else:
        cpg = _cpg_of(Path(path))
        name = None if cpg is None else cpg.name
    if name is None:
        return None
    return (f"{name} says UTF-8, but the .dbf's text is not UTF-8: read as {used} (GBK); "
            "fix the .cpg (write GBK in it) so other programs read it right too")


def zip_shapefile_encoding(path: Path, max_bytes: int = 4_000_000) -> str | None:
    """Like :func:`shapefile_encoding`, for the (first) Shapefile inside a zip archive.

    Parameters
    ----------
    path
        The ``.zip`` file.
    max_bytes
        How much of the ``.dbf`` to inspect.
    """
    members = _zip_members(Path(path), max_bytes)
    return None if members is None else _decide(members[0], members[1])


def _zip_members(path: Path, max_bytes: int) -> tuple[bytes | None, bytes, str] | None:
    """Return the first Shapefile's ``.cpg`` text (or ``None``), ``.dbf`` bytes, ``.cpg`` name."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            names = {n.lower(): n for n in archive.namelist()}
            shp = sorted(n for n in names if n.endswith(".shp"))
            if not shp or names.get(f"{shp[0][:-4]}.dbf") is None:
                return None
            stem = shp[0][:-4]
            cpg = names.get(f"{stem}.cpg")
            with archive.open(names[f"{stem}.dbf"]) as fh:
                dbf = fh.read(max_bytes)
            text = None if cpg is None else archive.read(cpg)[:64]
            return text, dbf, Path(cpg or f"{stem}.cpg").name
    except (zipfile.BadZipFile, OSError):
        return None  # GDAL then reports the broken archive with the file name


def dbf_encoding(raw: bytes) -> str | None:
    """Return the encoding of the names and records in ``raw`` (a ``.dbf``'s first bytes).

    ``None``: plain ASCII (any encoding reads it) or undecided.
    """
    if len(raw) < 32:
        return None
    header_len = int.from_bytes(raw[8:10], "little")
    # Field names count too: Chinese names (状态, 地块编号) over ASCII-only records.
    names = b"".join(raw[i:i + 11].split(b"\0")[0] for i in range(32, header_len - 31, 32))
    body = names + b" " + raw[header_len:]
    if all(b < 0x80 for b in body):
        return None  # plain ASCII: any encoding reads it
    try:
        body.decode("utf-8")
        return "UTF-8"
    except UnicodeDecodeError as exc:
        # A record cut at max_bytes may end mid-character: accept when only the tail fails.
        if exc.start >= len(body) - 4:
            return "UTF-8"
    if raw[29] in _LDID_CHINESE:
        return _LDID_CHINESE[raw[29]]
    try:
        body.decode("gb18030")
        return "GB18030"
    except UnicodeDecodeError:
        return None
