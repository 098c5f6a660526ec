"""``zk.scale_partition``, ``zk.scale_intensity``, ``zk.scale_circles``: runs on a dask cluster.

Province-size versions of the 亩均 evaluation and of the service circles (optional extra
``zonekit[scale]``): the answers are those of the single-machine analyses on all the data
together (see ``benchmarks/SCALE.md``). Each run writes its files into ``out`` through
:func:`zonekit.zones.output.run_folder` (staged, swapped in when complete) and returns a
:class:`ScaleRun`. Without ``scheduler`` a LocalCluster starts on this machine
(``workers`` processes); with ``scheduler`` the work goes to a running cluster (at
``tls://…`` with ``security=``), whose workers must read the input paths at the same place.
Partitions, inputs and ``out`` may be fsspec URLs (``s3://bucket/parts``, ``gs://…``,
``abfs://…``; ``pip install 'zonekit[cloud]'`` for S3), read and written by the workers
themselves, with the filesystem's usual credentials or ``storage_options=``.
"""

# Module size: ~400 lines — the three public scale functions, with their long numpydoc
# parameter lists, and their small helpers.

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zonekit.api.data import DataOptions, data_options_from, inputs_of
from zonekit.api.params import checked
from zonekit.api.results import Timings, park_inputs, summary_base
from zonekit.api.zones import check_denominator, park_for
from zonekit.errors import CRSError, DataFileError, ZonekitError

if TYPE_CHECKING:
    import geopandas as gpd

    from zonekit.zones.park import Park

#: The layers a partitioned 亩均 run reads.
PARK_LAYERS = ("zones", "parcels", "enterprises")


@dataclass
class ScaleRun:
    """What a scale run wrote.

    Attributes
    ----------
    summary
        The contents of the run's ``summary.json``.
    out
        The output folder: a ``Path``, or a ``upath.UPath`` for a URL (``s3://…``).
    park
        The park read and split (``scale_partition``, ``scale_intensity`` on ``data``).
    partitions
        Number of partitions written or evaluated.
    """

    summary: dict[str, Any]
    out: Any
    park: Park | None = field(default=None, repr=False)
    partitions: int = 0


def _check_cluster(workers: int | None, scheduler: str | None) -> None:
    if workers is not None and workers < 1:
        raise ZonekitError(f"workers= must be ≥ 1, got {workers}")
    if workers is not None and scheduler:
        raise ZonekitError("workers= sets up a LocalCluster; with scheduler= the running "
                           "cluster's workers are used")


def _at_least_one(name: str, value: int) -> None:
    if value < 1:
        raise ZonekitError(f"{name}= must be ≥ 1, got {value}")


def _storage(storage_options: dict[str, Any] | str | Path | None) -> dict[str, Any]:
    from zonekit.zones.storage import load_storage_options

    if isinstance(storage_options, dict):
        return storage_options
    return load_storage_options(storage_options)


def _relative(file: str, folder: Any) -> str:
    """Return ``file`` (written under ``folder``, a path or URL) relative to ``folder``."""
    return str(file)[len(str(folder)):].lstrip("/")


def _write_dropped(folder: Path, park: Park | None) -> None:
    from zonekit.zones.io import write_csv

    if park is not None and len(park.findings.dropped_table()):
        write_csv(park.findings.dropped_table(), folder / "dropped.csv")


