"""QGIS styles (QML) from style specs, stored in a GeoPackage the way QGIS stores them.

QGIS keeps a layer's default style in the GeoPackage table ``layer_styles`` (the schema
QGIS's OGR provider creates: ``f_table_name``, ``f_geometry_column``, ``styleName``,
``styleQML``, ``useAsDefault`` …), registered in ``gpkg_contents`` as an ``attributes``
table. When a planner opens a layer that has a row there with ``useAsDefault = 1``,
QGIS applies it: the classes, colours, Chinese legend labels, labels and Chinese field
aliases of :mod:`zonekit.maps.style` — the same as in the HTML and PNG maps.

The QML written here is the subset QGIS needs (renderer, symbols, labelling, aliases,
map tip); QGIS fills in defaults for the rest. Symbol properties are written both as
``<Option>`` maps (QGIS ≥ 3.20) and as ``<prop>`` elements (older QGIS 3).
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree as ET

from zonekit.errors import DataFileError, SchemaError, where
from zonekit.maps.static import CJK_FAMILIES
from zonekit.maps.style import MISSING_COLOR, StyleSpec, field_info

#: Symbol type and layer class of each geometry.
_SYMBOL = {"polygon": ("fill", "SimpleFill"), "line": ("line", "SimpleLine"),
           "point": ("marker", "SimpleMarker")}
_GEOMETRY_TYPE = {"point": "0", "line": "1", "polygon": "2"}
PX_TO_MM = 0.26  # QGIS's default 96 dpi screen pixel, in millimetres

#: ``layer_styles`` as QGIS's OGR provider creates it in a GeoPackage (via GDAL).
LAYER_STYLES_SQL = (
    'CREATE TABLE IF NOT EXISTS "layer_styles" ('
    '"id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "f_table_catalog" TEXT(256), '
    '"f_table_schema" TEXT(256), "f_table_name" TEXT(256), "f_geometry_column" TEXT(256), '
    '"styleName" TEXT(30), "styleQML" TEXT, "styleSLD" TEXT, "useAsDefault" BOOLEAN, '
    '"description" TEXT, "owner" TEXT(30), "ui" TEXT(30), '
    "\"update_time\" DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"
)


def qgis_color(hex_color: str, opacity: float = 1.0) -> str:
    """``#rrggbb`` → QGIS's ``r,g,b,a``."""
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"{r},{g},{b},{round(255 * opacity)}"


def _props(parent: ET.Element, props: dict[str, str]) -> None:
    options = ET.SubElement(parent, "Option", type="Map")
    for k, v in props.items():
        ET.SubElement(options, "Option", name=k, type="QString", value=v)
    for k, v in props.items():
        ET.SubElement(parent, "prop", k=k, v=v)


def _symbol(parent: ET.Element, name: str, spec: StyleSpec, color: str) -> None:
    sym_type, cls = _SYMBOL[spec.geometry]
    sym = ET.SubElement(parent, "symbol", name=name, type=sym_type, alpha="1",
                        clip_to_extent="1", force_rhr="0")
    layer = ET.SubElement(sym, "layer", {"class": cls, "enabled": "1", "locked": "0",
                                         "pass": "0"})
    width_mm = f"{spec.stroke_width_px * PX_TO_MM:.2f}"
    if spec.geometry == "polygon":
        props = {"color": qgis_color(color, spec.fill_opacity), "style": "solid",
                 "outline_color": qgis_color(spec.stroke_color), "outline_style": "solid",
                 "outline_width": width_mm, "outline_width_unit": "MM", "joinstyle": "bevel"}
    elif spec.geometry == "line":
        props = {"line_color": qgis_color(color), "line_style": "solid",
                 "line_width": f"{2 * spec.stroke_width_px * PX_TO_MM:.2f}",
                 "line_width_unit": "MM", "capstyle": "round", "joinstyle": "round"}
    else:
        props = {"color": qgis_color(color, spec.fill_opacity), "name": "circle",
                 "size": f"{2 * spec.point_radius_px * PX_TO_MM:.2f}", "size_unit": "MM",
                 "outline_color": qgis_color(spec.stroke_color), "outline_style": "solid",
                 "outline_width": "0.2", "outline_width_unit": "MM"}
    _props(layer, props)


