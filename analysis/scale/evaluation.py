"""The 亩均 evaluation, low-efficiency rules and zone tables over partitions, on dask.distributed.

For a province: hundreds of parks, millions of enterprises. Each partition holds whole
parks (:mod:`zonekit.analysis.scale.partitions`); the answers are those of one run over all
the data (:func:`zonekit.analysis.mujun.evaluation.evaluate_enterprises`,
:func:`~zonekit.analysis.mujun.evaluation.evaluate_parcels`,
:func:`~zonekit.analysis.mujun.low_efficiency.flag_parcels`,
:func:`~zonekit.analysis.land.measures.zone_table`,
:func:`~zonekit.analysis.land.intensity.zone_intensity`):
the benchmarks are the province's, not each park's. The run has four rounds; only small
things travel to the client, the partitions stay on the workers:

0. **load** each part and check it (layer model, ids unique overall, firms beside their
   parcels, one projected CRS): every problem of every part in one message;
1. **map** land, eligibility and sums per part → **reduce** the benchmark parts, the
   class means of 亩均税收 and the zone sums (exact, :mod:`zonekit.analysis.exact_sums`);
2. **broadcast** the benchmarks, **map** the scores → **reduce** every graded total into
   one sorted :class:`~zonekit.analysis.mujun.evaluation.Ranking` (8 bytes per graded unit);
3. **broadcast** the rankings, **map** ranks, classes and low-efficiency flags; each part
   writes its GeoParquet results (or returns them with ``collect=True``).

Every round's futures are kept until the end, so a worker lost mid-run is replaced and
its partitions recomputed from the files; with ``memory_limit`` dask spills partitions
to disk instead of running out of memory. dask is imported only inside these functions:
the rest of zonekit never needs it.
"""

# Module size: ~410 lines — the four dask rounds of one partitioned evaluation and the
# small reductions they send to the client read best together (see evaluate()).

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from zonekit.analysis.land import zone_parts as zs
from zonekit.analysis.land.intensity import NO_ZONE, UNASSIGNED, parcel_intensity
from zonekit.analysis.mujun import evaluation as mujun
from zonekit.analysis.mujun import low_efficiency as lowefficiency
from zonekit.analysis.scale.partitions import (
    Part,
    Parts,
    check_parts,
    inspect_part,
    load_part,
    read_zones,
)
from zonekit.errors import SchemaError, ZonekitError
from zonekit.zones.storage import is_location

if TYPE_CHECKING:
    from distributed import Client

logger = logging.getLogger(__name__)

INSTALL_HINT = "pip install 'zonekit[scale]' (dask, distributed, dask-geopandas, pyarrow)"


def require_dask() -> None:
    """Raise a :class:`ZonekitError` naming the extra to install when dask is missing."""
    try:
        import dask  # noqa: F401
        import distributed  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError as exc:
        raise ZonekitError(f"partitioned runs need dask: {exc.name} is not installed; "
                           f"{INSTALL_HINT}") from None


@contextmanager
def open_client(scheduler: str | None = None, workers: int | None = None,
                threads_per_worker: int = 1, processes: bool = True,
                memory_limit: str | float = "auto", security: Any = None) -> Iterator[Client]:
    """Join the cluster at ``scheduler`` (``tcp://host:8786``), or start a LocalCluster.

    Parameters
    ----------
    scheduler
        Address of a running ``dask scheduler``; None starts a LocalCluster here.
    workers
        LocalCluster worker processes (default: one per core).
    threads_per_worker
        Threads per worker. The work holds the GIL much of the time, so processes
        rather than threads give the parallelism.
    processes
        False runs the LocalCluster's workers as threads of this process.
    memory_limit
        Per worker, e.g. ``"4GiB"``; ``"auto"`` shares the machine's memory.
    security
        A ``distributed.Security`` or a YAML file of ``ca_file``, ``cert``, ``key``
        (:func:`~zonekit.analysis.scale.security.cluster_security`); None: dask's config.
    """
    require_dask()
    from distributed import Client, LocalCluster

    from zonekit.analysis.scale.security import cluster_security

    security = cluster_security(security, scheduler)
    if scheduler:
        try:
            client = Client(scheduler, timeout="20s", security=security)
        except OSError as exc:
            raise ZonekitError(f"scheduler='{scheduler}': cannot reach a dask scheduler "
                               f"({exc}); start one with `dask scheduler` and workers with "
                               f"`dask worker {scheduler}`") from None
        with client:
            yield client
        return
    with LocalCluster(n_workers=workers, threads_per_worker=threads_per_worker,
                      processes=processes, memory_limit=memory_limit, security=security,
                      dashboard_address=":0") as cluster, Client(cluster) as client:
        logger.info("LocalCluster with %d workers; dashboard %s",
                    len(cluster.workers), client.dashboard_link)
        yield client


