"""``zonekit scale``: province-size runs on a dask cluster (optional extra ``zonekit[scale]``).

Three commands::

    zonekit scale partition --data PARK --parts 8 --out PARTS        # one park → GeoParquet parts
    zonekit scale intensity --parts PARTS --out OUT [--scheduler tcp://host:8786]
    zonekit scale intensity --data PARK --split 8 --out OUT         # one big park, in memory
    zonekit scale circles --origins CELLS --roads ROADS --facilities FACS --out OUT [...]

Without ``--scheduler`` a LocalCluster starts on this machine (``--workers N`` processes);
with ``--scheduler ADDRESS`` the work goes to a running cluster (``dask scheduler`` on
one machine, ``dask worker ADDRESS`` on each of the others; every worker needs zonekit
installed and the input paths readable at the same place, e.g. a shared disk). The
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
from typing import TYPE_CHECKING, Annotated, Any

import typer

from zonekit.cli import _common as c

if TYPE_CHECKING:
    import geopandas as gpd

ORDER = 80  # position in `zonekit --help`

SchedulerOpt = Annotated[str | None, typer.Option(
    "--scheduler", help="Address of a running dask scheduler (e.g. tcp://10.0.0.5:8786); "
    "default: start a LocalCluster on this machine.")]
WorkersOpt = Annotated[int | None, typer.Option(
    "--workers", help="LocalCluster worker processes (default: one per core).")]
MemoryOpt = Annotated[str, typer.Option(
    "--memory-limit", help="LocalCluster memory per worker, e.g. 4GiB (default: shared).")]

app = typer.Typer(help="Province-size runs on a dask cluster: 亩均 evaluation and low-efficiency "
                  "land over GeoParquet partitions, service circles per area. Needs "
                  "pip install 'zonekit\\[scale]'.", no_args_is_help=True)


def _check_workers(workers: int | None, scheduler: str | None) -> None:
    from zonekit.errors import ZonekitError

    if workers is not None and workers < 1:
        raise ZonekitError(f"--workers must be ≥ 1, got {workers}")
    if workers is not None and scheduler:
        raise ZonekitError("--workers sets up a LocalCluster; with --scheduler the running "
                           "cluster's workers are used")


@app.command("partition")
@c.reads_data()
def partition(
    options: Any,
    out: c.OutOpt = Path("out/parts"),
    parts: Annotated[int, typer.Option("--parts", help="Number of partitions.")] = 4,
    group: Annotated[str, typer.Option(
        help="Zones column grouping zones into parks (kept whole); default park_id, "
        "else each zone alone.")] = "park_id",
    force: bool = False,
) -> None:
    """Read and check one park's layers, write them as GeoParquet partitions."""
    from zonekit.analysis.scale.evaluation import require_dask
    from zonekit.analysis.scale.partitions import split_layers, write_parts
    from zonekit.api.data import read_park
    from zonekit.errors import ZonekitError
    from zonekit.zones.io import write_json
    from zonekit.zones.output import run_folder

    require_dask()
    if parts < 1:
        raise ZonekitError(f"--parts must be ≥ 1, got {parts}")
    c.check_out(out, options, force)
    with c.progress("Reading and checking layers"):
        park = read_park(options, layers=c.PARK, required=c.PARK)
    c.announce_data(park)
    split = split_layers(park.zones, park.parcels, park.enterprises, parts, group)
    with run_folder(out, force, c.inputs_of(options)) as folder:
        with c.progress("Writing partitions"):
            write_parts(split, folder)
        summary = c.summary_base("scale partition", park) | {
            "partitions": [{"name": p.name, "parcels": len(p.parcels),
                            "enterprises": len(p.enterprises)} for p in split.parts]}
        c.write_dropped(folder, park)
        write_json(summary, folder / "summary.json")
    c.finish_park(out, park)
    c.info(f"{len(split)} partitions written to {out}/ (zones/, parcels/, enterprises/)")


