"""Partitions of a province: whole parks per partition, as GeoParquet files or in memory.

A partitioned run (:mod:`zonekit.analysis.scale.evaluation`) needs every enterprise in the same
partition as its parcel (firms sharing a parcel share its land). The layout on disk::

    PARTS/zones/*.parquet            all zones (any number of files)
    PARTS/parcels/NAME.parquet       parcels of some whole parks
    PARTS/enterprises/NAME.parquet   the enterprises of the same parks (same NAME)

``PARTS`` is a local folder or an fsspec URL (``s3://bucket/parts``: see
:mod:`zonekit.zones.storage`). Files are GeoParquet in one projected CRS
(``dask_geopandas.read_parquet`` reads each folder as a partitioned frame).
:func:`split_layers` cuts in-memory layers (e.g. one :func:`zonekit.load_park` result)
into such parts, grouping zones by a ``park_id`` column when there is one, and
:func:`write_parts` writes them;
:func:`from_dask` takes dask-geopandas frames partitioned alike. :class:`PartitionLayer` reads
point and line layers by bounding box (for the circles).

:func:`load_part` and :func:`check_parts` run before any heavy work: every part is
validated against the layer model, and the parts together must hold each parcel and
enterprise id once, with each firm beside its parcel. Nothing here imports dask.
"""

# Module size: ~400 lines — one on-disk layout: writing, finding and reading the
# partitions share its folder names and checks.

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely

from zonekit.errors import CRSError, DataFileError, SchemaError, ZonekitError, format_rows
from zonekit.zones.storage import (
    is_location,
    location,
    open_binary,
    parquet_rows,
    read_geoparquet,
)

if TYPE_CHECKING:
    import geopandas as gpd

LAYERS = ("zones", "parcels", "enterprises")
#: A layer of one part: a GeoDataFrame, or a GeoParquet file read where the work runs.
Source = Any


@dataclass
class Part:
    """One partition: parcels and enterprises of some whole parks."""

    name: str
    parcels: Source
    enterprises: Source


@dataclass
class Parts:
    """All partitions of a run, and the zones (small: read whole)."""

    zones: Source | list[Path]
    parts: list[Part] = field(default_factory=list)
    where: str = "in memory"

    def __len__(self) -> int:
        return len(self.parts)


def find_parts(folder: Path | str, storage_options: dict[str, Any] | None = None) -> Parts:
    """Find co-partitioned GeoParquet files under ``folder`` (see the module docstring).

    ``folder`` may be a URL, read with ``storage_options`` (fsspec's, e.g. credentials).

    Raises
    ------
    DataFileError
        A layer folder is missing or empty, or parcel and enterprise file names differ.
    """
    folder = location(folder, storage_options)
    files: dict[str, list[Path]] = {}
    for name in LAYERS:
        sub = folder / name
        found = sorted(sub.glob("*.parquet")) if sub.is_dir() else []
        if not found and (folder / f"{name}.parquet").is_file():
            found = [folder / f"{name}.parquet"]
        if not found:
            raise DataFileError(f"{sub}: expected GeoParquet files (*.parquet) of layer "
                                f"'{name}', found none")
        files[name] = found
    p_names = {f.stem: f for f in files["parcels"]}
    e_names = {f.stem: f for f in files["enterprises"]}
    if set(p_names) != set(e_names):
        only_p = sorted(set(p_names) - set(e_names))
        only_e = sorted(set(e_names) - set(p_names))
        raise DataFileError(
            f"{folder}: parcels/ and enterprises/ must hold files of the same names (one per "
            f"partition, firms beside their parcels); only in parcels/: "
            f"{format_rows(only_p) or 'none'}; only in enterprises/: "
            f"{format_rows(only_e) or 'none'}")
    parts = [Part(name, p_names[name], e_names[name]) for name in sorted(p_names)]
    return Parts(files["zones"], parts, where=str(folder))


