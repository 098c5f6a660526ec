"""One ``zonekit circles`` run: the circle, its surfaces, isochrones, gaps and new sites.

:func:`run` ties :mod:`~zonekit.analysis.circles.kinds`,
:mod:`~zonekit.analysis.circles.travel_grid`, :mod:`~zonekit.analysis.circles.bands`,
:mod:`~zonekit.analysis.circles.gaps` and :mod:`~zonekit.analysis.circles.siting` together
for the command line; it reads nothing and writes nothing (the command does both), and
returns a :class:`Bundle` of tables.
"""

# Module size: ~490 lines — the one place a circle's steps are put together (inputs, job,
# the steps of a run, gaps by kind); each step is a function of its own.

from __future__ import annotations

import dataclasses
import functools
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from zonekit.analysis.circles import kinds as cc
from zonekit.analysis.circles.bands import isochrone_bands
from zonekit.analysis.circles.categories import RunCategories, resolve_categories
from zonekit.analysis.circles.gaps import grid_gaps, origin_gap_cells, origin_gaps
from zonekit.analysis.circles.origins import (
    Origins,
    StudyArea,
    gcj02_hint,
    layer_origins,
    population_cells,
    residential_parcels,
    within_area,
)
from zonekit.analysis.circles.profile import SAME_CHAIN, CircleSpec, CirclesProfile
from zonekit.analysis.circles.travel_grid import grid_minutes
from zonekit.errors import DataFileError
from zonekit.parallel import in_parallel
from zonekit.timings import Timings
from zonekit.zones.raster import Grid
from zonekit.zones.wording import counted

if TYPE_CHECKING:
    import geopandas as gpd

logger = logging.getLogger(__name__)

METHODS = {
    "population": "origins are the centres of populated cells of the population GeoTIFF, "
                  "weighted by their persons; a cell is covered when its centre is",
    "coverage": "a category covers an origin when its nearest facility is within the "
                "category's threshold, origin → facility on the network (one-way streets "
                "respected), both straight access legs included; shares are weighted, "
                "unreachable origins count as uncovered",
    "gaps": "service: the cells of the travel-time grid holding uncovered origins (their "
            "point, and for polygon origins the cells whose centre lies in the footprint); "
            "industry: cells "
            "inside the zones whose centre is beyond the threshold; charging: populated or "
            "in-zone cells beyond the threshold; split into 4-neighbour connected pieces",
    "isochrones": "cells of the travel-time surface (the population grid) grouped into "
                  "bands and polygonised along cell edges; a cell is inside the band "
                  "'≤ m' exactly when its centre's time is ≤ m",
    "road_length": "exact: each edge split where the time from the road to the nearest "
                   "station crosses the limit (closed form, no midpoint rule)",
    "metres": "metres= / measure='metres': network distance, computed by the same engine "
              "at one metre per second on every edge and access leg (exact)",
    "industry_score": "Σ weight of the elements within reach / Σ weights (0–1); the chain "
                      "element counts when at least min_peers other chain enterprises are "
                      "within reach",
    "charging_measures": "population: persons of the origins (cells); parcels: parcels whose "
                         "centroid is within reach (1 each); built_land_km2: the same, "
                         "weighted by the area of construction-land parcels; enterprises, "
                         "employees: enterprise points (1 each / their employees); "
                         "road_length_km: exact share of drivable road length",
    "siting": "candidates: a grid over suitable land within road_max_m of a road (or "
              "candidates=); demand: demand= (default built_land_km2); mclp: k sites "
              "maximising newly covered demand (spopt MCLP); set_cover: fewest sites reaching "
              "target_share= (spopt LSCP when the target is 1, else the smallest p whose "
              "optimal MCLP reaches it); coverage after each is recomputed by the engine",
}


#: Grid cells plus origins from which isochrones and gaps are made side by side.
PARALLEL_MIN_CELLS = 250_000


