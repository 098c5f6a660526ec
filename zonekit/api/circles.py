"""``zk.circles``: 15-minute life circle, industry circle, 5-minute charging circle.

One call reads what the circle needs (a park, or the user's roads/facilities/origins files
alone), routes it with the exact engine (:mod:`zonekit.analysis.circles.pipeline`) and
returns a :class:`~zonekit.api.circles_result.CirclesResult`.
"""

# Module size: ~410 lines — one API entry: options resolved against the circle kind, the
# layers read and checked (roads, facilities and their categories, origins), the run.

from __future__ import annotations

import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from zonekit.analysis.circles.registry import DEFAULT_KIND
from zonekit.api.circle_options import (  # noqa: F401 - CircleOptions is part of this API
    CircleOptions,
    check_options,
    limits,
    split_options,
)
from zonekit.api.circle_options import category_list as _category_list
from zonekit.api.circles_result import CirclesResult
from zonekit.api.data import DataOptions, user_layer
from zonekit.api.params import checked
from zonekit.api.results import Timings, summary_base
from zonekit.api.zones import park_for
from zonekit.errors import DataFileError, SchemaError, ZonekitError, where

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

    from zonekit.zones.park import Park


Layer = Any  # a file path, or a GeoDataFrame (origins=: also population/residential)


@checked
def circles(kind: str = DEFAULT_KIND, park: Park | None = None, *,
            # the data (as zk.load_park takes it), when no park is given
            data: str | Path | None = None, roads: Layer = None, facilities: Layer = None,
            zones: Layer = None, parcels: Layer = None, enterprises: Layer = None,
            population: str | Path | None = None, mapping: str | Path | None = None,
            crs: str | None = None, analysis_crs: str | None = None,
            coords: Literal["gcj02", "bd09"] | None = None, encoding: str | None = None,
            data_year: int | None = None, drop_invalid: bool = False,
            # what to compute (None: the circle kind's default)
            minutes: float | None = None, metres: float | None = None,
            measure: Literal["minutes", "metres"] | None = None,
            mode: Literal["walk", "bike", "drive"] | None = None,
            origins: Layer | Literal["population", "residential"] = None,
            study_area: Layer | Literal["zones", "all"] = None,
            origin_id: str | None = None, weight_col: str | None = None,
            capacity_col: str | None = None,
            capacity_method: Literal["2sfca", "e2sfca", "gravity"] | None = None,
            facility_id: str | None = None,
            category_col: str | None = None,
            categories: str | list[str] | None = None, category_map: Any = None,
            new_sites: int | None = None, new_site_capacity: float | None = None,
            target_share: float | None = None,
            demand: Literal["built_land_km2", "origins", "parcels", "enterprises",
                            "employees"] | None = None,
            candidates: Layer = None, fast_only: bool = False, chain: str | None = None,
            profile: str | Path | None = None, max_snap_m: float | None = None,
            jobs: int | None = None, speed_col: str | None = None,
            report_minutes: float | None = None,
            basemap: Literal["none", "osm", "tianditu", "amap"] = "none",
            options: DataOptions | None = None,
            circle: CircleOptions | None = None) -> CirclesResult:
    """Network circles: who reaches what within N minutes, gaps, isochrones, new sites.

    Parameters
    ----------
    kind
        A circle kind of the profile (:func:`zonekit.circle_kinds`): ``service``
        (15分钟便民生活圈), ``lifecircle`` (GB 50180), ``industry`` (15分钟产业生态圈),
        ``charging`` (5分钟充电圈), or one a county's ``profile=`` adds.
    park
        A park from :func:`zonekit.load_park`; default: read from the data keywords.
    data, roads, facilities, zones, parcels, enterprises, population, mapping, crs, \
analysis_crs, coords, encoding, data_year, drop_invalid
        The data, as :func:`zonekit.load_park` reads it (:class:`~zonekit.api.data.DataOptions`);
        user ``facilities`` and ``origins`` are read beside a park too.
    minutes, metres, measure, mode, origins, study_area, origin_id, weight_col, capacity_col, \
capacity_method, facility_id, category_col, categories, category_map, new_sites, \
new_site_capacity, target_share, demand, candidates, fast_only, chain, profile, max_snap_m, \
jobs, speed_col, report_minutes, basemap
        What to compute: see :class:`CircleOptions` (units: minutes, metres, km/h, shares
        0–1); ``None`` takes the circle kind's default.
    options, circle
        A :class:`~zonekit.api.data.DataOptions` and a :class:`CircleOptions` instead of
        the keywords (as the command line passes them).

    Returns
    -------
    CirclesResult
        ``origins`` (``origin_id``, ``minutes_<category>`` …), ``coverage``, gaps,
        isochrones, surfaces; ``write(out)`` and ``map()``.
    """
    given = {k: v for k, v in locals().items()
             if k not in ("kind", "park", "options", "circle")}
    return _circles(kind, park, options, circle, given)