@app.command("intensity")
def intensity(
    parts: Annotated[Path | None, typer.Option(
        "--parts", help="Folder of GeoParquet partitions: zones/, parcels/NAME.parquet and "
        "enterprises/NAME.parquet (each firm in its parcel's partition).")] = None,
    data: Annotated[Path | None, typer.Option(
        "--data", help="Instead of --parts: one park's layers (as for zonekit intensity), "
        "read and checked here, then split into --split partitions.")] = None,
    split: Annotated[int, typer.Option(
        "--split", help="Partitions made from --data (whole zones, or whole park_id).")] = 8,
    out: c.OutOpt = Path("out/scale-intensity"),
    denominator: Annotated[str, typer.Option(
        help="Land for land output: built, all or industrial.")] = "built",
    profile: Annotated[Path | None, typer.Option(
        "--profile", help="YAML merged over the shipped 亩均 profile.")] = None,
    year: c.YearOpt = None,
    scheduler: SchedulerOpt = None,
    workers: WorkersOpt = None,
    memory_limit: MemoryOpt = "auto",
    no_validate: Annotated[bool, typer.Option(
        "--no-validate", help="Skip the layer-model checks (for parts written by zonekit).")
    ] = False,
    force: c.ForceOpt = False,
) -> None:
    """亩均 evaluation, low-efficiency land and zone tables over partitions, province-wide."""
    from zonekit.analysis.indicators import round_table
    from zonekit.analysis.land.measures import DENOMINATOR_DOC, DENOMINATORS
    from zonekit.analysis.mujun.evaluation import load_mujun_profile
    from zonekit.analysis.scale.evaluation import describe, evaluate, open_client, require_dask
    from zonekit.analysis.scale.partitions import find_parts
    from zonekit.errors import ZonekitError
    from zonekit.zones.io import write_csv, write_json
    from zonekit.zones.output import check_out, run_folder

    require_dask()
    _check_workers(workers, scheduler)
    if denominator not in DENOMINATORS:
        raise ZonekitError(f"--denominator must be one of {', '.join(DENOMINATORS)}, "
                           f"got {denominator!r}")
    if (parts is None) == (data is None):
        raise ZonekitError("give --parts FOLDER (GeoParquet partitions) or --data PATH "
                           "(one park, split here), not both or neither")
    if split < 1:
        raise ZonekitError(f"--split must be ≥ 1, got {split}")
    prof = load_mujun_profile(profile)
    found = find_parts(parts) if parts is not None else None
    inputs = [parts, data, profile]
    check_out(out, force, inputs)
    park = None
    if found is None:
        from zonekit.analysis.scale.partitions import split_layers
        from zonekit.api.data import load_park

        with c.progress("Reading and checking layers"):
            park = load_park(data, data_year=year, layers=("zones", "parcels", "enterprises"),
                             required=("zones", "parcels", "enterprises"))
        c.announce_data(park)
        found = split_layers(park.zones, park.parcels, park.enterprises, split)
        year = park.year if park.year is not None else year
    with run_folder(out, force, inputs) as folder, \
            open_client(scheduler, workers, memory_limit=memory_limit) as client:
        cluster = describe(client)
        c.info(f"Cluster: {cluster['workers']} workers, {cluster['threads']} threads "
               f"({cluster['scheduler']}); {len(found)} partitions in {parts or data}")
        with c.progress("Evaluating partitions"):
            res = evaluate(found, prof, client, year=year, default_year=_fallback_year(),
                           denominator=denominator, out=folder,
                           validate=not no_validate and park is None)
        write_csv(round_table(res.zones), folder / "zones.csv")
        if res.parks is not None:
            write_csv(round_table(res.parks), folder / "parks.csv")
        summary = c.summary_base("scale intensity", park) | res.summary | {
            "parts": str(parts or data), "cluster": cluster, "denominator_meaning":
            DENOMINATOR_DOC[denominator], "scheme": prof.scheme, "profile": prof.source,
            "benchmarks_enterprises": res.bench_enterprises,
            "benchmarks_parcels": res.bench_parcels,
            "tax_per_mu_class_means_wan": res.class_means}
        summary["files"] = [str(Path(f).relative_to(folder)) for f in summary["files"]]
        c.write_dropped(folder, park)
        write_json(summary, folder / "summary.json")
    c.finish_park(out, park)
    c.info(f"{summary['enterprises']:,} enterprises ({summary['graded_enterprises']:,} graded), "
           f"{summary['parcels']:,} parcels, {summary['low_efficiency_parcels']:,} low-efficiency "
           f"({summary['low_efficiency_area_km2']:.2f} km²) in "
           f"{summary['timings_s']['total_s']:.1f} s")
    c.info(f"Results written to {out}/ (enterprises/, parcels/, zones.csv"
           f"{', parks.csv' if res.parks is not None else ''}, summary.json)")


def _fallback_year() -> int:
    from zonekit.analysis.indicators import load_targets

    targets = load_targets(None)
    return int(targets.indicators["land_output_yi_per_km2"].baseline_year or 2024)


def _layer(path: Path, label: str) -> Any:
    """GeoParquet (file or folder) as is, read on the workers; other formats read here."""
    from zonekit.errors import DataFileError
    from zonekit.zones.io import read_vector

    if not path.exists():
        raise DataFileError(f"{path}: --{label} not found")
    if path.is_dir() or path.suffix.lower() == ".parquet":
        return path
    return read_vector(path, label=label)