@dataclass(frozen=True)
class CircleInputs:
    """The layers of one circle run, read and projected to the analysis CRS."""

    roads: gpd.GeoDataFrame
    facilities: gpd.GeoDataFrame
    #: Facility column holding the category, and the id column (None: the row number).
    category_col: str
    facility_id: str | None
    #: ``population``, ``residential``, ``enterprises`` or ``file`` (``origins_layer``).
    origins_choice: str
    origins_layer: gpd.GeoDataFrame | None = None
    zones: gpd.GeoDataFrame | None = None
    parcels: gpd.GeoDataFrame | None = None
    enterprises: gpd.GeoDataFrame | None = None
    candidates: gpd.GeoDataFrame | None = None
    #: The coordinate system the user declared for the points (``gcj02`` …), if any.
    coords: str | None = None
    #: Origins counted: those inside this area (``None``: every origin of the data).
    study_area: StudyArea | None = None


@dataclass(frozen=True)
class Job:
    """What to compute: the user's options resolved against the profile, once.

    Service-like kinds resolve their categories from the facility data in :func:`run`
    (:func:`resolve_job` returns the job with its ``limits``); nothing changes a job.
    """

    kind: str
    profile: CirclesProfile
    spec: CircleSpec
    measure: str
    limits: dict[str, float]
    mode: str
    new_sites: int | None = None
    target_share: float = 0.9
    chain: str | None = None
    fast_only: bool = False
    max_snap_m: float = 250.0
    jobs: int = 1
    origin_id: str | None = None
    weight_col: str | None = None
    #: Facility column of capacities: 2SFCA per 1,000 persons (None: not computed).
    capacity_col: str | None = None
    #: Category → norm per 1,000 persons (:func:`~zonekit.analysis.circles.capacity.load_norms`).
    norms: dict[str, Any] = field(default_factory=dict)
    #: The floating-catchment method and its parameters
    #: (:class:`~zonekit.analysis.circles.capacity_methods.Decay`; None: plain 2SFCA).
    capacity_method: Any = None
    #: Charging siting: the capacity of each new site (capacitated covering of the
    #: shortfall against the norm; None: not run).
    new_site_capacity: float | None = None
    demand: str = "built_land_km2"
    #: Service kinds: the one threshold for categories the circle does not know, a
    #: restriction of the run to some categories, a county's category map.
    threshold: float | None = None
    categories: list[str] | None = None
    category_map: Any = None
    #: Minutes (or metres) up to which times are reported; None: the profile's
    #: surface_max_minutes (metres: twice the largest threshold).
    report_limit: float | None = None
    #: Road column of speeds (km/h) overriding the travel profile.
    speed_col: str | None = None


@dataclass
class Bundle:
    """Everything a run produces (tables and layers in the analysis CRS)."""

    origins: gpd.GeoDataFrame
    coverage: pd.DataFrame
    facilities: pd.DataFrame
    gaps: gpd.GeoDataFrame
    isochrones: gpd.GeoDataFrame
    surfaces: dict[str, np.ndarray]
    grid: Grid
    summary: dict[str, Any]
    tables: dict[str, Any] = field(default_factory=dict)
    names_zh: dict[str, str] = field(default_factory=dict)
    #: The gaps' cells: category → boolean raster on ``gap_grid`` (the travel-time grid,
    #: extended where origins lie outside it), so maps draw gaps without their polygons.
    gap_grid: Grid | None = None
    gap_masks: dict[str, np.ndarray] = field(default_factory=dict)


def _origins(job: Job, inputs: CircleInputs, grid: Grid, persons: np.ndarray | None,
             crs: Any) -> Origins:
    choice = inputs.origins_choice
    if inputs.origins_layer is not None:
        return layer_origins(inputs.origins_layer, job.origin_id, job.weight_col)
    if choice == "residential":
        if inputs.parcels is None:
            raise DataFileError("origins='residential' needs a parcels layer (parcels=FILE)")
        return residential_parcels(inputs.parcels)
    if persons is None:
        raise DataFileError("no population GeoTIFF found beside the data: pass population=FILE, "
                            "or origins='residential', or origins=FILE")
    return population_cells(grid, persons, crs)


