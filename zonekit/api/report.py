"""``zk.report``: one offline HTML report and one Excel workbook from results in memory.

The results are written into sub-folders of ``out`` (``zones/``, ``intensity/``,
``indicators/``, ``circles_<kind>/``) as their own commands write them, and the report
and workbook are drawn from the same results (nothing is computed twice or read back).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zonekit.api.params import checked
from zonekit.api.results import Result
from zonekit.errors import ZonekitError

if TYPE_CHECKING:
    from zonekit.analysis.circles.profile import CircleSpec, CirclesProfile
    from zonekit.maps.report_data import Outputs
    from zonekit.zones.park import Park

REPORT_HTML = "report.html"
REPORT_XLSX = "report.xlsx"


@dataclass(repr=False)
class ReportResult:
    """Where the report went, and which results it holds."""

    html: Path
    workbook: Path
    folders: dict[str, Path] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    results: list[Result] = field(default_factory=list)

    def _describe(self) -> tuple[str, list[str]]:
        lines = [f"{name}: {folder}" for name, folder in self.folders.items()]
        return f"ReportResult: {self.html} and {self.workbook.name}", [
            *lines, *(f"note: {n}" for n in self.notes)]

    def __repr__(self) -> str:
        from zonekit.zones import reprs

        return reprs.text(*self._describe())

    def _repr_html_(self) -> str:
        from zonekit.zones import reprs

        return reprs.html(*self._describe())


def folder_name(result: Result) -> str:
    """Return the sub-folder of a result in a report (``zones``, ``circles_service`` …)."""
    command = result.summary.get("command", "result")
    return result.spec.folder if command == "circles" else command


def run_all(park: Park, profile: str | Path | None = None, study_area: Any = None,
            origins: Any = None) -> tuple[list[Result], list[str]]:
    """Every analysis the park's layers allow; notes say what was left out and why.

    The circles are the kinds with a ``report:`` block in the circles profile (shipped, or
    ``profile`` merged over it), each with the new sites its block asks for; their origins
    are ``origins`` (default: each kind's, the residential parcels when the kind counts
    persons and the park has no population grid) inside ``study_area`` (default: the
    park's zones; see :func:`zonekit.circles`).
    """
    from zonekit.analysis.circles.profile import load_circles_profile
    from zonekit.analysis.circles.registry import report_runs
    from zonekit.api.circles import circles
    from zonekit.api.mujun import indicators, intensity
    from zonekit.api.zones import measure_zones

    results: list[Result] = [measure_zones(park), intensity(park), indicators(park)]
    notes = []
    missing = [n for n in ("roads", "facilities") if n not in park.layers]
    if missing:
        notes.append(f"no circles in the report: the data has no {' and no '.join(missing)} "
                     "layer")
        return results, notes
    prof = load_circles_profile(profile)  # read once: the kinds, the runs, their sections
    kinds = prof.circles
    runs = report_runs(prof)
    for kind, sites in runs:
        if kinds[kind].starts_from_enterprises and "enterprises" not in park.layers:
            notes.append(f"no {kinds[kind].name_zh} in the report: the data has no "
                         "enterprises layer")
            continue
        cats, note = _own_section(kinds[kind], [k for k, _ in runs if k != kind], park, prof)
        notes += note
        cap = kinds[kind].report.capacity_col
        if cap is not None and cap not in park.facilities.columns:
            notes.append(f"no capacity per 1,000 persons for {kinds[kind].name_zh}: the "
                         f"facilities have no column {cap!r}")
            cap = None
        firms = kinds[kind].starts_from_enterprises
        start, note = (None, "") if firms or origins is not None else \
            _origins_without_grid(kinds[kind], park)
        if note:
            notes.append(note)
            if start is None:
                continue
        results.append(circles(kind, park, new_sites=sites, profile=profile, categories=cats,
                               capacity_col=cap, study_area=None if firms else study_area,
                               origins=start if firms or origins is None else origins))
    return results, notes


def _origins_without_grid(spec: CircleSpec, park: Park) -> tuple[str | None, str]:
    """Origins of a kind counting persons when the park has no population grid.

    Returns ``(None, "")`` when the kind's own origins can be used; ``("residential",
    note)`` to start from the residential parcels instead (said in the report); ``(None,
    note)`` when there is nothing to start from (the kind is left out).
    """
    from zonekit.zones.landuse import land_use_class

    if spec.origins != "population" or park.population_path is not None:
        return None, ""
    parcels = park.layers.get("parcels")
    if parcels is not None and land_use_class(parcels["land_use"]).eq("residential").any():
        return "residential", (f"{spec.name_zh}: no population grid, the trips start from "
                               "the residential parcels (1 each, no persons)")
    return None, (f"no {spec.name_zh} in the report: no population grid and no residential "
                  "parcels to start from")


def _own_section(spec: CircleSpec, others: list[str], park: Park, prof: CirclesProfile
                 ) -> tuple[list[str] | None, list[str]]:
    """Return the facility values a kind's section reports (not another section's).

    A circle run computes every category of the data (``charging_station`` in a service
    run too, at the charging circle's threshold); the report shows each category in the
    section of the circle it belongs to, when that circle is in the report, and says so.
    """
    from zonekit.analysis.circles.categories import resolve_categories

    if not spec.categories_from_data:
        return None, []
    elsewhere = {c: k for k in others for c in prof.circle(k).category_ids}
    res = resolve_categories(park.facilities["category"], spec, prof.names_zh,
                             circles=prof.circles)
    moved = {v: c for v, c in res.value_to_id.items() if c in elsewhere}
    if not moved or len(moved) == len(res.value_to_id):
        return None, []
    return [v for v in res.value_to_id if v not in moved], [
        f"{spec.name_zh}: {', '.join(moved)} reported in "
        f"{', '.join(sorted({prof.circle(elsewhere[c]).name_zh for c in moved.values()}))}"]


def outputs_of(results: list[Result], folder: Path) -> Outputs:
    """Return the report's view (:class:`~zonekit.maps.report_data.Outputs`) of the results."""
    from functools import partial

    from zonekit.api.maps import with_park_base
    from zonekit.maps.report_data import Outputs

    by = {folder_name(r): r for r in results}
    need = [n for n in ("zones", "intensity", "indicators") if n not in by]
    if need:
        raise ZonekitError(f"a report needs the zones, intensity and indicators results; "
                           f"missing: {', '.join(need)}")
    z, i, t = by["zones"], by["intensity"], by["indicators"]
    return Outputs(
        folder=folder, zone_summary=z.summary, zones=z.table, zone_geo=z.zones,
        intensity=i.summary, intensity_zones=i.zones, industries=i.industries,
        renewal_plan=i.renewal_plan, trajectory=i.trajectory, parcels=i.parcels,
        enterprises=i.enterprises, indicators=t.table, indicator_summary=t.summary,
        circles={r.kind: r.as_run() for r in results if folder_name(r).startswith("circles_")},
        base=partial(with_park_base, park=z.park))


@checked
def report(results: list[Result] | None = None, out: str | Path = "out/report", *,
           basemap: str = "none", force: bool = False, park: Park | None = None,
           study_area: Any = None, origins: Any = None,
           **data_options: Any) -> ReportResult:
    """Write ``report.html`` and ``report.xlsx`` (and each result's files) into ``out``.

    Parameters
    ----------
    results
        Results of :func:`zonekit.zones`, :func:`~zonekit.intensity`,
        :func:`~zonekit.indicators` and any circles; default: all the analyses the data
        allows, run on ``park`` (or on the data read from ``data_options``).
    out
        Folder of the report.
    basemap
        Basemap of the report's maps (``none``: opens offline).
    force
        Replace an earlier report in ``out`` (the folder is written aside and swapped in
        when complete, as :meth:`zonekit.api.results.Result.write` does).
    study_area
        Whose trips the circles count: ``zones`` (default: origins inside the park's
        zones), ``all`` (every origin of the data) or a polygon layer (file or
        GeoDataFrame); only when the results are run here.
    origins
        Where the circles' trips start (``population``, ``residential`` or a point/polygon
        layer, as :func:`zonekit.circles` takes it); default: each kind's own, the
        residential parcels when the park has no population grid (the notes say so).
    """
    from zonekit.api.data import data_options_from, read_park
    from zonekit.api.maps import check_basemap
    from zonekit.maps.report import write_report_from
    from zonekit.zones.io import write_json
    from zonekit.zones.output import run_folder

    check_basemap(basemap)
    notes: list[str] = []
    if results is None:
        park = park or read_park(data_options_from(data_options))
        results, notes = run_all(park, study_area=study_area, origins=origins)
    elif study_area is not None or origins is not None:
        raise ZonekitError("study_area= and origins= choose the origins of the circles the "
                           "report runs: pass them to zonekit.circles for results given to "
                           "the report")
    inputs = sorted({p for r in results for p in r.inputs()})
    folder = Path(out)
    with run_folder(folder, force, inputs) as staging:
        folders = {}
        for result in results:
            name = folder_name(result)
            result.write_into(staging / name)
            folders[name] = folder / name
        write_report_from(outputs_of(results, folder), staging, basemap, REPORT_HTML,
                          REPORT_XLSX)
        summary = {"command": "report", "results": sorted(folders),
                   "outputs": [REPORT_HTML, REPORT_XLSX, *sorted(folders), "summary.json"],
                   "notes": notes, "synthetic": any(r.synthetic for r in results)}
        write_json(summary, staging / "summary.json")
    html, xlsx = folder / REPORT_HTML, folder / REPORT_XLSX
    return ReportResult(html, xlsx, folders, notes, list(results))