@checked
def scale_partition(out: str | Path, parts: int = 4, group: str = "park_id", *,
                    park: Park | None = None, force: bool = False,
                    storage_options: dict[str, Any] | str | Path | None = None,
                    options: DataOptions | None = None, **data_options: Any) -> ScaleRun:
    """Read and check one park's layers, write them as GeoParquet partitions.

    Parameters
    ----------
    out
        Folder or URL (``s3://bucket/parts``) for ``zones/``, ``parcels/NAME.parquet``,
        ``enterprises/NAME.parquet`` and ``summary.json``.
    parts
        Number of partitions.
    group
        Zones column grouping zones into parks, kept whole (default ``park_id``; without
        it each zone alone).
    park
        A park from :func:`zonekit.load_park`; default: read from the data options.
    force
        Replace an earlier run's results in ``out``.
    storage_options
        fsspec options for a URL ``out`` (``endpoint_url``, ``key``, ``secret``, …): a dict
        or a YAML/JSON file of them; None: the filesystem's usual configuration.
    options, **data_options
        The data to read when no ``park`` is given: a :class:`~zonekit.api.data.DataOptions`
        or its fields as keywords (``data="park/"``, ``parcels=…``, ``crs=…``).

    Returns
    -------
    ScaleRun
    """
    from zonekit.analysis.scale.evaluation import require_dask
    from zonekit.analysis.scale.partitions import split_layers, write_parts
    from zonekit.zones.io import write_json
    from zonekit.zones.output import check_out, run_folder
    from zonekit.zones.storage import location

    require_dask()
    _at_least_one("parts", parts)
    out = location(out, _storage(storage_options))
    opts = options or data_options_from(data_options)
    inputs = park_inputs(park) if park is not None else inputs_of(opts)
    check_out(out, force, inputs)
    park = park_for(park, opts, PARK_LAYERS, Timings())
    split = split_layers(park.zones, park.parcels, park.enterprises, parts, group)
    with run_folder(out, force, inputs) as folder:
        write_parts(split, folder)
        summary = summary_base("scale partition", park) | {
            "partitions": [{"name": p.name, "parcels": len(p.parcels),
                            "enterprises": len(p.enterprises)} for p in split.parts]}
        _write_dropped(folder, park)
        write_json(summary, folder / "summary.json")
    return ScaleRun(summary, out, park, len(split))


def _fallback_year() -> int:
    from zonekit.analysis.indicators import load_targets

    targets = load_targets(None)
    return int(targets.indicators["land_output_yi_per_km2"].baseline_year or 2024)


@checked
def scale_intensity(out: str | Path, *, parts: str | Path | None = None,
                    data: str | Path | None = None, park: Park | None = None, split: int = 8,
                    denominator: str = "built", profile: str | Path | None = None,
                    year: int | None = None, scheduler: str | None = None,
                    workers: int | None = None, memory_limit: str = "auto",
                    security: Any = None, validate: bool = True,
                    storage_options: dict[str, Any] | str | Path | None = None,
                    force: bool = False) -> ScaleRun:
    """亩均 evaluation, low-efficiency land and zone tables over partitions, province-wide.

    Parameters
    ----------
    out
        Folder or URL for ``enterprises/*.parquet``, ``parcels/*.parquet``, ``zones.csv``,
        ``parks.csv`` (with a ``park_id``) and ``summary.json``.
    parts
        Folder or URL of GeoParquet partitions (``zones/``, ``parcels/NAME.parquet``,
        ``enterprises/NAME.parquet``, each firm in its parcel's partition).
    data, park
        Instead of ``parts``: one park's layers (read and checked here), or a park from
        :func:`zonekit.load_park`, split into ``split`` partitions.
    split
        Partitions made from ``data``/``park`` (whole zones, or whole ``park_id``).
    denominator
        Land for land output: ``built``, ``all`` or ``industrial``.
    profile
        YAML merged over the shipped 亩均 profile.
    year
        Statistics year of the enterprise figures (default: the latest).
    scheduler, workers, memory_limit
        A running dask scheduler's address; else a LocalCluster of ``workers`` processes
        (default one per core) with ``memory_limit`` each.
    security
        TLS for a ``tls://`` scheduler: a ``distributed.Security`` or a YAML file of
        ``ca_file``, ``cert``, ``key``; None: dask's config (``distributed.comm.tls.*``).
    validate
        Check ``parts`` against the layer model (False for parts written by zonekit).
    storage_options
        fsspec options for URLs in ``parts`` and ``out``, as for :func:`scale_partition`.
    force
        Replace an earlier run's results in ``out``.

    Returns
    -------
    ScaleRun
        ``partitions``: the number evaluated; ``summary["cluster"]``: the cluster used.
    """
    from zonekit.analysis.mujun.evaluation import load_mujun_profile
    from zonekit.analysis.scale.evaluation import evaluate, open_client, require_dask
    from zonekit.zones.output import check_out, run_folder
    from zonekit.zones.storage import location

    require_dask()
    _check_cluster(workers, scheduler)
    check_denominator(denominator)
    if sum(v is not None for v in (parts, data, park)) != 1:
        raise ZonekitError("give parts=FOLDER (GeoParquet partitions) or data=PATH "
                           "(one park, split here), not both or neither")
    _at_least_one("split", split)
    store = _storage(storage_options)
    out = location(out, store)
    prof = load_mujun_profile(profile)
    inputs = [parts, data, profile, *park_inputs(park)]
    found = _found_parts(parts, store)
    check_out(out, force, inputs)
    found, park, year = _split_park(found, data, park, split, year)
    with run_folder(out, force, inputs) as folder, \
            open_client(scheduler, workers, memory_limit=memory_limit,
                        security=security) as client:
        res = evaluate(found, prof, client, year=year, default_year=_fallback_year(),
                       denominator=denominator, out=folder, validate=validate and park is None)
        summary = _intensity_summary(res, folder, prof, denominator, park, client) | {
            "parts": str(parts or data or park.sources.get("_data"))}
        _write_intensity(folder, res, summary, park)
    return ScaleRun(summary, out, park, len(found))