def _cell_counts(grid: Grid, points: gpd.GeoDataFrame | None) -> np.ndarray:
    """Count the points in each cell of the grid."""
    import shapely

    from zonekit.analysis.circles.origins import _to_crs

    out = np.zeros((grid.height, grid.width))
    if points is None or not len(points):
        return out
    xy = shapely.get_coordinates(points.geometry.to_numpy())
    x, y = _to_crs(xy[:, 0], xy[:, 1], points.crs, grid.crs)
    r, c = grid.cell_of(x, y)
    ok = r >= 0
    np.add.at(out, (r[ok], c[ok]), 1)
    return out


def _zone_mask(grid: Grid, zones: gpd.GeoDataFrame | None) -> np.ndarray | None:
    from rasterio.features import rasterize

    if zones is None or not len(zones):
        return None
    geoms = zones.to_crs(grid.crs).geometry.to_numpy()
    return rasterize(((g, 1) for g in geoms), out_shape=(grid.height, grid.width),
                     transform=grid.transform, fill=0, dtype="uint8").astype(bool)


def _sources(category: np.ndarray, geoms: np.ndarray, crs: Any) -> gpd.GeoDataFrame:
    """Facilities for the surfaces: a category (``_cat``) and a point each."""
    import geopandas as gpd

    return gpd.GeoDataFrame({"_cat": category}, geometry=geoms, crs=crs)


def _surfaces(job: Job, network: Any, sources: gpd.GeoDataFrame, cats: list[str],
              grid: Grid) -> dict[str, np.ndarray]:
    from zonekit.analysis.network.snapping import snap_points

    snapped = snap_points(network, sources, job.max_snap_m, layer="facilities")
    category = pd.Series(pd.Categorical(sources["_cat"].to_numpy(), categories=cats))
    lim = cc.engine_limit(report_limit(job), job.measure)
    surf = grid_minutes(network, grid, snapped, category, lim, job.max_snap_m, job.jobs)
    return {k: cc.to_unit(v, job.measure) for k, v in surf.items()}


def run(job: Job, inputs: CircleInputs, grid: Grid, persons: np.ndarray | None) -> Bundle:
    """Compute one circle with its surfaces, isochrones, gaps and (charging) new sites.

    ``summary["step_seconds"]`` holds the seconds of each step (network, circle, surfaces,
    isochrones, gaps, sites), for the run's ``timings_s``; at city scale with ``jobs > 1``
    isochrones and gaps are made side by side, one step ``isochrones_gaps``.
    """
    import geopandas as gpd

    clock = Timings()
    network = cc.circle_network(inputs.roads, job.mode, job.measure,
                                travel_profile=job.profile.travel_profile(job.mode),
                                speed_col=job.speed_col)
    clock.tick("network")
    job, resolved, fac, cat_col, names = _run_categories(job, inputs)
    warnings = speed_notes(inputs.roads, job) + other_mode_warning(job, resolved)
    hint = None if inputs.coords else gcj02_hint(fac, network.edge_tree,
                                                 job.profile.gcj02_check_m)
    if hint and hint["coords"]:
        warnings.append(hint["message"])
    tables: dict[str, Any] = {}
    res, origins, origins_shapes, sources = _circle(
        job, network, inputs, grid, persons, fac, cat_col, inputs.facility_id, names,
        resolved, warnings, tables)
    if job.capacity_col is not None:
        _capacity(job, network, res, fac, tables)
    clock.tick("circle")
    surfaces = _surfaces(job, network, sources, list(job.limits), grid)
    clock.tick("surfaces")
    iso, (gap_table, gap_grid, gap_masks) = _bands_and_gaps(job, res, origins, surfaces, grid,
                                                            persons, inputs, names, clock)
    if job.spec.categories_from_data and origins is not None:
        gap_table, tables["gap_areas"] = _named_gaps(gap_table, inputs)
        clock.tick("gaps" if "gaps" in clock.seconds else "isochrones_gaps")  # theirs
    siting = None
    if job.spec.proposes_sites and job.new_sites is not None:
        from zonekit.analysis.circles.new_sites import add_sites

        siting = add_sites(job, res, origins, network, fac, inputs, tables)
        clock.tick("sites")
    summary = _summary(job, res, network, hint, warnings)
    summary["step_seconds"] = clock.seconds
    if resolved is not None:
        summary.update(resolved.summary())
        summary["notes"] = resolved.notes()
    if "capacity" in tables:
        summary["capacity"] = tables.pop("capacity")
    if "study_area" in tables:
        summary["study_area"] = tables.pop("study_area")
    if siting is not None:
        summary["siting"] = siting
        summary["warnings"] += siting.get("warnings", [])  # e.g. a model stopped by its limit
    table = gpd.GeoDataFrame(res.origins.reset_index(drop=True),
                             geometry=origins_shapes.to_numpy(), crs=inputs.roads.crs)
    return Bundle(table, res.coverage, res.facilities, gap_table, iso, surfaces, grid, summary,
                  tables, names, gap_grid, gap_masks)


