"""The options of a circle (:class:`CircleOptions`) and their checks, before any work.

Each option's help text is written once, in its field's metadata: ``zk.circles``'s
documentation and the command line's ``--help`` both read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from zonekit.api.data import LAYER_ARGS, DataOptions
from zonekit.errors import ProfileError, ZonekitError

#: The measures of a circle's thresholds.
MEASURES = ("minutes", "metres")


def _opt(default: Any, text: str, cli: Any = None) -> Any:
    """Declare a field of :class:`CircleOptions` with its one help text and CLI type."""
    return field(default=default, metadata={"help": text, "cli": cli})


@dataclass(frozen=True)
class CircleOptions:
    """What to compute; ``None`` takes the circle kind's default.

    Each field's help text is in its metadata (``dataclasses.fields``), written once: the
    command line's options and their ``--help`` are made from it. Units: minutes of
    travel, metres of network distance, km/h, shares 0–1.
    """

    origins: Any = _opt(None, "population (cells of the population GeoTIFF, default), "
                        "residential (parcels) or a point/polygon file of origins.", str)
    study_area: Any = _opt(None, "Origins counted: zones (default: those inside the park's "
                           "functional zones), all (every origin of the data, the population "
                           "grid beyond the zones too) or a polygon file of the area.", str)
    minutes: float | None = _opt(None, "Time threshold (min) of the categories the circle does "
                                 "not know (kinds whose categories come from the data; profile "
                                 "categories keep theirs), of every category (other kinds).")
    metres: float | None = _opt(None, "The same as a network distance (m) instead of time.")
    measure: str | None = _opt(None, "minutes, or metres: the profile's GB 50180 walking "
                               "distances per category.")
    mode: str | None = _opt(None, "walk, bike or drive (default: the circle kind's).")
    new_sites: int | None = _opt(None, "Charging: choose K new sites (maximal covering) and the "
                                 "fewest reaching target_share= of the demand.")
    new_site_capacity: float | None = _opt(None, "Charging, with new_sites=K and "
                                           "capacity_col=: the capacity of each new site "
                                           "(chargers, kW …); also chooses K sites serving "
                                           "the most capacity shortfall against the norm "
                                           "(capacitated maximal covering).")
    candidates: Any = _opt(None, "Candidate sites layer (default: a grid over suitable land "
                           "near roads).", Path)
    target_share: float | None = _opt(None, "Share of demand the set covering must reach "
                                      "(default: the profile's, 0.9).")
    demand: str | None = _opt(None, "Charging siting covers: built_land_km2 (default), origins, "
                              "parcels, enterprises or employees.")
    chain: str | None = _opt(None, "Industry chain (default 新能源智能汽车).")
    fast_only: bool = _opt(False, "Charging: count only fast stations (power_kw ≥ 60).")
    origin_id: str | None = _opt(None, "Id column of the origins file.")
    facility_id: str | None = _opt(None, "Id column of the facilities file.")
    category_col: str | None = _opt(None, "Category column of the facilities file (without it: "
                                    "one category named after the kind, threshold minutes= or "
                                    "the circle's longest).")
    weight_col: str | None = _opt(None, "Weight column of the origins file (default 1 each).")
    capacity_col: str | None = _opt(None, "Numeric capacity column of the facilities (seats, "
                                    "beds, chargers, power_kw …): 2SFCA capacity per 1,000 "
                                    "persons within each category's threshold "
                                    "(per1000_<category> on the origins; catchment_persons, "
                                    "per1000 on the facilities).")
    capacity_method: str | None = _opt(None, "With capacity_col=: 2sfca (default; weight 1 "
                                       "within the threshold T), e2sfca (Luo & Qi 2009: "
                                       "stepped weights 1.00/0.68/0.22 for 0–T/3, T/3–2T/3, "
                                       "2T/3–T) or gravity (Gaussian decay exp(-x²/(2·0.5²)), "
                                       "x = t/T), in both steps; parameters: the profile's "
                                       "capacity_methods.")
    profile: str | Path | None = _opt(None, "YAML merged over the shipped circles profile (a "
                                      "county's thresholds, or circle kinds of its own).", Path)
    max_snap_m: float | None = _opt(None, "Points farther from every road are unreachable "
                                    "(default 250 m).")
    jobs: int | None = _opt(None, "Worker processes for the categories' searches (default: one "
                            "per CPU, at most 4; 1: all in this process). Workers "
                            "start only when the first search says they pay.")
    categories: str | list[str] | None = _opt(None, "Kinds whose categories come from the "
                                              "data: compute only these (a,b,c: ids, Chinese "
                                              "names or your values).", str)
    category_map: Any = _opt(None, "CSV (your name, category) or YAML mapping your category "
                             "names onto the profile's (or a dict).", Path)
    speed_col: str | None = _opt(None, "Road column of speeds (km/h, e.g. 设计速度) for "
                                 "mode='drive'; never above the posted maxspeed.")
    report_minutes: float | None = _opt(None, "Report minutes_<category> up to N minutes "
                                        "(default: the profile's surface_max_minutes, 30); "
                                        "within_<category> says whether the threshold is met.")
    #: Basemap of the HTML map ``write`` draws (the command's own ``--basemap``).
    basemap: str = "none"

    def __post_init__(self) -> None:
        from zonekit.api.params import check_fields

        check_fields(self)  # types and ranges (minutes > 0, jobs ≥ 1 …) before any work


CIRCLE_FIELDS = {f.name for f in fields(CircleOptions)}
DATA_FIELDS = {f.name for f in fields(DataOptions)} - {"layers"}


def split_options(kwargs: dict[str, Any]) -> tuple[DataOptions, CircleOptions]:
    """Sort keyword arguments into data options and circle options; refuse unknown ones."""
    unknown = sorted(set(kwargs) - CIRCLE_FIELDS - DATA_FIELDS - set(LAYER_ARGS))
    if unknown:
        raise ZonekitError(f"unknown option(s) for circles: {', '.join(unknown)}")
    layers = {k: v for k, v in kwargs.items() if k in LAYER_ARGS and v is not None}
    data = DataOptions(layers=layers, **{k: v for k, v in kwargs.items() if k in DATA_FIELDS})
    return data, CircleOptions(**{k: v for k, v in kwargs.items() if k in CIRCLE_FIELDS})


def check_options(spec: Any, o: CircleOptions, site_kinds: tuple[str, ...] = ()) -> str:
    """Refuse contradictory options before any work; return the measure (minutes/metres).

    ``site_kinds`` names the profile's kinds that propose sites (for the message).
    """
    from zonekit.analysis.circles.profile import DEMANDS, MODES

    kind = spec.kind
    if o.minutes is not None and o.metres is not None:
        raise ZonekitError("give minutes= or metres=, not both")
    if o.measure is not None and o.measure not in MEASURES:
        raise ZonekitError(f"measure= must be one of {', '.join(MEASURES)}, got {o.measure!r}")
    if o.mode is not None and o.mode not in MODES:
        raise ZonekitError(f"mode= must be one of {', '.join(MODES)}, got {o.mode!r}")
    if o.new_sites is not None and not spec.proposes_sites:
        raise ZonekitError("new_sites=K (K ≥ 0) chooses charging sites: use it with "
                           f"kind={' or kind='.join(site_kinds) or '(a charging circle)'} "
                           f"(got kind {kind!r}, K = {o.new_sites})")
    if spec.starts_from_enterprises and o.origins is not None:
        raise ZonekitError("the industry circle starts from the chain's enterprises: pass "
                           "enterprises=FILE, not origins=")
    if spec.starts_from_enterprises and o.study_area is not None:
        raise ZonekitError("the industry circle starts from the chain's enterprises: "
                           "study_area= chooses the origins of the other circles")
    if o.demand is not None and o.demand not in DEMANDS:
        raise ZonekitError(f"demand= must be one of {', '.join(DEMANDS)}, got {o.demand!r}")
    if o.new_site_capacity is not None and (o.new_sites is None or o.capacity_col is None):
        raise ZonekitError(f"new_site_capacity={o.new_site_capacity:g} is the capacity of "
                           "each new charging site: give new_sites=K and the stations' "
                           "capacity column (capacity_col=COL) too")
    if o.capacity_method is not None and o.capacity_col is None:
        raise ZonekitError(f"capacity_method={o.capacity_method!r} weights the capacity per "
                           "1,000 persons: give the facilities' capacity column too "
                           "(capacity_col=COL)")
    measure = "metres" if o.metres is not None else (o.measure or "minutes")
    _check_category_options(spec, measure, o)
    return measure


def _check_category_options(spec: Any, measure: str, o: CircleOptions) -> None:
    if (o.categories is not None or o.category_map is not None) and not spec.categories_from_data:
        raise ZonekitError("categories= and category_map= choose the categories of circles "
                           f"whose categories come from the data, not of kind {spec.kind!r}")
    if o.speed_col is not None and (o.mode not in (None, "drive") or measure != "minutes"):
        raise ZonekitError("speed_col= gives driving speeds (km/h): use it with mode='drive' "
                           f"and minutes (got mode {o.mode}, measure {measure})")
    if o.report_minutes is not None and measure != "minutes":
        raise ZonekitError("report_minutes=N (N > 0) is for minute thresholds, got "
                           f"{o.report_minutes} with measure {measure}")


def category_list(categories: str | list[str] | None) -> list[str] | None:
    """Return the categories of ``categories=`` (a list, or ``"a,b,c"``) as a list."""
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
