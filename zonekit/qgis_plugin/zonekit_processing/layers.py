"""QGIS layers in, zonekit files out, and zonekit's results back into the project.

Every vector input is written by QGIS itself into a temporary GeoPackage, the way QGIS
holds the layer: its filter (subset string), its selection when "selected features only"
is ticked, its joined fields, unsaved edits, memory and virtual layers — and the CRS the
layer has in the project (Layer ▸ Set CRS), not the one of its file. zonekit never sees
the user's files themselves.
"""

from __future__ import annotations

from pathlib import Path

from qgis.core import (
    QgsMapLayer,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeatureSourceDefinition,
    QgsProcessingUtils,
    QgsProperty,
    QgsVectorFileWriter,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QUrl


def input_layer(value: object, context: QgsProcessingContext
                ) -> tuple[QgsVectorLayer | None, bool]:
    """Return the vector layer a feature-source parameter value names, and "selected only".

    ``value`` is what Processing passes: a layer, a layer id, name or source, or a
    ``QgsProcessingFeatureSourceDefinition`` (the dialog's "selected features only").
    """
    selected = False
    if isinstance(value, QgsProcessingFeatureSourceDefinition):
        selected = bool(value.selectedFeaturesOnly)
        value = value.source
    if isinstance(value, QgsProperty):
        value = value.staticValue()
    if isinstance(value, QgsMapLayer):
        layer = value
    elif value in (None, ""):
        return None, False
    else:
        layer = QgsProcessingUtils.mapLayerFromString(str(value), context, True,
                                                      QgsProcessingUtils.LayerHint.Vector)
    if not isinstance(layer, QgsVectorLayer):
        raise QgsProcessingException(f"'{value}' is not a vector layer QGIS can open")
    return layer, selected


def check_crs(layer: QgsVectorLayer, label: str) -> None:
    """Refuse a layer whose CRS is unknown (none, invalid, or GDAL's "Undefined … SRS").

    Raises
    ------
    QgsProcessingException
        Names the layer and the parameter, and says how to set the CRS in QGIS.
    """
    crs = layer.crs()
    unknown = (not crs.isValid() or "undefined" in crs.description().lower()
               or "undefined" in crs.toWkt().lower()[:80])
    if unknown:
        raise QgsProcessingException(
            f"{label}: layer '{layer.name()}' has no known coordinate reference system "
            "(坐标参考系未知). Set the one its coordinates are in with Layer ▸ Set CRS "
            "(图层 ▸ 设置图层坐标参考系), then run again.")


def export_layer(layer: QgsVectorLayer, path: Path, layer_name: str,
                 context: QgsProcessingContext, selected: bool = False) -> str:
    """Write ``layer`` as QGIS holds it (filter, joins, edits, CRS) to a GeoPackage.

    ``selected``: only the selected features. Returns the file's path.
    """
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    options.layerName = layer_name
    options.fileEncoding = "UTF-8"
    options.onlySelectedFeatures = selected
    path.parent.mkdir(parents=True, exist_ok=True)
    if hasattr(QgsVectorFileWriter, "writeAsVectorFormatV3"):
        result = QgsVectorFileWriter.writeAsVectorFormatV3(
            layer, str(path), context.transformContext(), options)
    else:  # QGIS < 3.20
        result = QgsVectorFileWriter.writeAsVectorFormatV2(
            layer, str(path), context.transformContext(), options)
    if result[0] != QgsVectorFileWriter.NoError:
        raise QgsProcessingException(f"cannot copy layer '{layer.name()}': {result[1]}")
    return str(path)


def write_input(layer: QgsVectorLayer, selected: bool, label: str, path: Path,
                context: QgsProcessingContext, feedback: object) -> str:
    """Check the CRS of ``layer`` and write it to ``path`` (layer named after the file)."""
    check_crs(layer, label)
    if selected and layer.selectedFeatureCount() == 0:
        raise QgsProcessingException(
            f"{label}: \"selected features only\" is ticked, but no feature of layer "
            f"'{layer.name()}' is selected (未选择要素)")
    count = layer.selectedFeatureCount() if selected else layer.featureCount()
    what = "selected features" if selected else "features"
    feedback.pushInfo(f"{label}: layer '{layer.name()}', {count:,} {what}, "
                      f"CRS {layer.crs().authid() or layer.crs().description()}")
    return export_layer(layer, path, path.stem, context, selected)


def load_result(context: QgsProcessingContext, path: Path, display: str,
                layer_name: str | None = None, optional: bool = False,
                subset: str = "") -> QgsMapLayer | None:
    """Open a result and ask Processing to add it to the project when the run ends.

    GeoPackage layers open with their default style (zonekit stores it in ``layer_styles``);
    CSV files open as attribute tables. ``subset``: a filter (one category of a layer).
    Returns the layer, or ``None`` when the file (or, ``optional``, the layer in it) is
    absent.
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
        raise QgsProcessingException(f"zonekit wrote {Path(path).name}, but QGIS cannot open it")
    if subset:
        layer.setSubsetString(subset)
    context.temporaryLayerStore().addMapLayer(layer)
    return layer