def _run_categories(job: Job, inputs: CircleInputs) -> tuple[
        Job, RunCategories | None, gpd.GeoDataFrame, str, dict[str, str]]:
    """Resolve the categories of a kind whose categories come from the data.

    Returns the job with its limits, the resolved categories (None for other kinds), the
    facilities with the run's category column, that column's name and the Chinese names.
    """
    fac, cat_col, names = inputs.facilities, inputs.category_col, job.profile.names_zh
    if not job.spec.categories_from_data:
        return job, None, fac, cat_col, names
    job, resolved = resolve_job(job, fac[cat_col])
    fac = fac.assign(_run_category=fac[cat_col].astype(str).str.strip().map(
        resolved.value_to_id))
    return job, resolved, fac, "_run_category", {**names, **resolved.names_zh()}


def _bands_and_gaps(job: Job, res: cc.CircleResult, origins: Origins | None,
                    surfaces: dict[str, np.ndarray], grid: Grid, persons: np.ndarray | None,
                    inputs: CircleInputs, names: dict[str, str],
                    clock: Timings) -> tuple[Any, Any]:
    """Return the isochrone bands and the gaps (table, grid, masks), timed on ``clock``."""
    counts = {"population": persons} if persons is not None else {}
    unit = job.measure
    bands = job.profile.bands_minutes if unit == "minutes" else tuple(sorted(set(
        job.limits.values())))

    # partials of top-level functions: they pickle, so a spawned worker can run them
    isochrones = functools.partial(isochrone_bands, surfaces, grid, job.limits, bands, names,
                                   inputs.roads.crs, counts, unit)
    gaps = functools.partial(_gaps, job, res, origins, surfaces, grid, persons, inputs)
    if job.jobs > 1 and grid.size + len(res.origins) >= PARALLEL_MIN_CELLS:
        # city scale: the isochrones are polygonised in a worker process beside the gaps
        iso, gap = in_parallel([isochrones, gaps], job.jobs)
        clock.tick("isochrones_gaps")
        return iso, gap
    iso = isochrones()
    clock.tick("isochrones")
    gap = gaps()
    clock.tick("gaps")
    return iso, gap


