"""The plan's Table 1-1 as a tracker: indicators computed from the layers, beside the plan.

Each indicator in ``profiles/plan_targets.yaml`` names a *measure* (see that file). For
each, :func:`compute_indicators` gives the value in the data year, the plan's baseline and
2030 target, the gap, the annual growth (and the annual increase) still needed, the value
the plan's path implies for the data year, the trend over the years of enterprise data,
and an on-track flag:

* when several years of data exist: on track if the trend growth ≥ the growth still needed;
* with one year later than the plan's baseline year: on track if the value ≥ the plan path;
* with one year equal to the baseline year: undecided (``None``) unless the target is met.

Indicators the layers cannot support are listed with ``supported`` False and the reason,
never invented.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from zonekit.analysis import profile_io as pio
from zonekit.errors import ProfileError

if TYPE_CHECKING:
    import geopandas as gpd

logger = logging.getLogger(__name__)

DEFAULT_TARGETS_PATH = pio.PROFILE_DIR / "plan_targets.yaml"

#: measure → the extra keys it takes.
MEASURES: dict[str, set[str]] = {
    "total_revenue_yi": set(), "industry_revenue_yi": {"industries"},
    "output_per_employee_wan": set(), "land_output_yi_per_km2": {"denominator"},
    "rnd_growth_pct": set(),
    "patents_per_10k_employees": set(), "firms_revenue_at_least": {"min_revenue_yi"},
    "count_flag": {"column"}, "new_firms_per_year": {"window_years"}, "unsupported": {"reason"},
}
_COMMON = {"row", "name_zh", "unit", "measure", "baseline", "baseline_year", "target", "kind"}


@dataclass(frozen=True)
class Target:
    """One row of the plan's indicator table."""

    key: str
    name_zh: str
    unit: str
    measure: str
    baseline: float | None
    baseline_year: int | None
    target: float
    row: int = 0
    kind: str = "level"  # "level" or "rate" (the target is a growth rate, in %)
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PlanTargets:
    """The plan's targets: the indicators, the target year and the tech-industry set."""

    source: str
    target_year: int
    tech_industries: tuple[str, ...]
    indicators: dict[str, Target]
    path: str = ""

    def growth(self, key: str) -> float:
        """Return the plan's own annual growth from baseline to target for indicator ``key``."""
        t = self.indicators[key]
        if t.baseline is None or t.baseline_year is None or t.baseline <= 0:
            raise ValueError(f"indicator {key} has no positive baseline to grow from")
        return (t.target / t.baseline) ** (1 / (self.target_year - t.baseline_year)) - 1


def load_targets(path: str | Path | None = None) -> PlanTargets:
    """Read the shipped Table 1-1 with the user's file ``path`` merged over it.

    Raises
    ------
    ProfileError
        Malformed YAML, unknown measures or keys, missing targets; naming file and key.
    """
    data, src = pio.load_merged(DEFAULT_TARGETS_PATH, path)
    pio.check_keys(data, {"source", "target_year", "tech_industries", "indicators"}, src)
    year = int(pio.number(data.get("target_year"), "target_year", src, 2000, 2100))
    tech = data.get("tech_industries") or []
    if not isinstance(tech, list):
        raise ProfileError(f"{src}, key 'tech_industries': expected a list, found {tech!r}")
    targets = {}
    for key, conf in pio.section(data, "indicators", src).items():
        where = f"{src}, indicators.{key}"
        if not isinstance(conf, dict):
            raise ProfileError(f"{where}: expected a mapping, found {conf!r}")
        measure = conf.get("measure")
        if measure not in MEASURES:
            raise ProfileError(f"{where}, key 'measure': unknown measure {measure!r}; expected one "
                               f"of {', '.join(MEASURES)}")
        pio.check_keys(conf, _COMMON | MEASURES[measure], where)
        if "denominator" in conf:
            pio.choice(conf["denominator"], "denominator", where, ("built", "all", "industrial"))
        base_year = conf.get("baseline_year")
        targets[key] = Target(
            key=key, name_zh=str(conf.get("name_zh", key)), unit=str(conf.get("unit", "")),
            measure=measure, target=pio.number(conf.get("target"), "target", where),
            baseline=pio.number(conf.get("baseline"), "baseline", where, allow_none=True),
            baseline_year=(None if base_year is None
                           else int(pio.number(base_year, "baseline_year", where))),
            row=int(conf.get("row", 0)),
            kind=pio.choice(conf.get("kind", "level"), "kind", where, ("level", "rate")),
            params={k: conf[k] for k in MEASURES[measure] if k in conf},
        )
    return PlanTargets(str(data.get("source", "")), year, tuple(tech), targets, src)


