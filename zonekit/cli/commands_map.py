"""``zonekit map KIND``: a map as HTML (folium), PNG/PDF (matplotlib) and a styled GeoPackage.

Map kinds live in :data:`MAP_KINDS`. To add one, register a :class:`MapKind` whose
``build`` function returns the layers (``MapLayer``: features + style spec) and a title::

    from zonekit.cli.commands_map import MAP_KINDS, MapKind

    def _coverage(park, opts):
        from zonekit.maps.interactive import MapLayer
        from zonekit.maps.style import coverage_style
        return [MapLayer(my_cells(park), coverage_style())], "服务圈覆盖"

    MAP_KINDS["coverage"] = MapKind("service-circle coverage", ("zones", "facilities"),
                                    _coverage)

Everything else — basemaps, formats, the QGIS style in the GeoPackage, the synthetic
footer — comes with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from zonekit.cli import _common as c

if TYPE_CHECKING:
    from zonekit.maps.interactive import MapLayer
    from zonekit.zones.park import Park

ORDER = 60  # position in `zonekit --help`
FORMATS = ("html", "png", "pdf", "all")


@dataclass(frozen=True)
class MapOptions:
    """Options every map kind may read."""

    denominator: str = "built"
    scheme: str = "FisherJenks"
    classes: int = 4


@dataclass(frozen=True)
class MapKind:
    """A kind of map: what it shows, the layers it reads and how it is built.

    ``build(park, options)`` returns the map's layers (bottom first) and its title.
    ``demo``: whether ``zonekit demo`` draws it into ``out/maps`` (kinds whose analysis
    command already writes the HTML map in the demo set it False, to keep the demo fast).
    """

    help: str
    layers: tuple[str, ...]
    build: Callable[[Park, MapOptions], tuple[list[MapLayer], str]]
    demo: bool = True


def _zones(park: Park, opts: MapOptions) -> tuple[list[MapLayer], str]:
    from zonekit.maps import zone_maps

    return zone_maps.zone_layers(park, opts.denominator), zone_maps.zone_title()


def _land_output(park: Park, opts: MapOptions) -> tuple[list[MapLayer], str]:
    from zonekit.maps import zone_maps

    layers = zone_maps.land_output_layers(park, opts.denominator, opts.scheme, opts.classes)
    return layers, zone_maps.land_output_title(opts.denominator)


def _mujun(park: Park, opts: MapOptions) -> tuple[list[MapLayer], str]:
    from zonekit.maps import analysis_maps as am

    parcels = am.intensity_parcels(park, opts.denominator)
    return am.mujun_layers(parcels, park.zones), am.mujun_title()


def _low_efficiency(park: Park, opts: MapOptions) -> tuple[list[MapLayer], str]:
    from zonekit.maps import analysis_maps as am

    parcels = am.intensity_parcels(park, opts.denominator)
    return am.low_efficiency_layers(parcels, park.zones), am.low_efficiency_title()


#: New charging sites the ``charging`` map proposes (as ``zonekit demo`` and the report).
CHARGING_SITES = 5


def _circles_run(park: Park, kind: str, new_sites: int | None = None) -> dict:
    """Run ``zonekit circles --kind KIND`` on the park's data; its outputs, read back."""
    import tempfile

    from zonekit.cli.commands_circles import circles
    from zonekit.maps.report_data import load_run

    data = None if park.synthetic else park.sources.get("_data")
    with tempfile.TemporaryDirectory(prefix="zonekit-circles-") as tmp:
        circles(kind=kind, data=Path(data) if data else None, out=Path(tmp),
                new_sites=new_sites, force=True)
        return load_run(Path(tmp))