def _circle(job: Job, network: Any, inputs: CircleInputs, grid: Grid,
            persons: np.ndarray | None, fac: gpd.GeoDataFrame, cat_col: str, fid: str | None,
            names: dict[str, str], resolved: RunCategories | None, warnings: list[str],
            tables: dict[str, Any]) -> tuple[Any, Any, Any, gpd.GeoDataFrame]:
    """Run the circle of ``job.kind``.

    Returns its result, the origins (``None`` for industry: the chain's enterprises), their
    shapes and the facilities the surfaces are drawn from.
    """
    kw = {"category_col": cat_col, "id_col": fid, "measure": job.measure,
          "max_snap_m": job.max_snap_m}
    park_crs = inputs.roads.crs
    cats = list(job.limits)
    if job.spec.starts_from_enterprises:
        chain = job.spec.chain(job.chain)
        res = cc.industry_circle(network, inputs.enterprises, fac, job.spec, chain,
                                 job.limits, names, zones=inputs.zones, n_jobs=job.jobs,
                                 report_limit=report_limit(job), **kw)
        ents = inputs.enterprises
        members = ents[ents["industry"].astype(str).isin(chain.industries)]
        origins_shapes = members.geometry.reset_index(drop=True)
        tables["zones"] = res.extra["zones"]
        keep = fac[fac[cat_col].astype(str).isin(cats)]
        sources = _sources(np.r_[keep[cat_col].astype(str).to_numpy(),
                                 np.full(len(members), SAME_CHAIN, dtype=object)],
                           np.r_[keep.geometry.to_numpy(), members.geometry.to_numpy()], park_crs)
        origins = None
    else:
        origins = _origins(job, inputs, grid, persons, park_crs)
        if inputs.study_area is not None:
            origins, tables["study_area"] = within_area(origins, inputs.study_area)
            _outside_warning(tables["study_area"], warnings)
        origins_shapes = origins.shapes
        if job.spec.proposes_sites:
            category = cats[0]
            res = cc.charging_circle(network, origins, fac, job.spec, job.limits[category], names,
                                     parcels=inputs.parcels,
                                     enterprises=inputs.enterprises, category=category,
                                     fast_only=job.fast_only, report_limit=report_limit(job),
                                     **kw)
            tables["roads"] = res.extra["roads"]
            used = fac.loc[res.facilities.index]
        else:
            basics = _basics(job, resolved, warnings)
            res = cc.service_circle(network, origins, fac, job.spec, job.limits, names,
                                    n_jobs=job.jobs, report_limit=report_limit(job),
                                    basics=basics, complete_name=_complete_name(basics),
                                    **kw)
            used = fac[fac[cat_col].astype(str).isin(cats)]
        sources = _sources(used[cat_col].astype(str).to_numpy(), used.geometry.to_numpy(),
                           park_crs)
    return res, origins, origins_shapes, sources


def _named_gaps(gaps: gpd.GeoDataFrame, inputs: CircleInputs
                ) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Name the gap pieces by zone and nearest road; dissolve them into named areas."""
    from zonekit.analysis.circles.gap_areas import gap_areas, name_gaps

    named = name_gaps(gaps, inputs.zones, inputs.roads)
    return named, gap_areas(named, "population" if "population" in named else "weight")


def _outside_warning(info: dict[str, Any], warnings: list[str]) -> None:
    """Name the origins a study area left out (nothing is dropped silently)."""
    if info["outside_origins"]:
        what = "persons" if info["weight_name"] == "population" else "weight"
        warnings.append(f"{info['outside_origins']:,} origins ({info['outside_weight']:,.0f} "
                        f"{what}) lie outside the study area ({info['area']}): not counted; "
                        "pass study_area='all' to count them")


def _capacity(job: Job, network: Any, res: cc.CircleResult, fac: gpd.GeoDataFrame,
              tables: dict[str, Any]) -> None:
    """2SFCA capacity per 1,000 persons of each category (columns added to ``res``)."""
    from zonekit.analysis.circles.capacity import Setup, below_norm, capacities, circle_capacity
    from zonekit.analysis.circles.capacity_methods import Decay

    cap = capacities(fac.loc[res.facilities.index], job.capacity_col)
    setup = Setup(job.limits, job.measure, job.capacity_method or Decay(),
                  {c: n["per1000"] for c, n in job.norms.items()})
    figures = circle_capacity(network, res, cap, setup, job.capacity_col, job.jobs)
    rows = below_norm(res, job.norms, job.limits, figures)
    if len(rows):
        rows["name_zh"] = rows["category"].map(lambda c: job.profile.names_zh.get(c, c))
        res.coverage = pd.concat([res.coverage, rows], ignore_index=True)
    tables["capacity"] = figures


def report_limit(job: Job) -> float:
    """Limit (measure units) up to which times are reported and surfaces computed."""
    top = max(job.limits.values())
    if job.report_limit is not None:
        return max(float(job.report_limit), top)
    return max(top, job.profile.surface_max_minutes) if job.measure == "minutes" else 2 * top


def resolve_job(job: Job, values: pd.Series) -> tuple[Job, RunCategories]:
    """Resolve a service run's categories from the data: the job with their limits, and them."""
    resolved = resolve_categories(values, job.spec, job.profile.names_zh, measure=job.measure,
                                  threshold=job.threshold, categories=job.categories,
                                  category_map=job.category_map, circles=job.profile.circles)
    if not resolved.categories:
        raise DataFileError(_no_category_message(values, resolved))
    return dataclasses.replace(job, limits=resolved.limits()), resolved


