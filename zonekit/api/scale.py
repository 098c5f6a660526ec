"""``zk.scale_partition``, ``zk.scale_intensity``, ``zk.scale_circles``: runs on a dask cluster.

Province-size versions of the 亩均 evaluation and of the service circles (optional extra
``zonekit[scale]``): the answers are those of the single-machine analyses on all the data
together (see ``benchmarks/SCALE.md``). Each run writes its files into ``out`` through
:func:`zonekit.zones.output.run_folder` (staged, swapped in when complete) and returns a
:class:`ScaleRun`. Without ``scheduler`` a LocalCluster starts on this machine
(``workers`` processes); with ``scheduler`` the work goes to a running cluster (at
``tls://…`` with ``security=``), whose workers must read the input paths at the same place.
"""

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
        The output folder.
    park
        The park read and split (``scale_partition``, ``scale_intensity`` on ``data``).
    partitions
        Number of partitions written or evaluated.
    """

    summary: dict[str, Any]
    out: Path
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


def _write_dropped(folder: Path, park: Park | None) -> None:
    from zonekit.zones.io import write_csv

    if park is not None and len(park.findings.dropped_table()):
        write_csv(park.findings.dropped_table(), folder / "dropped.csv")


@checked
def scale_partition(out: str | Path, parts: int = 4, group: str = "park_id", *,
                    park: Park | None = None, force: bool = False,
                    options: DataOptions | None = None, **data_options: Any) -> ScaleRun:
    """Read and check one park's layers, write them as GeoParquet partitions.

    Parameters
    ----------
    out
        Folder for ``zones/``, ``parcels/NAME.parquet``, ``enterprises/NAME.parquet`` and
        ``summary.json``.
    parts
        Number of partitions.
    group
        Zones column grouping zones into parks, kept whole (default ``park_id``; without
        it each zone alone).
    park
        A park from :func:`zonekit.load_park`; default: read from the data options.
    force
        Replace an earlier run's results in ``out``.
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

    require_dask()
    _at_least_one("parts", parts)
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
    return ScaleRun(summary, Path(out), park, len(split))


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
                    force: bool = False) -> ScaleRun:
    """亩均 evaluation, low-efficiency land and zone tables over partitions, province-wide.

    Parameters
    ----------
    out
        Folder for ``enterprises/*.parquet``, ``parcels/*.parquet``, ``zones.csv``,
        ``parks.csv`` (with a ``park_id``) and ``summary.json``.
    parts
        Folder of GeoParquet partitions (``zones/``, ``parcels/NAME.parquet``,
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
    force
        Replace an earlier run's results in ``out``.

    Returns
    -------
    ScaleRun
        ``partitions``: the number evaluated; ``summary["cluster"]``: the cluster used.
    """
    from zonekit.analysis.indicators import round_table
    from zonekit.analysis.land.measures import DENOMINATOR_DOC
    from zonekit.analysis.mujun.evaluation import load_mujun_profile
    from zonekit.analysis.scale.evaluation import describe, evaluate, open_client, require_dask
    from zonekit.analysis.scale.partitions import find_parts, split_layers
    from zonekit.zones.io import write_csv, write_json
    from zonekit.zones.output import check_out, run_folder

    require_dask()
    _check_cluster(workers, scheduler)
    check_denominator(denominator)
    if sum(v is not None for v in (parts, data, park)) != 1:
        raise ZonekitError("give parts=FOLDER (GeoParquet partitions) or data=PATH "
                           "(one park, split here), not both or neither")
    _at_least_one("split", split)
    prof = load_mujun_profile(profile)
    found = find_parts(parts) if parts is not None else None
    inputs = [parts, data, profile, *park_inputs(park)]
    check_out(out, force, inputs)
    if found is None:
        if park is None:
            park = park_for(None, DataOptions(data, data_year=year), PARK_LAYERS, Timings())
        found = split_layers(park.zones, park.parcels, park.enterprises, split)
        year = park.year if park.year is not None else year
    with run_folder(out, force, inputs) as folder, \
            open_client(scheduler, workers, memory_limit=memory_limit,
                        security=security) as client:
        cluster = describe(client)
        res = evaluate(found, prof, client, year=year, default_year=_fallback_year(),
                       denominator=denominator, out=folder, validate=validate and park is None)
        write_csv(round_table(res.zones), folder / "zones.csv")
        if res.parks is not None:
            write_csv(round_table(res.parks), folder / "parks.csv")
        summary = summary_base("scale intensity", park) | res.summary | {
            "parts": str(parts or data or park.sources.get("_data")), "cluster": cluster,
            "denominator_meaning": DENOMINATOR_DOC[denominator], "scheme": prof.scheme,
            "profile": prof.source, "benchmarks_enterprises": res.bench_enterprises,
            "benchmarks_parcels": res.bench_parcels,
            "tax_per_mu_class_means_wan": res.class_means}
        summary["files"] = [str(Path(f).relative_to(folder)) for f in summary["files"]]
        _write_dropped(folder, park)
        write_json(summary, folder / "summary.json")
    return ScaleRun(summary, Path(out), park, len(found))