def _circle_map(kind: str, new_sites: int | None = None) -> Callable[..., tuple[list, str]]:
    def build(park: Park, opts: MapOptions) -> tuple[list[MapLayer], str]:
        from zonekit.maps import circle_maps as cm

        run = _circles_run(park, kind, new_sites)
        if kind == "charging":
            fac = park.layers.get("facilities")
            stations = None if fac is None else fac.loc[fac["category"] == "charging_station"]
            return cm.charging_layers(run["origins"], run.get("roads"), run.get("sites"),
                                      run.get("gaps"), stations, park.zones), \
                cm.circle_title(kind)
        return cm.service_layers(run["origins"], run.get("gaps"), run.get("isochrones"),
                                 park.zones), cm.circle_title(kind)

    return build


def _isochrones(park: Park, opts: MapOptions) -> tuple[list[MapLayer], str]:
    from zonekit.maps import circle_maps as cm

    run = _circles_run(park, "service")
    return cm.isochrone_layers(run["isochrones"], park.layers.get("facilities"),
                               park.zones), cm.isochrone_title("service")


_PARK = ("zones", "parcels", "enterprises")
_CIRCLES = ("zones", "facilities")

#: Map kinds by name; analysis modules add theirs here.
MAP_KINDS: dict[str, MapKind] = {
    "zones": MapKind("core zones and municipal blocks, named, with areas", _PARK, _zones),
    "land-output": MapKind("land output 亿元/km² per zone (mapclassify classes)", _PARK,
                           _land_output),
    "mujun": MapKind("parcels by 亩均效益 class A–D (shipped profile), 未参评 grey", _PARK,
                     _mujun, demo=False),
    "low-efficiency": MapKind("low-efficiency parcels by reason, renewal-plan parcels "
                              "outlined", _PARK, _low_efficiency, demo=False),
    "service": MapKind("15-minute life circle (zonekit circles --kind service): reach per "
                       "category, gaps", _CIRCLES, _circle_map("service"), demo=False),
    "industry": MapKind("15-minute industry circle of the chain's enterprises, gaps",
                        _CIRCLES, _circle_map("industry"), demo=False),
    "charging": MapKind(f"5-minute charging circle: coverage, gaps, stations, "
                        f"{CHARGING_SITES} proposed sites", _CIRCLES,
                        _circle_map("charging", CHARGING_SITES), demo=False),
    "isochrones": MapKind("isochrones (5/10/15 minutes) of the life-circle services",
                          _CIRCLES, _isochrones, demo=False),
}


def _layer_name(stem: str, index: int) -> str:
    return stem if index == 0 else f"{stem}_{index + 1}"


def write_map(layers: list[MapLayer], title: str, out: Path, stem: str, formats: tuple[str, ...],
              basemap: str = "osm", synthetic: bool = False, gpkg: bool = True) -> list[Path]:
    """Write a map's files: ``stem.html``/``.png``/``.pdf`` per ``formats``, and ``stem.gpkg``.

    The GeoPackage holds each layer with its QGIS default style. Analysis commands can
    call this to write their maps beside their tables; those that already write the
    layers to a styled GeoPackage of their own pass ``gpkg=False``.
    """
    from zonekit.maps.qgis_style import add_style_to_gpkg
    from zonekit.zones.io import write_gpkg

    written: list[Path] = []
    if "html" in formats:
        from zonekit.maps.interactive import make_map, save_map

        m = make_map(layers, basemap=basemap, synthetic=synthetic, title=title)
        written.append(save_map(m, out / f"{stem}.html"))
    for fmt in ("png", "pdf"):
        if fmt in formats:
            from zonekit.maps.static import plot_static, save_static

            ax = plot_static(layers, title=title, synthetic=synthetic)
            written.append(save_static(ax, out / f"{stem}.{fmt}"))
    if not gpkg:
        return written
    names = [_layer_name(stem, i) for i in range(len(layers))]
    gpkg_path = write_gpkg({n: layer.gdf for n, layer in zip(names, layers, strict=True)},
                           out / f"{stem}.gpkg")
    for name, layer in zip(names, layers, strict=True):
        add_style_to_gpkg(gpkg_path, name, layer.spec)
    written.append(gpkg_path)
    return written