def _circles(kind: str, park: Park | None, options: DataOptions | None,
             circle: CircleOptions | None, kwargs: dict[str, Any]) -> CirclesResult:
    from zonekit.analysis.circles import pipeline as run
    from zonekit.analysis.circles.profile import load_circles_profile
    from zonekit.analysis.circles.registry import circle_kind

    data, more = split_options(kwargs)
    data = options or data
    o = circle or more
    prof = load_circles_profile(o.profile)  # profile errors before any heavy work
    spec = circle_kind(kind, prof)
    measure = check_options(spec, o, tuple(k for k, s in prof.circles.items()
                                          if s.proposes_sites))
    if o.speed_col is not None and (o.mode or spec.mode) != "drive":
        raise ZonekitError(f"speed_col= gives driving speeds: the {kind} circle is "
                           f"{spec.mode}; pass mode='drive'")
    job = _job(prof, spec, o, measure, data.layers.get("facilities") is not None)
    _check_site_norm(job)
    timings = Timings()
    park = _park(park, data, spec, timings, job.mode)
    with timings.step("read"):
        inputs = _inputs(park, data, kind, job, o)
        _check_apart(park, {**data.layers, "origins": o.origins, "candidates": o.candidates},
                     inputs, job.max_snap_m)
        grid, persons, grid_note = _grid(park, data.layers.get("population"), inputs.roads)
    copy = _map_copy(park, job, measure, grid, inputs.origins_layer)
    try:
        bundle = run.run(job, inputs, grid, persons)
    except BaseException:
        if copy is not None:
            copy.close()
        raise
    for step, seconds in bundle.summary.pop("step_seconds", {}).items():
        timings.seconds[step] = seconds
    summary = summary_base("circles", park) | bundle.summary
    summary["population"] = grid_note
    summary["processes"] = _processes(job.jobs, copy)
    if _from_osm(park):
        from zonekit.zones.osm import OSM_ATTRIBUTION

        summary["attribution"] = OSM_ATTRIBUTION
    result = CirclesResult(summary=summary, park=park, timings=timings, bundle=bundle,
                           kind=kind, spec=spec, measure=measure, basemap=o.basemap,
                           stations=_stations(inputs, spec, job.limits), jobs=job.jobs,
                           facility_points=_facility_points(inputs, bundle.facilities),
                           map_copy=copy)
    if copy is not None:  # a result never written lets its copy go
        weakref.finalize(result, copy.close)
    return result


def _processes(jobs: int, copy: Any) -> dict[str, Any]:
    """How the run used processes: ``jobs``, the workers' start method, the map's copy."""
    from zonekit.parallel import start_method

    return {"jobs": jobs, "start_method": start_method() if jobs > 1 else None,
            "map_forked_early": copy is not None}


def _map_copy(park: Park, job: Any, measure: str, grid: Any, origins: Any) -> Any:
    """Fork the process that will draw the run's map, when the map is the write's longer side.

    See :mod:`zonekit.api.map_standby`; ``None`` (the map drawn in this process) for metre
    runs, ``jobs=1``, runs beyond its size and platforms without ``fork``.
    """
    from zonekit.api import map_standby

    cells = int(grid.width) * int(grid.height)
    given = 0 if origins is None else len(origins)
    if measure != "minutes" or not map_standby.wanted(job.jobs, cells, given):
        return None
    return map_standby.start(park)


def _facility_points(inputs: Any, used: pd.DataFrame) -> gpd.GeoDataFrame | None:
    """Return the facilities the run used, as points with its ``category`` (for maps)."""
    fac = inputs.facilities
    keep = used.index.intersection(fac.index)
    if not len(keep) or "category" not in used:
        return None
    points = fac.loc[keep, [c for c in ("name",) if c in fac] + [fac.geometry.name]]
    return points.assign(category=used.loc[keep, "category"].astype(str).to_numpy())