@dataclass
class Context:
    """What the measures need besides one year's enterprises."""

    parcels: gpd.GeoDataFrame | None
    zones: gpd.GeoDataFrame | None
    denominator: str
    tech_industries: tuple[str, ...]
    all_years: pd.DataFrame | None = None


def _num(df: pd.DataFrame, col: str) -> pd.Series:
    return pd.to_numeric(df[col], errors="coerce").astype(float)


def measure(t: Target, ents: pd.DataFrame, year: int, ctx: Context) -> tuple[float | None, str]:
    """Compute one indicator for one year's enterprises: value (``None``: unsupported), note."""
    m, p = t.measure, t.params
    if m == "unsupported":
        return None, str(p.get("reason", "not computable from the layers"))
    if m == "total_revenue_yi":
        return _num(ents, "revenue_wan").sum() / 1e4, ""
    if m == "industry_revenue_yi":
        inds = p.get("industries") or []
        return _num(ents, "revenue_wan")[ents["industry"].isin(inds)].sum() / 1e4, \
            f"firms in {', '.join(inds)}"
    if m in ("output_per_employee_wan", "land_output_yi_per_km2"):
        if m == "land_output_yi_per_km2" and (ctx.parcels is None or ctx.zones is None):
            return None, "needs the zones and parcels layers"
        if m == "output_per_employee_wan":
            emp = _num(ents, "employees").sum()
            return (_num(ents, "revenue_wan").sum() / emp if emp > 0 else None), ""
        plan = plan_denominator(t)
        return land_output(ents, ctx, plan), f"denominator: {plan} land, as the plan's"
    if m == "patents_per_10k_employees":
        if "patents" not in ents or ents["patents"].isna().all():
            return None, "no patents column / no patent figures"
        emp = _num(ents, "employees").sum()
        return (_num(ents, "patents").sum() / emp * 1e4 if emp > 0 else None), \
            "firms without a patent figure count as 0"
    if m == "firms_revenue_at_least":
        limit = float(p.get("min_revenue_yi", 10))
        return float((_num(ents, "revenue_wan") >= limit * 1e4).sum()), f"revenue ≥ {limit:g} 亿元"
    if m == "count_flag":
        col = p.get("column")
        if col not in ents:
            return None, f"no column {col!r} in the enterprises layer"
        return float(ents[col].fillna(False).astype(bool).sum()), f"firms with {col} true"
    if m == "new_firms_per_year":
        return _new_firms(ents, year, int(p.get("window_years", 1)), ctx)
    if m == "rnd_growth_pct":
        return _rnd_growth(ctx.all_years)
    raise ValueError(f"unknown measure {m!r}")  # load_targets refuses these earlier


def plan_denominator(t: Target) -> str:
    """Return the land the plan's land-output figures are on (default built)."""
    return str(t.params.get("denominator", "built"))


def land_output(ents: pd.DataFrame, ctx: Context, denominator: str) -> float:
    """Park land output (亿元/km²) of these enterprises on ``denominator`` land."""
    from zonekit.analysis.land.intensity import park_row, zone_intensity

    row = park_row(zone_intensity(ctx.zones, ctx.parcels, ents, denominator))
    return float(row["land_output_yi_per_km2"])


