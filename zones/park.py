"""A park: its layers read, validated, joined and projected to one metric CRS.

:func:`build_park` is the reader under the API's one door, :func:`zonekit.load_park`
(:func:`zonekit.api.data.read_park`), through which every analysis and command reads data:
read → validate → check CRS → (convert GCJ-02/BD-09) → project → cross-check joins.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from zonekit.errors import DataFileError, where
from zonekit.settings import DataOptions
from zonekit.zones import crs as crs_mod
from zonekit.zones import reprs
from zonekit.zones.cells import convert_units
from zonekit.zones.io import READ_NOTES, find_layer_source, read_vector, sample_path
from zonekit.zones.joins import check_joins, select_year
from zonekit.zones.mapping import NOTES_ATTR, LayerMapping, Mapping, apply_mapping, load_mapping
from zonekit.zones.schema import LAYERS
from zonekit.zones.sources import split_layer
from zonekit.zones.tables import TABLE_SUFFIXES, place_table, read_table
from zonekit.zones.validate import (
    Findings,
    Problem,
    drop_error_rows,
    refuse_if_all_dropped,
    validate_layer,
)

if TYPE_CHECKING:
    import geopandas as gpd


@dataclass(repr=False)
class Park:
    """The layers of one park, validated and in the analysis CRS (metres).

    Attributes
    ----------
    layers
        Vector layers by model name (``zones``, ``parcels``, ``enterprises``,
        ``facilities``, ``roads``); enterprises hold the selected year only.
    enterprises_all_years
        All enterprise rows when a ``year`` column is present (for trends).
    population_path
        Path of the population GeoTIFF, if any.
    crs
        The analysis CRS, e.g. ``"EPSG:4548"``.
    crs_reason
        Why that CRS (given by the user, or the GK/UTM zone of the data's centre).
    synthetic
        True for the bundled synthetic sample park.
    sources
        Where each layer was read from.
    findings
        Validation notes (repairs, unmatched rows) and dropped rows.
    """

    layers: dict[str, gpd.GeoDataFrame]
    crs: str
    population_path: Path | None = None
    enterprises_all_years: gpd.GeoDataFrame | None = None
    year: int | None = None
    synthetic: bool = False
    sources: dict[str, str] = field(default_factory=dict)
    findings: Findings = field(default_factory=Findings)
    mapping: Mapping | None = None
    crs_reason: str = ""
    #: How the park was read (to read a layer the analysis left out, e.g. the roads of a
    #: map's base); ``None`` when unknown.
    options: DataOptions | None = None
    #: Layers read for the maps only, by name (the roads of the base); see ``options``.
    context: dict[str, gpd.GeoDataFrame | None] = field(default_factory=dict)

    def _describe(self) -> tuple[str, list[str]]:
        where = ("the bundled SYNTHETIC sample" if self.synthetic
                 else self.sources.get("_data", "given layers"))
        year = f", data year {self.year}" if self.year is not None else ""
        lines = reprs.table_sizes(self.layers)
        if self.population_path is not None:
            lines.append(f"population: {self.population_path.name}")
        return f"Park: {where}; CRS {self.crs}{year}", lines

    def __repr__(self) -> str:
        return reprs.text(*self._describe())

    def _repr_html_(self) -> str:
        return reprs.html(*self._describe())

    def __getattr__(self, name: str) -> gpd.GeoDataFrame:
        layers = self.__dict__.get("layers", {})
        if name in LAYERS and name != "population":
            if name not in layers:
                raise DataFileError(
                    f"layer '{name}' is needed but was not found in "
                    f"{self.sources.get('_data', 'the data')}; add it or pass {name}=FILE"
                )
            return layers[name]
        raise AttributeError(name)


def _resolve_sources(
    data: Path | None, names: tuple[str, ...], overrides: dict[str, Path]
) -> tuple[dict[str, tuple[Path, str | None]], bool]:
    """Where each layer comes from; the sample only when the user gave no data at all."""
    synthetic = data is None and not overrides
    found: dict[str, tuple[Path, str | None]] = {}
    for name in names:
        if overrides.get(name) is not None:
            found[name] = (overrides[name], None)
    if data is None and not synthetic:
        return found, False  # the user's files alone: the sample is never read
    root = sample_path() / "park.gpkg" if synthetic else Path(data)
    if not root.exists():
        raise DataFileError(f"{root}: data= path not found")
    for name in names:
        if name not in found:
            src = find_layer_source(root, name)
            if src is not None:
                found[name] = src
    return found, synthetic


def _data_label(data: Path | str | None, sources: dict, synthetic: bool) -> str:
    if synthetic:
        return str(sample_path())
    if data is not None:
        return str(data)
    return ", ".join(_label(p) for p, _ in sources.values()) or "(no data)"


def _is_frame(value: object) -> bool:
    """Return a GeoDataFrame given instead of a file (the Python API accepts both)."""
    return hasattr(value, "geometry") and hasattr(value, "crs")


def _label(source: object) -> str:
    return "(GeoDataFrame)" if _is_frame(source) else str(source)


def build_park(
    data: Path | str | None = None,
    layers: tuple[str, ...] = tuple(LAYERS),
    overrides: dict[str, Path] | None = None,
    settings: DataOptions | None = None,
    required: tuple[str, ...] = (),
    mapping: Mapping | str | Path | None = None,
    osm_mode: str | None = None,
) -> Park:
    """Read, validate and project the layers of a park (under :func:`zonekit.load_park`).

    Parameters
    ----------
    data
        GeoPackage or folder (see :mod:`zonekit.zones.io`); ``None`` for the bundled
        synthetic sample park.
    layers
        Model layers to read when present.
    overrides
        Layer name → file path, replacing that layer's source.
    settings
        Run options (CRS, GCJ-02 conversion, encoding, year, drop_invalid).
    required
        Layers that must be present; their absence is an error naming the data path.
    mapping
        A mapping (or its file / shipped name) from the user's names and units to the model.
    osm_mode
        Travel mode (walk/bike/drive) whose ways are read when the roads are an OSM file
        (``.osm``, ``.osm.gz``, ``.osm.bz2``, ``.osm.pbf``); ``None`` reads drive.

    Raises
    ------
    zonekit.errors.ZonekitError
        Missing CRS, unreadable files, schema errors (all listed at once).
    """
    settings = settings or DataOptions()
    overrides = {k: (v if _is_frame(v) else Path(v))
                 for k, v in (overrides or {}).items() if v is not None}
    mapping = load_mapping(mapping) if isinstance(mapping, (str, Path)) else mapping
    if mapping is not None:
        for name, block in mapping.layers.items():
            if block.file is not None and name in layers:
                overrides.setdefault(name, block.file)
    sources, synthetic = _resolve_sources(None if data is None else Path(data), layers, overrides)
    missing = [name for name in required if name not in sources]
    if missing:
        label = _data_label(data, sources, synthetic)
        raise DataFileError(
            f"{label}: required layer(s) not found: {', '.join(missing)}. Pass "
            f"{', '.join(f'{m}=FILE' for m in missing)}"
            + (", or a data folder/GeoPackage holding them (layers or files named after them, "
               "e.g. parcels.gpkg, parcels.shp)" if data is None else
               " (expected GeoPackage layers or files named after them, e.g. parcels.gpkg, "
               "parcels.shp)")
        )
    findings = Findings()
    raw: dict[str, gpd.GeoDataFrame] = {}
    for name, (path, layer) in sources.items():
        if name == "population":
            continue
        gdf, found = read_layer(name, path, layer, settings, mapping, raw.get("parcels"),
                                osm_mode=osm_mode)
        findings.extend(found)
        raw[name] = gdf
    findings.raise_if_errors()
    analysis_crs, reason = crs_mod.choose_analysis_crs(list(raw.values()), settings.analysis_crs)
    projected = {name: crs_mod.to_crs(gdf, analysis_crs) for name, gdf in raw.items()}
    park = Park(layers=projected, crs=analysis_crs, synthetic=synthetic,
                sources={n: _label(p) for n, (p, _) in sources.items()}, findings=findings,
                mapping=mapping, crs_reason=reason)
    park.sources["_data"] = _data_label(data, sources, synthetic)
    if "population" in layers:
        park.population_path = _population_path(data, overrides, synthetic)
    select_year(park, settings)
    check_joins(park, settings)
    park.findings.raise_if_errors()
    for name, gdf in park.layers.items():
        refuse_if_all_dropped(name, gdf, park.findings, park.sources.get(name, name))
    return park


def read_layer(
    name: str, path: Path, layer: str | None, settings: DataOptions,
    mapping: Mapping | None = None, parcels: gpd.GeoDataFrame | None = None,
    osm_mode: str | None = None,
) -> tuple[gpd.GeoDataFrame, Findings]:
    """Read one layer: map names/units, place table rows, check CRS, validate.

    Parameters
    ----------
    name
        Model layer name.
    path, layer
        File and layer inside it.
    settings
        Run options.
    mapping
        The user's mapping, if any.
    parcels
        Parcels already read, to place table rows by parcel key.
    osm_mode
        Travel mode of the ways read from an OSM roads file (default drive).
    """
    from zonekit.zones.osm.roads import is_osm_file

    block = mapping.for_layer(name) if mapping else None
    if _is_frame(path):  # a GeoDataFrame from the Python API: mapped and checked like a file
        path, frame = Path(f"({name} GeoDataFrame)"), path.copy()
    else:
        frame = None
    label = f"{path}" + (f" (layer {layer})" if layer else "")
    osm = frame is None and name == "roads" and is_osm_file(path)
    if frame is not None:
        gdf, notes, converted = apply_mapping(frame, block), [], False
    elif osm:  # OSM is WGS84: coords= (GCJ-02/BD-09) never applies to it
        from zonekit.zones.osm.roads import read_osm_roads

        gdf, notes, converted = apply_mapping(read_osm_roads(path, osm_mode or "drive"),
                                              block), [], True
    else:
        gdf, notes, converted = _read_source(name, path, layer, settings, block, parcels)
    mapped = gdf.attrs.get(NOTES_ATTR, [])
    input_crs = (block.crs if block and block.crs else None) or settings.crs
    if crs_mod.is_undefined(gdf.crs):
        gdf = gdf.set_crs(None, allow_override=True)
    if gdf.crs is None and input_crs:
        gdf = gdf.set_crs(input_crs)
    crs_mod.require_crs(gdf, path, layer or name)
    spec = LAYERS[name]
    bad_xy, xy_problems = crs_mod.coordinate_problems(gdf, label, name, spec.id_column)
    if bad_xy.any():  # keep NaN / stray vertices away from GEOS and the projection
        gdf = gdf.copy()
        gdf.loc[bad_xy, gdf.geometry.name] = None
    shifted = bool(settings.coords and not converted)
    if shifted:
        from zonekit.zones.coords import convert_gdf

        gdf = convert_gdf(gdf, settings.coords, label=label)
    crs_mod.check_geographic_extent(gdf, label, coordinates=shifted)  # else checked above
    gdf, found = validate_layer(gdf, spec, str(path), allow_empty=bool(notes), known_bad=bad_xy)
    found.errors[:0] = xy_problems
    found.notes += notes + [Problem(name, str(path), None, m) for m in mapped]
    if settings.drop_invalid:
        gdf = drop_error_rows(gdf, found, spec)
        refuse_if_all_dropped(name, gdf, found, label)
    return gdf, found


def _read_source(
    name: str, path: Path, layer: str | None, settings: DataOptions,
    block: LayerMapping | None, parcels: gpd.GeoDataFrame | None,
) -> tuple[gpd.GeoDataFrame, list[Problem], bool]:
    """Read a layer file, or a table (CSV, Excel, a GeoPackage attribute table) and place it.

    Returns the layer, notes about rows that could not be placed, and whether GCJ-02 /
    BD-09 coordinates were already converted (tables convert while placing rows).
    """
    import geopandas as gpd

    if split_layer(path)[0].suffix.lower() in TABLE_SUFFIXES:
        xy = tuple(str(block.position[k]) for k in ("x", "y") if block and block.position.get(k))
        table = read_table(path, block.sheet if block else None, coordinate_columns=xy)
        notes = table.attrs.pop("zonekit_notes", [])
    else:
        table = read_vector(path, layer=(block.source_layer if block and block.source_layer
                                         else layer), encoding=settings.encoding, label=name,
                            allow_table=True)
        if isinstance(table, gpd.GeoDataFrame):
            read = [Problem(name, str(path), None, m) for m in table.attrs.pop(READ_NOTES, [])]
            return apply_mapping(table, block), read, False
        notes = []
    source = where(path, layer)
    table = apply_mapping(table, block)
    table, converted = convert_units(table, LAYERS[name], where(source, name))
    notes = [*notes, *converted]
    gdf, placed = place_table(table, name, source, block, parcels, settings.coords,
                              settings.crs)
    gdf.attrs[NOTES_ATTR] = table.attrs.get(NOTES_ATTR, [])
    return gdf, [*(Problem(name, source, None, msg, rows) for msg, rows in notes), *placed], True


def _population_path(data: Path | str | None, overrides: dict[str, Path],
                     synthetic: bool) -> Path | None:
    if "population" in overrides:
        return overrides["population"]
    if data is None and not synthetic:
        return None  # the user's files alone: no population unless given
    root = sample_path() if synthetic else Path(data)
    folder = root if root.is_dir() else root.parent
    for suffix in (".tif", ".tiff"):
        if (folder / f"population{suffix}").exists():
            return folder / f"population{suffix}"
    return None


