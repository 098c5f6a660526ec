"""``zonekit circles``: 15-minute life circle, industry circle, 5-minute charging circle.

Outputs in ``--out`` (columns documented in the command's help and the README):
``origins.gpkg``/``origins.csv`` (per origin: ``origin_id``, ``weight``, ``snap_m``,
``reachable``, ``on_main_network``, ``minutes_<category>`` — or ``metres_<category>`` with
``--metres`` — NaN when none within the limit, ``missing``, ``n_missing``, ``complete``,
``covered``), ``coverage.csv`` (long: ``scenario``, ``category``, ``measure``, ``limit``,
``total``, ``covered``, ``share``), ``facilities.csv`` (snapping of every facility),
``gaps.gpkg``, ``isochrones.gpkg`` (and layer ``roads`` for charging),
``surfaces/<unit>_<category>.tif``, ``zones.csv`` (industry), ``sites.gpkg`` (charging
with ``--new-sites``) and ``summary.json``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from zonekit.cli import _common as c

if TYPE_CHECKING:
    import geopandas as gpd

ORDER = 30  # position in `zonekit --help`

FileOpt = Annotated[Path | None, typer.Option()]


def _check_options(kind: str, minutes: float | None, metres: float | None, measure: str | None,
                   mode: str | None, new_sites: int | None, target_share: float | None,
                   origins: str | None) -> str:
    from zonekit.analysis.circles.profile import KINDS, MODES
    from zonekit.errors import ZonekitError

    if kind not in KINDS:
        raise ZonekitError(f"--kind must be one of {', '.join(KINDS)}, got {kind!r}")
    if minutes is not None and metres is not None:
        raise ZonekitError("give --minutes or --metres, not both")
    for name, v in (("--minutes", minutes), ("--metres", metres)):
        if v is not None and not v > 0:
            raise ZonekitError(f"{name} must be a positive number, got {v}")
    if measure not in (None, "minutes", "metres"):
        raise ZonekitError(f"--measure must be minutes or metres, got {measure!r}")
    if mode is not None and mode not in MODES:
        raise ZonekitError(f"--mode must be one of {', '.join(MODES)}, got {mode!r}")
    if new_sites is not None and (kind != "charging" or new_sites < 0):
        raise ZonekitError("--new-sites K (K ≥ 0) chooses charging sites: use it with "
                           f"--kind charging (got --kind {kind}, K = {new_sites})")
    if target_share is not None and not 0 < target_share <= 1:
        raise ZonekitError(f"--target-share is a share in (0, 1], got {target_share}")
    if kind == "industry" and origins is not None:
        raise ZonekitError("the industry circle starts from the chain's enterprises: pass "
                           "--enterprises FILE, not --origins")
    return "metres" if metres is not None else (measure or "minutes")


def _limits(spec: Any, categories: list[str] | None, minutes: float | None,
            metres: float | None, measure: str) -> dict[str, float]:
    """Threshold per category in the measure's unit: one given number, or the profile's."""
    from zonekit.errors import ProfileError

    if categories is None:
        categories = list(spec.category_ids)
    one = minutes if measure == "minutes" else metres
    if one is not None:
        return dict.fromkeys(categories, float(one))
    table = spec.limits_minutes() if measure == "minutes" else spec.limits_metres()
    default = max(table.values()) if table else None
    missing = [k for k in categories if k not in table]
    if missing and (measure == "metres" or default is None):
        raise ProfileError(f"circle '{spec.kind}' gives no {measure} for {', '.join(missing)}; "
                           f"pass --{measure} N")
    return {k: float(table.get(k, default)) for k in categories}


def _demand(demand: str | None, spec: Any) -> str:
    from zonekit.analysis.circles.profile import DEMANDS
    from zonekit.errors import ZonekitError

    if demand is not None and demand not in DEMANDS:
        raise ZonekitError(f"--demand must be one of {', '.join(DEMANDS)}, got {demand!r}")
    return demand or spec.siting.demand


def _user_layer(path: Path, settings: Any, crs: str, label: str) -> gpd.GeoDataFrame:
    """Read a user's point/polygon file: CRS checked, converted, projected, columns kept."""
    from zonekit.zones import crs as crs_mod
    from zonekit.zones.io import read_vector

    gdf = read_vector(path, encoding=settings.encoding, label=label)
    if gdf.crs is None and settings.input_crs:
        gdf = gdf.set_crs(settings.input_crs)
    crs_mod.require_crs(gdf, path, label)
    if settings.coords:
        from zonekit.zones.coords import convert_gdf

        gdf = convert_gdf(gdf, settings.coords)
    crs_mod.check_geographic_extent(gdf, f"{path}")
    return crs_mod.to_crs(gdf, crs)