def describe(client: Client) -> dict[str, Any]:
    """Scheduler address, workers, threads and memory of the cluster (for summaries)."""
    try:
        info = client.scheduler_info(n_workers=-1)  # distributed ≥ 2025: every worker
    except TypeError:
        info = client.scheduler_info()
    workers = info.get("workers", {}).values()
    return {"scheduler": info.get("address"), "workers": len(workers),
            "threads": sum(w.get("nthreads", 0) for w in workers),
            "memory_limit_gib": round(sum(w.get("memory_limit", 0) for w in workers) / 2**30, 2)}


@dataclass
class _Units:
    """One part after round 1, on its worker: land, eligibility, sums, parcel table."""

    base: pd.DataFrame
    sums: pd.DataFrame
    graded: pd.Series
    ptable: pd.DataFrame
    pbase: pd.DataFrame
    psums: pd.DataFrame
    pgraded: pd.Series
    partials: dict[str, Any] = field(default_factory=dict)


@dataclass
class IntensityResult:
    """Zone tables, benchmarks, counts and (with ``collect``) the per-unit tables."""

    zones: pd.DataFrame
    zone_table: pd.DataFrame
    bench_enterprises: dict
    bench_parcels: dict
    class_means: dict[str, float]
    summary: dict[str, Any]
    enterprises: pd.DataFrame | None = None
    parcels: pd.DataFrame | None = None
    parks: pd.DataFrame | None = None


def _of_year(ents: pd.DataFrame, year: int, only_year: bool) -> pd.DataFrame:
    return ents.loc[ents["year"] == year] if only_year else ents


def _phase_a(layers: tuple, ev: mujun.Evaluation, year: int, only_year: bool,
             denominator: str) -> _Units:
    parcels, ents = layers[0], _of_year(layers[1], year, only_year)
    base, sums, graded = mujun.enterprise_units(ents, parcels, ev, year)
    ptable = parcel_intensity(parcels, ents, denominator)
    pbase, psums, pgraded = mujun.parcel_units(ptable, base, ev)
    return _Units(base, sums, graded, ptable, pbase, psums, pgraded, partials={
        "ent": mujun.benchmark_parts(sums, graded, ev),
        "parcel": mujun.benchmark_parts(psums, pgraded, ev),
        "tax": lowefficiency.class_tax_parts(ptable),
        "zones": zs.zone_parts(parcels, ents, base["zone_id"])})


def _partials(units: _Units) -> dict[str, Any]:
    return units.partials