def _check_site_norm(job: Any) -> None:
    """Refuse new_site_capacity= without a norm to measure the shortfall against."""
    if job.new_site_capacity is None:
        return
    missing = [c for c in job.limits if c not in job.norms]
    if missing:
        raise ZonekitError(f"new_site_capacity= serves the shortfall against the norm per "
                           f"1,000 persons of {', '.join(missing)}, which has none (the "
                           "shipped norms quote no value): set it in profile=FILE, e.g. "
                           f"capacity_norms: {{{missing[0]}: {{per1000: N, unit: 充电桩, "
                           "clause: 出处}}")


def _job(prof: Any, spec: Any, o: CircleOptions, measure: str, user_fac: bool) -> Any:
    """Resolve the options against the circle kind and profile: the pipeline's job."""
    from zonekit.analysis.circles import pipeline as run
    from zonekit.analysis.circles.capacity import load_norms
    from zonekit.analysis.circles.capacity_methods import load_method
    from zonekit.analysis.circles.profile import SAME_CHAIN
    from zonekit.analysis.network.engine import default_jobs

    kind = spec.kind
    one_cat = user_fac and o.category_col is None
    cats = ([SAME_CHAIN, kind] if spec.starts_from_enterprises else [kind]) if one_cat else None
    service = spec.categories_from_data  # resolved from the data in the run
    return run.Job(kind=kind, profile=prof, spec=spec, measure=measure,
                   limits={} if service else limits(spec, cats, o, measure),
                   mode=o.mode or spec.mode,
                   new_sites=o.new_sites,
                   target_share=spec.target_share if o.target_share is None else o.target_share,
                   chain=o.chain, fast_only=o.fast_only or spec.fast_only,
                   max_snap_m=prof.max_snap_m if o.max_snap_m is None else o.max_snap_m,
                   jobs=default_jobs() if o.jobs is None else o.jobs,
                   origin_id=o.origin_id, weight_col=o.weight_col,
                   capacity_col=o.capacity_col,
                   norms=load_norms(o.profile) if o.capacity_col is not None else {},
                   capacity_method=(load_method(o.capacity_method, o.profile)
                                    if o.capacity_col is not None else None),
                   new_site_capacity=o.new_site_capacity,
                   demand=o.demand or spec.siting.demand,
                   threshold=(o.minutes if measure == "minutes" else o.metres) if service else None,
                   categories=_category_list(o.categories), category_map=o.category_map,
                   report_limit=o.report_minutes, speed_col=o.speed_col)


def _park(park: Park | None, data: DataOptions, spec: Any, timings: Timings,
          mode: str) -> Park:
    """Return the park of a circle: roads (facilities, enterprises) required, the rest optional."""
    from zonekit.api.data import read_park

    layers = ["roads", "zones", "parcels", "population"]
    user_fac = data.layers.get("facilities") is not None
    if not user_fac:
        layers.append("facilities")
    if spec.starts_from_enterprises or spec.proposes_sites:
        layers.append("enterprises")
    required = tuple(x for x in ("roads", "facilities") if x in layers) + (
        ("enterprises",) if spec.starts_from_enterprises else ())
    if park is not None:  # the run's notes go to a copy: the caller's park is not changed
        import dataclasses

        given = park_for(park, None, tuple(layers), timings, required=required)
        notes = dataclasses.replace(given.findings, notes=list(given.findings.notes))
        return dataclasses.replace(given, findings=notes)
    opts = DataOptions(**{**data.__dict__, "layers": {k: v for k, v in data.layers.items()
                                                      if k != "facilities"}})
    with timings.step("read"):
        return read_park(opts, layers=tuple(layers), required=required,
                         mapping=roads_text_mapping(data.mapping), osm_mode=mode)


REPLACED_MAXSPEED = "_maxspeed_replaced"


def _from_osm(park: Park) -> bool:
    """Whether the park's roads were read from an OpenStreetMap file."""
    from zonekit.zones.osm.roads import is_osm_file

    source = park.sources.get("roads", "")
    return bool(source) and not source.startswith("(") and is_osm_file(Path(source))


def roads_text_mapping(user: Any) -> Any:
    """Return the user's mapping, with the roads' ``maxspeed`` read as text.

    OSM values ("50", "30 mph", "['40', '60']") are then parsed by the network builder
    instead of being rejected by the layer model's number check.
    """
    from zonekit.zones.mapping import LayerMapping, Mapping, load_mapping

    user = load_mapping(user) if isinstance(user, (str, Path)) else user
    block = user.for_layer("roads") if user else None
    cols = dict(block.columns) if block else {}
    cols = {k: ("_maxspeed_text" if v == "maxspeed" else v) for k, v in cols.items()}
    if "_maxspeed_text" not in cols.values():
        cols["maxspeed"] = "_maxspeed_text"
    elif "maxspeed" not in cols:  # another column maps onto maxspeed: it replaces the layer's
        cols["maxspeed"] = REPLACED_MAXSPEED
    base = block or LayerMapping(layer="roads")
    layers = dict(user.layers) if user else {}
    layers["roads"] = LayerMapping(**{**base.__dict__, "columns": cols})
    return Mapping(layers=layers, source=user.source if user else "", raw=user.raw if user else {})


