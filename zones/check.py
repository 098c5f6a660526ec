"""``zonekit check``: validate everything a run would read, reporting every problem at once.

Unlike :func:`zonekit.zones.park.build_park`, which stops at the first layer that cannot be
read, the check goes on: each layer is read and validated on its own, then the joins
between the layers that could be read are checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from zonekit.errors import ZonekitError
from zonekit.settings import DataOptions
from zonekit.zones import crs as crs_mod
from zonekit.zones.mapping import Mapping, load_mapping
from zonekit.zones.park import (
    Park,
    _population_path,
    _resolve_sources,
    check_joins,
    read_layer,
    select_year,
)
from zonekit.zones.schema import LAYERS
from zonekit.zones.validate import Findings


@dataclass
class LayerReport:
    """What the check found for one layer."""

    name: str
    source: str | None
    rows: int = 0
    crs: str | None = None
    columns: list[str] = field(default_factory=list)
    failure: str | None = None
    detail: str | None = None  # what was found, for layers that are not tables (rasters)


@dataclass
class CheckReport:
    """The whole check: per-layer reports, findings across layers, the mapping used."""

    layers: list[LayerReport]
    findings: Findings
    mapping: Mapping | None
    mapping_error: str | None = None
    analysis_crs: str | None = None

    @property
    def ok(self) -> bool:
        """True when nothing would stop a run."""
        return (not self.findings.errors and self.mapping_error is None
                and not any(r.failure for r in self.layers if r.source))

    def lines(self) -> list[str]:
        """Return the report as plain-text lines."""
        out = []
        if self.mapping_error:
            out.append(f"✗ mapping: {self.mapping_error}")
        elif self.mapping:
            out.append(f"✓ mapping: {self.mapping.source}")
        for r in self.layers:
            if r.source is None:
                out.append(f"- {r.name}: not found (optional unless a command needs it)")
            elif r.failure:
                out.append(f"✗ {r.name}: {r.failure}")
            elif r.detail:
                out.append(f"✓ {r.name}: {r.detail} from {r.source}, CRS {r.crs}")
            else:
                out.append(f"✓ {r.name}: {r.rows:,} rows from {r.source}, CRS {r.crs}")
        out += [f"✗ {p}" for p in self.findings.errors]
        out += [f"! {p}" for p in self.findings.notes]
        if self.analysis_crs:
            out.append(f"analysis CRS: {self.analysis_crs}")
        out.append("OK: a run can read these data." if self.ok else
                   "Problems found: fix the lines marked ✗ (see README, 'Errors and what to do').")
        return out


def check_data(
    data: Path | str | None = None,
    overrides: dict[str, Path] | None = None,
    settings: DataOptions | None = None,
    mapping: str | Path | None = None,
) -> CheckReport:
    """Read and validate every layer, collecting all problems instead of stopping."""
    settings = settings or DataOptions()
    overrides = {k: Path(v) for k, v in (overrides or {}).items() if v is not None}
    mapping_obj, mapping_error = None, None
    try:
        mapping_obj = load_mapping(mapping)
    except ZonekitError as exc:
        mapping_error = str(exc)
    if mapping_obj is not None:
        for name, block in mapping_obj.layers.items():
            if block.file is not None:
                overrides.setdefault(name, block.file)
    names = tuple(LAYERS)
    sources, synthetic = _resolve_sources(None if data is None else Path(data), names, overrides)
    raster = _population_path(data, overrides, synthetic)  # as build_park and circles find it
    if raster is not None:
        sources["population"] = (raster, None)
    findings = Findings()
    reports, raw = [], {}
    for name in names:
        if name not in sources:
            reports.append(LayerReport(name, None))
            continue
        path, layer = sources[name]
        report = LayerReport(name, f"{path}" + (f" (layer {layer})" if layer else ""))
        reports.append(report)
        if name == "population":
            _check_raster(path, report)
            continue
        try:
            gdf, found = read_layer(name, path, layer, settings, mapping_obj, raw.get("parcels"))
        except ZonekitError as exc:
            report.failure = str(exc)
            continue
        findings.extend(found)
        raw[name] = gdf
        report.rows, report.crs = len(gdf), gdf.crs.to_string() if gdf.crs else None
        report.columns = [c for c in gdf.columns if c != gdf.geometry.name]
    if not any(name in sources for name in names):
        reports.append(LayerReport("data", str(data), failure=_no_layer(data, overrides)))
    analysis_crs = None
    if raw:
        try:
            analysis_crs = crs_mod.choose_crs(list(raw.values()), settings.analysis_crs)
            park = Park(layers={n: crs_mod.to_crs(g, analysis_crs) for n, g in raw.items()},
                        crs=analysis_crs, synthetic=synthetic, findings=findings,
                        sources={n: str(p) for n, (p, _) in sources.items()})
            select_year(park, settings)
            check_joins(park, settings)
        except ZonekitError as exc:
            reports.append(LayerReport("joins", "checks across layers", failure=str(exc)))
    return CheckReport(reports, findings, mapping_obj, mapping_error, analysis_crs)


def _no_layer(data: Path | str | None, overrides: dict[str, Path]) -> str:
    """Say that no layer was found, and where below ``data`` the layers seem to be."""
    from zonekit.zones.io import find_layer_source

    text = f"{data}: no layer found (no file named after a layer: {', '.join(LAYERS)})"
    root = Path(data) if data is not None else None
    if root is None or not root.is_dir():
        return text + "; give data=FOLDER or a layer file such as zones=FILE"

    def holds_layers(sub: Path) -> bool:
        try:
            return any(find_layer_source(sub, name) for name in LAYERS)
        except ZonekitError:
            return False

    below = sorted(str(sub) for sub in root.iterdir() if sub.is_dir() and holds_layers(sub))
    if below:
        return text + f"; the layers seem to be one level down: pass data={below[0]}" + (
            f" (also in {', '.join(below[1:])})" if len(below) > 1 else "")
    return text + "; name the files zones.gpkg, parcels.shp, … or give a mapping= with file:"


def _check_raster(path: Path, report: LayerReport) -> None:
    """Open the population raster; fill ``report`` with its size, CRS and persons, or why not."""
    try:
        import numpy as np
        import rasterio

        with rasterio.open(path) as src:
            if src.crs is None:
                report.failure = f"{path}: the raster has no CRS; zonekit never guesses one"
                return
            band = src.read(1, masked=True)
            persons = float(np.ma.sum(band)) if band.count() else 0.0
            report.crs = src.crs.to_string()
            res_x, res_y = (abs(v) for v in src.res)
            report.detail = (f"{src.width:,} × {src.height:,} cells of {res_x:g} × {res_y:g} "
                             f"{_unit(src.crs)}, {persons:,.0f} persons")
    except Exception as exc:  # rasterio raises several error types; name the file
        report.failure = f"{path}: cannot read the raster ({type(exc).__name__}: {exc})"


def _unit(crs: object) -> str:
    return "°" if getattr(crs, "is_geographic", False) else "m"