def _rule_renderer(root: ET.Element, spec: StyleSpec) -> list[str]:
    """Graduated classes as rules plus an ELSE rule, so missing values show as 无数据."""
    r = ET.SubElement(root, "renderer-v2", type="RuleRenderer", forceraster="0",
                      symbollevels="0", enableorderby="0")
    rules = ET.SubElement(r, "rules", key="zk_root")
    col = f'"{spec.column}"'
    colors = []
    for i, rg in enumerate(spec.ranges):
        # First match wins, as in mapclassify and QGIS's graduated renderer.
        low = ">=" if i == 0 else ">"
        ET.SubElement(rules, "rule", key=f"zk_rule_{i}", symbol=str(i), label=rg.label,
                      filter=f"{col} {low} {float(rg.lower)!r} AND {col} <= {float(rg.upper)!r}")
        colors.append(rg.color)
    ET.SubElement(rules, "rule", key="zk_rule_else", symbol=str(len(colors)), label="无数据",
                  filter="ELSE")
    colors.append(MISSING_COLOR)
    symbols = ET.SubElement(r, "symbols")
    for i, color in enumerate(colors):
        _symbol(symbols, str(i), spec, color)
    return colors


def _renderer(root: ET.Element, spec: StyleSpec, has_missing: bool = False) -> None:
    symbols_parent: ET.Element
    if spec.kind == "graduated" and has_missing:
        _rule_renderer(root, spec)
        return
    if spec.kind == "categorical":
        r = ET.SubElement(root, "renderer-v2", type="categorizedSymbol", attr=spec.column or "",
                          forceraster="0", symbollevels="0", enableorderby="0")
        cats = ET.SubElement(r, "categories")
        colors = []
        for i, c in enumerate(spec.categories):
            ET.SubElement(cats, "category", value=c.value, label=c.label, symbol=str(i),
                          render="true")
            colors.append(c.color)
        # The catch-all category (empty value) draws values in no class, like folium.
        ET.SubElement(cats, "category", value="", label="无数据", symbol=str(len(colors)),
                      render="true")
        colors.append(MISSING_COLOR)
    elif spec.kind == "graduated":
        r = ET.SubElement(root, "renderer-v2", type="graduatedSymbol", attr=spec.column or "",
                          graduatedMethod="GraduatedColor", forceraster="0", symbollevels="0",
                          enableorderby="0")
        ranges = ET.SubElement(r, "ranges")
        colors = []
        for i, rg in enumerate(spec.ranges):
            ET.SubElement(ranges, "range", lower=repr(float(rg.lower)),
                          upper=repr(float(rg.upper)), label=rg.label, symbol=str(i),
                          render="true")
            colors.append(rg.color)
    else:
        r = ET.SubElement(root, "renderer-v2", type="singleSymbol", forceraster="0",
                          symbollevels="0", enableorderby="0")
        colors = [spec.color]
    symbols_parent = ET.SubElement(r, "symbols")
    for i, color in enumerate(colors):
        _symbol(symbols_parent, str(i), spec, color)
    if spec.kind == "graduated":
        method = ET.SubElement(r, "classificationMethod", id="Custom")
        ET.SubElement(method, "labelFormat", format="%1 - %2", labelprecision="1",
                      trimtrailingzeroes="1")


def _labeling(root: ET.Element, spec: StyleSpec) -> None:
    lab = ET.SubElement(root, "labeling", type="simple")
    settings = ET.SubElement(lab, "settings", calloutType="simple")
    style = ET.SubElement(settings, "text-style", fieldName=spec.label_column or "",
                          isExpression="0", fontFamily=CJK_FAMILIES[0], fontSize="9",
                          fontSizeUnit="Point", textColor="34,34,34,255", textOpacity="1",
                          namedStyle="Regular", fontWeight="50", multilineHeight="1")
    ET.SubElement(style, "text-buffer", bufferDraw="1", bufferSize="0.8", bufferSizeUnits="MM",
                  bufferColor="255,255,255,255", bufferOpacity="0.9", bufferNoFill="1",
                  bufferJoinStyle="128")
    ET.SubElement(settings, "text-format", multilineAlign="1", wrapChar="",
                  autoWrapLength="0", formatNumbers="0", decimals="3", plussign="0")
    placement = "0" if spec.geometry != "line" else "2"  # around point / parallel line
    if spec.geometry == "polygon":
        placement = "1"  # over point: the label inside the polygon
    ET.SubElement(settings, "placement", placement=placement, centroidWhole="0",
                  centroidInside="1", dist="0", priority="5", placementFlags="10",
                  fitInPolygonOnly="0", polygonPlacementFlags="2")
    ET.SubElement(settings, "rendering", drawLabels="1", obstacle="1", scaleVisibility="0",
                  fontLimitPixelSize="0", displayAll="0", upsidedownLabels="0",
                  labelPerPart="0", mergeLines="0", limitNumLabels="0", maxNumLabels="2000",
                  minFeatureSize="0", obstacleFactor="1", obstacleType="1", zIndex="0")


