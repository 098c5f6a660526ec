"""Reading a park for the API: the sample only when no data is given, user files alone otherwise.

:func:`load_park` is the door every analysis of the API (and so every command) reads data
through: read → validate → project (see :func:`zonekit.zones.park.build_park`). Layers may
be given as files or GeoDataFrames; a folder or GeoPackage (``data``) supplies the rest.
When the caller gives no data at all, the bundled SYNTHETIC sample park is read, and every
result says so.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from zonekit.api.params import checked
from zonekit.errors import DataFileError
from zonekit.settings import DataOptions

if TYPE_CHECKING:
    import geopandas as gpd

    from zonekit.zones.park import Park

#: Layers a caller may give one by one (files or GeoDataFrames); ``population`` is a GeoTIFF.
LAYER_ARGS = ("zones", "parcels", "enterprises", "facilities", "roads", "population")

Source = "str | Path | gpd.GeoDataFrame | None"


@checked
def load_park(
    data: str | Path | None = None,
    *,
    mapping: str | Path | None = None,
    crs: str | None = None,
    analysis_crs: str | None = None,
    coords: str | None = None,
    encoding: str | None = None,
    data_year: int | None = None,
    drop_invalid: bool = False,
    zones: Any = None,
    parcels: Any = None,
    enterprises: Any = None,
    facilities: Any = None,
    roads: Any = None,
    population: str | Path | None = None,
    layers: tuple[str, ...] | None = None,
    required: tuple[str, ...] = (),
) -> Park:
    """Read, validate and project a park's layers.

    Parameters
    ----------
    data, mapping, crs, analysis_crs, coords, encoding, data_year, drop_invalid
        See :class:`DataOptions`.
    zones, parcels, enterprises, facilities, roads
        One layer each, as a file or a GeoDataFrame (replacing that layer of ``data``).
    population
        Population GeoTIFF (persons per cell).
    layers
        Model layers to read when present (default: all).
    required
        Layers that must be present; a missing one is an error naming its parameter.

    Returns
    -------
    zonekit.zones.park.Park
        Layers in the analysis CRS (metres), with ``crs_reason``, ``synthetic`` and the
        validation ``findings``.

    Examples
    --------
    >>> import zonekit as zk
    >>> park = zk.load_park()  # the bundled SYNTHETIC sample
    >>> park.synthetic, park.crs
    (True, 'EPSG:4548')
    """
    opts = DataOptions(data, {"zones": zones, "parcels": parcels, "enterprises": enterprises,
                              "facilities": facilities, "roads": roads,
                              "population": population},
                       mapping, crs, analysis_crs, coords, encoding, data_year, drop_invalid)
    return read_park(opts, layers=layers, required=required)


def read_park(opts: DataOptions, layers: tuple[str, ...] | None = None,
              required: tuple[str, ...] = (), mapping: Any = None,
              osm_mode: str | None = None) -> Park:
    """Read the park described by ``opts`` (``mapping`` overrides ``opts.mapping``).

    ``osm_mode`` (walk, bike, drive) says which ways to read when the roads are an
    OpenStreetMap file (``.osm``, ``.osm.gz``, ``.osm.bz2``, ``.osm.pbf``).

    A layer the caller gave that this analysis does not read is named in the park's notes
    (printed and written to ``summary.json``), never dropped silently.
    """
    from zonekit.zones.osm.graph import is_graph, roads_from_graph
    from zonekit.zones.park import build_park
    from zonekit.zones.schema import LAYERS
    from zonekit.zones.validate import Problem

    wanted = tuple(LAYERS) if layers is None else tuple(layers)
    check_given_files(opts, wanted)
    overrides = {k: v for k, v in opts.layers.items() if v is not None and k in wanted}
    if is_graph(overrides.get("roads")):  # an osmnx MultiDiGraph: its edges, in its CRS
        overrides["roads"] = roads_from_graph(overrides["roads"])
    park = build_park(opts.data, layers=wanted, overrides=overrides, settings=opts,
                      required=required, mapping=opts.mapping if mapping is None else mapping,
                      osm_mode=osm_mode)
    park.options = opts
    for name, source in opts.layers.items():
        if source is not None and name not in wanted:
            park.findings.notes.append(Problem(
                name, str(source) if isinstance(source, (str, Path)) else "(GeoDataFrame)",
                None, "given, but this analysis does not use this layer", []))
    return park


def check_given_files(opts: DataOptions, wanted: tuple[str, ...]) -> None:
    """Refuse a layer file the user gave that is missing, or unreadable when not read anyway.

    Layers this analysis reads are checked by the reader itself; the others (e.g. roads=
    for zones) are opened here, so a typo in any path stops the run before any work.
    """
    import pyogrio

    from zonekit.zones.osm.roads import is_osm_file
    from zonekit.zones.sources import choose_layer, split_layer

    for name, source in opts.layers.items():
        if not isinstance(source, (str, Path)):
            continue
        path, layer = split_layer(source)
        if not path.exists():
            raise DataFileError(f"{path}: file not found ({name}=FILE)")
        if name in wanted or name == "population" or path.is_dir() or is_osm_file(path):
            continue
        try:
            target, layer = choose_layer(path, layer, name)
            pyogrio.read_info(target, layer=layer)
        except DataFileError:
            raise
        except Exception as exc:  # noqa: BLE001 - any reader failure is the user's file
            raise DataFileError(f"{path}: cannot read the {name} layer ({name}=FILE): "
                                f"{str(exc).splitlines()[0]}") from exc


def inputs_of(opts: DataOptions) -> list[Path]:
    """Return what a run on ``opts`` reads: its files, or the sample when no data is given."""
    from zonekit.zones.io import sample_path

    return [*opts.inputs(), *([] if opts.given else [sample_path()])]


def user_layer(source: Any, settings: DataOptions, crs: str, label: str) -> gpd.GeoDataFrame:
    """Read a point/polygon layer of the user's own columns (origins, facilities, candidates).

    CRS checked (``settings.crs`` for a layer without one), GCJ-02/BD-09 converted,
    projected to ``crs``; every column kept.
    """
    from zonekit.zones import crs as crs_mod
    from zonekit.zones.io import read_vector

    if hasattr(source, "geometry"):
        gdf, name = source.copy(), f"({label} GeoDataFrame)"
    else:
        gdf, name = read_vector(Path(source), encoding=settings.encoding, label=label), source
    if gdf.crs is None and settings.crs:
        gdf = gdf.set_crs(settings.crs)
    crs_mod.require_crs(gdf, name, label)
    if settings.coords:
        from zonekit.zones.coords import convert_gdf

        gdf = convert_gdf(gdf, settings.coords)
    crs_mod.check_geographic_extent(gdf, f"{name}")
    return crs_mod.to_crs(gdf, crs)


def data_options_from(kw: dict[str, Any]) -> DataOptions:
    """Return a :class:`DataOptions` from keywords (``data=``, layer names, ``mapping=`` …)."""
    from zonekit.errors import ZonekitError

    layers = {k: kw.pop(k) for k in list(kw) if k in LAYER_ARGS}
    try:
        return DataOptions(layers=layers, **kw)
    except TypeError as exc:
        raise ZonekitError(f"unknown data option: {exc}") from None
