"""``zk.intensity`` (land output, 亩均, 低效用地, 腾笼换鸟) and ``zk.indicators`` (Table 1-1)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zonekit.api.data import DataOptions, data_options_from
from zonekit.api.params import checked
from zonekit.api.results import Result, Timings, summary_base
from zonekit.api.zones import PARK_LAYERS, check_denominator, park_for
from zonekit.errors import ZonekitError

if TYPE_CHECKING:
    import folium
    import geopandas as gpd
    import pandas as pd

    from zonekit.zones.park import Park


def _data_year(park: Park, targets: Any) -> tuple[int, str | None]:
    """Return the statistics year of the enterprise figures, and a note when it is assumed."""
    if park.year is not None:
        return int(park.year), None
    fallback = targets.indicators["land_output_yi_per_km2"].baseline_year or 2024
    return int(fallback), (f"the enterprises layer has no 'year' column: its figures are taken "
                           f"as {fallback} (pass data_year= to say otherwise)")


def _share(value: float | None, name: str) -> float | None:
    """Return a growth rate given in percent per year, as a fraction."""
    if value is None:
        return None
    if not -50 < value < 100:
        raise ZonekitError(f"{name}= is in percent per year (e.g. 4.2), got {value}")
    return value / 100


@dataclass(repr=False)
class IntensityResult(Result):
    """亩均 evaluation, low-efficiency land and the renewal plan of one run.

    Attributes
    ----------
    parcels
        Parcel polygons with their figures, 亩均 class, low-efficiency flags and reasons,
        renewal-plan membership (and the map columns ``le_class``, ``reasons_zh``).
    enterprises, zones, industries, targets, renewal_plan, trajectory
        The tables written as CSV (see the README).
    """

    parcels: gpd.GeoDataFrame = None
    enterprises: pd.DataFrame = None
    zones: pd.DataFrame = None
    industries: pd.DataFrame = None
    targets: pd.DataFrame = None
    renewal_plan: pd.DataFrame = None
    trajectory: pd.DataFrame = None
    basemap: str = "none"

    TABLES = ("enterprises", "zones", "industries", "targets", "renewal_plan", "trajectory")

    def _write(self, folder: Path) -> list[str]:
        from zonekit.analysis.indicators import round_table
        from zonekit.maps.analysis_maps import style_parcels_gpkg
        from zonekit.zones.io import write_csv, write_gpkg

        write_gpkg({"parcels": self.parcels}, folder / "parcels.gpkg", finish=style_parcels_gpkg)
        files = ["parcels.gpkg"]
        for name in self.TABLES:
            write_csv(round_table(getattr(self, name)), folder / f"{name}.csv")
            files.append(f"{name}.csv")
        from zonekit.api.maps import write_map

        for kind in ("mujun", "low-efficiency"):
            layers, title = self.map_layers(kind)
            stem = f"map_{kind.replace('-', '_')}"
            files += [p.name for p in write_map(layers, title, folder, stem, ("html",),
                                                self.basemap, self.synthetic, gpkg=False)]
        return files

    def map_layers(self, kind: str = "mujun") -> tuple[list, str]:
        """Layers and title of the ``mujun`` or ``low-efficiency`` map."""
        from zonekit.api.maps import with_park_base
        from zonekit.maps import analysis_maps as am

        zones = self.park.zones if self.park is not None else None
        if kind == "mujun":
            return (with_park_base(am.mujun_layers(self.parcels, zones), self.park),
                    am.mujun_title(self.park_name))
        if kind == "low-efficiency":
            return (with_park_base(am.low_efficiency_layers(self.parcels, zones), self.park),
                    am.low_efficiency_title(self.park_name))
        raise ZonekitError("an intensity result draws the maps mujun and low-efficiency, "
                           f"not {kind!r}")

    def trajectory_chart(self) -> Any:
        """Draw land output year by year, with and without renewal, per scenario (Axes)."""
        from zonekit.maps.report import trajectory_axes

        return trajectory_axes(self.trajectory)

    def map(self, kind: str = "mujun", basemap: str = "none") -> folium.Map:
        """Return an interactive map (folium) of the result, nothing written."""
        from zonekit.api.maps import to_folium

        layers, title = self.map_layers(kind)
        return to_folium(layers, title, basemap, self.synthetic)


@checked
def intensity(park: Park | None = None, *, denominator: str = "built",
              target: float | None = None, year: int | None = None,
              growth: float | None = None, conservative_growth: float | None = None,
              lag: int | None = None, profile: str | Path | None = None,
              targets: str | Path | None = None, basemap: str = "none",
              options: DataOptions | None = None, **data_options: Any) -> IntensityResult:
    """Land output and 亩均 figures, 亩均效益 classes, low-efficiency land and a renewal plan.

    Parameters
    ----------
    park
        A park from :func:`zonekit.load_park`; default: read from ``options``/``data_options``.
    denominator
        Land for land output (``built``, ``all``, ``industrial``).
    target
        Land output to reach, 亿元/km² (default: the plan's 2030 target, 40).
    year
        Year to reach it (default 2030).
    growth, conservative_growth
        Organic growth of output, % per year, of the main and conservative scenarios
        (default: the plan's revenue path ≈ 6.4, and its output-per-employee path ≈ 4.2).
    lag
        Years from the data year until renewed land produces (default 3).
    profile
        YAML merged over the shipped 亩均 profile.
    targets
        YAML merged over the plan's Table 1-1.
    basemap
        Basemap of the HTML maps ``write`` draws.
    options, **data_options
        The data to read when no ``park`` is given (see :func:`zonekit.zones`).
    """
    from zonekit.analysis.indicators import load_targets
    from zonekit.analysis.mujun.evaluation import load_mujun_profile
    from zonekit.analysis.mujun.pipeline import Options, run
    from zonekit.maps.analysis_maps import map_columns

    check_denominator(denominator)
    if lag is not None and lag < 0:
        raise ZonekitError(f"lag= is a number of years ≥ 0, got {lag}")
    prof = load_mujun_profile(profile)  # profile errors before any heavy work
    plan = load_targets(targets)
    opts = Options(denominator, target, year, _share(growth, "growth"),
                   _share(conservative_growth, "conservative_growth"), lag)
    timings = Timings()
    park = park_for(park, options or data_options_from(data_options), PARK_LAYERS, timings)
    # roads, when the data has them, say where each renewal candidate is (its nearest road
    # by name): read as the maps read them, so a planner's centrelines without ``highway``
    # serve too, and read once for the analysis and its map
    from zonekit.api.maps import base_roads

    with timings.step("read"):
        roads = base_roads(park)
    data_year, year_note = _data_year(park, plan)
    with timings.step("analyse"):
        res = run(park.zones, park.parcels, park.enterprises, prof, plan, data_year, opts,
                  roads=roads)
    summary = summary_base("intensity", park) | res.summary
    if year_note:
        summary["year_note"] = year_note
    parcels = map_columns(park.parcels[["geometry"]].join(res.parcels))
    return IntensityResult(summary=summary, park=park, timings=timings, parcels=parcels,
                           enterprises=res.enterprises, zones=res.zones,
                           industries=res.industries, targets=res.targets,
                           renewal_plan=res.renewal_plan, trajectory=res.trajectory,
                           basemap=basemap)


@dataclass(repr=False)
class IndicatorsResult(Result):
    """The plan's Table 1-1 tracker: ``table`` (one row per indicator) and ``trend``."""

    table: pd.DataFrame = None
    trend: pd.DataFrame | None = None

    def _write(self, folder: Path) -> list[str]:
        from zonekit.analysis.indicators import round_table
        from zonekit.zones.io import write_csv

        write_csv(round_table(self.table), folder / "indicators.csv")
        if self.trend is None:
            return ["indicators.csv"]
        write_csv(round_table(self.trend), folder / "trend.csv")
        return ["indicators.csv", "trend.csv"]


@checked
def indicators(park: Park | None = None, *, denominator: str = "built",
               targets: str | Path | None = None, options: DataOptions | None = None,
               **data_options: Any) -> IndicatorsResult:
    """Track the plan's Table 1-1: each indicator from the data beside baseline and target.

    Parameters
    ----------
    park, options, **data_options
        As for :func:`zonekit.zones`.
    denominator
        Land for land output (``built``, ``all``, ``industrial``).
    targets
        YAML merged over the plan's Table 1-1 (baselines, 2030 targets).
    """
    from zonekit.analysis.indicators import (
        Context,
        compute_indicators,
        indicator_trend,
        load_targets,
    )

    check_denominator(denominator)
    plan = load_targets(targets)
    timings = Timings()
    park = park_for(park, options or data_options_from(data_options), PARK_LAYERS, timings)
    data_year, year_note = _data_year(park, plan)
    with timings.step("analyse"):
        table = compute_indicators(park.enterprises, plan, data_year, parcels=park.parcels,
                                   zones=park.zones, denominator=denominator,
                                   all_years=park.enterprises_all_years)
        ctx = Context(park.parcels, park.zones, denominator, plan.tech_industries,
                      park.enterprises_all_years)
        trend = indicator_trend(plan, ctx)
    years = sorted(int(y) for y in trend["year"].unique()) if len(trend) else [data_year]
    wide = None
    if len(years) >= 2:
        wide = trend.pivot(index="indicator", columns="year", values="value")
        wide = wide.reindex([k for k in plan.indicators if k in wide.index]).reset_index()
        wide.columns = [str(col) for col in wide.columns]
    summary = summary_base("indicators", park) | _indicator_summary(table, plan, data_year,
                                                                     denominator, years)
    if year_note:
        summary["year_note"] = year_note
    return IndicatorsResult(summary=summary, park=park, timings=timings, table=table,
                            trend=wide)


def _indicator_summary(table: pd.DataFrame, plan: Any, data_year: int, denominator: str,
                       years: list[int]) -> dict[str, Any]:
    return {
        "targets_source": plan.source, "targets_file": plan.path, "data_year": data_year,
        "target_year": plan.target_year, "denominator": denominator,
        "years_of_enterprise_data": years,
        "trend_note": "trends use each year's enterprise figures over today's parcels and zones "
                      "(the layers hold no land history)",
        "indicators": {r["indicator"]: {k: _plain(r[k]) for k in (
            "name_zh", "unit", "supported", "value", "baseline", "target", "gap",
            "required_annual_growth_pct", "trend_growth_pct", "on_track", "note")}
            for r in table.to_dict("records")},
        "unsupported": table.loc[~table["supported"], "indicator"].tolist(),
        "on_track": table.loc[table["on_track"].eq(True), "indicator"].tolist(),
        "off_track": table.loc[table["on_track"].eq(False), "indicator"].tolist(),
    }


def _plain(value: object) -> object:
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 4)
    return value