def _roads_mapping(user: Any) -> Any:
    """Build a mapping that reads ``maxspeed`` as text.

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
    base = block or LayerMapping(layer="roads")
    layers = dict(user.layers) if user else {}
    layers["roads"] = LayerMapping(**{**base.__dict__, "columns": cols})
    return Mapping(layers=layers, source=user.source if user else "", raw=user.raw if user else {})


def _grid(park: Any, population: Path | None, roads: gpd.GeoDataFrame) -> tuple[Any, Any]:
    from zonekit.analysis.circles.origins import grid_over, read_population

    path = population or park.population_path
    if path is not None and Path(path).exists():
        grid, persons = read_population(path)
        t = grid.transform
        x0, x1, y0, y1 = t.c, t.c + grid.width * t.a, t.f + grid.height * t.e, t.f
        box = roads.to_crs(grid.crs).total_bounds
        if population is not None or (box[0] < x1 and box[2] > x0 and box[1] < y1 and box[3] > y0):
            return grid, persons
        c.info(f"note: the population grid {path} does not overlap the roads; surfaces use a "
               "100 m grid over the roads (pass --population FILE)")
    return grid_over(tuple(roads.total_bounds), 100.0, park.crs), None


def circles(
    kind: Annotated[str, typer.Option(
        help="service (15分钟便民生活圈), industry (15分钟产业生态圈) or charging "
        "(5分钟充电圈).")] = "service",
    data: c.DataOpt = None,
    out: c.OutOpt = Path("out/circles"),
    roads_file: Annotated[Path | None, typer.Option("--roads", help="Road layer: plain "
                          "centrelines or osmnx edges (u, v).")] = None,
    facilities_file: Annotated[Path | None, typer.Option("--facilities", help="Your facility "
                               "file (own id/category columns: --facility-id, --category-col)."
                               )] = None,
    origins: Annotated[str | None, typer.Option("--origins", help="population (cells of the "
                       "population GeoTIFF, default), residential (parcels) or a point/polygon "
                       "FILE.")] = None,
    population_file: Annotated[Path | None, typer.Option("--population", help="Population "
                               "GeoTIFF (persons per cell).")] = None,
    parcels_file: c.ParcelsOpt = None,
    enterprises_file: c.EntsOpt = None,
    zones_file: c.ZonesOpt = None,
    minutes: Annotated[float | None, typer.Option(help="One time threshold for every category "
                       "(overrides the profile's per-category minutes).")] = None,
    metres: Annotated[float | None, typer.Option(help="One network-distance threshold (m) for "
                      "every category instead of time.")] = None,
    measure: Annotated[str | None, typer.Option(help="minutes, or metres: the profile's GB "
                       "50180 walking distances per category.")] = None,
    mode: Annotated[str | None, typer.Option(help="walk, bike or drive (default: the "
                    "circle's).")] = None,
    new_sites: Annotated[int | None, typer.Option("--new-sites", help="Charging: choose K new "
                         "sites (maximal covering) and the fewest reaching --target-share."
                         )] = None,
    candidates_file: Annotated[Path | None, typer.Option("--candidates", help="Candidate sites "
                               "layer (default: a grid over suitable land near roads).")] = None,
    target_share: Annotated[float | None, typer.Option("--target-share", help="Share of demand "
                            "the set covering must reach (default: the profile's, 0.9).")] = None,
    demand: Annotated[str | None, typer.Option(help="Charging siting covers: built_land_km2 "
                      "(default), origins, parcels, enterprises or employees.")] = None,
    chain: Annotated[str | None, typer.Option(
        help="Industry chain (default 新能源智能汽车).")] = None,
    fast_only: Annotated[bool, typer.Option("--fast-only", help="Charging: count only fast "
                         "stations (power_kw ≥ 60).")] = False,
    origin_id: Annotated[str | None, typer.Option("--origin-id", help="Id column of "
                         "--origins FILE.")] = None,
    facility_id: Annotated[str | None, typer.Option("--facility-id", help="Id column of "
                           "--facilities FILE.")] = None,
    category_col: Annotated[str | None, typer.Option("--category-col", help="Category column "
                            "of --facilities FILE (without it: one category named after "
                            "--kind, threshold --minutes or the circle's longest).")] = None,
    weight_col: Annotated[str | None, typer.Option("--weight-col", help="Weight column of "
                          "--origins FILE (default 1 each).")] = None,
    profile: Annotated[Path | None, typer.Option("--profile", help="YAML merged over the "
                       "shipped circles profile.")] = None,
    max_snap_m: Annotated[float | None, typer.Option("--max-snap-m", help="Points farther from "
                          "every road are unreachable (default 250 m).")] = None,
    jobs: Annotated[int, typer.Option(help="Worker processes for the categories.")] = 1,
    force: c.ForceOpt = False,
    crs: c.CrsOpt = None,
    analysis_crs: c.AnalysisCrsOpt = None,
    coords: c.CoordsOpt = None,
    encoding: c.EncodingOpt = None,
    year: c.YearOpt = None,
    drop_invalid: c.DropOpt = False,
    mapping: c.MappingOpt = None,
    basemap: c.BasemapOpt = "osm",
) -> None:
    """Service circles on the road network: who reaches what within N minutes, gaps, new sites."""
    from zonekit.analysis.circles import pipeline as run
    from zonekit.analysis.circles.profile import SAME_CHAIN, load_circles_profile

    unit = _check_options(kind, minutes, metres, measure, mode, new_sites, target_share, origins)
    prof = load_circles_profile(profile)  # profile errors before any heavy work
    spec = prof.circle(kind)
    user_cats = facilities_file is not None and category_col is None
    user_list = ([SAME_CHAIN, kind] if kind == "industry" else [kind]) if user_cats else None
    limits = _limits(spec, user_list, minutes, metres, unit)
    c.check_basemap(basemap)
    settings = c.settings_from(crs, analysis_crs, coords, encoding, year, drop_invalid)
    out = c.prepare_out(out, force)
    job = run.Job(kind=kind, profile=prof, spec=spec, measure=unit, limits=limits,
                  mode=mode or spec.mode, new_sites=new_sites,
                  target_share=spec.target_share if target_share is None else target_share,
                  chain=chain, fast_only=fast_only or spec.fast_only,
                  max_snap_m=prof.max_snap_m if max_snap_m is None else max_snap_m, jobs=jobs,
                  origin_id=origin_id, weight_col=weight_col,
                  demand=_demand(demand, spec))
    with c.progress("Reading and checking layers"):
        park, inputs = _load(data, kind, roads_file, facilities_file, origins, parcels_file,
                             enterprises_file, zones_file, settings, mapping, job,
                             facility_id, category_col)
        if candidates_file is not None:
            inputs["candidates"] = _candidates(candidates_file, settings, park.crs)
        grid, persons = _grid(park, population_file, inputs["roads"])
    c.announce_data(park)
    with c.progress(f"Routing the {spec.name_zh} ({kind})"):
        result = run.run(job, inputs, grid, persons)
    for note in result.summary.get("warnings", []):
        c.info(f"warning: {note}")
    with c.progress("Writing results"):
        files = _write(result, out, unit)
        summary = c.summary_base("circles", park) | result.summary
        summary["mapping"] = park.mapping.raw or None if park.mapping else None
        summary["outputs"] = files + ["summary.json"]
        from zonekit.zones.io import write_json

        write_json(summary, out / "summary.json")  # the maps are drawn from the files
        maps = _write_maps(out, park, kind, basemap, unit)
        if maps:
            summary["outputs"] = files + maps + ["summary.json"]
            write_json(summary, out / "summary.json")
    c.finish(out, park)
    _print(result.coverage, kind)
    c.info(f"Results written to {out}/ ({', '.join(summary['outputs'])})")


def _load(data: Path | None, kind: str, roads_file: Path | None, facilities_file: Path | None,
          origins: str | None, parcels_file: Path | None, enterprises_file: Path | None,
          zones_file: Path | None, settings: Any, mapping: str | None, job: Any,
          facility_id: str | None, category_col: str | None) -> tuple[Any, dict[str, Any]]:
    from zonekit.errors import SchemaError, where
    from zonekit.zones.park import load_park

    layers = ["roads", "zones", "parcels", "population"]
    if facilities_file is None:
        layers.append("facilities")
    if kind in ("industry", "charging"):
        layers.append("enterprises")
    park = load_park(data, layers=tuple(layers), settings=settings,
                     required=tuple(x for x in ("roads", "facilities") if x in layers)
                     + (("enterprises",) if kind == "industry" else ()),
                     overrides={"roads": roads_file, "parcels": parcels_file,
                                "enterprises": enterprises_file, "zones": zones_file},
                     mapping=_roads_mapping(mapping))
    roads = park.roads.rename(columns={"_maxspeed_text": "maxspeed"})
    inputs: dict[str, Any] = {"roads": roads, "park": park, "coords": settings.coords}
    for name in ("zones", "parcels", "enterprises"):
        inputs[name] = park.layers.get(name)
    if facilities_file is not None:
        fac = _user_layer(facilities_file, settings, park.crs, "facilities")
        for col in (facility_id, category_col):
            if col is not None and col not in fac.columns:
                raise SchemaError(f"{where(facilities_file, 'facilities', col)}: column not "
                                  f"found; columns are {', '.join(map(str, fac.columns))}")
        if category_col is None:
            fac["_category"] = kind
        inputs.update(facilities=fac, category_col=category_col or "_category",
                      facility_id=facility_id)
    else:
        inputs.update(facilities=park.facilities, category_col="category", facility_id="fac_id")
    choice = origins or job.spec.origins
    if choice not in ("population", "residential", "enterprises"):
        inputs["origins_layer"] = _user_layer(Path(choice), settings, park.crs, "origins")
    inputs["origins_choice"] = choice
    return park, inputs


def _candidates(path: Path, settings: Any, crs: str) -> gpd.GeoDataFrame:
    from zonekit.analysis.circles.origins import inner_points

    cand = _user_layer(path, settings, crs, "candidates")
    ids = (cand["candidate_id"].astype(str) if "candidate_id" in cand
           else [f"C{i:04d}" for i in range(1, len(cand) + 1)])
    return cand.assign(candidate_id=list(ids)).set_geometry(
        inner_points(cand.geometry.to_numpy()), crs=cand.crs).reset_index(drop=True)


def _geometry_kind(gdf: Any) -> str:
    kinds = set(gdf.geometry.geom_type.dropna())
    return "point" if kinds <= {"Point", "MultiPoint"} else (
        "line" if kinds <= {"LineString", "MultiLineString"} else "polygon")


def _write(result: Any, out: Path, unit: str) -> list[str]:
    """Write the tables and layers of a run, each GeoPackage layer with a QGIS style."""
    import numpy as np

    from zonekit.analysis.circles.isochrones import write_surfaces
    from zonekit.maps import circle_maps as cm
    from zonekit.maps.qgis_style import add_styles_to_gpkg
    from zonekit.maps.style import StyleSpec, coverage_style, graduated, minutes_style
    from zonekit.zones.io import write_csv, write_gpkg

    def gpkg(layers: dict[str, Any], name: str, styles: list[tuple[str, Any]]) -> None:
        # the styles go into the temporary file, in one sqlite connection, before the rename
        write_gpkg(layers, out / name, finish=lambda tmp: add_styles_to_gpkg(tmp, styles))

    files = []
    origins = result.origins
    write_csv(origins.drop(columns=origins.geometry.name), out / "origins.csv")
    gpkg({"origins": origins}, "origins.gpkg", [("origins", coverage_style(
        "covered", _geometry_kind(origins), fields=("origin_id",)))])
    write_csv(result.coverage, out / "coverage.csv")
    write_csv(result.facilities, out / "facilities.csv")
    files += ["origins.gpkg", "origins.csv", "coverage.csv", "facilities.csv"]
    gpkg({"gaps": result.gaps}, "gaps.gpkg", [("gaps", cm.gap_style(result.gaps))])
    layers = {"isochrones": result.isochrones}
    styles = []
    iso = result.isochrones
    if len(iso):
        values = iso[unit].to_numpy(float)
        styles.append(("isochrones", minutes_style(values, unit, fields=("name_zh", unit))
                       if unit == "minutes" else graduated(
                           "metres", unit, values, "网络距离（米）", breaks=sorted(set(values)),
                           cmap="YlGnBu_r", decimals=0, fields=("name_zh", unit))))
    if "roads" in result.tables:
        layers["roads"] = result.tables["roads"]
        styles.append(("roads", coverage_style("covered", "line", fields=("length_m",))))
    gpkg(layers, "isochrones.gpkg", styles)
    files += ["gaps.gpkg", "isochrones.gpkg"]
    tifs = write_surfaces({k: np.asarray(v) for k, v in result.surfaces.items()}, result.grid,
                          out / "surfaces", result.names_zh, unit)
    files += [f"surfaces/{p.name}" for p in tifs]
    if "zones" in result.tables:
        write_csv(result.tables["zones"], out / "zones.csv")
        files.append("zones.csv")
    if "sites" in result.tables:
        gpkg({"sites": result.tables["sites"], "candidates": result.tables["candidates"]},
             "sites.gpkg", [("sites", cm.sites_style()), ("candidates", StyleSpec(
                 name="candidates", title="候选站点", geometry="point", color="#969696",
                 point_radius_px=2.0))])
        files.append("sites.gpkg")
    return files


def _write_maps(out: Path, park: Any, kind: str, basemap: str, unit: str) -> list[str]:
    """Draw the run's HTML map(s) from the files just written (as the report draws them).

    Returns the names of the files written.
    """
    if unit != "minutes":  # the map styles are minute bands; metre runs keep their GeoPackages
        c.info("map skipped: the circle maps show minute thresholds (use the GeoPackages)")
        return []
    from zonekit.cli.commands_map import write_map
    from zonekit.maps import circle_maps as cm
    from zonekit.maps.report_data import load_run

    written = []
    for layers, title in cm.circle_layers(load_run(out), park.layers.get("zones")):
        written += write_map(layers, title, out, f"map_{kind}", ("html",), basemap,
                             park.synthetic, gpkg=False)
    return sorted({p.name for p in written})


def _print(coverage: Any, kind: str) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(title=f"Coverage 覆盖率 ({kind})")
    for col in ("scenario", "category", "measure", "limit", "covered", "total", "share"):
        t.add_column(col, justify="left" if col in ("scenario", "category", "measure") else "right")
    for _, r in coverage.iterrows():
        t.add_row(str(r["scenario"]), f"{r['category']} {r['name_zh']}", str(r["measure"]),
                  f"{r['limit']:g}" if r["limit"] == r["limit"] else "–", f"{r['covered']:,.1f}",
                  f"{r['total']:,.1f}", f"{100 * r['share']:.1f} %")
    Console().print(t)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("circles")(circles)


def demo_steps(out: Path) -> list[tuple[str, Any]]:
    """Return the steps `zonekit demo` runs: the three circles, charging with 5 new sites."""
    return [
        ("circles (service)", lambda: circles(kind="service", out=out / "circles_service",
                                              force=True)),
        ("circles (industry)", lambda: circles(kind="industry", out=out / "circles_industry",
                                               force=True)),
        ("circles (charging)", lambda: circles(kind="charging", out=out / "circles_charging",
                                               new_sites=5, force=True)),
    ]