def style_qml(spec: StyleSpec, field_names: list[str] | None = None,
              has_missing: bool = False) -> str:
    """Write the QML document of a style spec.

    Parameters
    ----------
    spec
        The style.
    field_names
        The layer's fields in order (``fid`` first in a GeoPackage); Chinese aliases
        (name and unit) are written for those :data:`~zonekit.maps.style.FIELDS` knows.
    has_missing
        The classified column has missing values: a graduated style is then written as
        rules with an ELSE rule (无数据, grey), since QGIS's graduated renderer would not
        draw those features at all while the HTML and PNG maps show them grey.

    Returns
    -------
    str
        QML text (``<!DOCTYPE qgis …><qgis …>``), as QGIS's "Save Style…" writes it.
    """
    root = ET.Element("qgis", version="3.22.0", styleCategories="AllStyleCategories",
                      labelsEnabled="1" if spec.label_column else "0",
                      hasScaleBasedVisibilityFlag="0", minScale="100000000", maxScale="0")
    _renderer(root, spec, has_missing)
    if spec.label_column:
        _labeling(root, spec)
    ET.SubElement(root, "blendMode").text = "0"
    ET.SubElement(root, "featureBlendMode").text = "0"
    ET.SubElement(root, "layerOpacity").text = "1"
    names = field_names or list(dict.fromkeys([*spec.fields, *filter(None, [spec.column])]))
    aliases = ET.SubElement(root, "aliases")
    for i, name in enumerate(names):
        info = field_info(name)
        ET.SubElement(aliases, "alias", field=name, index=str(i),
                      name=info.heading if info.label_zh != name else "")
    shown = [f for f in spec.fields if f in names]
    tip = "<br>".join(f'<b>{field_info(f).heading}</b>: [% "{f}" %]' for f in shown)
    display = spec.label_column if spec.label_column in names else (shown or [""])[0]
    ET.SubElement(root, "previewExpression").text = f'"{display}"' if display else ""
    ET.SubElement(root, "mapTip").text = tip
    ET.SubElement(root, "layerGeometryType").text = _GEOMETRY_TYPE[spec.geometry]
    ET.indent(root, space=" ")
    body = ET.tostring(root, encoding="unicode")
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + body + "\n"


def _layer_info(con: sqlite3.Connection, path: Path, layer: str) -> tuple[str, list[str]]:
    """Geometry column and field names (``fid`` first) of a GeoPackage feature table."""
    row = con.execute("SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?",
                      (layer,)).fetchone()
    if row is None:
        known = [r[0] for r in con.execute(
            "SELECT table_name FROM gpkg_contents WHERE data_type = 'features'")]
        raise DataFileError(f"{where(path, layer)}: no such feature layer in the GeoPackage "
                            f"(layers: {', '.join(known) or 'none'})")
    geom = row[0]
    cols = [r[1] for r in con.execute(f'PRAGMA table_info("{layer}")') if r[1] != geom]
    return geom, cols


def add_style_to_gpkg(path: Path | str, layer: str, spec: StyleSpec,
                      style_name: str | None = None, description: str | None = None,
                      default: bool = True) -> int:
    """Store ``spec`` as a QGIS style of ``layer`` in the GeoPackage at ``path``.

    Creates ``layer_styles`` as QGIS does when missing (registered in ``gpkg_contents``),
    replaces an earlier style of the same name, and with ``default`` makes it the style
    QGIS applies when the layer is opened.

    Parameters
    ----------
    path
        GeoPackage written by zonekit (or any other).
    layer
        Feature table to style.
    spec
        The style; its classified, label and tooltip columns must exist in the layer.
    style_name
        Name shown in QGIS's style manager (≤ 30 characters); default ``spec.name``.
    description
        Description shown in QGIS; default the spec's title.
    default
        Make it the layer's default style (``useAsDefault``).

    Returns
    -------
    int
        The ``id`` of the style's row.

    Raises
    ------
    zonekit.errors.DataFileError
        When the file or layer is missing.
    zonekit.errors.SchemaError
        When a column the style needs is not in the layer.
    """
    return add_styles_to_gpkg(path, [(layer, spec)], style_name=style_name,
                              description=description, default=default)[0]


