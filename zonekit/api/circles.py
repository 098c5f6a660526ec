"""``zk.circles``: 15-minute life circle, industry circle, 5-minute charging circle.

One call reads what the circle needs (a park, or the user's roads/facilities/origins files
alone), routes it with the exact engine (:mod:`zonekit.analysis.circles.pipeline`) and
returns a :class:`~zonekit.api.circles_result.CirclesResult`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zonekit.api.circles_result import CirclesResult
from zonekit.api.data import LAYER_ARGS, DataOptions, user_layer
from zonekit.api.results import Timings, summary_base
from zonekit.api.zones import park_for
from zonekit.errors import DataFileError, ProfileError, SchemaError, ZonekitError, where

if TYPE_CHECKING:
    import geopandas as gpd

    from zonekit.zones.park import Park


@dataclass(frozen=True)
class CircleOptions:
    """What to compute; ``None`` takes the circle profile's default.

    Parameters
    ----------
    minutes, metres
        One time (min) or network-distance (m) threshold for every category.
    measure
        ``minutes``, or ``metres``: the profile's GB 50180 walking distances.
    mode
        ``walk``, ``bike`` or ``drive``.
    origins
        ``population`` (cells of the population GeoTIFF), ``residential`` (parcels) or a
        point/polygon file or GeoDataFrame of the user's.
    origin_id, weight_col
        Id and weight columns of a user's origins.
    facility_id, category_col
        Id and category columns of a user's facilities.
    new_sites, target_share, demand, candidates, fast_only
        Charging: choose K new sites (maximal covering) and the fewest reaching
        ``target_share`` of ``demand``; candidate sites; count fast stations only.
    chain
        Industry chain (default 新能源智能汽车).
    profile
        YAML merged over the shipped circles profile.
    max_snap_m
        Points farther from every road are unreachable (default 250 m).
    jobs
        Worker processes for the categories' searches (forked); ``None``: one per CPU
        (at most 4) on Linux, 1 elsewhere; 1 runs everything in this process. Workers
        start only when the first category's search says they pay (large networks).
    basemap
        Basemap of the HTML map ``write`` draws.
    categories
        Service kinds: compute only these categories (ids, Chinese names or the data's
        values; a list or ``"a,b,c"``).
    category_map
        A county's names onto the profile's categories: a dict, or a CSV/YAML file.
    speed_col
        Road column of driving speeds (km/h, e.g. 设计速度); never above the posted limit.
    report_minutes
        ``minutes_<category>`` is reported up to this many minutes (default: the profile's
        ``surface_max_minutes``); ``within_<category>`` says whether the threshold is met.
    """

    minutes: float | None = None
    metres: float | None = None
    measure: str | None = None
    mode: str | None = None
    origins: Any = None
    origin_id: str | None = None
    weight_col: str | None = None
    facility_id: str | None = None
    category_col: str | None = None
    new_sites: int | None = None
    target_share: float | None = None
    demand: str | None = None
    candidates: Any = None
    fast_only: bool = False
    chain: str | None = None
    profile: str | Path | None = None
    max_snap_m: float | None = None
    jobs: int | None = None
    basemap: str = "none"
    categories: str | list[str] | None = None
    category_map: Any = None
    speed_col: str | None = None
    report_minutes: float | None = None


CIRCLE_FIELDS = {f.name for f in fields(CircleOptions)}
DATA_FIELDS = {f.name for f in fields(DataOptions)} - {"layers"}


def split_options(kwargs: dict[str, Any]) -> tuple[DataOptions, CircleOptions]:
    """Sort keyword arguments into data options and circle options; refuse unknown ones."""
    unknown = sorted(set(kwargs) - CIRCLE_FIELDS - DATA_FIELDS - set(LAYER_ARGS))
    if unknown:
        raise ZonekitError(f"unknown option(s) for circles: {', '.join(unknown)}")
    layers = {k: v for k, v in kwargs.items() if k in LAYER_ARGS}
    data = DataOptions(layers=layers, **{k: v for k, v in kwargs.items() if k in DATA_FIELDS})
    return data, CircleOptions(**{k: v for k, v in kwargs.items() if k in CIRCLE_FIELDS})


def check_options(kind: str, o: CircleOptions) -> str:
    """Refuse contradictory options before any work; return the measure (minutes/metres)."""
    from zonekit.analysis.circles.profile import DEMANDS, KINDS, MODES

    if kind not in KINDS:
        raise ZonekitError(f"kind= must be one of {', '.join(KINDS)}, got {kind!r}")
    if o.minutes is not None and o.metres is not None:
        raise ZonekitError("give minutes= or metres=, not both")
    for name, v in (("minutes", o.minutes), ("metres", o.metres)):
        if v is not None and not v > 0:
            raise ZonekitError(f"{name}= must be a positive number, got {v}")
    if o.measure not in (None, "minutes", "metres"):
        raise ZonekitError(f"measure= must be minutes or metres, got {o.measure!r}")
    if o.mode is not None and o.mode not in MODES:
        raise ZonekitError(f"mode= must be one of {', '.join(MODES)}, got {o.mode!r}")
    if o.new_sites is not None and (kind != "charging" or o.new_sites < 0):
        raise ZonekitError("new_sites=K (K ≥ 0) chooses charging sites: use it with "
                           f"kind='charging' (got kind {kind!r}, K = {o.new_sites})")
    if o.target_share is not None and not 0 < o.target_share <= 1:
        raise ZonekitError(f"target_share= is a share in (0, 1], got {o.target_share}")
    if kind == "industry" and o.origins is not None:
        raise ZonekitError("the industry circle starts from the chain's enterprises: pass "
                           "enterprises=FILE, not origins=")
    if o.demand is not None and o.demand not in DEMANDS:
        raise ZonekitError(f"demand= must be one of {', '.join(DEMANDS)}, got {o.demand!r}")
    if o.jobs is not None and (isinstance(o.jobs, bool) or not isinstance(o.jobs, int)
                               or o.jobs < 1):
        raise ZonekitError(f"jobs= must be a whole number ≥ 1, got {o.jobs!r}")
    measure = "metres" if o.metres is not None else (o.measure or "minutes")
    _check_category_options(kind, measure, o)
    return measure


def _check_category_options(kind: str, measure: str, o: CircleOptions) -> None:
    from zonekit.analysis.circles.profile import SERVICE_KINDS

    if (o.categories is not None or o.category_map is not None) and kind not in SERVICE_KINDS:
        raise ZonekitError("categories= and category_map= choose the categories of "
                           f"{' and '.join(SERVICE_KINDS)} circles, not of kind {kind!r}")
    if o.speed_col is not None and (o.mode not in (None, "drive") or measure != "minutes"):
        raise ZonekitError("speed_col= gives driving speeds (km/h): use it with mode='drive' "
                           f"and minutes (got mode {o.mode}, measure {measure})")
    if o.report_minutes is not None and (measure != "minutes" or not o.report_minutes > 0):
        raise ZonekitError("report_minutes=N (N > 0) is for minute thresholds, got "
                           f"{o.report_minutes} with measure {measure}")


def _category_list(categories: str | list[str] | None) -> list[str] | None:
    if categories is None:
        return None
    items = categories.split(",") if isinstance(categories, str) else list(categories)
    items = [str(x).strip() for x in items if str(x).strip()]
    if not items:
        raise ZonekitError("categories=: expected category names separated by commas")
    return items


def limits(spec: Any, categories: list[str] | None, o: CircleOptions,
           measure: str) -> dict[str, float]:
    """Threshold per category in the measure's unit: one given number, or the profile's."""
    if categories is None:
        categories = list(spec.category_ids)
    one = o.minutes if measure == "minutes" else o.metres
    if one is not None:
        return dict.fromkeys(categories, float(one))
    table = spec.limits_minutes() if measure == "minutes" else spec.limits_metres()
    default = max(table.values()) if table else None
    missing = [k for k in categories if k not in table]
    if missing and (measure == "metres" or default is None):
        raise ProfileError(f"circle '{spec.kind}' gives no {measure} for {', '.join(missing)}; "
                           f"pass {measure}=N")
    return {k: float(table.get(k, default)) for k in categories}


def circles(kind: str = "service", park: Park | None = None, *,
            options: DataOptions | None = None, circle: CircleOptions | None = None,
            **kwargs: Any) -> CirclesResult:
    """Network circles: who reaches what within N minutes, gaps, isochrones, new sites.

    Parameters
    ----------
    kind
        ``service`` (15分钟便民生活圈), ``industry`` (15分钟产业生态圈) or ``charging``
        (5分钟充电圈).
    park
        A park from :func:`zonekit.load_park`; default: read from the data options.
    options, circle
        A :class:`~zonekit.api.data.DataOptions` and a :class:`CircleOptions`; or their fields
        as keywords: ``roads=``, ``facilities=``, ``origins=``, ``population=``, ``data=``,
        ``crs=`` …, ``minutes=``, ``mode=``, ``category_col=`` ….

    Returns
    -------
    CirclesResult
        ``origins`` (``origin_id``, ``minutes_<category>`` …), ``coverage``, gaps,
        isochrones, surfaces; ``write(out)`` and ``map()``.
    """
    from zonekit.analysis.circles import pipeline as run
    from zonekit.analysis.circles.profile import SAME_CHAIN, SERVICE_KINDS, load_circles_profile

    data, more = split_options(kwargs)
    data = options or data
    o = circle or more
    measure = check_options(kind, o)
    prof = load_circles_profile(o.profile)  # profile errors before any heavy work
    spec = prof.circle(kind)
    if o.speed_col is not None and (o.mode or spec.mode) != "drive":
        raise ZonekitError(f"speed_col= gives driving speeds: the {kind} circle is "
                           f"{spec.mode}; pass mode='drive'")
    user_fac = data.layers.get("facilities") is not None
    one_cat = user_fac and o.category_col is None
    cats = ([SAME_CHAIN, kind] if kind == "industry" else [kind]) if one_cat else None
    service = kind in SERVICE_KINDS  # categories come from the data, resolved in the run
    from zonekit.analysis.network.engine import default_jobs

    job = run.Job(kind=kind, profile=prof, spec=spec, measure=measure,
                  limits={} if service else limits(spec, cats, o, measure),
                  mode=o.mode or spec.mode,
                  new_sites=o.new_sites,
                  target_share=spec.target_share if o.target_share is None else o.target_share,
                  chain=o.chain, fast_only=o.fast_only or spec.fast_only,
                  max_snap_m=prof.max_snap_m if o.max_snap_m is None else o.max_snap_m,
                  jobs=default_jobs() if o.jobs is None else o.jobs,
                  origin_id=o.origin_id, weight_col=o.weight_col,
                  demand=o.demand or spec.siting.demand,
                  threshold=(o.minutes if measure == "minutes" else o.metres) if service else None,
                  categories=_category_list(o.categories), category_map=o.category_map,
                  report_limit=o.report_minutes, speed_col=o.speed_col)
    timings = Timings()
    park = _park(park, data, kind, timings, job.mode)
    with timings.step("read"):
        inputs = _inputs(park, data, kind, job, o)
        grid, persons, grid_note = _grid(park, data.layers.get("population"), inputs["roads"])
    bundle = run.run(job, inputs, grid, persons)
    for step, seconds in bundle.summary.pop("step_seconds", {}).items():
        timings.seconds[step] = seconds
    summary = summary_base("circles", park) | bundle.summary
    summary["population"] = grid_note
    if _from_osm(park):
        from zonekit.zones.osm import OSM_ATTRIBUTION

        summary["attribution"] = OSM_ATTRIBUTION
    return CirclesResult(summary=summary, park=park, timings=timings, bundle=bundle, kind=kind,
                         measure=measure, basemap=o.basemap,
                         stations=_stations(inputs, kind), jobs=job.jobs)


def _park(park: Park | None, data: DataOptions, kind: str, timings: Timings,
          mode: str) -> Park:
    """Return the park of a circle: roads (facilities, enterprises) required, the rest optional."""
    from zonekit.api.data import read_park

    layers = ["roads", "zones", "parcels", "population"]
    user_fac = data.layers.get("facilities") is not None
    if not user_fac:
        layers.append("facilities")
    if kind in ("industry", "charging"):
        layers.append("enterprises")
    required = tuple(x for x in ("roads", "facilities") if x in layers) + (
        ("enterprises",) if kind == "industry" else ())
    if park is not None:
        return park_for(park, None, tuple(layers), timings, required=required)
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
            o: CircleOptions) -> dict[str, Any]:
    """Return the pipeline's inputs: roads, facilities (park's or user's), origins, candidates."""
    settings = data.settings()
    roads = park.roads
    if REPLACED_MAXSPEED in roads:
        park.findings.notes.append(_replaced_note(park))
        roads = roads.drop(columns=REPLACED_MAXSPEED)
    roads = roads.rename(columns={"_maxspeed_text": "maxspeed"})
    inputs: dict[str, Any] = {"roads": roads, "park": park, "coords": settings.coords}
    for name in ("zones", "parcels", "enterprises"):
        inputs[name] = park.layers.get(name)
    source = data.layers.get("facilities")
    if source is not None:
        fac = user_layer(source, settings, park.crs, "facilities")
        for col in (o.facility_id, o.category_col):
            if col is not None and col not in fac.columns:
                raise SchemaError(f"{where(source, 'facilities', col)}: column not found; "
                                  f"columns are {', '.join(map(str, fac.columns))}")
        if o.category_col is None:
            fac["_category"] = kind
        inputs.update(facilities=fac, category_col=o.category_col or "_category",
                      facility_id=o.facility_id)
    else:
        inputs.update(facilities=park.facilities, category_col="category", facility_id="fac_id")
    choice = o.origins if o.origins is not None else job.spec.origins
    if not (isinstance(choice, str) and choice in ("population", "residential", "enterprises")):
        inputs["origins_layer"] = user_layer(choice, settings, park.crs, "origins")
        choice = "file"
    inputs["origins_choice"] = choice
    if o.candidates is not None:
        inputs["candidates"] = _candidates(o.candidates, settings, park.crs)
    return inputs


def _replaced_note(park: Park) -> Any:
    from zonekit.zones.validate import Problem

    source = next(k for k, v in park.mapping.for_layer("roads").columns.items()
                  if v == "_maxspeed_text")
    return Problem("roads", park.sources.get("roads", ""), "maxspeed",
                   f"the layer's column 'maxspeed' is replaced by the mapped column '{source}'")


def _stations(inputs: dict[str, Any], kind: str) -> gpd.GeoDataFrame | None:
    """Charging stations of the run (for its map)."""
    if kind != "charging":
        return None
    fac, col = inputs["facilities"], inputs["category_col"]
    return fac.loc[fac[col].astype(str) == "charging_station"] if col in fac else fac


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