def _chosen_denominator(table: pd.DataFrame, targets: PlanTargets, ents: pd.DataFrame,
                        ctx: Context) -> None:
    """Set the land-output rows whose chosen denominator is not the plan's: say so, show both.

    ``value`` and the on-track test stay on the plan's denominator (like with like: the
    plan's baseline and target are on it); ``value_chosen_denominator`` holds the figure on
    ``ctx.denominator`` beside it and ``note`` states the mismatch.
    """
    from zonekit.analysis.land.glossary import term

    words = {"built": "built_land", "all": "zone_area", "industrial": "industrial_land"}
    table["denominator"] = None
    table["chosen_denominator"] = None
    table["value_chosen_denominator"] = float("nan")
    for i, key in table["indicator"].items():
        t = targets.indicators[key]
        if t.measure != "land_output_yi_per_km2" or not table.at[i, "supported"]:
            continue
        plan = plan_denominator(t)
        table.at[i, "denominator"] = plan
        if ctx.denominator == plan:
            continue
        chosen = land_output(ents, ctx, ctx.denominator)
        table.at[i, "chosen_denominator"] = ctx.denominator
        table.at[i, "value_chosen_denominator"] = chosen
        name_plan = term(words.get(plan, "denominator_land")).name_zh
        name_chosen = term(words.get(ctx.denominator, "denominator_land")).name_zh
        table.at[i, "note"] = (
            f"denominator differs from the plan's: value, gap and on-track use the plan's "
            f"{plan} land ({name_plan}) to compare like with like with its baseline "
            f"{t.baseline:g} and target {t.target:g}; on the chosen '{ctx.denominator}' land "
            f"({name_chosen}) it is {chosen:.1f} {t.unit}, not comparable with the plan's "
            f"figures")


def _new_firms(ents: pd.DataFrame, year: int, window: int,
               ctx: Context) -> tuple[float | None, str]:
    pool = ctx.all_years if ctx.all_years is not None else ents
    if "founded_year" not in pool or pool["founded_year"].isna().all():
        return None, "no founded_year figures"
    pool = pool.drop_duplicates("ent_id")
    founded = _num(pool, "founded_year")
    tech = pool["industry"].isin(ctx.tech_industries)
    hits = tech & founded.between(year - window + 1, year)
    note = (f"tech firms (industries: {', '.join(ctx.tech_industries)}) founded "
            f"{year - window + 1}–{year}, per year; only firms still in the data are seen")
    return float(hits.sum()) / window, note


def _rnd_growth(all_years: pd.DataFrame | None) -> tuple[float | None, str]:
    if all_years is None or "year" not in all_years or all_years["year"].nunique() < 2:
        return None, "needs enterprise figures for at least two years"
    if "rnd_wan" not in all_years:
        return None, "no rnd_wan column"
    by_year = _num(all_years, "rnd_wan").groupby(all_years["year"].astype(int)).sum()
    first, last = by_year.index.min(), by_year.index.max()
    if by_year[first] <= 0:
        return None, f"R&D spending in {first} is 0"
    growth = (by_year[last] / by_year[first]) ** (1 / (last - first)) - 1
    return 100 * growth, f"Σ rnd_wan {first}–{last}, annual"


def compute_indicators(
    enterprises: pd.DataFrame, targets: PlanTargets, year: int, *,
    parcels: gpd.GeoDataFrame | None = None, zones: gpd.GeoDataFrame | None = None,
    denominator: str = "built", all_years: pd.DataFrame | None = None,
    keys: list[str] | None = None,
) -> pd.DataFrame:
    """Every indicator beside the plan: value, gap, growth needed, trend, on-track flag.

    Parameters
    ----------
    enterprises
        Enterprises of the data year ``year``.
    targets
        :func:`load_targets` output.
    year
        The data year.
    parcels, zones
        Needed for land output.
    denominator
        Land for land output (``built``, ``all`` or ``industrial``). The plan's figures are
        on its own denominator (``denominator`` key of the indicator, default ``built``):
        the on-track test uses that one, and a different choice is shown beside it.
    all_years
        Enterprise rows of every year (with a ``year`` column), for trends.
    keys
        Only these indicators (default: all).

    Returns
    -------
    One row per indicator: ``row``, ``indicator``, ``name_zh``, ``unit``, ``supported``,
    ``value``, ``year``, ``baseline``, ``baseline_year``, ``diff_from_baseline``,
    ``target``, ``target_year``, ``gap``, ``required_annual_growth_pct``,
    ``required_annual_increase``, ``plan_path_value``, ``trend_years``,
    ``trend_growth_pct``, ``on_track``, ``note``; for land output also ``denominator``
    (the plan's, on which ``value`` is computed), ``chosen_denominator`` and
    ``value_chosen_denominator`` (when ``denominator`` differs from the plan's: the figure
    on it, shown beside, never compared with the plan's baseline or target).
    """
    ctx = Context(parcels, zones, denominator, targets.tech_industries, all_years)
    trend = indicator_trend(targets, ctx, keys) if _years(all_years) >= 2 else pd.DataFrame()
    rows = []
    for key, t in targets.indicators.items():
        if keys is not None and key not in keys:
            continue
        value, note = measure(t, enterprises, year, ctx)
        rows.append(_row(t, value, note, year, targets.target_year, trend))
    table = pd.DataFrame(rows)
    _chosen_denominator(table, targets, enterprises, ctx)
    numeric = ["value", "baseline", "diff_from_baseline", "target", "gap",
               "required_annual_growth_pct", "required_annual_increase", "plan_path_value",
               "trend_growth_pct"]
    table[numeric] = table[numeric].apply(pd.to_numeric, errors="coerce").astype(float)
    return table


