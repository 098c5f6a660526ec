"""``zonekit scale``: province-size runs on a dask cluster (optional extra ``zonekit[scale]``).

Three commands::

    zonekit scale partition --data PARK --parts 8 --out PARTS        # one park → GeoParquet parts
    zonekit scale intensity --parts PARTS --out OUT [--scheduler tcp://host:8786]
    zonekit scale intensity --data PARK --split 8 --out OUT         # one big park, in memory
    zonekit scale circles --origins CELLS --roads ROADS --facilities FACS --out OUT [...]

Without ``--scheduler`` a LocalCluster starts on this machine (``--workers N`` processes);
with ``--scheduler ADDRESS`` the work goes to a running cluster (``tls://…`` with
``--security FILE`` or dask's TLS config; ``dask scheduler`` on
one machine, ``dask worker ADDRESS`` on each of the others; every worker needs zonekit
installed and the input paths readable at the same place: a shared disk, or an object
store: ``--parts``, ``--out`` and the circles' layers may be fsspec URLs such as
``s3://bucket/parts``, with the filesystem's usual credentials or ``--storage-options``). The
answers are those of the single-machine commands on all the data together; see
``benchmarks/SCALE.md`` for timings and what a province needs.

Outputs of ``intensity``: ``enterprises/*.parquet`` and ``parcels/*.parquet`` (GeoParquet,
one file per partition: the columns of ``zonekit intensity``'s enterprises.csv and
parcels.gpkg, without the renewal plan), ``zones.csv`` (every zone of every park, plus
``(no zone)``, ``(unassigned)`` and the total), ``parks.csv`` (one row per ``park_id`` of
the zones, when present) and ``summary.json`` (province benchmarks, classes, low-efficiency
counts, cluster, timings). Outputs of ``circles``: ``origins/*.parquet`` (each origin's id,
weight and ``minutes_<category>``, NaN beyond the limit) and ``summary.json`` (coverage
per category, parts, reach, overlap).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from zonekit.cli import _common as c
from zonekit.cli._choices import choice

ORDER = 80  # position in `zonekit --help`

SchedulerOpt = Annotated[str | None, typer.Option(
    "--scheduler", help="Address of a running dask scheduler (e.g. tcp://10.0.0.5:8786); "
    "default: start a LocalCluster on this machine.")]
WorkersOpt = Annotated[int | None, typer.Option(
    "--workers", help="LocalCluster worker processes (default: one per core).")]
SecurityOpt = Annotated[Path | None, typer.Option(
    "--security", help="YAML of ca_file, cert, key for a tls:// scheduler (default: dask's "
    "config, distributed.comm.tls.*).")]
StorageOpt = Annotated[Path | None, typer.Option(
    "--storage-options", help="YAML or JSON of fsspec storage options for s3://, gs://, "
    "abfs:// URLs (endpoint_url, key, secret, …; default: the usual AWS_*/fsspec config).")]
OutUrlOpt = Annotated[str, typer.Option(
    "--out", help="Folder or URL (e.g. s3://bucket/out) for results.")]
MemoryOpt = Annotated[str, typer.Option(
    "--memory-limit", help="LocalCluster memory per worker, e.g. 4GiB (default: shared).")]

app = typer.Typer(help="Province-size runs on a dask cluster: 亩均 evaluation and low-efficiency "
                  "land over GeoParquet partitions, service circles per area. Needs "
                  "pip install 'zonekit\\[scale]'.", no_args_is_help=True)


@app.command("partition")
@c.reads_data()
def partition(
    options: Any,
    out: OutUrlOpt = "out/parts",
    parts: Annotated[int, typer.Option("--parts", help="Number of partitions.")] = 4,
    group: Annotated[str, typer.Option(
        help="Zones column grouping zones into parks (kept whole); default park_id, "
        "else each zone alone.")] = "park_id",
    storage_options: StorageOpt = None,
    force: bool = False,
) -> None:
    """Read and check one park's layers, write them as GeoParquet partitions."""
    import zonekit as zk

    with c.progress("Reading and checking layers, writing partitions"):
        run = zk.scale_partition(out, parts, group, options=options, force=force,
                                 storage_options=storage_options)
    c.announce_data(run.park)
    c.finish_park(run.out, run.park)
    c.info(f"{run.partitions} partitions written to {out}/ (zones/, parcels/, enterprises/)")