def _no_category_message(values: pd.Series, resolved: RunCategories) -> str:
    """Say why no facility is usable: no rows, a blank column, or categories left out."""
    col = values.name
    if len(values) == 0:
        return "facilities: the layer holds no facilities (0 rows)"
    text = values.astype("string").str.strip()
    if (values.isna() | (text == "")).all():
        return (f"facilities, column '{col}': the category column is blank in all "
                f"{counted(len(values), 'facility', 'facilities')}; fill it, or name the "
                "column that holds the categories with category_col=COLUMN")
    return ("facilities: no facility of a category this run can use ("
            + "; ".join(resolved.notes()) + ")")


def other_mode_warning(job: Job, resolved: RunCategories | None) -> list[str]:
    """Warn when a category of another circle takes a threshold meant for another mode."""
    if resolved is None:
        return []
    odd = [f"{c.id} ({c.circle}: {job.profile.circles[c.circle].mode})"
           for c in resolved.categories.values()
           if c.circle is not None and job.profile.circles[c.circle].mode != job.mode]
    return [f"categories of other circles computed {job.mode} with a threshold meant for "
            f"another mode: {', '.join(odd)}; restrict the run with categories= if they do "
            "not belong here"] if odd else []


def _basics(job: Job, resolved: RunCategories | None, warnings: list[str]) -> tuple[str, ...]:
    """Return the circle's basics when the data holds them all, else () and a warning."""
    basics = tuple(job.spec.basics)
    missing = [b for b in basics if b not in job.limits]
    if basics and missing:
        warnings.append("basics complete (基本保障类业态齐全) not computed: your data has no "
                        f"{', '.join(missing)}; 'all_categories' counts the categories given")
        return ()
    return basics


def _complete_name(basics: tuple[str, ...]) -> str:
    return "basics_complete" if basics else "all_categories"


def speed_notes(roads: gpd.GeoDataFrame, job: Job) -> list[str]:
    """Warnings on road speeds: ``maxspeed`` values that give no limit (class speed used)."""
    from zonekit.analysis.network.maxspeed import invalid_maxspeeds

    if job.mode != "drive" or job.measure != "minutes" or "maxspeed" not in roads:
        return []
    bad = invalid_maxspeeds(roads["maxspeed"])
    if not bad:
        return []
    shown = ", ".join(f"{v!r} ({n} roads)" for v, n in list(bad.items())[:10])
    return [f"roads column 'maxspeed': {sum(bad.values())} values give no speed limit, "
            f"the road class speed is used there: {shown}"]