def _phase_b(units: _Units, ev: mujun.Evaluation, ent_bench: dict,
             parcel_bench: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    escored, _ = mujun.score(units.sums, units.graded, ev, ent_bench)
    pscored, _ = mujun.score(units.psums, units.pgraded, ev, parcel_bench)
    return escored, pscored


def _totals(scored: tuple[pd.DataFrame, pd.DataFrame]) -> tuple[Any, Any]:
    return tuple(s["total_score"].dropna().to_numpy() for s in scored)


def _phase_c(layers: tuple, units: _Units, scored: tuple, name: str, *,
             ev: mujun.Evaluation, rules: lowefficiency.Rules, ent_ranking: mujun.Ranking,
             parcel_ranking: mujun.Ranking, class_means: dict[str, float], year: int,
             only_year: bool, out: Path | None, collect: bool) -> dict[str, Any]:
    escored, pscored = (s.assign(rank=ranking.rank(s["total_score"]),
                                 **{"class": mujun.assign_classes(s["total_score"], ev, ranking)})
                        for s, ranking in zip(scored, (ent_ranking, parcel_ranking),
                                              strict=True))
    ents = mujun.graded_result(units.base, escored)
    pscored = pscored.drop(columns=[c for c in pscored if c in units.ptable])
    pscore = mujun.graded_result(units.pbase, pscored)
    flags = lowefficiency.flag_parcels(units.ptable, pscore["class"], rules, class_means)
    parcels = units.ptable.join(pscore).join(flags)
    result: dict[str, Any] = {"name": name, "counts": _counts(ents, parcels, flags)}
    if out is not None:
        layers = (layers[0], _of_year(layers[1], year, only_year))
        result["files"] = _write_part(name, layers, ents, parcels, out)
    if collect:
        result["enterprises"], result["parcels"] = ents, parcels
    return result


def _counts(ents: pd.DataFrame, parcels: pd.DataFrame, flags: pd.DataFrame) -> dict[str, Any]:
    rules = [c for c in ("low_plot_ratio", "low_tax_per_mu", "class_d", "idle") if c in flags]
    low = flags["low_efficiency"]
    by_zone = pd.DataFrame({
        "zone_id": parcels["zone_id"].fillna(NO_ZONE).to_numpy(),
        "low_efficiency_parcels": low.to_numpy(dtype=int),
        "low_efficiency_area_km2": (parcels["area_m2"] * low).to_numpy() / 1e6,
    }).groupby("zone_id").sum()
    ent_zone = ents["zone_id"].where(ents["grade_status"] != "no_parcel", UNASSIGNED)
    classes = pd.crosstab(ent_zone.fillna(NO_ZONE), ents["class"]).add_prefix("enterprises_")
    return {
        "enterprise_class": ents["class"].value_counts().to_dict(),
        "enterprise_grade_status": ents["grade_status"].value_counts().to_dict(),
        "parcel_class": parcels["class"].value_counts().to_dict(),
        "parcel_grade_status": parcels["grade_status"].value_counts().to_dict(),
        "low_efficiency_parcels": int(low.sum()),
        "low_efficiency_area_km2": float((parcels["area_m2"] * low).sum()) / 1e6,
        "low_efficiency_reasons": {c: int(flags[c].sum()) for c in rules},
        "by_zone": by_zone.join(classes, how="outer").fillna(0),
        "rows": {"enterprises": len(ents), "parcels": len(parcels)},
    }


def _write_part(name: str, layers: tuple, ents: pd.DataFrame, parcels: pd.DataFrame,
                out: Path) -> list[str]:
    import geopandas as gpd

    from zonekit.zones.io import atomic_path

    source_p, source_e = layers
    extra = [c for c in source_e.columns if c not in ents.columns and c != source_e.geometry.name]
    frames = {
        "enterprises": gpd.GeoDataFrame(ents.join(source_e[extra]), geometry=source_e.geometry),
        "parcels": gpd.GeoDataFrame(parcels, geometry=source_p.geometry),
    }
    written = []
    for layer, gdf in frames.items():
        target = out / layer / f"{name}.parquet"
        with atomic_path(target) as tmp:
            gdf.to_parquet(tmp, write_covering_bbox=True, index=False)
        written.append(str(target))
    return written


# Long on purpose: the four dask rounds of a partitioned run read best in one place;
# each round is a comment-headed block.
def evaluate(parts: Parts, profile: mujun.MujunProfile, client: Client, *,
             year: int | None = None, default_year: int | None = None,
             denominator: str = "built", out: Path | None = None, collect: bool = False,
             validate: bool = True) -> IntensityResult:
    """Run the evaluation, the low-efficiency rules and the zone tables over ``parts``.

    Parameters
    ----------
    parts
        Partitions (:func:`~zonekit.analysis.scale.partitions.find_parts` or
        :func:`~zonekit.analysis.scale.partitions.split_layers`).
    profile
        The 亩均 profile (:func:`zonekit.analysis.mujun.evaluation.load_mujun_profile`).
    client
        A ``distributed.Client`` (:func:`open_client`).
    year
        Data year (ages of firms). With a ``year`` column: the rows of that year (default
        the latest present); without one, ``year`` or else ``default_year``.
    default_year
        Year the figures are taken to be when the enterprises have no ``year`` column.
    denominator
        Land of the zone tables and parcel ratios: ``built``, ``all`` or ``industrial``.
    out
        Folder for ``enterprises/`` and ``parcels/`` GeoParquet parts (None: not written).
    collect
        Also return the per-enterprise and per-parcel tables (indexed like the inputs
        of each part, concatenated in part order): for tests and small runs.
    validate
        Check every part against the layer model first (skip only for parts written
        by zonekit itself).

    Returns
    -------
    IntensityResult
        ``zones`` (as :func:`~zonekit.analysis.land.intensity.zone_intensity`), ``zone_table``
        (as :func:`~zonekit.analysis.land.measures.zone_table`), benchmarks, class means, counts
        in ``summary`` and, when the zones carry a ``park_id``, one row per park.
    """
    ev, rules = profile.evaluation, profile.low_efficiency
    timings: dict[str, float] = {}
    start = time.perf_counter()
    zones = read_zones(parts.zones)
    if not len(parts):
        raise SchemaError(f"{parts.where}: no partitions to run")
    names = [p.name for p in parts.parts]
    sources = _sources(parts, client)
    loaded = client.map(load_part, sources, validate=validate, pure=False)
    infos = client.gather(client.map(inspect_part, names, loaded, pure=False))
    check_parts(infos, zones, parts.where)
    years = sorted({y for info in infos for y in info.years})
    if years and year is None:
        year = years[-1]
    if years and year not in years:
        raise SchemaError(f"{parts.where}, layer 'enterprises': no rows for year {year}; years "
                          f"present: {', '.join(map(str, years))}")
    year = default_year if year is None else year
    if year is None:
        raise ZonekitError("the enterprises have no 'year' column: give the data year")
    timings["load_and_check_s"] = time.perf_counter() - start

    t = time.perf_counter()
    # Every round's futures are kept until the end: a worker lost mid-run is recomputed
    # from its lineage (the files) instead of failing the run.
    units = client.map(_phase_a, loaded, ev=ev, year=year, only_year=bool(years),
                       denominator=denominator, pure=False)
    partials = client.gather(client.map(_partials, units, pure=False))
    ent_bench = mujun.benchmarks(mujun.combine_benchmark_parts([p["ent"] for p in partials]), ev)
    parcel_bench = mujun.benchmarks(
        mujun.combine_benchmark_parts([p["parcel"] for p in partials]), ev)
    class_means = lowefficiency.class_tax_means([p["tax"] for p in partials])
    zone_parts = zs.combine_zone_parts([p["zones"] for p in partials])
    del partials
    timings["units_and_benchmarks_s"] = time.perf_counter() - t

    t = time.perf_counter()
    scored = client.map(_phase_b, units, ev=ev, ent_bench=ent_bench, parcel_bench=parcel_bench,
                        pure=False)
    totals = client.gather(client.map(_totals, scored, pure=False))
    ent_ranking = mujun.Ranking.of([e for e, _ in totals])
    parcel_ranking = mujun.Ranking.of([p for _, p in totals])
    del totals
    timings["scores_and_ranking_s"] = time.perf_counter() - t

    t = time.perf_counter()
    ranks = client.scatter([ent_ranking, parcel_ranking], broadcast=True)
    outputs = client.gather(client.map(
        _phase_c, loaded, units, scored, names, ev=ev, rules=rules, ent_ranking=ranks[0],
        parcel_ranking=ranks[1], class_means=class_means, year=year, only_year=bool(years),
        out=out, collect=collect, pure=False))
    del scored, units, loaded
    timings["classes_flags_and_write_s"] = time.perf_counter() - t
    timings["total_s"] = time.perf_counter() - start

    result = IntensityResult(
        zones=zs.zone_intensity_from_parts(zones, zone_parts, denominator),
        zone_table=zs.zone_table_from_parts(zones, zone_parts, denominator),
        bench_enterprises=ent_bench, bench_parcels=parcel_bench, class_means=class_means,
        summary={})
    if collect:
        result.enterprises = pd.concat([o["enterprises"] for o in outputs])
        result.parcels = pd.concat([o["parcels"] for o in outputs])
    result.parks = zs.park_table(zones, result.zones, [o["counts"]["by_zone"] for o in outputs])
    result.summary = _summary(outputs, infos, year, denominator, ent_ranking, parcel_ranking,
                              timings)
    return result


def _sources(parts: Parts, client: Client) -> list[Any]:
    """Parts as task arguments: file paths as they are, frames scattered, dask computed."""
    from dask import delayed, is_dask_collection

    first = parts.parts[0]
    if is_location(first.parcels):
        return parts.parts
    if is_dask_collection(first.parcels):
        return client.compute([delayed(Part)(p.name, p.parcels, p.enterprises)
                               for p in parts.parts])
    return client.scatter(parts.parts, hash=False)


def _summary(outputs: list[dict], infos: list, year: int, denominator: str,
             ent_ranking: mujun.Ranking, parcel_ranking: mujun.Ranking,
             timings: dict[str, float]) -> dict[str, Any]:
    def add(key: str) -> dict[str, int]:
        total: dict[str, int] = {}
        for o in outputs:
            for k, v in o["counts"][key].items():
                total[str(k)] = total.get(str(k), 0) + int(v)
        return dict(sorted(total.items()))

    return {
        "data_year": year, "denominator": denominator, "partitions": len(outputs),
        "enterprises": sum(o["counts"]["rows"]["enterprises"] for o in outputs),
        "parcels": sum(o["counts"]["rows"]["parcels"] for o in outputs),
        "graded_enterprises": len(ent_ranking), "graded_parcels": len(parcel_ranking),
        "enterprise_classes": add("enterprise_class"),
        "enterprise_grade_status": add("enterprise_grade_status"),
        "parcel_classes": add("parcel_class"), "parcel_grade_status": add("parcel_grade_status"),
        "low_efficiency_parcels": sum(o["counts"]["low_efficiency_parcels"] for o in outputs),
        "low_efficiency_area_km2": round(sum(o["counts"]["low_efficiency_area_km2"]
                                             for o in outputs), 4),
        "low_efficiency_reasons": add("low_efficiency_reasons"),
        "files": sorted(f for o in outputs for f in o.get("files", [])),
        "timings_s": {k: round(v, 3) for k, v in timings.items()},
    }