def split_layers(zones: gpd.GeoDataFrame, parcels: gpd.GeoDataFrame,
                 enterprises: gpd.GeoDataFrame, n_parts: int,
                 group_col: str = "park_id") -> Parts:
    """Cut layers into ``n_parts`` parts of whole parks (or whole zones), firms with parcels.

    Zones are grouped by ``group_col`` when present (else each zone is a group); groups go
    to the least loaded part, largest first (load = enterprises). Parcels follow their
    zone, enterprises their parcel; parcels with no zone and firms with no known parcel
    go to the first part. Row order and index are kept within each part.
    """
    if n_parts < 1:
        raise ValueError(f"n_parts must be ≥ 1, got {n_parts}")
    group = zones[group_col] if group_col in zones else zones["zone_id"]
    zone_group = pd.Series(group.to_numpy(), index=zones["zone_id"].to_numpy())
    zone_group = zone_group[~zone_group.index.duplicated()]
    p_group = parcels["zone_id"].map(zone_group)
    parcel_group = pd.Series(p_group.to_numpy(), index=parcels["parcel_id"].to_numpy())
    e_group = enterprises["parcel_id"].map(parcel_group.groupby(level=0).first())
    load = e_group.value_counts().reindex(pd.unique(zone_group.to_numpy()), fill_value=0)
    assign: dict[object, int] = {}
    totals = np.zeros(n_parts)
    for g, n in sorted(load.items(), key=lambda kv: (-kv[1], str(kv[0]))):
        k = int(np.argmin(totals))
        assign[g], totals[k] = k, totals[k] + n
    p_part = p_group.map(assign).fillna(0).astype(int).to_numpy()
    e_part = e_group.map(assign).fillna(0).astype(int).to_numpy()
    parts = [Part(f"part-{k:04d}", parcels.loc[p_part == k], enterprises.loc[e_part == k])
             for k in range(n_parts)]
    return Parts(zones, [p for p in parts if len(p.parcels) or len(p.enterprises)])


def from_dask(zones: Any, parcels: Any, enterprises: Any) -> Parts:
    """Parts from dask(-geopandas) frames partitioned alike (partition k: the same parks).

    ``parcels`` and ``enterprises`` are e.g. ``dask_geopandas.read_parquet`` results;
    their partitions are computed on the cluster, never on the client. ``zones`` may be
    a GeoDataFrame or a dask frame (computed here: it is small).
    """
    if parcels.npartitions != enterprises.npartitions:
        raise SchemaError(f"parcels and enterprises must be partitioned alike (partition k of "
                          f"each holding the same parks), found {parcels.npartitions} and "
                          f"{enterprises.npartitions} partitions")
    zones = zones.compute() if hasattr(zones, "compute") else zones
    pairs = zip(parcels.to_delayed(), enterprises.to_delayed(), strict=True)
    return Parts(zones, [Part(f"part-{k:04d}", p, e) for k, (p, e) in enumerate(pairs)],
                 where="dask frames")


def write_parts(parts: Parts, folder: Path | str) -> Path:
    """Write in-memory parts as GeoParquet (the layout of :func:`find_parts`; a URL too)."""
    folder = location(folder)
    _write(parts.zones, folder / "zones" / "zones.parquet")
    for part in parts.parts:
        _write(part.parcels, folder / "parcels" / f"{part.name}.parquet")
        _write(part.enterprises, folder / "enterprises" / f"{part.name}.parquet")
    return folder


def _write(gdf: gpd.GeoDataFrame, path: Path) -> None:
    from zonekit.zones.io import atomic_path

    with atomic_path(path) as tmp:
        gdf.to_parquet(tmp, write_covering_bbox=True)


def read_source(src: Source, columns: list[str] | None = None) -> gpd.GeoDataFrame:
    """Return the layer itself, or read the GeoParquet file (only ``columns`` if given)."""
    if not is_location(src):
        return src
    try:
        return read_geoparquet(src, columns=columns)
    except Exception as exc:  # pyarrow raises several types; say which file failed
        raise DataFileError(f"{src}: cannot read GeoParquet ({type(exc).__name__}: "
                            f"{str(exc).strip()[:300]})") from exc


def read_zones(src: Source | list[Path]) -> gpd.GeoDataFrame:
    """All zones: the frame itself, or the files concatenated in name order."""
    if isinstance(src, list):
        frames = [read_source(f) for f in src]
        return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    return read_source(src)


@dataclass
class PartInfo:
    """What :func:`check_parts` needs to know about one loaded part (small)."""

    name: str
    crs: str | None
    problems: list[str]
    parcel_hash: np.ndarray
    ent_hash: np.ndarray
    foreign_parcels: np.ndarray
    years: list[int]
    rows: tuple[int, int]