def _inputs(park: Park, data: DataOptions, kind: str, job: Any,
            o: CircleOptions) -> Any:
    """Return the pipeline's inputs: roads, facilities (park's or user's), origins, candidates."""
    from zonekit.analysis.circles.pipeline import CircleInputs

    settings = data
    roads = park.roads
    if REPLACED_MAXSPEED in roads:
        park.findings.notes.append(_replaced_note(park))
        roads = roads.drop(columns=REPLACED_MAXSPEED)
    roads = roads.rename(columns={"_maxspeed_text": "maxspeed"})
    if "highway" not in roads and o.speed_col is None:  # a planner's centrelines: one class
        speed = job.profile.travel_profile(job.mode).default_speed_kmh
        park.findings.notes.append(
            "roads: no 'highway' column (road class): every road is one class, travelled "
            f"at the {job.mode} profile's default speed, {speed:g} km/h (a mapping that names "
            "a road-grade column as highway gives class speeds)")
    source = data.layers.get("facilities")
    if source is not None:
        fac = user_layer(source, settings, park.crs, "facilities")
        for col in (o.facility_id, o.category_col):
            if col is not None and col not in fac.columns:
                raise SchemaError(f"{where(source, 'facilities', col)}: column not found; "
                                  f"columns are {', '.join(map(str, fac.columns))}")
        category_col = o.category_col
        if category_col is None and job.spec.categories_from_data and "category" in fac:
            # the layer model's own column (what `zonekit osm facilities` and `poi` write):
            # a planner's categories are read, not folded into one named after the kind
            category_col = "category"
            park.findings.notes.append(
                "facility categories from column 'category' of the facilities layer "
                "(category_col= names another)")
        if category_col is None:
            fac["_category"] = kind
        facilities = {"facilities": fac, "category_col": category_col or "_category",
                      "facility_id": o.facility_id}
        _note_unused(park, fac, "facilities", (o.facility_id, category_col, o.capacity_col),
                     "facility_id")
    else:
        facilities = {"facilities": park.facilities, "category_col": "category",
                      "facility_id": "fac_id"}
    if o.capacity_col is not None:  # checked before any search (values: in the run)
        from zonekit.analysis.circles.capacity import capacities

        capacities(facilities["facilities"].iloc[:0], o.capacity_col)
    choice, layer = (o.origins if o.origins is not None else job.spec.origins), None
    if not (isinstance(choice, str) and choice in ("population", "residential", "enterprises")):
        layer, choice = user_layer(choice, settings, park.crs, "origins"), "file"
        _note_unused(park, layer, "origins", (o.origin_id or "origin_id", o.weight_col),
                     "origin_id")
    return CircleInputs(
        roads=roads, **facilities, origins_choice=choice, origins_layer=layer,
        zones=park.layers.get("zones"), parcels=park.layers.get("parcels"),
        enterprises=park.layers.get("enterprises"), coords=settings.coords,
        study_area=None if job.spec.starts_from_enterprises else study_area_of(
            o.study_area, park, settings),
        candidates=None if o.candidates is None else _candidates(o.candidates, settings,
                                                                  park.crs))


def _note_unused(park: Park, layer: Any, name: str, used: tuple, id_column: str) -> None:
    """Note the columns of a user's layer the run reads nothing from (nothing silently)."""
    left = [str(c) for c in layer.columns
            if c != layer.geometry.name and c not in used and not str(c).startswith("_")]
    if left:
        park.findings.notes.append(
            f"{name}: columns not used by this run (not carried into the results, whose ids "
            f"are in {id_column}): " + ", ".join(left))