def map_command(
    kind: Annotated[str, typer.Argument(help=f"Map to draw: {', '.join(MAP_KINDS)}.")],
    data: c.DataOpt = None,
    out: c.OutOpt = Path("out/maps"),
    basemap: Annotated[str, typer.Option(
        help="osm, tianditu (needs TIANDITU_KEY), amap (overlays shifted to GCJ-02) or none "
        "(no tiles; opens offline).")] = "osm",
    fmt: Annotated[str, typer.Option(
        "--format", help="html, png, pdf or all. A styled GeoPackage for QGIS is always "
        "written too.")] = "html",
    denominator: c.DenominatorOpt = "built",
    scheme: Annotated[str, typer.Option(
        help="mapclassify scheme of graduated maps: FisherJenks, Quantiles, …")] = "FisherJenks",
    classes: Annotated[int, typer.Option(help="Number of classes of graduated maps.")] = 4,
    force: c.ForceOpt = False,
    crs: c.CrsOpt = None,
    analysis_crs: c.AnalysisCrsOpt = None,
    coords: c.CoordsOpt = None,
    encoding: c.EncodingOpt = None,
    year: c.YearOpt = None,
    drop_invalid: c.DropOpt = False,
) -> None:
    """Draw a map (zones, land output, 亩均, low efficiency, …) as HTML, PNG/PDF and for QGIS."""
    from zonekit.errors import DataFileError, ZonekitError
    from zonekit.zones.park import load_park

    if kind not in MAP_KINDS:
        raise ZonekitError(f"unknown map {kind!r}; choose one of {', '.join(MAP_KINDS)}")
    formats = ("html", "png", "pdf") if fmt == "all" else (fmt,)
    c.check_basemap(basemap, key_needed="html" in formats)
    if fmt not in FORMATS:
        raise ZonekitError(f"--format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    c.check_denominator(denominator)
    if "png" in formats or "pdf" in formats:
        from zonekit.maps.static import find_cjk_font

        find_cjk_font()  # fail before the work when Chinese text cannot be drawn
    stem = f"map_{kind.replace('-', '_')}"
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise DataFileError(f"{out}: --out must be a folder, found a file")
    targets = [out / f"{stem}.{ext}" for ext in (*formats, "gpkg")]
    existing = [t.name for t in targets if t.exists()]
    if existing and not force:
        raise DataFileError(f"{out}: {', '.join(existing)} exist(s); pass --force to "
                            "overwrite, or choose another --out")
    out.mkdir(parents=True, exist_ok=True)
    spec = MAP_KINDS[kind]
    settings = c.settings_from(crs, analysis_crs, coords, encoding, year, drop_invalid)
    with c.progress("Reading and checking layers"):
        park = load_park(data, layers=spec.layers, settings=settings, required=spec.layers)
    c.announce_data(park)
    layers, title = spec.build(park, MapOptions(denominator, scheme, classes))
    with c.progress(f"Drawing {kind} map"):
        written = write_map(layers, title, out, stem, formats, basemap, park.synthetic)
    c.finish(out, park)
    c.info(f"Map written: {', '.join(str(p) for p in written)}")


def demo_steps(out: Path) -> list[tuple[str, Callable[[], None]]]:
    """Return the steps ``zonekit demo`` runs: the maps of kinds with ``demo`` in ``out/maps``."""
    fmt = "all"
    try:
        from zonekit.maps.static import find_cjk_font

        find_cjk_font()
    except Exception as exc:  # noqa: BLE001 - any font problem: keep the HTML maps
        c.info(f"note: static maps skipped in the demo: {exc}")
        fmt = "html"

    def step(kind: str) -> Callable[[], None]:
        return lambda: map_command(kind, out=out / "maps", basemap="osm", fmt=fmt, force=True)

    return [(f"map {kind}", step(kind)) for kind, spec in MAP_KINDS.items() if spec.demo]


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("map")(map_command)


__all__ = ["FORMATS", "MAP_KINDS", "MapKind", "MapOptions", "demo_steps", "map_command",
           "register", "write_map"]