def _years(all_years: pd.DataFrame | None) -> int:
    if all_years is None or "year" not in all_years:
        return 0
    return int(all_years["year"].nunique())


def _row(t: Target, value: float | None, note: str, year: int, target_year: int,
         trend: pd.DataFrame) -> dict[str, Any]:
    left = target_year - year
    row: dict[str, Any] = {
        "row": t.row, "indicator": t.key, "name_zh": t.name_zh, "unit": t.unit,
        "supported": value is not None, "value": value, "year": year, "baseline": t.baseline,
        "baseline_year": t.baseline_year, "target": t.target, "target_year": target_year,
    }
    row["diff_from_baseline"] = (value - t.baseline if value is not None and t.baseline is not None
                                 and t.kind == "level" else None)
    row["gap"] = t.target - value if value is not None else None
    growth = increase = path = trend_growth = on_track = None
    trend_years = ""
    if value is not None and t.kind == "level":
        if left > 0:
            increase = (t.target - value) / left
            if value > 0:
                growth = 100 * ((t.target / value) ** (1 / left) - 1)
        if t.baseline and t.baseline_year is not None and target_year > t.baseline_year:
            frac = (year - t.baseline_year) / (target_year - t.baseline_year)
            path = t.baseline * (t.target / t.baseline) ** frac
        series = (trend.loc[trend["indicator"] == t.key].dropna(subset=["value"])
                  if len(trend) else trend)
        if len(series) >= 2 and series["value"].iloc[0] > 0:
            y0, y1 = int(series["year"].iloc[0]), int(series["year"].iloc[-1])
            trend_growth = 100 * ((series["value"].iloc[-1] / series["value"].iloc[0])
                                  ** (1 / (y1 - y0)) - 1)
            trend_years = f"{y0}–{y1}"
        if value >= t.target:
            on_track = True
        elif trend_growth is not None and growth is not None:
            on_track = trend_growth >= growth
        elif path is not None and t.baseline_year is not None and year > t.baseline_year:
            on_track = value >= path
    elif value is not None:  # a rate target: compare directly
        on_track = value >= t.target
    row.update({"required_annual_growth_pct": growth, "required_annual_increase": increase,
                "plan_path_value": path, "trend_years": trend_years,
                "trend_growth_pct": trend_growth,
                "on_track": None if on_track is None else bool(on_track), "note": note})
    return row


def indicator_trend(targets: PlanTargets, ctx: Context,
                    keys: list[str] | None = None) -> pd.DataFrame:
    """Each supported level indicator for every year of enterprise data (long format).

    Land stays as in the current parcel layer for every year (parcels carry no history).
    """
    data = ctx.all_years
    if data is None or "year" not in data:
        return pd.DataFrame(columns=["indicator", "year", "value"])
    rows = []
    for yr in sorted(int(y) for y in data["year"].dropna().unique()):
        ents = data.loc[data["year"] == yr]
        for key, t in targets.indicators.items():
            if keys is not None and key not in keys:
                continue
            if t.kind != "level" or t.measure == "unsupported":
                continue
            value, _ = measure(t, ents, yr, ctx)
            rows.append({"indicator": key, "year": yr, "value": value})
    return pd.DataFrame(rows, columns=["indicator", "year", "value"])


def round_table(table: pd.DataFrame, digits: int = 4) -> pd.DataFrame:
    """Round the float columns for writing (NaN kept)."""
    out = table.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col].dtype):
            out[col] = out[col].round(digits)
    return out