def _gaps(job: Job, res: cc.CircleResult, origins: Origins | None,
          surfaces: dict[str, np.ndarray], grid: Grid, persons: np.ndarray | None,
          inputs: CircleInputs) -> tuple[gpd.GeoDataFrame, Grid, dict[str, np.ndarray]]:
    """Return the gap pieces and their cells (the grid, a boolean raster per category)."""
    names = {**job.profile.names_zh, "basics_complete": "基本保障类业态齐全"}
    crs = inputs.roads.crs
    if job.spec.categories_from_data and origins is not None:
        present = res.origins[[f"within_{c}" for c in job.limits]].copy()
        present.columns = list(job.limits)
        present[_complete_name(tuple(res.summary["basics"]))] = res.origins["complete"]
        names["all_categories"] = "全部业态齐全"
        unc = {c: ~present[c].to_numpy(bool) for c in present.columns}
        if origins.kind == "population_cells":
            rows, cols = origins.points["row"].to_numpy(), origins.points["col"].to_numpy()
            masks = {}
            for cat, m in unc.items():
                grid_mask = np.zeros((grid.height, grid.width), bool)
                grid_mask[rows[m], cols[m]] = True
                masks[cat] = grid_mask
            return grid_gaps(masks, grid, names, crs, {"population": persons}), grid, masks
        cells = origin_gap_cells(origins.points.geometry, unc, grid, origins.shapes)
        return (origin_gaps(origins.points.geometry, unc, origins.points["weight"].to_numpy(),
                            names, grid, origins.shapes, cells), cells.grid, cells.masks)
    zone = _zone_mask(grid, inputs.zones)
    if job.spec.starts_from_enterprises:
        ents = inputs.enterprises
        chain = job.spec.chain(job.chain)
        demand = zone if zone is not None else np.isfinite(np.stack(list(surfaces.values()))).any(0)
        counts = {"chain_enterprises": _cell_counts(
            grid, ents[ents["industry"].astype(str).isin(chain.industries)])}
    else:
        pop = persons if persons is not None else np.zeros((grid.height, grid.width))
        demand = (pop > 0) | (zone if zone is not None else False)
        counts = {"population": pop, "enterprises": _cell_counts(grid, inputs.enterprises)}
    masks = {c: demand & ~(np.nan_to_num(s, nan=np.inf) <= job.limits[c] * (1 + 1e-12))
             for c, s in surfaces.items()}
    if job.spec.starts_from_enterprises:  # where not every element of the chain is within reach
        masks["all_elements"] = np.logical_or.reduce(list(masks.values()))
        names["all_elements"] = "要素齐全"
    return grid_gaps(masks, grid, names, crs, counts), grid, masks


def _summary(job: Job, res: cc.CircleResult, network: Any, hint: dict | None,
             warnings: list[str]) -> dict[str, Any]:
    cov = res.coverage
    shares: dict[str, Any] = {}
    for r in cov.itertuples():
        shares.setdefault(r.scenario, {}).setdefault(r.category, {})[r.measure] = round(
            float(r.share), 6)
    n_unreach = len(res.summary.get("facilities_unreachable", []))
    if n_unreach:
        warnings.append(f"{counted(n_unreach, 'facility', 'facilities')} lie"
                        f" farther than {job.max_snap_m:g} m from "
                        "every usable road: listed in facilities.csv, not snapped")
    for cat in res.summary.get("empty_categories", []):
        warnings.append(f"category {cat!r} has no facilities: its coverage is 0")
    return {
        "kind": job.kind, "circle_zh": job.spec.name_zh, "mode": job.mode,
        "circle_kind": job.spec.as_summary(),
        "measure": job.measure, "limits": job.limits, "profile": job.profile.source,
        "scheme": job.profile.scheme, "max_snap_m": job.max_snap_m,
        "coverage": shares, "circle": res.summary, "gcj02_check": hint,
        "warnings": warnings, "methods": METHODS,
        "origins_weight": "persons" if "population" in res.origins.columns else "weight",
    }