@app.command("intensity")
def intensity(
    parts: Annotated[str | None, typer.Option(
        "--parts", help="Folder or URL of GeoParquet partitions: zones/, parcels/NAME.parquet and "
        "enterprises/NAME.parquet (each firm in its parcel's partition).")] = None,
    data: Annotated[Path | None, typer.Option(
        "--data", help="Instead of --parts: one park's layers (as for zonekit intensity), "
        "read and checked here, then split into --split partitions.")] = None,
    split: Annotated[int, typer.Option(
        "--split", help="Partitions made from --data (whole zones, or whole park_id).")] = 8,
    out: OutUrlOpt = "out/scale-intensity",
    denominator: Annotated[str, typer.Option(
        help="Land for land output: built, all or industrial.", **choice("denominator"))
    ] = "built",
    profile: Annotated[Path | None, typer.Option(
        "--profile", help="YAML merged over the shipped 亩均 profile.")] = None,
    year: c.YearOpt = None,
    scheduler: SchedulerOpt = None,
    workers: WorkersOpt = None,
    memory_limit: MemoryOpt = "auto",
    security: SecurityOpt = None,
    no_validate: Annotated[bool, typer.Option(
        "--no-validate", help="Skip the layer-model checks (for parts written by zonekit).")
    ] = False,
    storage_options: StorageOpt = None,
    force: c.ForceOpt = False,
) -> None:
    """亩均 evaluation, low-efficiency land and zone tables over partitions, province-wide."""
    import zonekit as zk

    with c.progress("Reading and checking layers, evaluating partitions" if data is not None
                    else "Evaluating partitions"):
        run = zk.scale_intensity(out, parts=parts, data=data, split=split,
                                 denominator=denominator, profile=profile, year=year,
                                 scheduler=scheduler, workers=workers, memory_limit=memory_limit,
                                 security=security, validate=not no_validate,
                                 storage_options=storage_options, force=force)
    if run.park is not None:
        c.announce_data(run.park)
    summary = run.summary
    _cluster(summary["cluster"], f"; {run.partitions} partitions in {parts or data}")
    c.finish_park(run.out, run.park)
    c.info(f"{summary['enterprises']:,} enterprises ({summary['graded_enterprises']:,} graded), "
           f"{summary['parcels']:,} parcels, {summary['low_efficiency_parcels']:,} low-efficiency "
           f"({summary['low_efficiency_area_km2']:.2f} km²) in "
           f"{summary['timings_s']['total_s']:.1f} s")
    c.info(f"Results written to {out}/ (enterprises/, parcels/, zones.csv"
           f"{', parks.csv' if (run.out / 'parks.csv').exists() else ''}, summary.json)")


def _cluster(cluster: dict, more: str = "") -> None:
    c.info(f"Cluster: {cluster['workers']} workers, {cluster['threads']} threads "
           f"({cluster['scheduler']}){more}")


def _limits(limits: str | None) -> dict[str, float] | None:
    """Parse ``--limits clinic=15,grocery=5``."""
    from zonekit.errors import ZonekitError

    if not limits:
        return None
    out = {}
    for item in limits.split(","):
        name, _, value = item.partition("=")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            raise ZonekitError(f"--limits expects category=minutes pairs such as "
                               f"clinic=15,grocery=5; found {item!r}") from None
    return out


@app.command("circles")
def circles(
    origins: Annotated[str, typer.Option(
        "--origins", help="Origin points (population cells, homes): GeoParquet file/folder "
        "(or URL) or any vector file.")],
    roads: Annotated[str, typer.Option(
        "--roads", help="Road lines (centrelines or osmnx edges), same CRS.")],
    facilities: Annotated[str, typer.Option(
        "--facilities", help="Facility points with a category column.")],
    out: OutUrlOpt = "out/scale-circles",
    mode: Annotated[str, typer.Option(help="Travel profile: walk, bike or drive.",
                                      **choice("mode"))] = "walk",
    minutes: Annotated[float, typer.Option("--minutes", help="Time limit, minutes.")] = 15.0,
    limits: Annotated[str | None, typer.Option(
        help="Limits per category, e.g. clinic=15,grocery=5 (overrides --minutes).")] = None,
    category_col: Annotated[str, typer.Option("--category-col")] = "category",
    areas: Annotated[str | None, typer.Option(
        "--areas", help="Park or city polygons: one partition each (origins in none go to "
        "tiles).")] = None,
    tile_km: Annotated[float | None, typer.Option(
        "--tile-km", help="Tile side for origins in no area, km (default: 8 × the reach, "
        "≥ 5 km).")] = None,
    origin_id: Annotated[str | None, typer.Option(
        "--origin-id", help="Origin id column to keep.")] = None,
    weight_col: Annotated[str | None, typer.Option(
        "--weight-col", help="Origin weight (e.g. population) for weighted coverage.")] = None,
    max_snap_m: Annotated[float, typer.Option(help="Largest point-to-road distance, m.")
                          ] = 250.0,
    speed_col: Annotated[str | None, typer.Option(
        "--speed-col", help="Road column of speeds (km/h) overriding the profile.")] = None,
    scheduler: SchedulerOpt = None,
    workers: WorkersOpt = None,
    memory_limit: MemoryOpt = "auto",
    security: SecurityOpt = None,
    storage_options: StorageOpt = None,
    force: c.ForceOpt = False,
) -> None:
    """Nearest-facility minutes for millions of origins, part by part on cut networks."""
    import zonekit as zk

    with c.progress("Travel times per partition"):
        run = zk.scale_circles(origins, roads, facilities, out, mode=mode, minutes=minutes,
                               limits=_limits(limits), category_col=category_col, areas=areas,
                               tile_km=tile_km, origin_id=origin_id, weight_col=weight_col,
                               max_snap_m=max_snap_m, speed_col=speed_col, scheduler=scheduler,
                               workers=workers, memory_limit=memory_limit, security=security,
                               storage_options=storage_options, force=force)
    summary = run.summary
    _cluster(summary["cluster"])
    for cat, cov in summary["coverage"].items():
        share = cov["share_within"]
        c.info(f"  {cat}: {cov['origins_within']:,} of {summary['origins']:,} origins within "
               f"the limit ({100 * share:.1f} %)" if share is not None else f"  {cat}: no origins")
    c.info(f"{summary['parts']} partitions (reach {summary['reach_m']:,.0f} m, overlap × "
           f"{summary['overlap_factor']}); results written to {out}/ (origins/, summary.json)")


def register(root: typer.Typer) -> None:
    """Add ``zonekit scale …`` to the app."""
    root.add_typer(app, name="scale", rich_help_panel="Analyses")