def load_part(part: Part, validate: bool = True) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Read one part and check it against the layer model (types normalised).

    Errors are not raised here but listed in :func:`inspect_part`, so one message covers
    every part.
    """
    from zonekit.zones.schema import LAYERS as MODEL
    from zonekit.zones.validate import validate_layer

    parcels, ents = read_source(part.parcels), read_source(part.enterprises)
    if validate:
        problems = []
        for name, gdf, src in (("parcels", parcels, part.parcels),
                               ("enterprises", ents, part.enterprises)):
            checked, found = validate_layer(gdf, MODEL[name], _label(src, part, name))
            problems += [str(p) for p in found.errors]
            if name == "parcels":
                parcels = checked
            else:
                ents = checked
        parcels.attrs["zonekit_problems"] = problems
    return parcels, ents


def inspect_part(name: str, layers: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]) -> PartInfo:
    """Summarise a loaded part for :func:`check_parts` (ids hashed to 8 bytes each)."""
    parcels, ents = layers
    crs = {None if g.crs is None else g.crs.to_string() for g in (parcels, ents)}
    problems = list(parcels.attrs.get("zonekit_problems", []))
    if len(crs) > 1:
        problems.append(f"part {name}: parcels and enterprises in different CRS "
                        f"({', '.join(map(str, crs))})")
    pid = ents["parcel_id"]
    local = pid.isin(set(parcels["parcel_id"]))
    foreign = pd.unique(pid[pid.notna() & ~local].astype(str))
    years = sorted({int(y) for y in ents["year"].dropna()}) if "year" in ents else []
    return PartInfo(name, next(iter(crs)), problems, _hash(parcels["parcel_id"]),
                    _hash(ents["ent_id"]), np.asarray(foreign, dtype=object), years,
                    (len(parcels), len(ents)))


def check_parts(infos: list[PartInfo], zones: gpd.GeoDataFrame, where: str) -> None:
    """Stop before the heavy work when the parts cannot give the one-run answer.

    Raises
    ------
    SchemaError
        Invalid rows (every part's problems at once), duplicate ids across parts, or
        enterprises whose parcel is in another part.
    CRSError
        Layers in different or non-projected CRS.
    """
    problems = [p for info in infos for p in info.problems]
    if problems:
        lines = "\n".join(f"  - {p}" for p in problems[:50])
        more = f"\n  … and {len(problems) - 50} more" if len(problems) > 50 else ""
        raise SchemaError(f"{len(problems)} problem(s) in the partitions under {where}:\n"
                          f"{lines}{more}\nFix the rows above (zonekit check reads one park).")
    crs = {info.crs for info in infos} | {None if zones.crs is None else zones.crs.to_string()}
    if len(crs) != 1:
        raise CRSError(f"{where}: every partition and the zones must share one projected CRS, "
                       f"found {', '.join(sorted(map(str, crs)))}")
    if zones.crs is None or not zones.crs.is_projected:
        raise CRSError(f"{where}: expected a projected CRS in metres, found "
                       f"{next(iter(crs))}; project the layers first")
    dup_zone = zones["zone_id"][zones["zone_id"].duplicated()]
    if len(dup_zone):
        raise SchemaError(f"{where}, layer 'zones', column 'zone_id': duplicate ids "
                          f"{format_rows(sorted(set(dup_zone), key=str))}")
    for layer, attr in (("parcels", "parcel_hash"), ("enterprises", "ent_hash")):
        pairs = pd.DataFrame({
            "h": np.concatenate([getattr(i, attr) for i in infos]),
            "part": np.concatenate([np.full(len(getattr(i, attr)), k)
                                    for k, i in enumerate(infos)])}).drop_duplicates()
        shared = pairs.loc[pairs["h"].duplicated(keep=False), "part"]
        if len(shared):
            names = sorted({infos[k].name for k in shared})
            raise SchemaError(f"{where}, layer '{layer}': the same ids appear in several "
                              f"partitions ({format_rows(names)}); ids must be unique overall")
    foreign = [(i.name, f) for i in infos for f in i.foreign_parcels]
    if foreign:
        held = np.isin(_hash(pd.Series([f for _, f in foreign], dtype=object)),
                       np.concatenate([i.parcel_hash for i in infos]))
        rows = [f"{f} (enterprises in {n})" for (n, f), h in zip(foreign, held, strict=True) if h]
        if rows:
            raise SchemaError(
                f"{where}: enterprises must be in the same partition as their parcel (firms "
                f"sharing a parcel share its land); parcels held in another partition: "
                f"{format_rows(rows)}")


def _hash(ids: pd.Series) -> np.ndarray:
    if not len(ids):
        return np.zeros(0, dtype=np.uint64)
    return pd.util.hash_array(ids.astype(str).to_numpy(dtype=object))


def _label(src: Source, part: Part, layer: str) -> str:
    return str(src) if is_location(src) else f"partition {part.name}, {layer}"


@dataclass
class PartitionLayer:
    """A point or line layer: in memory, or GeoParquet files with their bounding boxes."""

    frame: gpd.GeoDataFrame | None = None
    files: list[Path] = field(default_factory=list)
    bounds: np.ndarray | None = None  # (n_files, 4)

    @classmethod
    def of(cls, source: gpd.GeoDataFrame | Path | str) -> PartitionLayer:
        """Wrap a GeoDataFrame, a GeoParquet file or a folder of them."""
        if not is_location(source):
            return cls(frame=source)
        path = location(source)
        files = sorted(path.glob("*.parquet")) if path.is_dir() else [path]
        if not files or not all(f.is_file() for f in files):
            raise ZonekitError(f"{path}: expected a GeoParquet file or a folder of them")
        return cls(files=files, bounds=np.array([_file_bounds(f) for f in files]))

    def total_bounds(self) -> np.ndarray:
        """(xmin, ymin, xmax, ymax) of the whole layer."""
        if self.frame is not None:
            return np.asarray(self.frame.total_bounds)
        b = self.bounds
        return np.array([b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()])

    def slice(self, bounds: tuple[float, ...]) -> Any:
        """Rows whose box meets ``bounds``: a frame now, or a recipe the worker reads."""
        if self.frame is not None:
            pos = np.sort(self.frame.sindex.query(shapely.box(*bounds)))
            return self.frame.iloc[pos]
        hit = [f for f, b in zip(self.files, self.bounds, strict=True) if _meets(b, bounds)]
        return ("parquet", hit, tuple(bounds))

    def crs(self) -> Any:
        """CRS of the layer (of its first file; GeoParquet without one means OGC:CRS84)."""
        if self.frame is not None:
            return self.frame.crs
        from pyproj import CRS

        crs = _geo_column(self.files[0]).get("crs", "OGC:CRS84")
        return None if crs is None else CRS.from_user_input(crs)

    def rows(self) -> int:
        """Count the rows (from the file metadata when on disk)."""
        if self.frame is not None:
            return len(self.frame)

        return sum(parquet_rows(f) for f in self.files)


def _geo_column(path: Path) -> dict:
    """Return the GeoParquet metadata of the primary geometry column of ``path`` (``{}``: none)."""
    import json

    import pyarrow.parquet as pq

    with open_binary(path) as fh:
        meta = pq.read_schema(fh).metadata or {}
    geo = json.loads(meta.get(b"geo", b"{}"))
    return geo.get("columns", {}).get(geo.get("primary_column", "geometry"), {})


def _file_bounds(path: Path) -> tuple[float, float, float, float]:
    col = _geo_column(path)
    if len(col.get("bbox", [])) != 4:
        raise ZonekitError(f"{path}: no GeoParquet bbox metadata; write it with geopandas "
                           f"to_parquet (GeoParquet ≥ 1.0)")
    return tuple(col["bbox"])


def _read_box(path: Path, bounds: tuple) -> gpd.GeoDataFrame:
    """Rows of a GeoParquet file whose bounding box meets ``bounds`` (metres).

    A file without a bbox covering column (plain ``to_parquet()``) cannot be filtered while
    read: it is read whole and filtered by each geometry's bounds, the same rows.
    """
    if "covering" in _geo_column(path):
        return read_geoparquet(path, bbox=bounds)
    gdf = read_geoparquet(path)
    return gdf.cx[bounds[0]:bounds[2], bounds[1]:bounds[3]]


def _meets(a: np.ndarray | tuple, b: tuple) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def resolve(piece: Any) -> gpd.GeoDataFrame:
    """Turn :meth:`PartitionLayer.slice` output into a GeoDataFrame (files read on the worker)."""
    if not (isinstance(piece, tuple) and piece and piece[0] == "parquet"):
        return piece
    _, files, bounds = piece
    frames = [_read_box(f, bounds) for f in files]
    frames = [f for f in frames if len(f)] or frames[:1]
    if not frames:
        return None
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