def study_area_of(choice: Any, park: Park, settings: DataOptions) -> Any:
    """Return the area whose origins are counted (``StudyArea``; ``all``: every origin).

    The default is the park's zones; without a zones layer every origin is counted (the
    summary's ``study_area`` says so).
    """
    import numpy as np
    import shapely

    from zonekit.analysis.circles.origins import StudyArea

    if choice == "all":
        return StudyArea("all")
    if choice in (None, "zones"):
        zones = park.layers.get("zones")
        if zones is None or not len(zones):
            if choice == "zones":
                raise DataFileError("study_area='zones' needs a zones layer (zones=FILE)")
            return StudyArea("all")
        return StudyArea("zones", shapely.union_all(zones.geometry.to_numpy()))
    name = str(choice) if isinstance(choice, (str, Path)) else "(study_area GeoDataFrame)"
    layer = user_layer(choice, settings, park.crs, "study_area")
    geoms = layer.geometry.to_numpy()
    bad = ~np.isin(shapely.get_type_id(geoms), (3, 6))  # Polygon, MultiPolygon
    if not len(layer) or bad.any():
        found = ", ".join(sorted(set(layer.geom_type[bad].astype(str)))) or "no features"
        raise SchemaError(f"{where(name, 'study_area', 'geometry')}: expected polygons, found "
                          f"{found}")
    return StudyArea(Path(name).name, shapely.union_all(geoms))


def _check_apart(park: Park, given: dict[str, Any], inputs: Any, reach_m: float) -> None:
    """Refuse, before any grid or network is built, layers lying apart from the roads.

    ``given`` maps layer names to what the caller gave (files named in the message).
    """
    from zonekit.zones.extents import check_apart

    def source(name: str) -> str:
        item = given.get(name)
        return str(item) if isinstance(item, (str, Path)) else park.sources.get(
            name, f"({name} GeoDataFrame)")

    others = [("facilities", source("facilities"), inputs.facilities),
              ("origins", source("origins"), inputs.origins_layer),
              ("candidates", source("candidates"), inputs.candidates)]
    others += [(n, source(n), park.layers.get(n)) for n in ("zones", "parcels", "enterprises")]
    check_apart(("roads", source("roads"), inputs.roads), others, reach_m,
                "no feature of theirs can reach a road")


def _replaced_note(park: Park) -> Any:
    from zonekit.zones.validate import Problem

    source = next(k for k, v in park.mapping.for_layer("roads").columns.items()
                  if v == "_maxspeed_text")
    return Problem("roads", park.sources.get("roads", ""), "maxspeed",
                   f"the layer's column 'maxspeed' is replaced by the mapped column '{source}'")


def _stations(inputs: Any, spec: Any, limits: dict[str, float]) -> gpd.GeoDataFrame | None:
    """Stations of a charging-like run (for its map): the facilities of its one category."""
    if not spec.proposes_sites:
        return None
    fac, col = inputs.facilities, inputs.category_col
    station = next(iter(limits))
    return fac.loc[fac[col].astype(str) == station] if col in fac else fac


def _candidates(source: Any, settings: Any, crs: str) -> gpd.GeoDataFrame:
    from zonekit.analysis.circles.origins import inner_points

    cand = user_layer(source, settings, crs, "candidates")
    ids = (cand["candidate_id"].astype(str) if "candidate_id" in cand
           else [f"C{i:04d}" for i in range(1, len(cand) + 1)])
    return cand.assign(candidate_id=list(ids)).set_geometry(
        inner_points(cand.geometry.to_numpy()), crs=cand.crs).reset_index(drop=True)


def _grid(park: Park, population: Any, roads: gpd.GeoDataFrame) -> tuple[Any, Any, str]:
    """Return the surfaces' grid: the population GeoTIFF when it overlaps the roads, else 100 m.

    Returns the grid, the persons per cell (``None`` without population) and a sentence
    saying which grid was used.
    """
    from zonekit.zones.raster import grid_over, read_population

    path = population or park.population_path
    if path is not None:
        if not Path(path).exists():
            raise DataFileError(f"{path}: population GeoTIFF not found (population=)")
        grid, persons = read_population(path)
        t = grid.transform
        x0, x1, y0, y1 = t.c, t.c + grid.width * t.a, t.f + grid.height * t.e, t.f
        box = roads.to_crs(grid.crs).total_bounds
        if population is not None or (box[0] < x1 and box[2] > x0 and box[1] < y1 and box[3] > y0):
            return grid, persons, f"population grid {path}"
        note = (f"the population grid {path} does not overlap the roads: surfaces use a 100 m "
                "grid over the roads (pass population=FILE)")
    else:
        note = ("no population grid given: surfaces and gaps use a 100 m grid over the roads, "
                "without persons")
    return grid_over(tuple(roads.total_bounds), 100.0, park.crs), None, note