def _crs_of(source: Any) -> Any:
    from zonekit.analysis.scale.partitions import PartitionLayer

    return source.crs if not isinstance(source, Path) else PartitionLayer.of(source).crs()


def _limits(minutes: float, limits: str | None) -> float | dict[str, float]:
    from zonekit.errors import ZonekitError

    if not limits:
        return minutes
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
    origins: Annotated[Path, typer.Option(
        "--origins", help="Origin points (population cells, homes): GeoParquet file/folder "
        "or any vector file.")],
    roads: Annotated[Path, typer.Option(
        "--roads", help="Road lines (centrelines or osmnx edges), same CRS.")],
    facilities: Annotated[Path, typer.Option(
        "--facilities", help="Facility points with a category column.")],
    out: c.OutOpt = Path("out/scale-circles"),
    mode: Annotated[str, typer.Option(help="Travel profile: walk, bike or drive.")] = "walk",
    minutes: Annotated[float, typer.Option("--minutes", help="Time limit, minutes.")] = 15.0,
    limits: Annotated[str | None, typer.Option(
        help="Limits per category, e.g. clinic=15,grocery=5 (overrides --minutes).")] = None,
    category_col: Annotated[str, typer.Option("--category-col")] = "category",
    areas: Annotated[Path | None, typer.Option(
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
    force: c.ForceOpt = False,
) -> None:
    """Nearest-facility minutes for millions of origins, part by part on cut networks."""
    from zonekit.analysis.network.travel import load_travel_profile
    from zonekit.analysis.scale.circles import PartitionCircleSpec
    from zonekit.analysis.scale.circles import circles as run_circles
    from zonekit.analysis.scale.evaluation import describe, open_client, require_dask
    from zonekit.errors import CRSError
    from zonekit.zones.io import read_vector, write_json
    from zonekit.zones.output import check_out, run_folder

    require_dask()
    _check_workers(workers, scheduler)
    spec = PartitionCircleSpec(load_travel_profile(mode), _limits(minutes, limits), category_col,
                      max_snap_m=max_snap_m, speed_col=speed_col)
    spec.longest_limit()
    layers = {"origins": _layer(origins, "origins"), "roads": _layer(roads, "roads"),
              "facilities": _layer(facilities, "facilities")}
    area_gdf: gpd.GeoDataFrame | None = read_vector(areas, label="areas") if areas else None
    crs = {name: _crs_of(src) for name, src in layers.items()}
    if area_gdf is not None:
        crs["areas"] = area_gdf.crs
    if len({str(v) for v in crs.values()}) != 1 or not all(v is not None and v.is_projected
                                                          for v in crs.values()):
        raise CRSError("scale circles: every layer must be in the same projected CRS (metres); "
                       f"found {', '.join(f'{k}: {v}' for k, v in crs.items())}")
    inputs = [origins, roads, facilities, areas]
    check_out(out, force, inputs)
    with run_folder(out, force, inputs) as folder, \
            open_client(scheduler, workers, memory_limit=memory_limit) as client:
        cluster = describe(client)
        c.info(f"Cluster: {cluster['workers']} workers, {cluster['threads']} threads "
               f"({cluster['scheduler']})")
        with c.progress("Travel times per partition"):
            res = run_circles(layers["origins"], layers["roads"], layers["facilities"], spec,
                              client, tile_m=tile_km * 1000 if tile_km else None, areas=area_gdf,
                              out=folder, id_col=origin_id, weight_col=weight_col, collect=False)
        summary = c.summary_base("scale circles") | res["summary"] | {
            "cluster": cluster, "inputs": {k: str(v) for k, v in (("origins", origins),
                                                                  ("roads", roads),
                                                                  ("facilities", facilities))}}
        write_json(summary, folder / "summary.json")
    for cat, cov in summary["coverage"].items():
        share = cov["share_within"]
        c.info(f"  {cat}: {cov['origins_within']:,} of {summary['origins']:,} origins within "
               f"the limit ({100 * share:.1f} %)" if share is not None else f"  {cat}: no origins")
    c.info(f"{summary['parts']} partitions (reach {summary['reach_m']:,.0f} m, overlap × "
           f"{summary['overlap_factor']}); results written to {out}/ (origins/, summary.json)")


def register(root: typer.Typer) -> None:
    """Add ``zonekit scale …`` to the app."""
    root.add_typer(app, name="scale", rich_help_panel="Analyses")