def add_styles_to_gpkg(path: Path | str, styles: list[tuple[str, StyleSpec]],
                       style_name: str | None = None, description: str | None = None,
                       default: bool = True) -> list[int]:
    """Store several QGIS styles in one GeoPackage, in one sqlite connection and transaction.

    ``styles`` lists ``(layer, spec)`` pairs, stored in order (a later default style of a
    layer wins); the other parameters are those of :func:`add_style_to_gpkg`.

    Returns
    -------
    list of int
        The ``id`` of each style's row.
    """
    path = Path(path)
    if not path.exists():
        raise DataFileError(f"{path}: GeoPackage not found")
    con = sqlite3.connect(path)
    try:
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        rows = [_style_row(con, path, layer, spec, style_name, description)
                for layer, spec in styles]
        ids = []
        with con:
            _ensure_layer_styles(con, now)
            for layer, geom, name, qml, desc in rows:
                if default:
                    con.execute("UPDATE layer_styles SET useAsDefault = 0 WHERE f_table_name = "
                                "? AND f_geometry_column = ?", (layer, geom))
                con.execute("DELETE FROM layer_styles WHERE f_table_name = ? AND "
                            "f_geometry_column = ? AND styleName = ?", (layer, geom, name))
                cur = con.execute(
                    "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
                    "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, "
                    "description, owner, ui, update_time) VALUES ('', '', ?, ?, ?, ?, '', ?, "
                    "?, '', NULL, ?)", (layer, geom, name, qml, int(default), desc, now))
                ids.append(int(cur.lastrowid or 0))
            _update_ogr_count(con)
        return ids
    finally:
        con.close()


def _style_row(con: sqlite3.Connection, path: Path, layer: str, spec: StyleSpec,
               style_name: str | None, description: str | None,
               ) -> tuple[str, str, str, str, str]:
    """Check a style against its layer; return its ``layer_styles`` values."""
    geom, fields = _layer_info(con, path, layer)
    needed = [c for c in (spec.column, spec.label_column) if c]
    missing = [c for c in needed if c not in fields]
    if missing:
        raise SchemaError(f"{where(path, layer)}: style {spec.name!r} needs column(s) "
                          f"{', '.join(missing)}; the layer has {', '.join(fields)}")
    has_missing = bool(spec.column) and con.execute(
        f'SELECT 1 FROM "{layer}" WHERE "{spec.column}" IS NULL LIMIT 1').fetchone() is not None
    qml = style_qml(spec, fields, has_missing)
    return layer, geom, (style_name or spec.name)[:30], qml, description or spec.title


def _ensure_layer_styles(con: sqlite3.Connection, now: str) -> None:
    con.execute(LAYER_STYLES_SQL)
    con.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, description, "
                "last_change, srs_id) SELECT 'layer_styles', 'attributes', 'layer_styles', "
                "'', ?, 0 WHERE NOT EXISTS (SELECT 1 FROM gpkg_contents WHERE table_name = "
                "'layer_styles')", (now,))


def _update_ogr_count(con: sqlite3.Connection) -> None:
    """Keep GDAL's feature-count cache (``gpkg_ogr_contents``) right, when present."""
    has = con.execute("SELECT 1 FROM sqlite_master WHERE name = 'gpkg_ogr_contents'").fetchone()
    if not has:
        return
    count = con.execute("SELECT COUNT(*) FROM layer_styles").fetchone()[0]
    con.execute("DELETE FROM gpkg_ogr_contents WHERE table_name = 'layer_styles'")
    con.execute("INSERT INTO gpkg_ogr_contents (table_name, feature_count) VALUES "
                "('layer_styles', ?)", (count,))


def read_styles(path: Path | str) -> list[dict[str, object]]:
    """Rows of ``layer_styles`` (empty when the table is missing), for tests and checks."""
    con = sqlite3.connect(Path(path))
    try:
        con.row_factory = sqlite3.Row
        if not con.execute("SELECT 1 FROM sqlite_master WHERE name = 'layer_styles'").fetchone():
            return []
        return [dict(r) for r in con.execute("SELECT * FROM layer_styles ORDER BY id")]
    finally:
        con.close()