def _layer(source: Any, label: str) -> Any:
    """GeoParquet (file or folder) as is, read on the workers; other formats read here."""
    from zonekit.zones.io import read_vector

    if hasattr(source, "geometry"):
        return source
    path = Path(source)
    if not path.exists():
        raise DataFileError(f"{path}: {label}= not found")
    if path.is_dir() or path.suffix.lower() == ".parquet":
        return path
    return read_vector(path, label=label)


def _crs_of(source: Any) -> Any:
    from zonekit.analysis.scale.partitions import PartitionLayer

    return source.crs if not isinstance(source, Path) else PartitionLayer.of(source).crs()


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
                  force: bool = False) -> ScaleRun:
    """Nearest-facility minutes for millions of origins, part by part on cut networks.

    Parameters
    ----------
    origins, roads, facilities
        Origin points (population cells, homes), road lines (centrelines or osmnx edges)
        and facility points with a category column, in one projected CRS: GeoParquet
        files/folders (read on the workers by bounding box), other vector files or
        GeoDataFrames.
    out
        Folder for ``origins/*.parquet`` (each origin's id, weight and
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
    scheduler, workers, memory_limit, security, force
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
    from zonekit.zones.io import read_vector, write_json
    from zonekit.zones.output import check_out, run_folder

    require_dask()
    _check_cluster(workers, scheduler)
    spec = PartitionCircleSpec(load_travel_profile(mode), limits or minutes, category_col,
                               max_snap_m=max_snap_m, speed_col=speed_col)
    spec.longest_limit()
    given = {"origins": origins, "roads": roads, "facilities": facilities}
    layers = {name: _layer(src, name) for name, src in given.items()}
    area_gdf = (areas if areas is None or hasattr(areas, "geometry")
                else read_vector(Path(areas), label="areas"))
    crs = {name: _crs_of(src) for name, src in layers.items()}
    if area_gdf is not None:
        crs["areas"] = area_gdf.crs
    if len({str(v) for v in crs.values()}) != 1 or not all(v is not None and v.is_projected
                                                          for v in crs.values()):
        raise CRSError("scale circles: every layer must be in the same projected CRS (metres); "
                       f"found {', '.join(f'{k}: {v}' for k, v in crs.items())}")
    inputs = [v for v in (*given.values(), areas) if isinstance(v, (str, Path))]
    check_out(out, force, inputs)
    with run_folder(out, force, inputs) as folder, \
            open_client(scheduler, workers, memory_limit=memory_limit,
                        security=security) as client:
        cluster = describe(client)
        res = run_circles(layers["origins"], layers["roads"], layers["facilities"], spec,
                          client, tile_m=tile_km * 1000 if tile_km else None, areas=area_gdf,
                          out=folder, id_col=origin_id, weight_col=weight_col, collect=False)
        summary = summary_base("scale circles") | res["summary"] | {
            "cluster": cluster, "inputs": {k: str(v) if isinstance(v, (str, Path))
                                           else f"({k} GeoDataFrame)" for k, v in given.items()}}
        write_json(summary, folder / "summary.json")
    return ScaleRun(summary, Path(out), None, int(summary["parts"]))
