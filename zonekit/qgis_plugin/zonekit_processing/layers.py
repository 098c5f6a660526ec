"""QGIS layers in, zonekit files out, and zonekit's results back into the project."""

from __future__ import annotations

from pathlib import Path

from qgis.core import (
    QgsMapLayer,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProviderRegistry,
    QgsVectorFileWriter,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QUrl

#: Single-layer vector files zonekit reads as they are (no export needed).
DIRECT_SUFFIXES = (".shp", ".geojson", ".json", ".fgb", ".parquet", ".geoparquet")


def own_file(layer: QgsVectorLayer) -> str | None:
    """Return the file of ``layer`` when zonekit can read it as it is, else ``None``.

    That is a whole single-layer file read by OGR: no sub-layer, no filter (subset string),
    no unsaved edits.
    """
    if layer.providerType() != "ogr" or layer.subsetString() or layer.isModified():
        return None
    parts = QgsProviderRegistry.instance().decodeUri("ogr", layer.source())
    path = parts.get("path") or ""
    if parts.get("layerName") or parts.get("layerId") is not None:
        return None
    if Path(path).suffix.lower() in DIRECT_SUFFIXES and Path(path).is_file():
        return path
    return None


def export_layer(layer: QgsVectorLayer, path: Path, layer_name: str,
                 context: QgsProcessingContext) -> str:
    """Write ``layer`` (all its features, its CRS — or none) to a GeoPackage; return the path."""
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    options.layerName = layer_name
    options.fileEncoding = "UTF-8"
    path.parent.mkdir(parents=True, exist_ok=True)
    if hasattr(QgsVectorFileWriter, "writeAsVectorFormatV3"):
        result = QgsVectorFileWriter.writeAsVectorFormatV3(
            layer, str(path), context.transformContext(), options)
    else:  # QGIS < 3.20
        result = QgsVectorFileWriter.writeAsVectorFormatV2(
            layer, str(path), context.transformContext(), options)
    if result[0] != QgsVectorFileWriter.NoError:
        raise QgsProcessingException(
            f"cannot export layer '{layer.name()}' to {path}: {result[1]}")
    return str(path)


def layer_path(layer: QgsVectorLayer, role: str, folder: Path,
               context: QgsProcessingContext, feedback: object, export: bool = False) -> str:
    """Return a file zonekit reads for ``layer``: its own, or an export to ``folder/role.gpkg``."""
    path = None if export else own_file(layer)
    if path is not None:
        feedback.pushInfo(f"{role}: {path}")
        return path
    feedback.pushInfo(f"{role}: exporting layer '{layer.name()}' to {folder / (role + '.gpkg')}")
    return export_layer(layer, folder / f"{role}.gpkg", role, context)


def load_result(context: QgsProcessingContext, path: Path, display: str,
                layer_name: str | None = None, output_name: str = "",
                optional: bool = False) -> QgsMapLayer | None:
    """Open a result and ask Processing to add it to the project when the run ends.

    GeoPackage layers open with their default style (zonekit stores it in ``layer_styles``);
    CSV files open as attribute tables. Returns the layer, or ``None`` when the file (or,
    ``optional``, the layer in it) is absent.
    """
    if not Path(path).exists():
        return None
    if layer_name is not None:
        layer = QgsVectorLayer(f"{path}|layername={layer_name}", display, "ogr")
    else:
        uri = (QUrl.fromLocalFile(str(path)).toString()
               + "?type=csv&detectTypes=yes&geomType=none&encoding=UTF-8")
        layer = QgsVectorLayer(uri, display, "delimitedtext")
    if not layer.isValid():
        if optional:
            return None
        raise QgsProcessingException(f"zonekit wrote {path}, but QGIS cannot open it")
    context.temporaryLayerStore().addMapLayer(layer)
    details = QgsProcessingContext.LayerDetails(display, context.project(), output_name)
    context.addLayerToLoadOnCompletion(layer.id(), details)
    return layer