def _found_parts(parts: str | Path | None, store: dict[str, Any]) -> Any:
    from zonekit.analysis.scale.partitions import find_parts

    return find_parts(parts, store) if parts is not None else None


def _split_park(found: Any, data: str | Path | None, park: Park | None, split: int,
                year: int | None) -> tuple[Any, Park | None, int | None]:
    """Return the parts found, or the park (read from ``data``) cut into ``split`` parts."""
    from zonekit.analysis.scale.partitions import split_layers

    if found is not None:
        return found, park, year
    if park is None:
        park = park_for(None, DataOptions(data, data_year=year), PARK_LAYERS, Timings())
    found = split_layers(park.zones, park.parcels, park.enterprises, split)
    return found, park, park.year if park.year is not None else year


def _intensity_summary(res: Any, folder: Any, prof: Any, denominator: str,
                       park: Park | None, client: Any) -> dict[str, Any]:
    from zonekit.analysis.land.measures import DENOMINATOR_DOC
    from zonekit.analysis.scale.evaluation import describe

    summary = summary_base("scale intensity", park) | res.summary | {
        "cluster": describe(client), "denominator_meaning": DENOMINATOR_DOC[denominator],
        "scheme": prof.scheme, "profile": prof.source,
        "benchmarks_enterprises": res.bench_enterprises,
        "benchmarks_parcels": res.bench_parcels, "tax_per_mu_class_means_wan": res.class_means}
    summary["files"] = [_relative(f, folder) for f in summary["files"]]
    return summary


def _write_intensity(folder: Any, res: Any, summary: dict[str, Any], park: Park | None) -> None:
    from zonekit.analysis.indicators import round_table
    from zonekit.zones.io import write_csv, write_json

    write_csv(round_table(res.zones), folder / "zones.csv")
    if res.parks is not None:
        write_csv(round_table(res.parks), folder / "parks.csv")
    _write_dropped(folder, park)
    write_json(summary, folder / "summary.json")


def _layer(source: Any, label: str, store: dict[str, Any]) -> Any:
    """GeoParquet (file, folder or URL) as is, read on the workers; other formats read here."""
    from zonekit.zones.io import read_vector
    from zonekit.zones.storage import is_url, location

    if hasattr(source, "geometry"):
        return source
    path = location(source, store)
    if not path.exists():
        raise DataFileError(f"{path}: {label}= not found")
    if path.is_dir() or path.suffix.lower() == ".parquet":
        return path
    if is_url(path):
        raise DataFileError(f"{path}: {label}= on a URL must be GeoParquet (a .parquet file or "
                            "a folder of them); convert it with geopandas to_parquet")
    return read_vector(path, label=label)


def _crs_of(source: Any) -> Any:
    from zonekit.analysis.scale.partitions import PartitionLayer

    return source.crs if hasattr(source, "geometry") else PartitionLayer.of(source).crs()


def _check_crs(layers: dict[str, Any]) -> None:
    """Refuse layers in different CRS, or in a CRS not in metres."""
    crs = {name: _crs_of(src) for name, src in layers.items() if src is not None}
    if len({str(v) for v in crs.values()}) != 1 or not all(v is not None and v.is_projected
                                                          for v in crs.values()):
        raise CRSError("scale circles: every layer must be in the same projected CRS (metres); "
                       f"found {', '.join(f'{k}: {v}' for k, v in crs.items())}")


def _areas(areas: Any, store: dict[str, Any]) -> gpd.GeoDataFrame | None:
    """Return the area polygons: a frame as is, else read here (GeoParquet on a URL)."""
    from zonekit.zones.io import read_vector
    from zonekit.zones.storage import is_url, location, read_geoparquet

    if areas is None or hasattr(areas, "geometry"):
        return areas
    path = location(areas, store)
    return read_geoparquet(path) if is_url(path) else read_vector(path, label="areas")


@checked
def scale_circles(origins: gpd.GeoDataFrame | str | Path, roads: gpd.GeoDataFrame | str | Path,
                  facilities: gpd.GeoDataFrame | str | Path, out: str | Path, *,
                  mode: str = "walk", minutes: float = 15.0,
                  limits: dict[str, float] | None = None, category_col: str = "category",
                  areas: gpd.GeoDataFrame | str | Path | None = None, tile_km: float | None = None,
                  origin_id: str | None = None, weight_col: str | None = None,
                  max_snap_m: float = 250.0, speed_col: str | None = None,
                  scheduler: str | None = None, workers: int | None = None,
                  memory_limit: str = "auto", security: Any = None,
                  storage_options: dict[str, Any] | str | Path | None = None,
                  force: bool = False) -> ScaleRun:
    """Nearest-facility minutes for millions of origins, part by part on cut networks.

    Parameters
    ----------
    origins, roads, facilities
        Origin points (population cells, homes), road lines (centrelines or osmnx edges)
        and facility points with a category column, in one projected CRS: GeoParquet
        files/folders or URLs (read on the workers by bounding box), other vector files
        or GeoDataFrames.
    out
        Folder or URL for ``origins/*.parquet`` (each origin's id, weight and
        ``minutes_<category>``, NaN beyond the limit) and ``summary.json``.
    mode
        Travel profile: ``walk``, ``bike`` or ``drive``.
    minutes
        Time limit, minutes.
    limits
        Limits per category (``{"clinic": 15, "grocery": 5}``), overriding ``minutes``.
    category_col
        Facilities' category column.
    areas
        Park or city polygons: one partition each (origins in none go to tiles).
    tile_km
        Tile side for origins in no area, km (default: 8 × the reach, ≥ 5 km).
    origin_id, weight_col
        Origin id column to keep; origin weight (e.g. population) for weighted coverage.
    max_snap_m
        Largest point-to-road distance, m.
    speed_col
        Road column of speeds (km/h) overriding the profile.
    scheduler, workers, memory_limit, security, storage_options, force
        As for :func:`scale_intensity`.

    Returns
    -------
    ScaleRun
        ``summary``: coverage per category, parts, reach, overlap, cluster.
    """
    from zonekit.analysis.network.travel import load_travel_profile
    from zonekit.analysis.scale.circles import PartitionCircleSpec
    from zonekit.analysis.scale.circles import circles as run_circles
    from zonekit.analysis.scale.evaluation import describe, open_client, require_dask
    from zonekit.zones.io import write_json
    from zonekit.zones.output import check_out, run_folder
    from zonekit.zones.storage import is_location, location

    require_dask()
    _check_cluster(workers, scheduler)
    spec = PartitionCircleSpec(load_travel_profile(mode), limits or minutes, category_col,
                               max_snap_m=max_snap_m, speed_col=speed_col)
    spec.longest_limit()
    store = _storage(storage_options)
    out = location(out, store)
    given = {"origins": origins, "roads": roads, "facilities": facilities}
    layers = {name: _layer(src, name, store) for name, src in given.items()}
    area_gdf = _areas(areas, store)
    _check_crs(layers | {"areas": area_gdf})
    inputs = [v for v in (*given.values(), areas) if is_location(v)]
    check_out(out, force, inputs)
    with run_folder(out, force, inputs) as folder, \
            open_client(scheduler, workers, memory_limit=memory_limit,
                        security=security) as client:
        res = run_circles(layers["origins"], layers["roads"], layers["facilities"], spec,
                          client, tile_m=tile_km * 1000 if tile_km else None, areas=area_gdf,
                          out=folder, id_col=origin_id, weight_col=weight_col, collect=False)
        summary = summary_base("scale circles") | res["summary"] | {
            "cluster": describe(client), "inputs": {
                k: str(v) if is_location(v) else f"({k} GeoDataFrame)" for k, v in given.items()}}
        write_json(summary, folder / "summary.json")
    return ScaleRun(summary, out, None, int(summary["parts"]))
